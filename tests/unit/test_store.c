/* tests/unit/test_store.c: the store's C layer: schema, reference data, batches, as-of. */
#include "store.h"
#include "store_area.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t count(pmf_store *s, const char *sql) {
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(pmf_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}


/* ---- areas by any name (store_area.h): text, how read, month -> code or message ---- */
static const struct {
    const char *text;
    pmf_area_by by;
    int32_t at;             /* month index, or -1 */
    const char *code;       /* NULL: fails with a message holding `why` */
    const char *why;
} resolve_cases[] = {
    { "E08000027", PMF_AREA_BY_ANY, -1, "E08000027", NULL },
    { " e08000027 ", PMF_AREA_BY_CODE, -1, "E08000027", NULL },
    { "332", PMF_AREA_BY_ANY, -1, "E08000027", NULL },                 /* DfE LA number */
    { "Dudley", PMF_AREA_BY_NAME, -1, "E08000027", NULL },
    { "Dudley MBC", PMF_AREA_BY_ANY, -1, "E08000027", NULL },
    { "Bristol, City of", PMF_AREA_BY_ANY, -1, "E06000023", NULL },
    { "Bristol", PMF_AREA_BY_ANY, -1, "E06000023", NULL },
    { "City of Bristol", PMF_AREA_BY_ANY, -1, "E06000023", NULL },
    { "BRISTOL CITY COUNCIL", PMF_AREA_BY_ANY, -1, "E06000023", NULL },
    { "Edinburgh City", PMF_AREA_BY_ANY, -1, "S12000036", NULL },
    { "City of Edinburgh", PMF_AREA_BY_ANY, -1, "S12000036", NULL },
    { "Kingston upon Hull, City of", PMF_AREA_BY_ANY, -1, "E06000010", NULL },
    { "Hull", PMF_AREA_BY_ANY, -1, "E06000010", NULL },
    { "St Helens", PMF_AREA_BY_ANY, -1, "E08000013", NULL },
    { "St. Helens", PMF_AREA_BY_ANY, -1, "E08000013", NULL },
    { "Herefordshire, County of", PMF_AREA_BY_ANY, -1, "E06000019", NULL },
    { "Durham", PMF_AREA_BY_ANY, -1, "E06000047", NULL },
    { "County Durham", PMF_AREA_BY_ANY, -1, "E06000047", NULL },
    { "Rhondda Cynon Taff", PMF_AREA_BY_ANY, -1, "W06000016", NULL },
    { "King’s Lynn & West Norfolk", PMF_AREA_BY_ANY, -1, "E07000146", NULL },
    { "Stoke on Trent", PMF_AREA_BY_ANY, -1, "E06000021", NULL },
    { "West Midlands", PMF_AREA_BY_ANY, -1, "E12000005", NULL },        /* the region */
    { "ENGLAND", PMF_AREA_BY_ANY, -1, "E92000001", NULL },
    { "970", PMF_AREA_BY_LA_NUMBER, -1, "E92000001", NULL },
    { "Wales", PMF_AREA_BY_ANY, -1, "W92000004", NULL },
    /* a former code is kept: it resolves to itself */
    { "E06000028", PMF_AREA_BY_ANY, -1, "E06000028", NULL },
    { "Poole", PMF_AREA_BY_ANY, -1, "E06000029", NULL },
    /* one name, two codes in turn: the month decides, or it is an error naming both */
    { "Perth & Kinross", PMF_AREA_BY_ANY, 2024 * 12, "S12000048", NULL },
    { "Perth and Kinross", PMF_AREA_BY_ANY, 2015 * 12, "S12000024", NULL },
    { "Buckinghamshire", PMF_AREA_BY_ANY, 2019 * 12, "E10000002", NULL },
    { "Buckinghamshire", PMF_AREA_BY_ANY, 2021 * 12, "E06000060", NULL },
    { "Buckinghamshire", PMF_AREA_BY_ANY, -1, NULL,
      "'Buckinghamshire' is ambiguous: Buckinghamshire (E06000060, unitary, from 2020-04) or "
      "Buckinghamshire (E10000002, former county, ended 2020-03-31); give the code or the period" },
    { "825", PMF_AREA_BY_ANY, -1, NULL, "'825' is ambiguous" },
    /* unknown: did you mean */
    { "Bristl", PMF_AREA_BY_ANY, -1, NULL, "unknown area 'Bristl'; did you mean 'Bristol, City of' (E06000023)?" },
    { "Sandwel", PMF_AREA_BY_NAME, -1, NULL, "did you mean 'Sandwell' (E08000028)?" },
    { "Newcastle", PMF_AREA_BY_ANY, -1, NULL, "'Newcastle upon Tyne' (E08000021)" },
    { "E99999999", PMF_AREA_BY_ANY, -1, NULL, "unknown area code 'E99999999'" },
    { "999", PMF_AREA_BY_ANY, -1, NULL, "unknown DfE LA number '999'" },
    { "Dudley", PMF_AREA_BY_CODE, -1, NULL, "unknown area code 'Dudley'" },
    { "", PMF_AREA_BY_ANY, -1, NULL, "empty area" },
};

