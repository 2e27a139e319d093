/*
 * tests/unit/test_import.c: the import core (core/import.c) against a real SQLite file.
 */
#include "breakdown.h"
#include "import.h"
#include "test.h"
#include "test_store_open.h"

#include <stdlib.h>
#include <unistd.h>

static int64_t count(pmf_store *s, const char *sql) { return count_db(pmf_store_db(s), sql); }

/* Import text as CSV; returns pmf_import_finish's result, *sum filled, first message in msg. */
static int import_text(pmf_store *s, const char *text, const pmf_import_opts *o,
                       pmf_import_summary *sum, char *msg, size_t n, int64_t *nerr) {
    char err[512];
    msg[0] = '\0';
    pmf_import *im = pmf_import_begin(s, "t.csv", o, err, sizeof err);
    if (!im) { snprintf(msg, n, "%s", err); return -2; }
    pmf_csv *c = pmf_csv_open_mem(text, strlen(text), "t.csv");
    pmf_import_csv(im, c);
    pmf_csv_close(c);
    int rc = pmf_import_finish(im, sum);
    if (pmf_import_nmessages(im) > 0) snprintf(msg, n, "%s", pmf_import_message(im, 0));
    if (nerr) *nerr = pmf_import_nerrors(im);
    pmf_import_free(im);
    return rc;
}

