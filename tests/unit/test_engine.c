/* tests/unit/test_engine.c: engine.c's kernels on hand-made grids: filling from reader
 * results, combine (copy, ratio, difference, carried sources), suppression, the published
 * figure, rating on it, direction of travel (never on a carried value), benchmarks over the
 * areas with a figure and min_group, and the late flag. */
#include "engine.h"
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define NA 4
#define NP 2

typedef struct {
    double value[NA * NP], rated[NA * NP], target[NA * NP];
    int64_t rec[NA * NP];
    uint16_t flags[NA * NP];
    pmf_engine_span src[NA * NP];
    pmf_rag_status status[NA * NP];
    pmf_rag_trend dprev[NA * NP], dyear[NA * NP];
    int rank[NA * NP], quartile[NA * NP];
    pmf_engine_grid g;
} cells;

static void init(cells *c) {
    memset(c, 0, sizeof *c);
    for (int i = 0; i < NA * NP; i++) c->value[i] = c->rated[i] = c->target[i] = NAN;
    c->g = (pmf_engine_grid){NA, NP, c->value, c->rated, c->src, c->target, c->rec, c->flags,
                             c->status, c->dprev, c->dyear, c->rank, c->quartile};
}

/* Cell (area i, period j). */
#define AT(i, j) ((j) * NA + (i))

static void test_fill_combine(void) {
    cells a, b, out;
    init(&a);
    init(&b);
    init(&out);
    pmf_agg_result res[NA * NP];
    memset(res, 0, sizeof res);
    for (int i = 0; i < NA; i++)
        for (int j = 0; j < NP; j++) {
            pmf_agg_result *r = &res[i * NP + j];      /* area-major, as series.h gives */
            r->status = i == 3 ? PMF_READ_NODATA : PMF_READ_OK;
            r->value = i == 3 ? NAN : 10.0 * (i + 1) + j;
            r->from_start = 100 + j;
            r->from_len = 1;
            r->rec = 5;
        }
    res[2 * NP + 1].flags = PMF_FLAG_CARRIED;
    res[2 * NP + 1].from_start = 90;
    pmf_engine_fill(&a.g, res);
    test_cond("fill: grid is column-major", a.value[AT(1, 1)] == 21 && a.value[AT(1, 0)] == 20);
    test_cond("fill: no data is NaN", isnan(a.value[AT(3, 0)]));
    test_cond("fill: flags and source", a.flags[AT(2, 1)] == PMF_FLAG_CARRIED &&
              a.src[AT(2, 1)].start == 90 && a.rec[AT(0, 0)] == 5);
    for (int i = 0; i < NA * NP; i++) {
        b.value[i] = 2;
        b.src[i].start = 7;
        b.src[i].len = 12;
    }
    b.value[AT(0, 0)] = 0;
    b.flags[AT(1, 0)] = PMF_FLAG_CARRIED;
    size_t cols[] = {0, 1};
    pmf_engine_combine(PMF_ENGINE_DIV, 100, &a.g, &b.g, &out.g, cols, 2);
    test_cond("div: scale * a / b", out.value[AT(1, 0)] == 1000);
    test_cond("div by zero: no data, never inf", isnan(out.value[AT(0, 0)]));
    test_cond("a missing input: no data", isnan(out.value[AT(3, 1)]));
    test_cond("flags OR'ed; a carried input gives the source", (out.flags[AT(1, 0)] &
              PMF_FLAG_CARRIED) && out.src[AT(1, 0)].start == 7 && out.src[AT(1, 0)].len == 12);
    test_cond("... the numerator's when it is the carried one", out.src[AT(2, 1)].start == 90);
    pmf_engine_combine(PMF_ENGINE_SUB, 1, &a.g, &b.g, &out.g, cols, 2);
    test_cond("sub", out.value[AT(1, 1)] == 19);
    pmf_engine_suppress(&out.g, 15, &out.g, cols, 2);
    test_cond("suppressed below 15: withheld, flagged", isnan(out.value[AT(0, 0)]) &&
              (out.flags[AT(0, 0)] & PMF_FLAG_WITHHELD) && out.value[AT(1, 0)] == 18);
}

