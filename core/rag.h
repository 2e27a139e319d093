/*
 * rag.h: RAG primitives, pure C (no Lua here; the binding is lrag.c, module `pmf.rag`).
 *
 * The numeric rules of a corporate scorecard: rating a value against a target, direction of
 * travel, and benchmarking within a comparator group.  These are the defaults; a council may
 * override any of them in Lua.  The boundaries below are promises, pinned by
 * tests/unit/test_rag.c and tests/lua/rag_test.lua.
 *
 * STATUSES, in enum order: "red", "amber", "green", "blue", "no_data", "data_only", "error".
 *   Text symbols (so RAG is never shown by colour alone): R, A, G, B, -, DO, ERR.
 *   `error` (a KPI whose formula failed) is never produced by the rules here.
 *
 * SLACK.  Every comparison of a value x with a boundary b treats x as on the boundary when
 *   |x - b| <= 1e-9 * max(1, |b|), so that floating-point noise never moves a status:
 *   0.1 + 0.2 against a target of 0.3 is on target (green).  Near zero the slack is 1e-9
 *   absolute; infinities compare exactly.  DoT and ranking ties use the same slack, scaled
 *   by the larger of the two values compared (see there).
 *
 * MARGINS (tolerance, blue, DoT threshold) are absolute, or a percentage: a tolerance or blue
 *   margin of p% means p/100 * |target| (for a band, |lo| at the low edge, |hi| at the high
 *   edge); a DoT threshold of p% means p/100 * |before|.  Margins are >= 0.
 *
 * RATING a value v against a target t (rule: polarity, tolerance tol, optional blue margin):
 *   v missing (NaN)                    -> no_data   (whatever the target)
 *   t missing (NaN), polarity up/down  -> data_only
 *   up   (higher is better): blue  if blue is set and v >= t + blue
 *                            green if v >= t
 *                            amber if v >= t - tol
 *                            red   otherwise
 *   down (lower is better):  blue  if blue is set and v <= t - blue
 *                            green if v <= t
 *                            amber if v <= t + tol
 *                            red   otherwise
 *   band [lo, hi] (the target is the band; t is ignored):
 *                            green if lo <= v <= hi (inclusive)
 *                            amber if lo - tol <= v < lo, or hi < v <= hi + tol
 *                            red   otherwise; blue is not allowed with a band.
 *                            (lo or hi NaN, a band not set: data_only.)
 *   So a value exactly on the target is green, exactly on the tolerance edge amber, and any
 *   further (beyond the slack) red; tol = 0 means no amber band at all.  A blue margin of 0
 *   makes every on-or-beyond-target value blue.
 *
 * DIRECTION OF TRAVEL (now against before, e.g. the previous period or a year earlier):
 *   either missing -> none.  The improvement d is now - before (up), before - now (down), or
 *   dist(before) - dist(now) for a band, where dist(x) is 0 inside [lo, hi] and the distance
 *   to the nearer edge outside.  same if |d| <= threshold (+ slack of 1e-9 * max(1, |now|,
 *   |before|)), else better if d > 0, worse if d < 0.  Default threshold 0: equal -> same.
 *
 * BENCHMARK of one comparator group for one period (an array of values, NaN = missing):
 *   only the n present values take part.  Ranks are 1 = best through the polarity (up: the
 *   highest; down: the lowest; band: the nearest the band's midpoint), standard competition
 *   ranking: equal values (within the slack) share the best rank, 1-2-2-4; in a band, two
 *   values the same distance either side of the midpoint are equal.  Quartile =
 *   floor(4 * (rank - 1) / n) + 1, 1 = best: n=1 -> {1}; n=2 -> {1,3}; n=3 -> {1,2,3};
 *   n=4 -> {1,2,3,4}; n=5 -> {1,1,2,3,4}.  Median (the mean of the middle two for even n)
 *   and mean are over the present values; NaN when n = 0.  O(n log n), no allocation: the
 *   caller passes a scratch buffer of `count` pmf_rag_slot.
 *
 * All functions are reentrant; there is no global state.
 */
#ifndef PMF_RAG_H
#define PMF_RAG_H

#include <stddef.h>

#define PMF_RAG_EPS 1e-9        /* the relative slack of every comparison (SLACK above) */

typedef enum pmf_rag_status {
    PMF_RAG_RED,
    PMF_RAG_AMBER,
    PMF_RAG_GREEN,
    PMF_RAG_BLUE,
    PMF_RAG_NO_DATA,
    PMF_RAG_DATA_ONLY,
    PMF_RAG_ERROR,
    PMF_RAG_NSTATUS             /* the number of statuses, not a status */
} pmf_rag_status;

typedef enum pmf_rag_polarity {
    PMF_RAG_UP,                 /* higher is better */
    PMF_RAG_DOWN,               /* lower is better */
    PMF_RAG_BAND,               /* inside [lo, hi] is best */
    PMF_RAG_NPOLARITY
} pmf_rag_polarity;

typedef enum pmf_rag_trend {
    PMF_RAG_DOT_NONE,           /* a value is missing: no direction */
    PMF_RAG_DOT_BETTER,
    PMF_RAG_DOT_WORSE,
    PMF_RAG_DOT_SAME
} pmf_rag_trend;

