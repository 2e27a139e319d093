/*
 * tests/unit/test_rag.c: the RAG primitives' promises (core/rag.h), in pure C.
 *
 * Data-driven where the cases are many: each row is one value against one rule, with the
 * status a reader of the header would predict.  The boundaries are the point: exactly on
 * target, exactly on the tolerance edge, just beyond, and floating-point noise at each.
 */
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "../../core/rag.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static pmf_rag_rule rule_of(pmf_rag_polarity p, double tol, int tol_pct, double blue,
                            int blue_pct) {
    pmf_rag_rule r;
    pmf_rag_rule_init(&r, p);
    r.tolerance.amount = tol;
    r.tolerance.pct = tol_pct;
    r.blue.amount = blue;
    r.blue.pct = blue_pct;
    return r;
}

static pmf_rag_rule band_of(double lo, double hi, double tol, int tol_pct) {
    pmf_rag_rule r = rule_of(PMF_RAG_BAND, tol, tol_pct, NAN, 0);
    r.lo = lo;
    r.hi = hi;
    return r;
}

/* ------------------------------------------------------------------ names */

static void test_names(void) {
    static const char *const want[] = {
        "red", "amber", "green", "blue", "no_data", "data_only", "error"
    };
    static const char *const sym[] = { "R", "A", "G", "B", "-", "DO", "ERR" };
    size_t i;
    test_cond("seven statuses", PMF_RAG_NSTATUS == 7);
    for (i = 0; i < N_OF(want); i++) {
        test_streq("status name in enum order", pmf_rag_status_name((pmf_rag_status)i), want[i]);
        test_streq("status symbol", pmf_rag_status_symbol((pmf_rag_status)i), sym[i]);
        test_cond("status parse round trip", pmf_rag_status_parse(want[i]) == (int)i);
    }
    test_cond("status name out of range", pmf_rag_status_name(PMF_RAG_NSTATUS) == NULL);
    test_cond("status parse unknown", pmf_rag_status_parse("grey") == -1);
    test_cond("status parse NULL", pmf_rag_status_parse(NULL) == -1);
    test_streq("polarity up", pmf_rag_polarity_name(PMF_RAG_UP), "up");
    test_streq("polarity down", pmf_rag_polarity_name(PMF_RAG_DOWN), "down");
    test_streq("polarity band", pmf_rag_polarity_name(PMF_RAG_BAND), "band");
    test_cond("polarity parse", pmf_rag_polarity_parse("down") == PMF_RAG_DOWN);
    test_cond("polarity parse unknown", pmf_rag_polarity_parse("higher") == -1);
    test_streq("dot better", pmf_rag_dot_name(PMF_RAG_DOT_BETTER), "better");
    test_streq("dot worse", pmf_rag_dot_name(PMF_RAG_DOT_WORSE), "worse");
    test_streq("dot same", pmf_rag_dot_name(PMF_RAG_DOT_SAME), "same");
    test_cond("dot none has no name", pmf_rag_dot_name(PMF_RAG_DOT_NONE) == NULL);
}

/* ------------------------------------------------------------------ margins and rules */

static void test_margins(void) {
    static const struct { const char *text; int ok; double amount; int pct; } cases[] = {
        { "10%",    1, 10,  1 }, { "2",      1, 2,   0 }, { " 2.5 ",  1, 2.5, 0 },
        { "10 %",   1, 10,  1 }, { "0",      1, 0,   0 }, { "-5",     1, -5,  0 },
        { "",       0, 0,   0 }, { "abc",    0, 0,   0 }, { "10%%",   0, 0,   0 },
        { "%",      0, 0,   0 }, { "inf",    0, 0,   0 }, { "nan",    0, 0,   0 },
        { "10x",    0, 0,   0 }, { "10% x",  0, 0,   0 },
    };
    size_t i;
    pmf_rag_margin m, pct10 = { 10, 1 }, abs3 = { 3, 0 }, unset = { NAN, 0 };
    for (i = 0; i < N_OF(cases); i++) {
        int rc = pmf_rag_margin_parse(cases[i].text, &m);
        test_cond(cases[i].text, (rc == 0) == cases[i].ok);
        if (rc == 0 && cases[i].ok) {
            test_near(cases[i].text, m.amount, cases[i].amount);
            test_cond(cases[i].text, m.pct == cases[i].pct);
        }
    }
    test_cond("parse NULL", pmf_rag_margin_parse(NULL, &m) == -1);
    test_near("10% of 50", pmf_rag_margin_resolve(pct10, 50), 5);
    test_near("10% of |-50|", pmf_rag_margin_resolve(pct10, -50), 5);
    test_near("absolute ignores ref", pmf_rag_margin_resolve(abs3, 1000), 3);
    test_near("unset is 0", pmf_rag_margin_resolve(unset, 10), 0);
}