static void test_resolve(pmf_store *s) {
    char err[1024];
    pmf_areas *a = pmf_areas_load(s, err, sizeof err);
    test_cond("the area snapshot loads", a != NULL);
    if (!a) { fprintf(stderr, "%s\n", err); return; }
    for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
        pmf_area_hit hit;
        int rc = pmf_area_resolve(a, resolve_cases[i].text, resolve_cases[i].by, resolve_cases[i].at,
                                  1, &hit, err, sizeof err);
        char what[1400];
        if (resolve_cases[i].code) {
            snprintf(what, sizeof what, "'%s' resolves to %s (%s)", resolve_cases[i].text,
                     resolve_cases[i].code, rc == 0 ? hit.code : err);
            test_cond(what, rc == 0 && strcmp(hit.code, resolve_cases[i].code) == 0
                            && hit.id == pmf_store_area_id(s, hit.code));
        } else {
            snprintf(what, sizeof what, "'%s' fails: \"%s\" holds \"%s\"", resolve_cases[i].text,
                     err, resolve_cases[i].why);
            test_cond(what, rc == (strstr(err, "ambiguous") ? -2 : -1) &&
                            strstr(err, resolve_cases[i].why) != NULL);
        }
    }
    pmf_area_hit hit;
    /* a period: the one area in force during any of its months, or an error naming both */
    test_cond("a year both Buckinghamshires were in force in is ambiguous (-2), naming both",
              pmf_area_resolve(a, "Buckinghamshire", PMF_AREA_BY_NAME, 2020 * 12, 12, &hit, err,
                               sizeof err) == -2 && strstr(err, "E10000002") && strstr(err, "E06000060")
              && strstr(err, "give the code") && !strstr(err, "or the period"));
    test_cond("financial year 2019/20 is the county's alone",
              pmf_area_resolve(a, "Buckinghamshire", PMF_AREA_BY_NAME, 2019 * 12 + 3, 12, &hit, err,
                               sizeof err) == 0 && strcmp(hit.code, "E10000002") == 0);
    test_cond("Perth & Kinross in April to June 2023: the new code",
              pmf_area_resolve(a, "Perth & Kinross", PMF_AREA_BY_NAME, 2023 * 12 + 3, 3, &hit, err,
                               sizeof err) == 0 && strcmp(hit.code, "S12000048") == 0);
    test_cond("a former code names its successors and its end",
              pmf_area_resolve(a, "Cumbria", PMF_AREA_BY_ANY, -1, 0, &hit, err, sizeof err) == 0
              && strcmp(hit.code, "E10000006") == 0
              && strcmp(hit.successors, "E06000063 E06000064") == 0
              && strcmp(hit.ended, "2023-03-31") == 0 && strcmp(hit.matched_by, "name") == 0);
    test_cond("a current code has none",
              pmf_area_resolve(a, "E06000063", PMF_AREA_BY_ANY, -1, 0, &hit, err, sizeof err) == 0
              && *hit.successors == '\0' && *hit.ended == '\0');
    char key[PMF_AREA_KEY_MAX];
    pmf_area_key("  St. Helens  Metropolitan Borough Council ", key, sizeof key);
    test_streq("keys fold case, punctuation and suffixes", key, "st helens");
    pmf_areas_free(a);
    pmf_areas_free(NULL);
}