static void test_publish_rate_dot(void) {
    cells c;
    init(&c);
    double v[NA * NP] = {59.98, 60.04, 59.94, NAN, 60.0, 60.0, 60.0, 60.0};
    memcpy(c.value, v, sizeof v);
    size_t cols[] = {0, 1};
    pmf_engine_publish(&c.g, 1, cols, 2);
    test_cond("published to 1 decimal", c.rated[AT(0, 0)] == 60.0 && c.rated[AT(1, 0)] == 60.0 &&
              c.rated[AT(2, 0)] == 59.9 && isnan(c.rated[AT(3, 0)]));
    test_cond("printf's rounding on half-way cases", pmf_engine_round(0.125, 2) == 0.12 &&
              pmf_engine_round(2.5, 0) == 2 && pmf_engine_round(0.35, 1) == 0.3 &&
              pmf_engine_round(-1.25, 1) == -1.2 && pmf_engine_round(1234.5678, 2) == 1234.57);
    for (int i = 0; i < NA * NP; i++) c.target[i] = 60;
    pmf_rag_rule rule;
    pmf_rag_rule_init(&rule, PMF_RAG_UP);
    pmf_engine_rate(&rule, &c.g, cols, 1);
    test_cond("59.98 published as 60.0 meets 60: green", c.status[AT(0, 0)] == PMF_RAG_GREEN);
    test_cond("59.94 published as 59.9: red", c.status[AT(2, 0)] == PMF_RAG_RED);
    test_cond("no value: no data", c.status[AT(3, 0)] == PMF_RAG_NO_DATA);
    pmf_engine_publish(&c.g, -1, cols, 2);
    pmf_engine_rate(&rule, &c.g, cols, 1);
    test_cond("unrounded: 59.98 is red", c.status[AT(0, 0)] == PMF_RAG_RED &&
              c.rated[AT(0, 0)] == 59.98);
    /* DoT: column 0 now, column 1 before */
    pmf_engine_publish(&c.g, 1, cols, 2);
    c.flags[AT(1, 1)] = PMF_FLAG_CARRIED;
    size_t now[] = {0}, before[] = {1}, none[] = {SIZE_MAX};
    pmf_rag_margin zero = {0, 0};
    pmf_engine_dot(&rule, zero, &c.g, now, before, 1, 0);
    test_cond("DoT on published figures: 59.98 -> 60.0 is the same as 60",
              c.dprev[AT(0, 0)] == PMF_RAG_DOT_SAME);
    test_cond("DoT: 59.9 vs 60 worse", c.dprev[AT(2, 0)] == PMF_RAG_DOT_WORSE);
    test_cond("DoT: never against a carried value", c.dprev[AT(1, 0)] == PMF_RAG_DOT_NONE);
    pmf_engine_dot(&rule, zero, &c.g, now, none, 1, 1);
    test_cond("DoT: no comparison column, no direction", c.dyear[AT(0, 0)] == PMF_RAG_DOT_NONE);
}

static void test_benchmark(void) {
    cells c;
    init(&c);
    double v[NA * NP] = {90, 80, 70, NAN, 90, 80, NAN, NAN};
    memcpy(c.value, v, sizeof v);
    size_t cols[] = {0, 1}, rows[] = {0, 1, 2, 3};
    pmf_engine_publish(&c.g, 0, cols, 2);
    pmf_rag_rule rule;
    pmf_rag_rule_init(&rule, PMF_RAG_UP);
    pmf_engine_stat stat[NP];
    pmf_rag_slot slots[NA];
    double vals[NA];
    int rank[NA];
    pmf_engine_benchmark(&rule, &c.g, rows, 4, cols, 2, 3, stat, slots, vals, rank);
    test_cond("3 figures: ranked 1, 2, 3; no figure unranked", c.rank[AT(0, 0)] == 1 &&
              c.rank[AT(1, 0)] == 2 && c.rank[AT(2, 0)] == 3 && c.rank[AT(3, 0)] == 0);
    test_cond("median over the figures", stat[0].n == 3 && stat[0].median == 80 &&
              stat[0].mean == 80);
    test_cond("2 figures below min_group 3: nobody ranked, no median", c.rank[AT(0, 1)] == 0 &&
              c.rank[AT(1, 1)] == 0 && stat[1].n == 2 && isnan(stat[1].median) &&
              isnan(stat[1].mean));
    pmf_engine_benchmark(&rule, &c.g, rows, 4, cols, 2, 2, stat, slots, vals, rank);
    test_cond("min_group 2: ranked", c.rank[AT(0, 1)] == 1 && c.rank[AT(1, 1)] == 2 &&
              stat[1].median == 85);
    c.flags[AT(0, 0)] = PMF_FLAG_CARRIED;
    pmf_engine_benchmark(&rule, &c.g, rows, 4, cols, 1, 2, stat, slots, vals, rank);
    test_cond("a carried value is not a figure for the period", c.rank[AT(0, 0)] == 0 &&
              c.rank[AT(1, 0)] == 1 && stat[0].n == 2 && stat[0].median == 75);
    pmf_engine_stat st = pmf_engine_stats(&c.g, rows, 4, 0, 3, slots, vals);
    test_cond("stats: below min_group no median", st.n == 2 && isnan(st.median));
    st = pmf_engine_stats(&c.g, rows, 4, 0, 1, slots, vals);
    test_cond("stats: min_group 1", st.median == 75 && st.q1 == 72.5 && st.q3 == 77.5);
}

static void test_late(void) {
    cells c;
    init(&c);
    c.rec[AT(0, 0)] = 100;
    c.rec[AT(1, 0)] = 300;
    size_t cols[] = {0};
    int64_t deadline[] = {200};
    pmf_engine_late(&c.g, cols, deadline, 1);
    test_cond("late after the deadline only", (c.flags[AT(1, 0)] & PMF_FLAG_LATE) &&
              !(c.flags[AT(0, 0)] & PMF_FLAG_LATE));
}

int main(void) {
    test_fill_combine();
    test_publish_rate_dot();
    test_benchmark();
    test_late();
    return test_report("test_engine");
}