static void test_rule_check(void) {
    pmf_rag_rule r;
    pmf_rag_rule_init(&r, PMF_RAG_UP);
    test_cond("init rule is fine", pmf_rag_rule_check(&r) == NULL);
    test_near("init tolerance 0", r.tolerance.amount, 0);
    test_cond("init no blue", isnan(r.blue.amount));
    r.tolerance.amount = -1;
    test_streq("negative tolerance", pmf_rag_rule_check(&r), "tolerance must not be negative");
    r.tolerance.amount = NAN;
    test_streq("NaN tolerance", pmf_rag_rule_check(&r), "tolerance must be a number");
    r.tolerance.amount = 0;
    r.blue.amount = -2;
    test_streq("negative blue", pmf_rag_rule_check(&r), "blue must not be negative");
    r.polarity = PMF_RAG_NPOLARITY;
    test_cond("bad polarity", pmf_rag_rule_check(&r) != NULL
                              && strncmp(pmf_rag_rule_check(&r), "polarity", 8) == 0);
    pmf_rag_rule_init(&r, PMF_RAG_BAND);
    test_streq("band without lo/hi", pmf_rag_rule_check(&r), "band needs lo and hi");
    r.lo = 60;
    r.hi = 40;
    test_streq("band lo > hi", pmf_rag_rule_check(&r), "band lo must not be above hi");
    r.lo = 40;
    r.hi = 60;
    test_cond("good band", pmf_rag_rule_check(&r) == NULL);
    r.blue.amount = 1;
    test_cond("blue with band", pmf_rag_rule_check(&r) != NULL);
    r.lo = r.hi = 50;
    r.blue.amount = NAN;
    test_cond("a one-point band is fine", pmf_rag_rule_check(&r) == NULL);
}

/* ------------------------------------------------------------------ rating */

typedef struct { const char *descr; pmf_rag_rule rule; double value, target; pmf_rag_status want; }
    rate_case;

static void run_rate_cases(const rate_case *c, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        pmf_rag_status got = pmf_rag_rate(&c[i].rule, c[i].value, c[i].target);
        if (got != c[i].want)
            fprintf(stderr, "  %s: got %s, want %s\n", c[i].descr, pmf_rag_status_name(got),
                    pmf_rag_status_name(c[i].want));
        test_cond(c[i].descr, got == c[i].want);
    }
}