int main(void) {
    char err[512];
    pmf_store *s = pmf_store_open(":memory:", "lua/data", err, sizeof err);
    test_cond("a new in-memory store opens", s != NULL);
    if (!s) { fprintf(stderr, "%s\n", err); return test_report("test_store"); }

    test_cond("schema version set", count(s, "PRAGMA user_version") == PMF_SCHEMA_VERSION);
    test_cond("471 areas loaded", count(s, "SELECT count(*) FROM area") == 471);
    test_resolve(s);

    /* A metric's definition as of a cutoff: the version recorded by then (by code or id);
     * before the first version, the first. */
    sqlite3_exec(pmf_store_db(s),
                 "INSERT INTO metric(id, code, title, aggregation) VALUES (7, 'w', 'Waste', 'max');"
                 "INSERT INTO metric_version(metric, version, title, aggregation, decimals, recorded_ms)"
                 "  VALUES (7, 1, 'Waste', 'sum', NULL, 1000), (7, 2, 'Waste', 'max', 2, 5000);",
                 NULL, NULL, NULL);
    pmf_metric_def d;
    test_cond("in force between the versions: v1",
              pmf_store_metric_def(s, "w", 0, 4999, &d) == 1 && d.version == 1 &&
              strcmp(d.aggregation, "sum") == 0 && d.decimals == -1 && d.id == 7);
    pmf_metric_def_free(&d);
    test_cond("from the second version's time: v2",
              pmf_store_metric_def(s, NULL, 7, 5000, &d) == 1 && d.version == 2 &&
              strcmp(d.aggregation, "max") == 0 && d.decimals == 2 && strcmp(d.code, "w") == 0);
    pmf_metric_def_free(&d);
    test_cond("before any version: the first",
              pmf_store_metric_def(s, "w", 0, 10, &d) == 1 && d.version == 1);
    pmf_metric_def_free(&d);
    pmf_metric_def_free(&d);   /* idempotent */
    test_cond("an unknown metric: 0", pmf_store_metric_def(s, "nope", 0, INT64_MAX, &d) == 0);
    test_cond("England is there", count(s, "SELECT count(*) FROM area WHERE code = 'E92000001'") == 1);
    test_cond("Dudley's CIPFA group has itself and 15 neighbours",
              count(s, "SELECT count(*) FROM area_group_member WHERE group_id = 'cipfa_2024:E08000027'") == 16);
    test_cond("Dudley is rank 0 of its own group",
              count(s, "SELECT m.rank FROM area_group_member m JOIN area a ON a.id = m.area "
                       "WHERE m.group_id = 'cipfa_2024:E08000027' AND a.code = 'E08000027'") == 0);
    test_cond("DfE statistical neighbours: 10 + itself",
              count(s, "SELECT count(*) FROM area_group_member WHERE group_id = 'dfe_sn_2025:E08000027'") == 11);
    test_cond("36 metropolitan districts grouped",
              count(s, "SELECT count(*) FROM area_group_member WHERE group_id = 'all:metropolitan district'") == 36);
    test_cond("area ids resolve", pmf_store_area_id(s, "E08000030") > 0);
    test_cond("unknown area is -1", pmf_store_area_id(s, "E99999999") == -1);
    test_cond("unknown metric is -1", pmf_store_metric_id(s, "nope") == -1);
    test_cond("foreign keys are on", count(s, "PRAGMA foreign_keys") == 1);

    /* as-of parsing: a date means the end of that day */
    int64_t c1, c2;
    test_cond("date parses", pmf_asof_parse("2025-10-15", &c1) == 0);
    test_cond("datetime parses", pmf_asof_parse("2025-10-15T23:59:59.999", &c2) == 0);
    test_cond("a date's cutoff is the end of the day", c1 == c2);
    test_cond("minute precision", pmf_asof_parse("2025-10-15 12:30", &c2) == 0 && c2 < c1);
    test_cond("bad month refused", pmf_asof_parse("2025-13-01", &c1) == -1);
    test_cond("29 Feb in a common year refused", pmf_asof_parse("2025-02-29", &c1) == -1);
    test_cond("29 Feb in a leap year accepted", pmf_asof_parse("2024-02-29", &c1) == 0);
    test_cond("junk refused", pmf_asof_parse("yesterday", &c1) == -1);
    char buf[32];
    pmf_asof_parse("2025-10-15T08:09:10", &c1);
    pmf_format_ms(c1, buf, sizeof buf);
    test_streq("format round-trips", buf, "2025-10-15T08:09:10.999Z");

    /* batches and their visibility at a cutoff, whatever order they were recorded in */
    int64_t b1 = pmf_store_new_batch(s, "import", "ann", "2025-10-01T09:00:00", "a.csv", NULL);
    int64_t b2 = pmf_store_new_batch(s, "import", "bob", "2025-11-01T09:00:00", "b.csv", NULL);
    int64_t b3 = pmf_store_new_batch(s, "edit", "cat", "2025-09-01T09:00:00", NULL, "backfill");
    test_cond("batches get ids", b1 > 0 && b2 > b1 && b3 > b2);
    pmf_batch_view v;
    pmf_asof_parse("2025-10-15", &c1);
    test_cond("batch view loads", pmf_batch_view_load(s, c1, &v) == 0);
    test_cond("b1 visible on 15 Oct", v.rank[b1] > 0);
    test_cond("b2 not yet visible", v.rank[b2] == 0);
    test_cond("back-filled b3 visible and earlier than b1", v.rank[b3] > 0 && v.rank[b3] < v.rank[b1]);
    pmf_batch_view_free(&v);

    test_cond("transactions", pmf_store_begin(s) == SQLITE_OK && pmf_store_rollback(s) == SQLITE_OK);
    pmf_store_close(s);
    pmf_store_close(NULL);

    /* a file store: reopening keeps the data and does not reload the reference data */
    char path[] = "/tmp/pmf_test_storeXXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    s = pmf_store_open(path, "lua/data", err, sizeof err);
    test_cond("a file store opens", s != NULL);
    if (s) test_cond("journal is WAL", sqlite3_db_filename(pmf_store_db(s), "main") != NULL);
    pmf_store_close(s);
    s = pmf_store_open(path, "lua/data", err, sizeof err);
    test_cond("it reopens", s != NULL);
    if (s) test_cond("areas not loaded twice", count(s, "SELECT count(*) FROM area") == 471);
    pmf_store_close(s);

    /* an older store (schema 1) is migrated on open, after a backup copy */
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "INSERT INTO metric(code, title) VALUES ('m.keep', 'kept');"
                     "INSERT INTO observation(metric, area, start, len, batch, value)"
                     "  SELECT id, 1, 24291, 1, 1, 5 FROM metric WHERE code = 'm.keep';"
                     "DROP TRIGGER observation_packed_ins; DROP TRIGGER observation_packed_del;"
                     "DROP TRIGGER observation_packed_upd; DROP TABLE series_pack; DROP TABLE series_dirty;"
                     "DROP TABLE publication; DROP TABLE metric_version;"
                     "DROP TABLE area_alias; DROP TABLE area_successor;"
                     "DELETE FROM area WHERE kind = 'region';"
                     "ALTER TABLE metric DROP COLUMN reference; ALTER TABLE metric DROP COLUMN carry;"
                     "ALTER TABLE target DROP COLUMN note; ALTER TABLE commentary DROP COLUMN author;"
                     "DROP TABLE return_receipt; DROP TABLE return_issue;"
                     "PRAGMA user_version = 1;", NULL, NULL, NULL);
    sqlite3_close(db);
    s = pmf_store_open(path, "lua/data", err, sizeof err);
    test_cond("a schema-1 store opens", s != NULL);
    if (!s) fprintf(stderr, "%s\n", err);
    if (s) {
        test_cond("migrated to the current version", count(s, "PRAGMA user_version") == PMF_SCHEMA_VERSION);
        test_cond("the new table exists", count(s, "SELECT count(*) FROM publication") == 0);
        test_cond("metrics have reference and carry",
                  count(s, "SELECT count(*) FROM metric WHERE reference IS NULL AND carry IS NULL") > 0);
        test_cond("its data is kept", pmf_store_metric_id(s, "m.keep") > 0);
        test_cond("its figures are packed on opening (store_pack.h), none left dirty",
                  count(s, "SELECT count(*) FROM series_pack") == 1 &&
                  count(s, "SELECT count(*) FROM series_dirty") == 0);
        pmf_metric_def d;
        test_cond("its metrics get a first version, in force from the start",
                  pmf_store_metric_def(s, "m.keep", 0, 0, &d) == 1 && d.version == 1 &&
                  d.recorded_ms == 0 && strcmp(d.title, "kept") == 0 &&
                  strcmp(d.aggregation, "sum") == 0 && d.owner == NULL);
        pmf_metric_def_free(&d);
        test_cond("it gains the regions", count(s, "SELECT count(*) FROM area WHERE kind = 'region'") == 9);
        test_cond("and the names publishers use",
                  count(s, "SELECT count(*) FROM area_alias WHERE key = 'bristol'") == 1);
        test_cond("and the former codes' successors",
                  count(s, "SELECT count(*) FROM area_successor") == 60);
    }
    pmf_store_close(s);
    char bak[600];
    snprintf(bak, sizeof bak, "%s.v1.bak", path);
    test_cond("a backup was made first", access(bak, R_OK) == 0);
    sqlite3_open(bak, &db);
    sqlite3_stmt *st;
    int bakv = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) bakv = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    test_cond("the backup is the old version", bakv == 1);

    /* a second upgrade of the same version keeps the first copy and makes another */
    sqlite3_open(path, &db);
    sqlite3_exec(db, "DROP TRIGGER observation_packed_ins; DROP TRIGGER observation_packed_del;"
                     "DROP TRIGGER observation_packed_upd; DROP TABLE series_pack; DROP TABLE series_dirty;"
                     "DROP TABLE publication; DROP TABLE metric_version;"
                     "DROP TABLE area_alias; DROP TABLE area_successor;"
                     "ALTER TABLE metric DROP COLUMN reference; ALTER TABLE metric DROP COLUMN carry;"
                     "ALTER TABLE target DROP COLUMN note; ALTER TABLE commentary DROP COLUMN author;"
                     "DROP TABLE return_receipt; DROP TABLE return_issue;"
                     "PRAGMA user_version = 1;", NULL, NULL, NULL);
    sqlite3_close(db);
    s = pmf_store_open(path, "lua/data", err, sizeof err);
    test_cond("an upgrade with an old backup copy beside the store opens", s != NULL);
    pmf_store_close(s);
    char bak2[600];
    snprintf(bak2, sizeof bak2, "%s.v1.1.bak", path);
    test_cond("the new copy has the next name", access(bak2, R_OK) == 0);
    test_cond("the old copy is still there", access(bak, R_OK) == 0);
    unlink(bak);
    unlink(bak2);

    /* a store from a newer pmf is refused, not damaged */
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    s = pmf_store_open(path, "lua/data", err, sizeof err);
    test_cond("newer schema refused", s == NULL && strstr(err, "newer") != NULL);
    pmf_store_close(s);

    /* a non-database file is refused with its name in the message */
    FILE *f = fopen(path, "w");
    fputs("this is not a database, just text that is long enough to look like a header....", f);
    fclose(f);
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path); unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path); unlink(wal);
    s = pmf_store_open(path, "lua/data", err, sizeof err);
    test_cond("a text file is not a store", s == NULL && strstr(err, path) != NULL);
    pmf_store_close(s);
    unlink(path);

    return test_report("test_store");
}
