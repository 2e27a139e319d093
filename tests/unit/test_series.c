/* tests/unit/test_series.c: series.c: the aggregation rules on arrays of figures, then
 * reading from a store (versions, as-of cutoffs, breakdowns), the matrix, the whole-table
 * aggregation and the trend. */
#include "series.h"
#include "store_pack.h"
#include "store_read.h"
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M(y, m) ((int32_t)(y) * 12 + (m) - 1)

static pmf_obs fig(int32_t start, int32_t len, double v) {
    pmf_obs o = {start, len, v, NAN, NAN, 0, 0};
    return o;
}

static pmf_obs ratio_fig(int32_t start, double num, double den) {
    pmf_obs o = {start, 1, num / den, num, den, 0, 0};
    return o;
}

/* The reader under a plain rule (no carry, reference at the end of each figure). */
static void combine(const pmf_obs *obs, size_t n, int agg, int32_t start, int32_t len,
                    pmf_agg_result *r) {
    pmf_read_rule rule = {agg, PMF_REF_END, 0};
    pmf_read_value(obs, n, &rule, start, len, r);
}

static const pmf_read_rule SUM = {PMF_AGG_SUM, PMF_REF_END, 0};
static const pmf_read_rule RATIO = {PMF_AGG_RATIO, PMF_REF_END, 0};

static void test_rules(void) {
    pmf_obs q1[] = {fig(M(2025, 4), 1, 10), fig(M(2025, 5), 1, 20), fig(M(2025, 6), 1, 60)};
    pmf_agg_result r;
    static const double want[] = {90, 30, 60, 10, 60};
    for (int agg = PMF_AGG_SUM; agg <= PMF_AGG_MAX; agg++) {
        combine(q1, 3, agg, M(2025, 4), 3, &r);
        char d[64];
        snprintf(d, sizeof d, "%s of Apr-Jun", pmf_agg_name(agg));
        test_near(d, r.value, want[agg]);
        test_cond("three months of three (last: one snapshot)", r.months == 3 && r.expected == 3 &&
                  r.nfig == (agg == PMF_AGG_LAST ? 1 : 3));
    }
    combine(q1, 3, PMF_AGG_SUM, M(2025, 4), 12, &r);
    test_cond("partial year: 3 of 12 months, value still given",
              r.status == PMF_READ_OK && r.months == 3 && r.expected == 12 && r.value == 90);
    combine(q1, 3, PMF_AGG_LAST, M(2025, 4), 12, &r);
    test_near("last over a partial year takes the latest figure", r.value, 60);
    combine(q1, 3, PMF_AGG_SUM, M(2025, 7), 3, &r);
    test_cond("no figures: no data", r.status == PMF_READ_NODATA && isnan(r.value) &&
              r.months == 0);

    /* ratio: 1/10 and 90/100 -> 91/110, where the mean of the percentages is 0.5 */
    pmf_obs rat[] = {ratio_fig(M(2025, 4), 1, 10), ratio_fig(M(2025, 5), 90, 100)};
    combine(rat, 2, PMF_AGG_RATIO, M(2025, 4), 2, &r);
    test_near("ratio = sum num / sum den", r.value, 91.0 / 110.0);
    test_near("numerator sum", r.numerator, 91);
    test_near("denominator sum", r.denominator, 110);
    combine(rat, 2, PMF_AGG_MEAN, M(2025, 4), 2, &r);
    test_near("mean of the percentages differs", r.value, 0.5);
    pmf_obs norat[] = {ratio_fig(M(2025, 4), 1, 10), fig(M(2025, 5), 1, 0.9)};
    combine(norat, 2, PMF_AGG_RATIO, M(2025, 4), 2, &r);
    test_cond("a figure without num/den: ratio unavailable",
              r.status == PMF_READ_NORATIO && isnan(r.value));
    pmf_obs zero[] = {ratio_fig(M(2025, 4), 0, 0)};
    zero[0].value = 0;
    combine(zero, 1, PMF_AGG_RATIO, M(2025, 4), 3, &r);
    test_cond("zero denominators: unavailable", r.status == PMF_READ_ZERODEN);

    /* exact span wins; otherwise longest figure at each month; mean weighted by months */
    pmf_obs mix[] = {fig(M(2025, 4), 1, 1), fig(M(2025, 4), 3, 100), fig(M(2025, 5), 1, 2),
                     fig(M(2025, 6), 1, 3), fig(M(2025, 7), 1, 4), fig(M(2025, 8), 1, 5)};
    combine(mix, 6, PMF_AGG_SUM, M(2025, 4), 3, &r);
    test_cond("exact quarter figure wins", r.value == 100 && r.exact && r.nfig == 1);
    combine(mix, 6, PMF_AGG_SUM, M(2025, 4), 6, &r);
    test_cond("half year: quarter figure + Jul, Aug", r.value == 109 && r.months == 5 &&
              r.nfig == 3 && !r.exact);
    combine(mix, 6, PMF_AGG_MEAN, M(2025, 4), 6, &r);
    test_near("mean weighted by months", r.value, (100.0 * 3 + 4 + 5) / 5);
    combine(mix, 6, PMF_AGG_SUM, M(2025, 5), 2, &r);
    test_cond("May-Jun: the quarter does not fit, months do", r.value == 5 && r.nfig == 2);

    /* Q4 of 2025/26 runs over the calendar year end */
    pmf_obs q4[] = {fig(M(2025, 12), 1, 9), fig(M(2026, 1), 1, 1), fig(M(2026, 2), 1, 2),
                    fig(M(2026, 3), 1, 3), fig(M(2026, 4), 1, 7)};
    combine(q4, 5, PMF_AGG_SUM, M(2026, 1), 3, &r);
    test_cond("Q4 = Jan-Mar 2026", r.value == 6 && r.months == 3);
    test_cond("block start of Feb 2026 (April year) is Jan 2026",
              pmf_series_block_start(M(2026, 2), 3, 4) == M(2026, 1));
    test_cond("financial year of Feb 2026 starts April 2025",
              pmf_series_block_start(M(2026, 2), 12, 4) == M(2025, 4));
    test_cond("calendar year block", pmf_series_block_start(M(2026, 2), 12, 1) == M(2026, 1));
    test_cond("agg names round-trip", pmf_agg_from_name("ratio") == PMF_AGG_RATIO &&
              pmf_agg_from_name("median") == -1 && pmf_agg_name(9) == NULL);
}