static void test_rate(void) {
    pmf_rag_rule up5 = rule_of(PMF_RAG_UP, 5, 0, NAN, 0);
    pmf_rag_rule up10pct = rule_of(PMF_RAG_UP, 10, 1, NAN, 0);
    pmf_rag_rule up0 = rule_of(PMF_RAG_UP, 0, 0, NAN, 0);
    pmf_rag_rule uptenth = rule_of(PMF_RAG_UP, 0.1, 0, NAN, 0);
    pmf_rag_rule down2 = rule_of(PMF_RAG_DOWN, 2, 0, NAN, 0);
    pmf_rag_rule down10pct = rule_of(PMF_RAG_DOWN, 10, 1, NAN, 0);
    pmf_rag_rule down0 = rule_of(PMF_RAG_DOWN, 0, 0, NAN, 0);
    pmf_rag_rule downtenth = rule_of(PMF_RAG_DOWN, 0.3, 0, NAN, 0);
    pmf_rag_rule band5 = band_of(40, 60, 5, 0);
    pmf_rag_rule band10pct = band_of(40, 60, 10, 1);
    pmf_rag_rule band0 = band_of(40, 60, 0, 0);
    pmf_rag_rule bandnoise = band_of(0.1 + 0.2, 0.6, 0.1, 0);
    pmf_rag_rule bandunset = band_of(NAN, NAN, 0, 0);
    pmf_rag_rule upblue = rule_of(PMF_RAG_UP, 5, 0, 10, 0);
    pmf_rag_rule upblue5pct = rule_of(PMF_RAG_UP, 5, 0, 5, 1);
    pmf_rag_rule upblue0 = rule_of(PMF_RAG_UP, 5, 0, 0, 0);
    pmf_rag_rule downblue = rule_of(PMF_RAG_DOWN, 2, 0, 2, 0);
    const rate_case cases[] = {
        /* up, absolute tolerance 5 around 100 */
        { "up: above target green",           up5, 101,      100, PMF_RAG_GREEN },
        { "up: exactly on target green",      up5, 100,      100, PMF_RAG_GREEN },
        { "up: just below target amber",      up5, 99.999,   100, PMF_RAG_AMBER },
        { "up: on the tolerance edge amber",  up5, 95,       100, PMF_RAG_AMBER },
        { "up: just beyond the edge red",     up5, 94.999,   100, PMF_RAG_RED },
        { "up: far below red",                up5, 0,        100, PMF_RAG_RED },
        { "up: 1e-6 under is beyond slack",   up5, 99.999999, 100, PMF_RAG_AMBER },
        /* up, 10% of |target| */
        { "up 10%: edge 45 amber",            up10pct, 45,     50, PMF_RAG_AMBER },
        { "up 10%: 44.99 red",                up10pct, 44.99,  50, PMF_RAG_RED },
        { "up 10%: negative target edge",     up10pct, -55,   -50, PMF_RAG_AMBER },
        { "up 10%: negative target beyond",   up10pct, -55.01, -50, PMF_RAG_RED },
        { "up 10%: target 0 has no amber",    up10pct, -0.001, 0, PMF_RAG_RED },
        /* tolerance 0: no amber band */
        { "up tol 0: on target green",        up0, 100,      100, PMF_RAG_GREEN },
        { "up tol 0: just below red",         up0, 99.99,    100, PMF_RAG_RED },
        /* floating-point noise at the boundaries */
        { "up: 0.1+0.2 vs 0.3 green",         up0, 0.1 + 0.2, 0.3, PMF_RAG_GREEN },
        { "up: 0.3 vs 0.1+0.2 green",         up0, 0.3, 0.1 + 0.2, PMF_RAG_GREEN },
        { "up: 0.7+0.2 on edge 0.9 amber",    uptenth, 0.7 + 0.2, 1.0, PMF_RAG_AMBER },
        { "down: 0.1*3 vs 0.3 green",         down0, 0.1 * 3, 0.3, PMF_RAG_GREEN },
        { "down: 0.1+0.2 vs 0.3 green",       down0, 0.1 + 0.2, 0.3, PMF_RAG_GREEN },
        { "down: 0.2+0.4 on edge 0.6 amber",  downtenth, 0.2 + 0.4, 0.3, PMF_RAG_AMBER },
        { "up: noise on a large target",      up0, 1e6 * (0.1 + 0.2), 300000, PMF_RAG_GREEN },
        /* down, absolute 2 around 10 */
        { "down: below target green",         down2, 9,       10, PMF_RAG_GREEN },
        { "down: exactly on target green",    down2, 10,      10, PMF_RAG_GREEN },
        { "down: on the tolerance edge amber", down2, 12,     10, PMF_RAG_AMBER },
        { "down: just beyond the edge red",   down2, 12.0001, 10, PMF_RAG_RED },
        { "down 10%: edge 220 amber",         down10pct, 220,   200, PMF_RAG_AMBER },
        { "down 10%: 220.5 red",              down10pct, 220.5, 200, PMF_RAG_RED },
        { "down tol 0: just above red",       down0, 10.01,  10, PMF_RAG_RED },
        /* band [40, 60] */
        { "band: low edge green",             band5, 40,     0, PMF_RAG_GREEN },
        { "band: high edge green",            band5, 60,     0, PMF_RAG_GREEN },
        { "band: inside green",               band5, 50,     NAN, PMF_RAG_GREEN },
        { "band: just under lo amber",        band5, 39.99,  0, PMF_RAG_AMBER },
        { "band: low tolerance edge amber",   band5, 35,     0, PMF_RAG_AMBER },
        { "band: below low edge red",         band5, 34.9,   0, PMF_RAG_RED },
        { "band: high tolerance edge amber",  band5, 65,     0, PMF_RAG_AMBER },
        { "band: above high edge red",        band5, 65.1,   0, PMF_RAG_RED },
        { "band 10%: 36 (10% of 40) amber",   band10pct, 36,   0, PMF_RAG_AMBER },
        { "band 10%: 35.9 red",               band10pct, 35.9, 0, PMF_RAG_RED },
        { "band 10%: 66 (10% of 60) amber",   band10pct, 66,   0, PMF_RAG_AMBER },
        { "band 10%: 66.1 red",               band10pct, 66.1, 0, PMF_RAG_RED },
        { "band tol 0: just out red",         band0, 39.9,   0, PMF_RAG_RED },
        { "band tol 0: just over red",        band0, 60.1,   0, PMF_RAG_RED },
        { "band: noisy lo edge green",        bandnoise, 0.3, 0, PMF_RAG_GREEN },
        { "band: noisy tolerance edge amber", bandnoise, 0.1 * 7, 0, PMF_RAG_AMBER },
        { "band: not set data_only",          bandunset, 50, 0, PMF_RAG_DATA_ONLY },
        /* blue */
        { "blue: beats target by margin",     upblue, 110,    100, PMF_RAG_BLUE },
        { "blue: well beyond",                upblue, 150,    100, PMF_RAG_BLUE },
        { "blue: not quite the margin green", upblue, 109.99, 100, PMF_RAG_GREEN },
        { "blue: amber still amber",          upblue, 97,     100, PMF_RAG_AMBER },
        { "blue 5%: 105 blue",                upblue5pct, 105,   100, PMF_RAG_BLUE },
        { "blue 5%: 104.9 green",             upblue5pct, 104.9, 100, PMF_RAG_GREEN },
        { "blue 0: on target is blue",        upblue0, 100,    100, PMF_RAG_BLUE },
        { "blue down: 8 vs 10 blue",          downblue, 8,     10, PMF_RAG_BLUE },
        { "blue down: 8.5 vs 10 green",       downblue, 8.5,   10, PMF_RAG_GREEN },
        { "no blue without margin",           up5, 1000,      100, PMF_RAG_GREEN },
        /* missing */
        { "up: no value no_data",             up5, NAN,       100, PMF_RAG_NO_DATA },
        { "up: no target data_only",          up5, 50,        NAN, PMF_RAG_DATA_ONLY },
        { "up: neither no_data",              up5, NAN,       NAN, PMF_RAG_NO_DATA },
        { "down: no target data_only",        down2, 5,       NAN, PMF_RAG_DATA_ONLY },
        { "band: no value no_data",           band5, NAN,     0, PMF_RAG_NO_DATA },
        { "blue: no target data_only",        upblue, 500,    NAN, PMF_RAG_DATA_ONLY },
        /* infinities stay ordered */
        { "up: +inf green",                   up5, INFINITY,  100, PMF_RAG_GREEN },
        { "up: -inf red",                     up5, -INFINITY, 100, PMF_RAG_RED },
    };
    /* the noise cases only test something if the noise is there */
    test_cond("0.1+0.2 is not 0.3", 0.1 + 0.2 != 0.3);
    test_cond("0.1*3 is above 0.3", 0.1 * 3 > 0.3);
    test_cond("0.7+0.2 is below 1-0.1", 0.7 + 0.2 < 1.0 - 0.1);
    test_cond("0.2+0.4 is above 0.3+0.3", 0.2 + 0.4 > 0.3 + 0.3);
    test_cond("0.3 is below 0.1+0.2", 0.3 < 0.1 + 0.2);
    test_cond("0.1*7 is above 0.6+0.1", 0.1 * 7 > 0.6 + 0.1);
    test_cond("1e6*(0.1+0.2) is not 300000", 1e6 * (0.1 + 0.2) != 300000);
    run_rate_cases(cases, N_OF(cases));
}