/* A tolerance, blue margin or DoT threshold: `amount` absolute, or a percentage when `pct`
 * is non-zero (10 with pct = 10%).  amount NaN means "not set" (used for blue only). */
typedef struct pmf_rag_margin {
    double amount;
    int pct;
} pmf_rag_margin;

/* One rating rule.  Fill it with pmf_rag_rule_init, then set fields; pmf_rag_rule_check
 * validates it.  lo and hi are read for PMF_RAG_BAND only; the target is passed apart so one
 * rule can rate many values against many targets. */
typedef struct pmf_rag_rule {
    pmf_rag_polarity polarity;
    pmf_rag_margin tolerance;   /* default 0: no amber band */
    pmf_rag_margin blue;        /* default unset (amount NaN): no blue */
    double lo, hi;              /* the band, inclusive; default NaN */
} pmf_rag_rule;

/* Scratch for pmf_rag_benchmark: one per entry of the group. */
typedef struct pmf_rag_slot {
    double value;
    size_t index;
} pmf_rag_slot;

/* A group's summary from pmf_rag_benchmark. */
typedef struct pmf_rag_bench {
    size_t n;                   /* values present */
    double median, mean;        /* NaN when n == 0 */
} pmf_rag_bench;

/* Names and symbols.  Out-of-range codes give NULL; parse functions return -1 for an
 * unknown name.  pmf_rag_dot_name(PMF_RAG_DOT_NONE) is NULL. */
const char *pmf_rag_status_name(pmf_rag_status s);      /* "red" ... "error" */
const char *pmf_rag_status_symbol(pmf_rag_status s);    /* "R" ... "ERR" */
int pmf_rag_status_parse(const char *name);
const char *pmf_rag_polarity_name(pmf_rag_polarity p);  /* "up", "down", "band" */
int pmf_rag_polarity_parse(const char *name);
const char *pmf_rag_dot_name(pmf_rag_trend d);          /* "better", "worse", "same" */

/* Margins.  pmf_rag_margin_parse reads "2", "2.5", "10%" (spaces allowed around the number
 * and before '%'), in the C locale's number syntax; returns 0, or -1 if the text is not a
 * finite number with an optional '%' (a negative number parses: check the rule).
 * pmf_rag_margin_resolve gives the absolute amount against reference `ref` (0 when unset). */
int pmf_rag_margin_parse(const char *text, pmf_rag_margin *out);
double pmf_rag_margin_resolve(pmf_rag_margin m, double ref);

/* Rules.  init: the given polarity, tolerance 0, no blue, no band.  check: NULL if the rule
 * is usable, else a static message naming the field ("tolerance must not be negative",
 * "band needs lo and hi", ...).  The rating functions assume a checked rule. */
void pmf_rag_rule_init(pmf_rag_rule *rule, pmf_rag_polarity polarity);
const char *pmf_rag_rule_check(const pmf_rag_rule *rule);

/* Rate one value against a target (see RATING above). */
pmf_rag_status pmf_rag_rate(const pmf_rag_rule *rule, double value, double target);

/* The hot path: out[i] = rate(value[i], target[i * target_step]) for i < n.  target_step 1
 * rates against an array of targets, 0 against the single target *target. */
void pmf_rag_rate_many(const pmf_rag_rule *rule, const double *value, const double *target,
                       size_t target_step, size_t n, pmf_rag_status *out);

/* Direction of travel (see above); the rule gives the polarity and, for a band, lo and hi. */
pmf_rag_trend pmf_rag_dot(const pmf_rag_rule *rule, double now, double before,
                          pmf_rag_margin threshold);
void pmf_rag_dot_many(const pmf_rag_rule *rule, const double *now, const double *before,
                      size_t n, pmf_rag_margin threshold, pmf_rag_trend *out);

/* Quartile of a rank among n: floor(4 * (rank - 1) / n) + 1, clamped to 1..4; 0 if rank < 1
 * or n == 0. */
int pmf_rag_quartile(int rank, size_t n);

/* Benchmark a group (see above).  values[0..count) with NaN for missing; scratch has room for
 * `count` slots.  rank and quartile, each NULL or room for `count` ints, receive each
 * entry's rank and quartile (0 for a missing value).  Returns the summary.  count must be
 * at most INT_MAX. */
pmf_rag_bench pmf_rag_benchmark(const pmf_rag_rule *rule, const double *values, size_t count,
                                pmf_rag_slot *scratch, int *rank, int *quartile);

/* The rank of one value within a group in O(count), without ranking the others: 1 + the
 * number of present values strictly better (beyond the slack).  *n receives the number of
 * values present (may be NULL).  Returns 0 if value is NaN or no value is present.  The value
 * is meant to be a member of the group; if it is not, the result is where it would stand
 * (possibly n + 1: pmf_rag_quartile clamps that to 4). */
int pmf_rag_rank_of(const pmf_rag_rule *rule, double value, const double *values, size_t count,
                    size_t *n);

#endif