static void test_trend(void) {
    double x[] = {0, 1, 2, 3}, y[] = {1, 3, 5, 7};
    pmf_trend t;
    test_cond("trend fits", pmf_series_trend(x, y, 4, &t) == 0);
    test_near("slope 2", t.slope, 2);
    test_near("intercept 1", t.intercept, 1);
    test_near("r2 1", t.r2, 1);
    double yg[] = {1, NAN, 5, 7};
    test_cond("NaN skipped", pmf_series_trend(x, yg, 4, &t) == 0 && t.n == 3);
    test_near("slope still 2", t.slope, 2);
    double one[] = {4};
    test_cond("one point: no trend", pmf_series_trend(x, one, 1, &t) == -1);
    double same[] = {2, 2, 2};
    test_cond("all x equal: no trend", pmf_series_trend(same, y, 3, &t) == -1);
}

static int exec(pmf_store *s, const char *sql) {
    char *msg = NULL;
    int rc = sqlite3_exec(pmf_store_db(s), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", sql, msg);
    sqlite3_free(msg);
    return rc;
}

static void test_store(void) {
    char err[256];
    pmf_store *s = pmf_store_open(":memory:", NULL, err, sizeof err);
    test_cond("store opens", s != NULL);
    if (!s) return;
    /* two areas, two metrics; batch 1 at t=1000, batch 2 (a revision) at t=2000, batch 3
     * back-filled at t=1500 */
    test_cond("fixture", exec(s,
        "INSERT INTO area(id, code, name, kind) VALUES (1, 'A', 'A', 'x'), (2, 'B', 'B', 'x');"
        "INSERT INTO metric(id, code, title, aggregation) VALUES (1, 'visits', 'V', 'sum'),"
        "  (2, 'rate', 'R', 'ratio');"
        "INSERT INTO batch(id, kind, recorded_at, recorded_ms) VALUES (1, 't', '', 1000),"
        "  (2, 't', '', 2000), (3, 't', '', 1500);"
        "INSERT INTO observation(metric, area, breakdown, start, len, batch, value) VALUES"
        "  (1, 1, '', 24303, 1, 1, 10), (1, 1, '', 24304, 1, 1, 20),"
        "  (1, 1, '', 24305, 1, 1, 30), (1, 1, '', 24303, 1, 2, 15),"
        "  (1, 1, '', 24306, 1, 3, 40), (1, 1, 'sex:f', 24303, 1, 1, 4),"
        "  (1, 2, '', 24303, 3, 1, 99), (1, 1, '', 24305, 1, 3, NULL);"
        "INSERT INTO observation(metric, area, breakdown, start, len, batch, value, numerator,"
        "  denominator) VALUES (2, 1, '', 24303, 1, 1, 0.1, 1, 10), (2, 1, '', 24304, 1, 1, 0.9, 90, 100);")
        == SQLITE_OK);
    /* 24303 = April 2025 */
    for (int round = 0; round < 1; round++) {
        pmf_series *now = pmf_series_open(s, INT64_MAX);
        pmf_series *early = pmf_series_open(s, 1200);
        pmf_series *mid = pmf_series_open(s, 1700);
        test_cond("handles open", now && early && mid);
        if (!now || !early || !mid) break;
        int64_t id;
        pmf_read_rule rule;
        test_cond("metric found", pmf_series_metric(now, "rate", &id, &rule) == 1 && id == 2 &&
                  rule.agg == PMF_AGG_RATIO && rule.carry == 0 && rule.reference == PMF_REF_END);
        test_cond("metric unknown", pmf_series_metric(now, "nope", &id, &rule) == 0);
        size_t n;
        const pmf_obs *o = pmf_series_fetch(early, 1, 1, "", 0, INT32_MAX, &n);
        test_cond("as of t=1200: three figures, first versions", o && n == 3 &&
                  o[0].value == 10 && o[2].value == 30);
        o = pmf_series_fetch(mid, 1, 1, "", 0, INT32_MAX, &n);
        test_cond("as of t=1700: June withdrawn by the back-filled batch, July added", o &&
                  n == 3 && o[0].value == 10 && o[1].value == 20 && o[2].start == 24306);
        o = pmf_series_fetch(now, 1, 1, "", 0, INT32_MAX, &n);
        test_cond("now: April revised to 15", o && n == 3 && o[0].value == 15);
        o = pmf_series_fetch(now, 1, 1, "", 24304, 24304, &n);
        test_cond("fetch range", o && n == 1 && o[0].value == 20);
        pmf_agg_result r;
        test_cond("value now", pmf_series_value(now, 1, &SUM, 1, "", 24303, 3, &r) == 0 &&
                  r.value == 35 && r.months == 2);
        test_cond("value early", pmf_series_value(early, 1, &SUM, 1, "", 24303, 3, &r) ==
                  0 && r.value == 60 && r.months == 3);
        test_cond("breakdown apart", pmf_series_value(now, 1, &SUM, 1, "sex:f", 24303, 3,
                  &r) == 0 && r.value == 4 && r.months == 1);
        test_cond("ratio from the store", pmf_series_value(now, 2, &RATIO, 1, "", 24303, 2,
                  &r) == 0 && fabs(r.value - 91.0 / 110) < 1e-12);

        int64_t areas[] = {1, 2};
        pmf_period ps[2];
        pmf_period_make(24303, 3, 4, &ps[0]);
        pmf_period_make(24306, 3, 4, &ps[1]);
        pmf_agg_result m[4];
        test_cond("matrix", pmf_series_matrix(now, 1, &SUM, areas, 2, "", ps, 2, m) == 0);
        test_cond("matrix cells", m[0].value == 35 && m[1].value == 40 && m[2].value == 99 &&
                  m[2].exact && m[3].status == PMF_READ_NODATA);

        pmf_series_totals t;
        test_cond("aggregate_all now", pmf_series_aggregate_all(now, 3, 4, &t) == 0);
        test_cond("all rows read", t.rows == 10);
        /* cells: visits A '' Q1, Q2; visits A sex:f Q1; visits B Q1; rate A Q1 */
        test_cond("cells", t.cells == 5 && t.complete == 1);
        test_near("checksum", t.checksum, 35 + 40 + 4 + 99 + 91.0 / 110);
        test_cond("aggregate_all early", pmf_series_aggregate_all(early, 3, 4, &t) == 0 &&
                  t.cells == 4 && fabs(t.checksum - (60 + 4 + 99 + 91.0 / 110)) < 1e-9);
        pmf_series_close(now);
        pmf_series_close(early);
        pmf_series_close(mid);
    }
    int64_t rows;
    double sum;
    test_cond("raw scan", pmf_store_raw_scan(s, &rows, &sum) == 0 && rows == 10);
    pmf_series_close(NULL);
    pmf_store_close(s);
}

/* ---------------------------------------------------------------------------------------
 * The cache: what a cached handle's matrix gives equals a plain read, whatever the shape of
 * the series (tiled or not), the view, the columns asked for, the order of the calls and
 * the cache's size.
 * ------------------------------------------------------------------------------------- */

#define NAREAS 70            /* more than two tiles' width: several tiles per metric */
#define APR20 M(2020, 4)

static int same_double(double a, double b) {
    return (isnan(a) && isnan(b)) || a == b;
}

/* One cell of a cached matrix against the plain read; parts compared when both have them. */
static int same_cell(const pmf_agg_result *a, const pmf_agg_result *b, int parts) {
    return a->status == b->status && same_double(a->value, b->value) &&
           a->months == b->months && a->expected == b->expected && a->nfig == b->nfig &&
           a->exact == b->exact && a->carried == b->carried && a->flags == b->flags &&
           a->rec == b->rec && a->from_start == b->from_start && a->from_len == b->from_len &&
           (!parts || (same_double(a->numerator, b->numerator) &&
                       same_double(a->denominator, b->denominator)));
}

static sqlite3_stmt *ins;

static void put(int64_t metric, int64_t area, int32_t start, int32_t len, int64_t batch,
                double value, double num, double den, int64_t flags) {
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, metric);
    sqlite3_bind_int64(ins, 2, area);
    sqlite3_bind_int(ins, 3, start);
    sqlite3_bind_int(ins, 4, len);
    sqlite3_bind_int64(ins, 5, batch);
    if (isnan(value)) sqlite3_bind_null(ins, 6); else sqlite3_bind_double(ins, 6, value);
    if (isnan(num)) sqlite3_bind_null(ins, 7); else sqlite3_bind_double(ins, 7, num);
    if (isnan(den)) sqlite3_bind_null(ins, 8); else sqlite3_bind_double(ins, 8, den);
    sqlite3_bind_int64(ins, 9, flags);
    if (sqlite3_step(ins) != SQLITE_DONE) fprintf(stderr, "put: %s\n", sqlite3_errmsg(sqlite3_db_handle(ins)));
}