static void test_rate_many(void) {
    double values[] = { 101, 100, 97, 90, NAN, 50, 110 };
    double targets[] = { 100, 100, 100, 100, 100, NAN, 100 };
    pmf_rag_status out[N_OF(values)], want1[] = {
        PMF_RAG_GREEN, PMF_RAG_GREEN, PMF_RAG_AMBER, PMF_RAG_RED, PMF_RAG_NO_DATA,
        PMF_RAG_DATA_ONLY, PMF_RAG_BLUE
    }, want0[] = {
        PMF_RAG_RED, PMF_RAG_RED, PMF_RAG_RED, PMF_RAG_RED, PMF_RAG_NO_DATA,
        PMF_RAG_RED, PMF_RAG_AMBER
    };
    double one = 115;
    pmf_rag_rule r = rule_of(PMF_RAG_UP, 5, 0, 10, 0);
    size_t i;
    pmf_rag_rate_many(&r, values, targets, 1, N_OF(values), out);
    for (i = 0; i < N_OF(values); i++) {
        test_cond("rate_many with targets", out[i] == want1[i]);
        test_cond("rate_many agrees with rate", out[i] == pmf_rag_rate(&r, values[i], targets[i]));
    }
    pmf_rag_rate_many(&r, values, &one, 0, N_OF(values), out);
    for (i = 0; i < N_OF(values); i++) test_cond("rate_many with one target", out[i] == want0[i]);
}