int main(void) {
    char path[] = "/tmp/pmf_test_import_XXXXXX";
    pmf_store *s = open_temp_store(path);
    test_cond("store opens on a file", s != NULL);
    if (!s) return test_report("test_import");
    sqlite3_exec(pmf_store_db(s), "INSERT INTO metric(code, title) VALUES ('m1', 'M1'), ('m2', 'M2')",
                 NULL, NULL, NULL);

    pmf_import_summary sum;
    char msg[2048];
    int64_t nerr = 0;
    int rc = import_text(s, "metric,area,period,value\n"
                            "m1,E08000027,2025-04,1.5\n"
                            "m1,E08000027,2025/26 Q2,2\n"
                            "m2,E08000030,2025-04,\"1,000\"\n", NULL, &sum, msg, sizeof msg, NULL);
    test_cond("a good file commits", rc == 0);
    test_cond("three new rows", sum.rows == 3 && sum.added == 3 && sum.revised == 0 && sum.unchanged == 0);
    test_cond("a batch id", sum.batch > 0);
    test_cond("three observations stored", count(s, "SELECT count(*) FROM observation") == 3);
    test_cond("a quarter is stored as (start, len)",
              count(s, "SELECT count(*) FROM observation WHERE start = 2025*12+6 AND len = 3") == 1);
    test_cond("'1,000' is 1000",
              count(s, "SELECT count(*) FROM observation WHERE value = 1000") == 1);

    rc = import_text(s, "metric,area,period,value\n"
                        "m1,E08000027,2025-04,1.5\n"
                        "m1,E08000027,2025/26 Q2,3\n"
                        "m1,E08000027,2025-05,4\n", NULL, &sum, msg, sizeof msg, NULL);
    test_cond("a revision commits", rc == 0);
    test_cond("new, revised, unchanged", sum.added == 1 && sum.revised == 1 && sum.unchanged == 1);
    test_cond("the revision is a new row", count(s, "SELECT count(*) FROM observation") == 5);

    int64_t obs = count(s, "SELECT count(*) FROM observation");
    int64_t batches = count(s, "SELECT count(*) FROM batch");
    rc = import_text(s, "metric,area,period,value\n"
                        "m1,E08000027,2025-06,7\n"
                        "m1,E08000027,2025-07,n/a\n", NULL, &sum, msg, sizeof msg, &nerr);
    test_cond("a bad value refuses the file", rc == -1 && nerr == 1);
    test_streq("the message names file, line, column and value", msg,
               "t.csv:3:4: column 'value': 'n/a' is not a number");
    test_cond("nothing written", count(s, "SELECT count(*) FROM observation") == obs);
    test_cond("not even the batch", count(s, "SELECT count(*) FROM batch") == batches);

    rc = import_text(s, "metric,area,period,value\n"
                        "m2,E08000027,2025-04,1\n"
                        "m2,E08000027,2025-04,1\n", NULL, &sum, msg, sizeof msg, &nerr);
    test_cond("a duplicate key refuses the file", rc == -1 && nerr == 1);
    test_cond("and is named", strstr(msg, "t.csv:3: duplicate figure: metric m2") == msg);
    rc = import_text(s, "metric,area,period,value\n"
                        "m1,E08000027,2025-04,1.5\n"
                        "m1,E08000027,2025-04,1.5\n", NULL, &sum, msg, sizeof msg, &nerr);
    test_cond("a duplicate of an unchanged figure is found too", rc == -1 && nerr == 1);

    pmf_import_opts o = {0};
    o.dry_run = 1;
    rc = import_text(s, "metric,area,period,value\nm1,E08000027,2026-01,9\n", &o, &sum, msg,
                     sizeof msg, NULL);
    test_cond("a clean dry run succeeds", rc == 0 && sum.added == 1 && sum.batch == -1);
    test_cond("and writes nothing", count(s, "SELECT count(*) FROM observation") == obs &&
                                    count(s, "SELECT count(*) FROM batch") == batches);

    o.dry_run = 0;
    o.max_errors = 2;
    rc = import_text(s, "metric,area,period,value\nx,E08000027,2026-01,9\nx,E08000027,2026-02,9\n"
                        "x,E08000027,2026-03,9\n", &o, &sum, msg, sizeof msg, &nerr);
    test_cond("all errors counted beyond max_errors", rc == -1 && nerr == 3 && sum.errors == 3);

    rc = import_text(s, "metric,area,2025-04,2025-05\nm2,E08000030,5,\n", NULL, &sum, msg,
                     sizeof msg, NULL);
    test_cond("wide form: one figure per non-empty cell", rc == 0 && sum.rows == 1 && sum.revised == 1);

    size_t at = 0, len = 0;
    test_cond("flags", pmf_import_parse_flags("provisional | Proxy", 19, NULL, NULL) == 5);
    test_cond("a bad flag", pmf_import_parse_flags("proxy;nope", 10, &at, &len) == -1 &&
                            at == 6 && len == 4);
    test_cond("no flags", pmf_import_parse_flags("", 0, NULL, NULL) == 0);

    /* row API (the JSON path), inside the caller's transaction: a savepoint */
    sqlite3_exec(pmf_store_db(s), "BEGIN", NULL, NULL, NULL);
    char err[256];
    pmf_import *im = pmf_import_begin(s, "d.json", &(pmf_import_opts){.items = 1}, err, sizeof err);
    test_cond("begin inside a transaction", im != NULL);
    if (im) {
        pmf_csv_field f[PMF_IMPORT_NCOLS] = {{0}};
        f[PMF_IMPORT_METRIC] = (pmf_csv_field){"m2", 2};
        f[PMF_IMPORT_AREA] = (pmf_csv_field){"E08000030", 9};
        f[PMF_IMPORT_PERIOD] = (pmf_csv_field){"2030-01", 7};
        f[PMF_IMPORT_VALUE] = (pmf_csv_field){"zz", 2};
        test_cond("a bad row", pmf_import_row(im, 4, f) == -1);
        test_streq("items are named", pmf_import_message(im, 0),
                   "d.json: item 4: field 'value': 'zz' is not a number");
        test_cond("finish rolls back", pmf_import_finish(im, &sum) == -1);
        pmf_import_free(im);
    }
    test_cond("the caller's transaction is still open", !sqlite3_get_autocommit(pmf_store_db(s)));
    sqlite3_exec(pmf_store_db(s), "COMMIT", NULL, NULL, NULL);

    /* the breakdown normaliser: each case, input -> output or the reason and offset */
    static const struct { const char *in; const char *out; const char *why; size_t at; } bd[] = {
        {"sex=F", "sex=F", NULL, 0},
        {"sex=F ", "sex=F", NULL, 0},
        {" Sex = f", "sex=f", NULL, 0},
        {"\tAGE_Band=18-24\t", "age_band=18-24", NULL, 0},
        {"ward=E05001234", "ward=E05001234", NULL, 0},
        {"ethnicity=Mixed \xe2\x80\x93 Other", "ethnicity=Mixed \xe2\x80\x93 Other", NULL, 0},
        {"", "", NULL, 0},
        {"   ", "", NULL, 0},
        {"not a breakdown", NULL, "is not key=value (e.g. sex=F)", 0},
        {" =F", NULL, "has an empty key (key=value, e.g. sex=F)", 1},
        {"sex= ", NULL, "has an empty value (key=value, e.g. sex=F)", 3},
        {"sex=F=M", NULL, "has a second '=' (one key=value per figure)", 5},
        {"9x=F", NULL, "has a key that does not start with a letter", 0},
        {"s-x=F", NULL, "has a key with a character other than letters, digits and '_'", 1},
        {"sex=F\x01", NULL, "contains a control character", 5},
        {"sex=\xc0\xaf", NULL, "is not valid UTF-8", 4},
    };
    for (size_t i = 0; i < sizeof bd / sizeof bd[0]; i++) {
        char out[64], what[128];
        size_t olen = 99, at = 99;
        const char *why = NULL;
        int r = pmf_breakdown_normalise(bd[i].in, strlen(bd[i].in), out, &olen, &at, &why);
        snprintf(what, sizeof what, "breakdown '%s'", bd[i].in);
        if (bd[i].out) test_cond(what, r == 0 && olen == strlen(bd[i].out) && strcmp(out, bd[i].out) == 0);
        else test_cond(what, r == -1 && why && strcmp(why, bd[i].why) == 0 && at == bd[i].at);
    }
    {
        char out[16];
        size_t olen, at = 0;
        const char *why = NULL;
        test_cond("breakdown with a NUL", pmf_breakdown_normalise("sex=F\0x", 7, out, &olen, &at, &why)
                  == -1 && strcmp(why, "contains a NUL byte") == 0 && at == 5);
    }

    /* UTF-8: every kind of bad sequence, and the offset of the first bad byte */
    static const struct { const char *s; size_t len, at; } u8[] = {
        {"plain", 5, 5}, {"\xc3\xa9t\xc3\xa9", 5, 5}, {"\xf0\x9f\x98\x80", 4, 4},
        {"a\0b", 3, 1}, {"a\xc0\xaf", 3, 1}, {"\xe0\x80\xaf", 3, 0}, {"x\xed\xa0\x80", 4, 1},
        {"\xf4\x90\x80\x80", 4, 0}, {"ab\xe2\x82", 4, 2}, {"\x80", 1, 0}, {"\xff", 1, 0},
    };
    for (size_t i = 0; i < sizeof u8 / sizeof u8[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "UTF-8 case %zu", i);
        test_cond(what, pmf_text_check(u8[i].s, u8[i].len, NULL) == u8[i].at);
    }

    /* declared keys: only those for a declared metric; any for another */
    {
        pmf_import *d = pmf_import_begin(s, "k.csv", NULL, err, sizeof err);
        test_cond("declare keys", d && pmf_import_declare_keys(d, "m1", "sex,age_band") == 0 &&
                                  pmf_import_declare_keys(d, "nonesuch", "sex") == -1);
        if (d) {
            const char *text = "metric,area,period,value,breakdown\n"
                               "m1,E08000027,2031-01,1,Sex=F\n"
                               "m1,E08000027,2031-01,1,colour=red\n"
                               "m2,E08000027,2031-01,1,colour=red\n";
            pmf_csv *c = pmf_csv_open_mem(text, strlen(text), "k.csv");
            pmf_import_csv(d, c);
            pmf_csv_close(c);
            test_cond("one undeclared key", pmf_import_nerrors(d) == 1);
            test_streq("named", pmf_import_message(d, 0),
                       "k.csv:3:5: column 'breakdown': 'colour=red': key 'colour' is not declared "
                       "for metric m1 (its frameworks declare sex,age_band)");
            pmf_import_free(d);
        }
    }

    /* a message is whole, however long */
    {
        char *text = malloc(20000);
        strcpy(text, "metric,area,period,value");
        for (int i = 0; i < 500; i++) sprintf(text + strlen(text), ",extra_column_%d", i);
        strcat(text, "\n");
        pmf_import *d = pmf_import_begin(s, "w.csv", NULL, err, sizeof err);
        if (d) {
            pmf_csv *c = pmf_csv_open_mem(text, strlen(text), "w.csv");
            pmf_import_csv(d, c);
            pmf_csv_close(c);
            const char *m = pmf_import_message(d, 0);
            test_cond("the list of 500 unknown columns is whole",
                      m && strlen(m) > 10000 && strstr(m, "'extra_column_499' (column 504) (expected "));
            pmf_import_free(d);
        }
        free(text);
    }

    pmf_store_close(s);
    char p2[600];
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path); unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path); unlink(p2);
    return test_report("test_import");
}