/* Area a's series of metric m, in one of seven shapes, ten areas each: whole months;
 * months with every third missing; a sparse few; quarters and months mixed; months long
 * before the others (a tile of their own); flagged months revised and one withdrawn by a
 * later batch; months with a NULL value and both parts.  Monthly series begin and end a few
 * months apart, so a tile's rows are widened under the series already in it. */
static void series_of(int64_t m, int64_t a) {
    int ratio = m == 3, shape = (int)((a - 1) / 10 % 7);
    for (int32_t k = 0; k < 60; k++) {
        if ((shape == 0 || shape == 1 || shape >= 5) && (k < a % 4 || k >= 60 - a % 3))
            continue;
        double v = (double)((m * 31 + a * 7 + k * 11) % 97) + 0.25 * (double)(k % 4);
        double num = ratio ? v : NAN, den = ratio ? 100 + (double)(k % 5) : NAN;
        int32_t mo = APR20 + k;
        switch (shape) {
        case 0: put(m, a, mo, 1, 1, v, num, den, 0); break;
        case 1: if (k % 3 != 2) put(m, a, mo, 1, 1, v, num, den, 0); break;
        case 2: if (k % 17 == 0) put(m, a, M(2012, 1) + k * 3, 1, 1, v, num, den, 0); break;
        case 3:
            if (k < 24 && k % 3 == 0) put(m, a, mo, 3, 1, v * 3, num, den, 0);
            else if (k >= 24) put(m, a, mo, 1, 1, v, num, den, 0);
            break;
        case 4: put(m, a, M(2001, 1) + k, 1, 1, v, num, den, 0); break;
        case 5:
            put(m, a, mo, 1, 1, v, num, den, k % 4 == 1 ? 1 : 0);
            if (k % 5 == 0) put(m, a, mo, 1, 2, v + 1, num, den, 256);
            if (k == 7) put(m, a, mo, 1, 2, NAN, NAN, NAN, 0);
            break;
        default:
            if (k % 6 == 3) put(m, a, mo, 1, 1, NAN, 3 + (double)k, 4, 0);
            else put(m, a, mo, 1, 1, v, num, den, 0);
            break;
        }
    }
}