/* ------------------------------------------------------------------ direction of travel */

typedef struct {
    const char *descr; pmf_rag_rule rule; double now, before; pmf_rag_margin thr;
    pmf_rag_trend want;
} dot_case;

static void test_dot(void) {
    pmf_rag_rule up = rule_of(PMF_RAG_UP, 0, 0, NAN, 0);
    pmf_rag_rule down = rule_of(PMF_RAG_DOWN, 0, 0, NAN, 0);
    pmf_rag_rule band = band_of(40, 60, 0, 0);
    pmf_rag_margin z = { 0, 0 }, a1 = { 1, 0 }, p2 = { 2, 1 }, a2 = { 2, 0 };
    const dot_case cases[] = {
        { "up: higher is better",          up, 10, 9,    z,  PMF_RAG_DOT_BETTER },
        { "up: lower is worse",            up, 9, 10,    z,  PMF_RAG_DOT_WORSE },
        { "up: equal is same",             up, 10, 10,   z,  PMF_RAG_DOT_SAME },
        { "up: tiny real change counts",   up, 10.001, 10, z, PMF_RAG_DOT_BETTER },
        { "up: fp noise is same",          up, 0.1 + 0.2, 0.3, z, PMF_RAG_DOT_SAME },
        { "up: no now none",               up, NAN, 10,  z,  PMF_RAG_DOT_NONE },
        { "up: no before none",            up, 10, NAN,  z,  PMF_RAG_DOT_NONE },
        { "up thr 1: within same",         up, 10.5, 10, a1, PMF_RAG_DOT_SAME },
        { "up thr 1: on threshold same",   up, 11, 10,   a1, PMF_RAG_DOT_SAME },
        { "up thr 1: beyond better",       up, 11.01, 10, a1, PMF_RAG_DOT_BETTER },
        { "up thr 1: down beyond worse",   up, 8.99, 10, a1, PMF_RAG_DOT_WORSE },
        { "up thr 2%: 102 vs 100 same",    up, 102, 100, p2, PMF_RAG_DOT_SAME },
        { "up thr 2%: 102.1 better",       up, 102.1, 100, p2, PMF_RAG_DOT_BETTER },
        { "up thr 2%: 98 same",            up, 98, 100,  p2, PMF_RAG_DOT_SAME },
        { "up thr 2%: 97.9 worse",         up, 97.9, 100, p2, PMF_RAG_DOT_WORSE },
        { "up thr 2% of |before| < 0",     up, -98.5, -100, p2, PMF_RAG_DOT_SAME },
        { "down: lower is better",         down, 9, 10,  z,  PMF_RAG_DOT_BETTER },
        { "down: higher is worse",         down, 11, 10, z,  PMF_RAG_DOT_WORSE },
        { "down: equal is same",           down, 10, 10, z,  PMF_RAG_DOT_SAME },
        { "down thr 2%: 98 same",          down, 98, 100, p2, PMF_RAG_DOT_SAME },
        { "down thr 2%: 97.9 better",      down, 97.9, 100, p2, PMF_RAG_DOT_BETTER },
        { "band: into the band better",    band, 50, 70, z,  PMF_RAG_DOT_BETTER },
        { "band: out of the band worse",   band, 70, 50, z,  PMF_RAG_DOT_WORSE },
        { "band: moving inside same",      band, 45, 55, z,  PMF_RAG_DOT_SAME },
        { "band: nearer from the far side", band, 30, 75, z, PMF_RAG_DOT_BETTER },
        { "band: as far on the other side", band, 35, 65, z, PMF_RAG_DOT_SAME },
        { "band: further away worse",      band, 30, 35, z,  PMF_RAG_DOT_WORSE },
        { "band thr 2: 3 further worse",   band, 33, 64, a2, PMF_RAG_DOT_WORSE },
        { "band thr 2: 1 nearer same",     band, 65, 34, a2, PMF_RAG_DOT_SAME },
        { "band: no value none",           band, NAN, 50, z, PMF_RAG_DOT_NONE },
        { "up: equal infinities same",     up, INFINITY, INFINITY, z, PMF_RAG_DOT_SAME },
        { "up: to +inf better",            up, INFINITY, 1, z, PMF_RAG_DOT_BETTER },
        { "up: from +inf worse",           up, 1, INFINITY, z, PMF_RAG_DOT_WORSE },
    };
    double now[] = { 10, 9, NAN, 10 }, before[] = { 9, 10, 5, 10 };
    pmf_rag_trend out[4], want[] = {
        PMF_RAG_DOT_BETTER, PMF_RAG_DOT_WORSE, PMF_RAG_DOT_NONE, PMF_RAG_DOT_SAME
    };
    size_t i;
    for (i = 0; i < N_OF(cases); i++) {
        pmf_rag_trend got = pmf_rag_dot(&cases[i].rule, cases[i].now, cases[i].before,
                                        cases[i].thr);
        if (got != cases[i].want)
            fprintf(stderr, "  %s: got %d, want %d\n", cases[i].descr, got, cases[i].want);
        test_cond(cases[i].descr, got == cases[i].want);
    }
    pmf_rag_dot_many(&up, now, before, 4, z, out);
    for (i = 0; i < 4; i++) test_cond("dot_many", out[i] == want[i]);
}

