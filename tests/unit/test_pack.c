/*
 * tests/unit/test_pack.c: packed series (core/store_pack.h) against a real SQLite file:
 * after every kind of write (imports fresh, revising, refused, rolled back, dry, larger
 * than the importer's log; another connection's raw SQL; a damaged pack) each series' pack
 * holds exactly its rows or the series is listed dirty, and a read gives the same figures
 * from the pack as from the rows, now and as of an earlier date.
 */
#include "import.h"
#include "period.h"
#include "store_pack.h"
#include "store_read.h"
#include "test.h"
#include "test_store_open.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>


static int same_double(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

/* Every series with rows: packed with exactly its rows (each field), or dirty and unpacked;
 * no pack or dirty entry without rows.  Returns the number of series out of step. */
static int out_of_step(sqlite3 *db) {
    sqlite3_stmt *keys, *rows, *pack, *dirty;
    int bad = 0;
    sqlite3_prepare_v2(db, "SELECT metric, area, breakdown FROM observation UNION"
                           " SELECT metric, area, breakdown FROM series_pack UNION"
                           " SELECT metric, area, breakdown FROM series_dirty", -1, &keys, NULL);
    sqlite3_prepare_v2(db, "SELECT start, len, batch, value, numerator, denominator, flags"
                           " FROM observation WHERE metric = ?1 AND area = ?2 AND breakdown = ?3"
                           " ORDER BY start, len, batch", -1, &rows, NULL);
    sqlite3_prepare_v2(db, "SELECT data FROM series_pack WHERE metric = ?1 AND area = ?2"
                           " AND breakdown = ?3", -1, &pack, NULL);
    sqlite3_prepare_v2(db, "SELECT 1 FROM series_dirty WHERE metric = ?1 AND area = ?2"
                           " AND breakdown = ?3", -1, &dirty, NULL);
    while (sqlite3_step(keys) == SQLITE_ROW) {
        sqlite3_stmt *st[3] = {rows, pack, dirty};
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 3; c++) sqlite3_bind_value(st[i], c + 1, sqlite3_column_value(keys, c));
        int has_pack = sqlite3_step(pack) == SQLITE_ROW;
        int is_dirty = sqlite3_step(dirty) == SQLITE_ROW;
        int ok;
        if (is_dirty) {
            ok = !has_pack;
        } else if (!has_pack) {
            ok = sqlite3_step(rows) != SQLITE_ROW;      /* no rows, nothing to pack */
        } else {
            pmf_pack_iter it = pmf_pack_begin(sqlite3_column_blob(pack, 0),
                                              (size_t)sqlite3_column_bytes(pack, 0));
            pmf_pack_row r;
            ok = 1;
            int d, any = 0;
            while (ok && (d = pmf_pack_next(&it, &r)) == 1) {
                any = 1;
                ok = sqlite3_step(rows) == SQLITE_ROW &&
                     r.start == sqlite3_column_int(rows, 0) && r.len == sqlite3_column_int(rows, 1) &&
                     r.batch == sqlite3_column_int64(rows, 2) &&
                     same_double(r.value, sqlite3_column_type(rows, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(rows, 3)) &&
                     same_double(r.numerator, sqlite3_column_type(rows, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(rows, 4)) &&
                     same_double(r.denominator, sqlite3_column_type(rows, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(rows, 5)) &&
                     r.flags == sqlite3_column_int64(rows, 6);
            }
            if (ok) ok = d == 0 && any && sqlite3_step(rows) == SQLITE_DONE;
        }
        if (!ok) bad++;
        for (int i = 0; i < 3; i++) sqlite3_reset(st[i]);
    }
    sqlite3_finalize(keys);
    sqlite3_finalize(rows);
    sqlite3_finalize(pack);
    sqlite3_finalize(dirty);
    return bad;
}

/* Import CSV text; the result of pmf_import_finish. */
static int import_text(pmf_store *s, const char *text, const pmf_import_opts *o) {
    char err[512];
    pmf_import *im = pmf_import_begin(s, "t.csv", o, err, sizeof err);
    if (!im) return -2;
    pmf_csv *c = pmf_csv_open_mem(text, strlen(text), "t.csv");
    pmf_import_csv(im, c);
    pmf_csv_close(c);
    int rc = pmf_import_finish(im, NULL);
    if (rc != 0 && pmf_import_nmessages(im) > 0 && getenv("TEST_PACK_VERBOSE"))
        fprintf(stderr, "import: %s\n", pmf_import_message(im, 0));
    pmf_import_free(im);
    return rc;
}

/* Every series read through a pmf_figures at cutoff, from its pack, and again from its
 * rows (the pack moved aside: a read without a pack reads rows), compared figure by figure.
 * Returns the number of series whose reads differ; *npacked counts those read from packs. */
static int reads_differ(pmf_store *s, int64_t cutoff, int *npacked) {
    sqlite3 *db = pmf_store_db(s);
    sqlite3_stmt *keys;
    int bad = 0;
    *npacked = 0;
    sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS aside(metric, area, breakdown, data)",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "SELECT DISTINCT metric, area, breakdown,"
                           " EXISTS (SELECT 1 FROM series_pack p WHERE p.metric = o.metric"
                           "   AND p.area = o.area AND p.breakdown = o.breakdown)"
                           " FROM observation o", -1, &keys, NULL);
    while (sqlite3_step(keys) == SQLITE_ROW) {
        int64_t m = sqlite3_column_int64(keys, 0), a = sqlite3_column_int64(keys, 1);
        char bd[64];
        snprintf(bd, sizeof bd, "%s", (const char *)sqlite3_column_text(keys, 2));
        *npacked += sqlite3_column_int(keys, 3);
        for (int want = 0; want < 4; want++) {
            pmf_figures *f = pmf_figures_open(s, cutoff);
            size_t n1 = 0, n2 = 0;
            const pmf_obs *o = pmf_figures_read(f, m, a, bd, INT32_MIN, INT32_MAX, want, &n1);
            pmf_obs first[64];
            int ok = o != NULL && n1 <= 64;
            if (ok) memcpy(first, o, n1 * sizeof *o);
            char *sql = sqlite3_mprintf(
                "DELETE FROM temp.aside; INSERT INTO temp.aside SELECT metric, area, breakdown,"
                " data FROM series_pack WHERE metric = %lld AND area = %lld AND breakdown = %Q;"
                "DELETE FROM series_pack WHERE metric = %lld AND area = %lld AND breakdown = %Q;",
                (long long)m, (long long)a, bd, (long long)m, (long long)a, bd);
            sqlite3_exec(db, sql, NULL, NULL, NULL);
            sqlite3_free(sql);
            o = pmf_figures_read(f, m, a, bd, INT32_MIN, INT32_MAX, want, &n2);
            ok = ok && o && n1 == n2;
            for (size_t i = 0; ok && i < n1; i++)
                ok = first[i].start == o[i].start && first[i].len == o[i].len &&
                     same_double(first[i].value, o[i].value) &&
                     same_double(first[i].numerator, o[i].numerator) &&
                     same_double(first[i].denominator, o[i].denominator) &&
                     first[i].flags == o[i].flags && first[i].rec == o[i].rec;
            sqlite3_exec(db, "INSERT INTO series_pack(metric, area, breakdown, data)"
                             " SELECT * FROM temp.aside", NULL, NULL, NULL);
            pmf_figures_close(f);
            if (!ok) bad++;
        }
    }
    sqlite3_finalize(keys);
    return bad;
}

/* The whole-table scan's figures, summed (value, start and count weighted so that a lost
 * or moved figure shows); NaN when the scan fails. */
static int add_up(void *ctx, int64_t metric, int64_t area, const pmf_obs *obs, size_t n) {
    double *sum = ctx;
    for (size_t i = 0; i < n; i++)
        *sum += (obs[i].value + 1000.0 * obs[i].start) * (double)(metric * 7 + area) +
                (isnan(obs[i].numerator) ? 0 : obs[i].numerator);
    return 0;
}

static int count_figures(void *ctx, int64_t metric, int64_t area, const pmf_obs *obs,
                         size_t n) {
    (void)metric;
    (void)area;
    (void)obs;
    *(size_t *)ctx += n;
    return 0;
}

static double scan_sum(pmf_store *s) {
    pmf_figures *f = pmf_figures_open(s, INT64_MAX);
    double sum = 0;
    int64_t rows = 0;
    if (!f || pmf_figures_scan_all(f, NULL, 0, add_up, &sum, &rows) != 0) sum = NAN;
    pmf_figures_close(f);
    return sum;
}

int main(void) {
    char path[] = "/tmp/pmf_test_pack_XXXXXX";
    pmf_store *s = open_temp_store(path);
    test_cond("store opens on a file", s != NULL);
    if (!s) return test_report("test_pack");
    sqlite3 *db = pmf_store_db(s);
    sqlite3_exec(db, "INSERT INTO metric(code, title) VALUES ('m1', 'M1'), ('m2', 'M2')",
                 NULL, NULL, NULL);
    int npacked = 0;

    /* a first import: fresh series, packed from the importer's log */
    test_cond("first import", import_text(s,
        "metric,area,period,value,numerator,denominator,flag,breakdown\n"
        "m1,E08000027,2024-04,10,,,,\n"
        "m1,E08000027,2024-05,11.5,,,provisional,\n"
        "m1,E08000027,2024/25 Q2,40,,,,\n"
        "m2,E08000027,2024-04,,3,4,suppressed,\n"
        "m2,E08000027,2024-05,0.25,1,4,estimated,\n"
        "m1,E08000028,2024-04,-7.125,,,,\n"
        "m1,E08000028,2024-04,99,,,,sex=F\n", NULL) == 0);
    test_cond("import: every series packed, none dirty",
              out_of_step(db) == 0 && count_db(db, "SELECT count(*) FROM series_dirty") == 0 &&
              count_db(db, "SELECT count(*) FROM series_pack") == 4);
    test_cond("import: packs read as rows", reads_differ(s, INT64_MAX, &npacked) == 0 &&
              npacked == 4);

    /* a revision and new months: merged into the existing packs */
    int64_t before = count_db(db, "SELECT max(recorded_ms) FROM batch");
    sqlite3_exec(db, "UPDATE batch SET recorded_ms = recorded_ms - 86400000", NULL, NULL, NULL);
    before -= 86400000;
    test_cond("revising import", import_text(s,
        "metric,area,period,value\n"
        "m1,E08000027,2024-05,12\n"
        "m1,E08000027,2024-03,9\n"
        "m1,E08000027,2024-06,13\n", NULL) == 0);
    test_cond("revision: in step", out_of_step(db) == 0);
    test_cond("revision: reads from packs equal rows, now and as of before it",
              reads_differ(s, INT64_MAX, &npacked) == 0 && reads_differ(s, before, &npacked) == 0);
    {
        pmf_figures *f = pmf_figures_open(s, before);
        size_t n = 0;
        const pmf_obs *o = pmf_figures_read(f, 1, count_db(db, "SELECT id FROM area WHERE code = 'E08000027'"),
                                            "", INT32_MIN, INT32_MAX, 0, &n);
        int found = 0;
        for (size_t i = 0; o && i < n; i++)
            if (o[i].len == 1 && o[i].start == 2024 * 12 + 4) found = o[i].value == 11.5;
        test_cond("as of before the revision, May reads 11.5 (the pack keeps every version)", found);
        pmf_figures_close(f);
    }

    /* a file in long runs, one series met twice, a run in reverse month order */
    {
        char csv[4096];
        size_t len = (size_t)snprintf(csv, sizeof csv, "metric,area,period,value\n");
        const char *who[4] = {"E08000031", "E08000032", "E08000031", "E08000032"};
        for (int r = 0; r < 4; r++)
            for (int k = 0; k < 10; k++) {
                int t = r < 2 ? k : 10 + (r == 3 ? 9 - k : k);
                len += (size_t)snprintf(csv + len, sizeof csv - len, "m2,%s,%04d-%02d,%d\n",
                                        who[r], 2020 + t / 12, t % 12 + 1, r * 100 + k);
            }
        pmf_import_opts cal = {.year_type = PMF_YEAR_CALENDAR};
        test_cond("a file of long runs, one series in two", import_text(s, csv, &cal) == 0);
        test_cond("long runs: each series packed whole, in order",
                  out_of_step(db) == 0 && reads_differ(s, INT64_MAX, &npacked) == 0 &&
                  count_db(db, "SELECT count(*) FROM series_dirty") == 0);
    }

    /* refused, rolled back and dry imports leave the packs as they were */
    int64_t packs = count_db(db, "SELECT count(*) FROM series_pack");
    pmf_import_opts skip = {.skip_bad = 1};
    test_cond("skip-bad import keeps its good rows", import_text(s,
        "metric,area,2024-04,2024-05\n"
        "m2,E08000028,5,6\n"
        "m2,E08000030,7,notanumber\n", &skip) == 0);
    test_cond("skip-bad: the refused row's good cell is in no pack", out_of_step(db) == 0 &&
              count_db(db, "SELECT count(*) FROM series_pack") == packs + 1);
    test_cond("a bad file is refused whole", import_text(s,
        "metric,area,period,value\n"
        "m2,E08000031,2024-04,5\n"
        "m2,E08000031,2024-05,x\n", NULL) != 0);
    pmf_import_opts dry = {.dry_run = 1};
    test_cond("dry run", import_text(s, "metric,area,period,value\nm2,E08000032,2024-04,5\n", &dry) == 0);
    test_cond("refused and dry imports: packs unchanged, in step",
              out_of_step(db) == 0 && count_db(db, "SELECT count(*) FROM series_pack") == packs + 1);

    /* another connection's raw SQL: the triggers list the series dirty and drop their packs */
    sqlite3 *other;
    sqlite3_open(path, &other);
    sqlite3_busy_timeout(other, 5000);
    test_cond("raw SQL from another connection runs", sqlite3_exec(other,
        "UPDATE observation SET value = 77 WHERE metric = 1 AND start = 2024 * 12 + 2 AND len = 1;"
        "DELETE FROM observation WHERE metric = 2 AND area = (SELECT id FROM area WHERE code = 'E08000028');"
        "INSERT INTO observation(metric, area, breakdown, start, len, batch, value)"
        "  VALUES (2, (SELECT id FROM area WHERE code = 'E08000030'), '', 24291, 1, 1, 8);",
        NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(other);
    test_cond("raw SQL: its series dirty, unpacked, the rest in step",
              out_of_step(db) == 0 && count_db(db, "SELECT count(*) FROM series_dirty") == 3);
    test_cond("raw SQL: dirty series read their rows", reads_differ(s, INT64_MAX, &npacked) == 0);
    {
        pmf_figures *f = pmf_figures_open(s, INT64_MAX);
        size_t n = 0;
        int64_t a = count_db(db, "SELECT id FROM area WHERE code = 'E08000027'");
        const pmf_obs *o = pmf_figures_read(f, 1, a, "", 2024 * 12 + 2, 2024 * 12 + 2, 0, &n);
        test_cond("raw SQL: the updated figure is read, not the pack's old one",
                  o && n == 1 && o[0].value == 77);
        pmf_figures_close(f);
    }
    {
        /* a keeping reader (the series cache) gets a packed series whole, a dirty one's window */
        pmf_figures *f = pmf_figures_open(s, INT64_MAX);
        int64_t a27 = count_db(db, "SELECT id FROM area WHERE code = 'E08000027'");
        int64_t a28 = count_db(db, "SELECT id FROM area WHERE code = 'E08000028'");
        int32_t lo = 2024 * 12 + 3, hi = lo;
        size_t n = 0;
        const pmf_obs *o = pmf_figures_read_wide(f, 1, a28, "", &lo, &hi, 0, &n);
        test_cond("read_wide, packed: the whole series, bounds widened",
                  o && n == 1 && lo == INT32_MIN && hi == INT32_MAX);
        lo = hi = 2024 * 12 + 4;
        o = pmf_figures_read_wide(f, 1, a27, "", &lo, &hi, 0, &n);
        test_cond("read_wide, dirty: the window's rows, bounds kept",
                  o && n == 1 && o[0].value == 12 && lo == 2024 * 12 + 4 && hi == lo);
        pmf_figures_close(f);
    }

    /* an import touching a dirty series rebuilds its pack from the rows */
    test_cond("import onto a dirty series", import_text(s,
        "metric,area,period,value\nm1,E08000027,2024-07,14\n", NULL) == 0);
    test_cond("after an import, nothing dirty (it packs what others left)",
              out_of_step(db) == 0 && count_db(db, "SELECT count(*) FROM series_dirty") == 0);
    test_cond("after an import, packs read as rows", reads_differ(s, INT64_MAX, &npacked) == 0);

    /* while an import is open, no other statement on its connection may write observation */
    {
        char err[512];
        pmf_import *im = pmf_import_begin(s, "open.csv", NULL, err, sizeof err);
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db, "DELETE FROM observation WHERE metric = 1", -1, &st, NULL);
        test_cond("a write to observation during an import is refused (SQLITE_AUTH)",
                  im && rc == SQLITE_AUTH && st == NULL);
        rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM observation", -1, &st, NULL);
        test_cond("reads still prepare during an import", rc == SQLITE_OK);
        sqlite3_finalize(st);
        pmf_import_finish(im, NULL);
        pmf_import_free(im);
        rc = sqlite3_exec(db, "INSERT INTO observation(metric, area, breakdown, start, len, batch,"
                              " value) VALUES (2, 1, '', 24300, 1, 1, 1)", NULL, NULL, NULL);
        test_cond("after the import the write runs, and its trigger lists the series dirty",
                  rc == SQLITE_OK && count_db(db, "SELECT count(*) FROM series_dirty") == 1 &&
                  out_of_step(db) == 0);
        test_cond("repack packs it", pmf_store_repack(s) == 0 && out_of_step(db) == 0 &&
                  count_db(db, "SELECT count(*) FROM series_dirty") == 0);
    }

    /* the whole-table scan: from packs, from rows (a series listed dirty), and with a
     * damaged pack (its rows) gives the same figures */
    double packed_sum = scan_sum(s), rows_sum;
    sqlite3_exec(db, "INSERT INTO series_dirty VALUES (999, 999, '')", NULL, NULL, NULL);
    rows_sum = scan_sum(s);
    sqlite3_exec(db, "DELETE FROM series_dirty", NULL, NULL, NULL);

    /* a damaged pack is read as no pack: the rows */
    sqlite3_exec(db, "UPDATE series_pack SET data = x'50010a00ff' WHERE rowid = (SELECT min(rowid) FROM series_pack)",
                 NULL, NULL, NULL);
    test_cond("a damaged pack reads its rows", reads_differ(s, INT64_MAX, &npacked) == 0);
    test_cond("the whole-table scan: packs, rows and a damaged pack give the same figures",
              !isnan(packed_sum) && packed_sum != 0 && packed_sum == rows_sum &&
              scan_sum(s) == packed_sum);
    sqlite3_exec(db, "DELETE FROM series_pack; INSERT INTO series_dirty SELECT DISTINCT metric, area,"
                     " breakdown FROM observation", NULL, NULL, NULL);
    test_cond("repacking every series", pmf_store_repack(s) == 0 && out_of_step(db) == 0);

    /* a dirty series met in two runs of one file: the first run packs it from its rows (the
     * second run's rows among them, written already), the second merges into that pack */
    {
        sqlite3_exec(db, "INSERT INTO metric(code, title) VALUES ('x1', 'X')", NULL, NULL, NULL);
        pmf_import_opts cal = {.year_type = PMF_YEAR_CALENDAR};
        test_cond("two runs: the series exists",
                  import_text(s, "metric,area,period,value\nx1,E08000027,2010-01,1\n", &cal) == 0);
        sqlite3_exec(db, "INSERT INTO series_dirty SELECT p.metric, p.area, p.breakdown FROM"
                         " series_pack p JOIN metric m ON m.id = p.metric WHERE m.code = 'x1';"
                         " DELETE FROM series_pack WHERE metric = (SELECT id FROM metric"
                         " WHERE code = 'x1')", NULL, NULL, NULL);
        char csv[4096];
        size_t len = (size_t)snprintf(csv, sizeof csv, "metric,area,period,value\n");
        const char *who[3] = {"E08000027", "E08000028", "E08000027"};
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 10; k++)
                len += (size_t)snprintf(csv + len, sizeof csv - len, "x1,%s,%04d-%02d,%d\n",
                                        who[r], 2011 + r, k + 1, r * 100 + k);
        test_cond("two runs: imported", import_text(s, csv, &cal) == 0);
        test_cond("two runs: the series' pack holds each of its 21 rows once",
                  out_of_step(db) == 0 &&
                  count_db(db, "SELECT count(*) FROM observation o JOIN metric m ON m.id ="
                               " o.metric JOIN area a ON a.id = o.area WHERE m.code = 'x1'"
                               " AND a.code = 'E08000027'") == 21);
    }

    /* while an import is open, reads on its connection see the rows it has written (not yet
     * in any pack) */
    {
        char err[512];
        pmf_import_opts cal = {.year_type = PMF_YEAR_CALENDAR};
        pmf_import *im = pmf_import_begin(s, "open2.csv", &cal, err, sizeof err);
        const char *txt = "metric,area,period,value\nx1,E08000027,2015-01,555\n";
        pmf_csv *c = pmf_csv_open_mem(txt, strlen(txt), "open2.csv");
        int rc = im && c ? pmf_import_csv(im, c) : -1;
        pmf_csv_close(c);
        int64_t xm = count_db(db, "SELECT id FROM metric WHERE code = 'x1'");
        int64_t xa = count_db(db, "SELECT id FROM area WHERE code = 'E08000027'");
        pmf_figures *f = pmf_figures_open(s, INT64_MAX);
        size_t n = 0, nall = 0;
        const pmf_obs *o = f ? pmf_figures_read(f, xm, xa, "", 2015 * 12, 2015 * 12, 0, &n) : NULL;
        test_cond("open import: a read on its connection finds the row it wrote",
                  rc == 0 && o && n == 1 && o[0].value == 555);
        int64_t rows_read = 0;
        test_cond("open import: the whole-table scan reads it too",
                  f && pmf_figures_scan_all(f, NULL, 0, count_figures, &nall, &rows_read) == 0 &&
                  rows_read == count_db(db, "SELECT count(*) FROM observation"));
        pmf_figures_close(f);
        test_cond("open import: finishes", im && pmf_import_finish(im, NULL) == 0 &&
                  out_of_step(db) == 0);
        pmf_import_free(im);
    }

    /* dirty keys whose breakdown is a blob (only a raw write stores one), more than a slice
     * of the dirty list: repacking ends, packs the rest and leaves those listed (read from
     * their rows) */
    {
        int rc = sqlite3_exec(db, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
                                  " WHERE i < 300) INSERT INTO observation(metric, area, breakdown,"
                                  " start, len, batch, value) SELECT 1, 1, CAST(printf('b%d', i) AS BLOB),"
                                  " 24300, 1, 1, i FROM k; INSERT INTO observation(metric, area,"
                                  " breakdown, start, len, batch, value) VALUES (2, 2, '', 24301, 1, 1, 5)",
                              NULL, NULL, NULL);
        test_cond("blob breakdowns: written raw", rc == SQLITE_OK &&
                  count_db(db, "SELECT count(*) FROM series_dirty") == 301);
        test_cond("blob breakdowns: repacking ends, the text key packed, the blob keys listed",
                  pmf_store_repack(s) == 0 &&
                  count_db(db, "SELECT count(*) FROM series_dirty") == 300 &&
                  count_db(db, "SELECT count(*) FROM series_dirty WHERE typeof(breakdown) = 'text'") == 0);
        sqlite3_exec(db, "DELETE FROM observation WHERE typeof(breakdown) = 'blob';"
                         " DELETE FROM series_dirty WHERE typeof(breakdown) = 'blob'", NULL, NULL, NULL);
        test_cond("blob breakdowns: removed, all in step", out_of_step(db) == 0);
    }

    /* more rows than the importer's log holds, in period order (each merge touches every
     * series): 3 metrics x 300 areas x 160 months = 144,000 > 131,072 */
    sqlite3_exec(db, "INSERT INTO metric(code, title) VALUES ('b1', 'B'), ('b2', 'B'), ('b3', 'B')",
                 NULL, NULL, NULL);
    {
        size_t cap = 144000 * 40 + 64, len = 0;
        char *csv = malloc(cap);
        sqlite3_stmt *st;
        len += (size_t)snprintf(csv + len, cap - len, "metric,area,period,value\n");
        sqlite3_prepare_v2(db, "SELECT code FROM area WHERE kind NOT IN ('country', 'former district')"
                               " ORDER BY id LIMIT 300", -1, &st, NULL);
        char codes[300][16];
        int na = 0;
        while (sqlite3_step(st) == SQLITE_ROW && na < 300)
            snprintf(codes[na++], 16, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        for (int t = 0; t < 160; t++)
            for (int a = 0; a < na; a++)
                for (int m = 1; m <= 3; m++)
                    len += (size_t)snprintf(csv + len, cap - len, "b%d,%s,%04d-%02d,%d\n", m,
                                            codes[a], 2000 + t / 12, t % 12 + 1, t * 7 + a + m);
        pmf_import_opts cal = {.year_type = PMF_YEAR_CALENDAR};
        test_cond("a 144,000-row import in period order", na == 300 && import_text(s, csv, &cal) == 0);
        free(csv);
        test_cond("every series of it packed whole", out_of_step(db) == 0 &&
                  count_db(db, "SELECT count(*) FROM series_pack p JOIN metric m ON m.id = p.metric"
                            " WHERE m.code LIKE 'b_'") == 900);
    }

    pmf_store_close(s);
    unlink(path);
    char aux[64];
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
    return test_report("test_pack");
}