/* Compare every cell of `x`'s matrix for areas x periods with plain reads; returns the
 * number of cells that differ. */
static int compare(pmf_series *x, pmf_series *plain, int64_t metric, const pmf_read_rule *rule,
                   const int64_t *areas, size_t na, const pmf_period *ps, size_t np,
                   int parts, pmf_agg_result *got) {
    int bad = 0;
    if (pmf_series_matrix(x, metric, rule, areas, na, "", ps, np, got) != 0) return -1;
    for (size_t a = 0; a < na; a++)
        for (size_t p = 0; p < np; p++) {
            pmf_agg_result want;
            if (pmf_series_value(plain, metric, rule, areas[a], "", ps[p].start, ps[p].len,
                                 &want) != 0)
                return -1;
            if (!same_cell(&got[a * np + p], &want, parts || rule->agg == PMF_AGG_RATIO)) {
                static int shown;
                if (shown++ < 5)
                    fprintf(stderr, "metric %lld area %lld period %d+%d: %g (%d) against %g (%d)\n",
                            (long long)metric, (long long)areas[a], ps[p].start, ps[p].len,
                            got[a * np + p].value, got[a * np + p].status, want.value,
                            want.status);
                bad++;
            }
        }
    return bad;
}

static void test_cache(void) {
    char err[256];
    pmf_store *s = pmf_store_open(":memory:", NULL, err, sizeof err);
    test_cond("store opens", s != NULL);
    if (!s) return;
    sqlite3 *db = pmf_store_db(s);
    exec(s, "INSERT INTO metric(id, code, title, aggregation) VALUES (1, 'cs', 'S', 'sum'),"
            "  (2, 'cm', 'M', 'mean'), (3, 'cr', 'R', 'ratio'), (4, 'cl', 'L', 'last');"
            "INSERT INTO batch(id, kind, recorded_at, recorded_ms) VALUES (1, 't', '', 1000),"
            "  (2, 't', '', 2000);");
    for (int a = 1; a <= NAREAS; a++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO area(id, code, name, kind) VALUES (%d, 'A%d', 'A', 'x')", a, a);
        exec(s, sql);
    }
    test_cond("insert prepares", sqlite3_prepare_v2(db,
        "INSERT INTO observation(metric, area, breakdown, start, len, batch, value, numerator,"
        " denominator, flags) VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &ins,
        NULL) == SQLITE_OK);
    exec(s, "BEGIN");
    for (int64_t m = 1; m <= 4; m++)
        for (int64_t a = 1; a <= NAREAS; a++) series_of(m, a);
    exec(s, "COMMIT");
    sqlite3_finalize(ins);

    int64_t areas[NAREAS];
    for (int a = 0; a < NAREAS; a++) areas[a] = a + 1;
    /* the quarters from 2019/20 Q4 to 2025/26 Q1, the years, and a few months */
    pmf_period qs[22], all[40];
    size_t nall = 0;
    for (int q = 0; q < 22; q++) {
        pmf_period_make(M(2020, 1) + 3 * q, 3, 4, &qs[q]);
        all[nall++] = qs[q];
    }
    for (int y = 0; y < 6; y++) pmf_period_make(M(2019, 4) + 12 * y, 12, 4, &all[nall++]);
    for (int k = 0; k < 12; k++) pmf_period_make(M(2001, 1) + 5 * k, 1, 4, &all[nall++]);
    pmf_agg_result *got = malloc(NAREAS * 40 * sizeof *got);
    if (!got) return;

    /* twice: first with every series unpacked (their rows read window by window, then
     * walked whole), then packed (read whole at first touch) */
    for (int packed = 0; packed < 2; packed++) {
        if (packed) test_cond("repack", pmf_store_repack(s) == 0);
        for (int view = 0; view < 2; view++) {
            int64_t cutoff = view ? 1500 : INT64_MAX;
            for (int values_only = 0; values_only < 2; values_only++)
                for (int small = 0; small < 2; small++) {
                    pmf_series *x = pmf_series_open(s, cutoff), *plain = pmf_series_open(s, cutoff);
                    if (!x || !plain || pmf_series_cache(x, small ? 700 : 1000000) != 0) {
                        test_cond("handles open", 0);
                        return;
                    }
                    if (values_only) pmf_series_values_only(x);
                    int bad = 0;
                    for (int64_t m = 1; m <= 4; m++) {
                        pmf_read_rule rule = {m == 1 ? PMF_AGG_SUM : m == 2 ? PMF_AGG_MEAN :
                                              m == 3 ? PMF_AGG_RATIO : PMF_AGG_LAST,
                                              PMF_REF_END, m == 4 ? 6 : 0};
                        /* one quarter at a time, forwards then back (a walk); then all at once */
                        for (int q = 0; q < 44 && bad >= 0; q++) {
                            int r = compare(x, plain, m, &rule, areas, NAREAS,
                                            &qs[q < 22 ? q : 43 - q], 1, !values_only, got);
                            bad = r < 0 ? -1 : bad + r;
                        }
                        int r = bad < 0 ? -1 : compare(x, plain, m, &rule, areas, NAREAS, all,
                                                       nall, !values_only, got);
                        bad = r < 0 || bad < 0 ? -1 : bad + r;
                    }
                    char what[160];
                    snprintf(what, sizeof what, "cached matrix = plain reads (%s, %s, %s, %s "
                             "cache)", packed ? "packed" : "unpacked", view ? "as of t=1500" :
                             "now", values_only ? "values only" : "all columns",
                             small ? "a small" : "a large");
                    test_cond(what, bad == 0);
                    pmf_series_close(x);
                    pmf_series_close(plain);
                }
        }
    }
    free(got);
    pmf_store_close(s);
}