/* ------------------------------------------------------------------ benchmarking */

#define MAXG 64

/* Benchmark values[0..n) and compare ranks and quartiles with the expected arrays (NULL to
 * skip); also check rank_of agrees with every rank. */
static pmf_rag_bench bench_check(const char *descr, const pmf_rag_rule *r, const double *values,
                                 size_t n, const int *want_rank, const int *want_q) {
    pmf_rag_slot scratch[MAXG];
    int rank[MAXG], q[MAXG];
    size_t i, present;
    pmf_rag_bench b = pmf_rag_benchmark(r, values, n, scratch, rank, q);
    for (i = 0; i < n; i++) {
        int ok = (!want_rank || rank[i] == want_rank[i]) && (!want_q || q[i] == want_q[i]);
        if (!ok)
            fprintf(stderr, "  %s [%zu]: rank %d (want %d), quartile %d (want %d)\n", descr, i,
                    rank[i], want_rank ? want_rank[i] : -1, q[i], want_q ? want_q[i] : -1);
        test_cond(descr, ok);
        test_cond("rank_of agrees with benchmark",
                  pmf_rag_rank_of(r, values[i], values, n, &present) == rank[i]);
        test_cond("rank_of counts present values", present == b.n);
    }
    return b;
}

static void test_benchmark(void) {
    pmf_rag_rule up = rule_of(PMF_RAG_UP, 0, 0, NAN, 0);
    pmf_rag_rule down = rule_of(PMF_RAG_DOWN, 0, 0, NAN, 0);
    pmf_rag_rule band = band_of(40, 60, 0, 0);
    pmf_rag_bench b;
    pmf_rag_slot scratch[8];
    size_t n;

    /* standard competition ranking */
    {
        double v[] = { 10, 8, 8, 5 };
        int r_up[] = { 1, 2, 2, 4 }, q_up[] = { 1, 2, 2, 4 };
        int r_down[] = { 4, 2, 2, 1 }, q_down[] = { 4, 2, 2, 1 };
        b = bench_check("ties 1-2-2-4 (up)", &up, v, 4, r_up, q_up);
        bench_check("ties (down)", &down, v, 4, r_down, q_down);
        test_cond("n = 4", b.n == 4);
        test_near("median of even n is the mean of the middle two", b.median, 8);
        test_near("mean", b.mean, 31.0 / 4);
    }
    {
        double v[] = { 3, 3, 3 };
        int r[] = { 1, 1, 1 }, q[] = { 1, 1, 1 };
        bench_check("all equal share rank 1", &up, v, 3, r, q);
    }
    /* quartiles for n = 1..5, distinct values, listed from best */
    {
        double v[] = { 50, 40, 30, 20, 10 };
        int r[] = { 1, 2, 3, 4, 5 };
        int q1[] = { 1 }, q2[] = { 1, 3 }, q3[] = { 1, 2, 3 }, q4[] = { 1, 2, 3, 4 },
            q5[] = { 1, 1, 2, 3, 4 };
        const int *qs[] = { q1, q2, q3, q4, q5 };
        for (n = 1; n <= 5; n++) bench_check("quartiles for n = 1..5", &up, v, n, r, qs[n - 1]);
    }
    {
        int ranks8[] = { 1, 2, 3, 4, 5, 6, 7, 8 }, want8[] = { 1, 1, 2, 2, 3, 3, 4, 4 };
        int i;
        for (i = 0; i < 8; i++)
            test_cond("quartile n = 8", pmf_rag_quartile(ranks8[i], 8) == want8[i]);
        test_cond("quartile of rank 0", pmf_rag_quartile(0, 5) == 0);
        test_cond("quartile of n 0", pmf_rag_quartile(1, 0) == 0);
        test_cond("quartile clamps n+1 to 4", pmf_rag_quartile(6, 5) == 4);
    }
    /* ties at quartile edges */
    {
        double v5[] = { 5, 4, 4, 2, 1 }, v4[] = { 9, 9, 9, 1 }, v8[] = { 8, 7, 6, 6, 4, 3, 2, 1 };
        int r5[] = { 1, 2, 2, 4, 5 }, q5[] = { 1, 1, 1, 3, 4 };
        int r4[] = { 1, 1, 1, 4 }, q4[] = { 1, 1, 1, 4 };
        int r8[] = { 1, 2, 3, 3, 5, 6, 7, 8 }, q8[] = { 1, 1, 2, 2, 3, 3, 4, 4 };
        bench_check("tie straddling a quartile edge takes the better quartile", &up, v5, 5, r5, q5);
        bench_check("three-way tie at the top", &up, v4, 4, r4, q4);
        bench_check("tie at the Q1/Q2 edge, n = 8", &up, v8, 8, r8, q8);
    }
    /* missing values */
    {
        double v[] = { NAN, 3, NAN, 1 };
        int r[] = { 0, 1, 0, 2 }, q[] = { 0, 1, 0, 3 };
        b = bench_check("missing values take no rank", &up, v, 4, r, q);
        test_cond("n counts present values", b.n == 2);
        test_near("median over present", b.median, 2);
        test_near("mean over present", b.mean, 2);
    }
    {
        double v[] = { NAN, NAN, NAN };
        int r[] = { 0, 0, 0 };
        b = bench_check("all missing: no ranks", &up, v, 3, r, r);
        test_cond("all missing: n = 0", b.n == 0);
        test_cond("all missing: median NaN", isnan(b.median));
        test_cond("all missing: mean NaN", isnan(b.mean));
        b = pmf_rag_benchmark(&up, v, 0, scratch, NULL, NULL);
        test_cond("empty group", b.n == 0 && isnan(b.mean));
        test_cond("rank_of in an all-missing group", pmf_rag_rank_of(&up, 5, v, 3, &n) == 0
                                                     && n == 0);
    }
    /* medians */
    {
        double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 }, one[] = { 7 };
        b = pmf_rag_benchmark(&up, odd, 3, scratch, NULL, NULL);
        test_near("median odd n", b.median, 2);
        b = pmf_rag_benchmark(&down, even, 4, scratch, NULL, NULL);
        test_near("median even n", b.median, 2.5);
        test_near("mean even n", b.mean, 2.5);
        b = pmf_rag_benchmark(&up, one, 1, scratch, NULL, NULL);
        test_near("median n = 1", b.median, 7);
    }
    /* band: nearest the midpoint (50) is best; equal distances either side tie */
    {
        double v[] = { 50, 45, 55, 30, 70, 52 };
        int r[] = { 1, 3, 3, 5, 5, 2 };
        bench_check("band ranks by distance from the midpoint", &band, v, 6, r, NULL);
    }
    {
        double v[] = { 10, 90, 41 };
        int r[] = { 2, 2, 1 };
        bench_check("band: all on one side or the other", &band, v, 3, r, NULL);
    }
    /* floating-point noise and infinities */
    {
        double v[] = { 0.1 + 0.2, 0.3, 0.1 };
        int r[] = { 1, 1, 3 };
        bench_check("0.1+0.2 ties 0.3", &up, v, 3, r, NULL);
    }
    {
        double v[] = { INFINITY, 1, INFINITY, -INFINITY };
        int r[] = { 1, 3, 1, 4 };
        bench_check("infinities tie and stay ordered", &up, v, 4, r, NULL);
    }
    /* rank_of for a value outside the group */
    test_cond("rank_of NaN", pmf_rag_rank_of(&up, NAN, (double[]){ 1, 2 }, 2, NULL) == 0);
    test_cond("rank_of best outsider", pmf_rag_rank_of(&up, 9, (double[]){ 1, 2 }, 2, NULL) == 1);
    test_cond("rank_of worst outsider", pmf_rag_rank_of(&up, 0, (double[]){ 1, 2 }, 2, NULL) == 3);
    /* summary only: rank and quartile may be NULL */
    {
        double v[] = { 1, 2 };
        b = pmf_rag_benchmark(&up, v, 2, scratch, NULL, NULL);
        test_near("summary without ranks", b.mean, 1.5);
    }
}

/* Random groups with many ties and gaps against a brute-force ranking. */
static void test_benchmark_random(void) {
    pmf_rag_rule rules[3];
    pmf_rag_slot scratch[MAXG];
    int rank[MAXG], q[MAXG];
    double v[MAXG];
    int trial, bad = 0;
    unsigned seed = 12345;
    rules[0] = rule_of(PMF_RAG_UP, 0, 0, NAN, 0);
    rules[1] = rule_of(PMF_RAG_DOWN, 0, 0, NAN, 0);
    rules[2] = band_of(3, 5, 0, 0);
    for (trial = 0; trial < 3000; trial++) {
        const pmf_rag_rule *r = &rules[trial % 3];
        size_t n = (size_t)(trial % MAXG), i, j, present = 0;
        for (i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            v[i] = (seed >> 16) % 11 == 0 ? NAN : (double)((seed >> 16) % 10);
            present += !isnan(v[i]);
        }
        pmf_rag_benchmark(r, v, n, scratch, rank, q);
        for (i = 0; i < n; i++) {
            int want = 0;
            if (!isnan(v[i])) {
                double mine = r->polarity == PMF_RAG_UP ? -v[i] : r->polarity == PMF_RAG_DOWN
                              ? v[i] : fabs(v[i] - 4);
                want = 1;
                for (j = 0; j < n; j++) {
                    double k;
                    if (isnan(v[j])) continue;
                    k = r->polarity == PMF_RAG_UP ? -v[j] : r->polarity == PMF_RAG_DOWN
                        ? v[j] : fabs(v[j] - 4);
                    want += k < mine;
                }
            }
            if (rank[i] != want || q[i] != pmf_rag_quartile(want, present)) bad++;
        }
    }
    test_cond("random groups rank as brute force does", bad == 0);
}

int main(void) {
    test_names();
    test_margins();
    test_rule_check();
    test_rate();
    test_rate_many();
    test_dot();
    test_benchmark();
    test_benchmark_random();
    return test_report("test_rag");
}