/* No silent carry; snapshots by reference date; carry only where the rule asks. */
static void test_carry_reference(void) {
    /* an older quarter, the calendar year 2025, and a month within Jul-Sep 2026 */
    pmf_obs f[] = {fig(M(2024, 1), 3, 7), fig(M(2025, 1), 12, 100), fig(M(2026, 8), 1, 5)};
    pmf_agg_result r;
    for (int agg = PMF_AGG_SUM; agg < PMF_AGG_NKINDS; agg++) {
        combine(f, 3, agg, M(2025, 4), 3, &r);
        test_cond("no figure for Apr-Jun 2025 under any rule: the year is not borrowed",
                  r.status == PMF_READ_NODATA && !r.carried);
        combine(f, 3, agg, M(2026, 1), 3, &r);
        test_cond("nor carried without a carry rule", r.status == PMF_READ_NODATA);
    }
    combine(f, 3, PMF_AGG_LAST, M(2025, 10), 3, &r);
    test_cond("last: a calendar-year figure counts for the quarter holding its end",
              r.status == PMF_READ_OK && r.value == 100 && r.months == 3);
    pmf_read_rule mid = {PMF_AGG_LAST, PMF_REF_MID, 0};
    pmf_read_value(f, 3, &mid, M(2025, 4), 3, &r);
    test_cond("mid-year: calendar 2025 is at 30 June 2025, in Apr-Jun", r.value == 100);
    pmf_read_value(f, 3, &mid, M(2025, 4), 12, &r);
    test_cond("mid-year: ... so it is 2025/26's", r.value == 100 && !r.carried);
    pmf_read_value(f, 3, &mid, M(2024, 4), 12, &r);
    test_cond("mid-year: not 2024/25's", r.status == PMF_READ_NODATA);
    /* issue case 4: calendar 2020 and 2022 asked for 2021/22 */
    pmf_obs pop[] = {fig(M(2020, 1), 12, 1000), fig(M(2022, 1), 12, 1200)};
    combine(pop, 2, PMF_AGG_LAST, M(2021, 4), 12, &r);
    test_cond("2020 and 2022 figures give 2021/22 nothing", r.status == PMF_READ_NODATA);
    pmf_read_value(pop, 2, &mid, M(2021, 4), 12, &r);
    test_cond("with mid-year either: 30 June 2020 and 2022 are outside",
              r.status == PMF_READ_NODATA);
    pmf_read_rule carry = {PMF_AGG_LAST, PMF_REF_END, 12};
    pmf_read_value(pop, 2, &carry, M(2021, 4), 12, &r);
    test_cond("carry 12 months: the 2020 figure (Dec 2020), flagged, from calendar 2020",
              r.status == PMF_READ_OK && r.value == 1000 && r.carried &&
              (r.flags & PMF_FLAG_CARRIED) && r.from_start == M(2020, 1) && r.from_len == 12);
    pmf_read_rule flow = {PMF_AGG_SUM, PMF_REF_END, 3};
    pmf_read_value(f, 3, &flow, M(2026, 10), 3, &r);
    test_cond("carry 3 months: Aug 2026 into Oct-Dec", r.carried && r.value == 5);
    pmf_read_value(f, 3, &flow, M(2027, 1), 3, &r);
    test_cond("not beyond 3 months", r.status == PMF_READ_NODATA);
    pmf_read_value(f, 3, &flow, M(2026, 7), 3, &r);
    test_cond("own figures win over carry (incomplete, not carried)", !r.carried &&
              r.value == 5 && r.months == 1 && (r.flags & PMF_FLAG_INCOMPLETE));
    test_cond("carry text", pmf_carry_from_text("12 months") == 12 &&
              pmf_carry_from_text("1 year") == 12 && pmf_carry_from_text("") == 0 &&
              pmf_carry_from_text("soon") == -1);
    test_cond("reference names", pmf_ref_from_name("mid-year") == PMF_REF_MID &&
              pmf_ref_from_name(NULL) == PMF_REF_END && pmf_ref_from_name("noon") == -1);
}

/* The issue's table: the same figures, asked the same way, give one answer. */
static void test_issue_table(void) {
    pmf_obs q[] = {fig(M(2025, 4), 3, 10), fig(M(2025, 7), 3, 10), fig(M(2025, 10), 3, 10),
                   fig(M(2026, 1), 3, 10)};
    pmf_agg_result r;
    combine(q, 4, PMF_AGG_SUM, M(2025, 4), 12, &r);
    test_cond("four quarters, sum, the year: 40, complete", r.value == 40 && r.months == 12);
    pmf_obs m[] = {{M(2025, 4), 1, 50, 5, 10, 0, 0}, {M(2025, 5), 1, 50, 5, 10, 0, 0},
                   {M(2025, 6), 1, 50, 5, 10, 0, 0}};
    combine(m, 3, PMF_AGG_RATIO, M(2025, 4), 3, &r);
    test_cond("ratio months stored as 50 = 5/10: the quarter is 50 (15/30 in their scale)",
              fabs(r.value - 50) < 1e-12 && r.numerator == 15 && r.denominator == 30);
    pmf_obs mix[] = {fig(M(2025, 4), 3, 10), fig(M(2025, 7), 1, 40)};
    combine(mix, 2, PMF_AGG_MEAN, M(2025, 4), 12, &r);
    test_cond("a quarter at 10 and a month at 40, mean, the year: 17.5 (weighted by months)",
              r.value == 17.5 && r.months == 4 && (r.flags & PMF_FLAG_INCOMPLETE));
}

/* A failed step is an error, never "no data". */
static int interrupt_all(void *p) {
    (void)p;
    return 1;
}

static void test_failed_step(void) {
    char err[256];
    pmf_store *s = pmf_store_open(":memory:", NULL, err, sizeof err);
    if (!s) return;
    exec(s, "INSERT INTO area(id, code, name, kind) VALUES (1, 'A', 'A', 'x');"
            "INSERT INTO metric(id, code, title) VALUES (1, 'm', 'M');"
            "INSERT INTO batch(id, kind, recorded_at, recorded_ms) VALUES (1, 't', '', 1);"
            "INSERT INTO observation(metric, area, start, len, batch, value) VALUES"
            "  (1, 1, 24303, 1, 1, 5);");
    pmf_series *x = pmf_series_open(s, INT64_MAX);
    test_cond("handle opens", x != NULL);
    if (!x) return;
    pmf_agg_result r;
    test_cond("reads before", pmf_series_value(x, 1, &SUM, 1, "", 24303, 1, &r) == 0 &&
              r.value == 5);
    sqlite3_progress_handler(pmf_store_db(s), 1, interrupt_all, NULL);
    test_cond("an interrupted step is an error", pmf_series_value(x, 1, &SUM, 1, "", 24303, 1,
                                                                  &r) == -1);
    test_cond("with SQLite's message", strstr(pmf_series_error(x), "interrupt") != NULL);
    int64_t areas[] = {1};
    pmf_period ps[1];
    pmf_period_make(24303, 1, 4, &ps[0]);
    test_cond("the matrix too", pmf_series_matrix(x, 1, &SUM, areas, 1, "", ps, 1, &r) == -1);
    pmf_series_totals t;
    test_cond("and the whole-table scan", pmf_series_aggregate_all(x, 3, 4, &t) == -1);
    pmf_batch_view v;
    test_cond("and the batch view", pmf_batch_view_load(s, INT64_MAX, &v) == -1);
    sqlite3_progress_handler(pmf_store_db(s), 0, NULL, NULL);
    pmf_series_close(x);
    pmf_store_close(s);
}

int main(void) {
    test_rules();
    test_carry_reference();
    test_issue_table();
    test_trend();
    test_store();
    test_failed_step();
    test_cache();
    return test_report("test_series");
}
