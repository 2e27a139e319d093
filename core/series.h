/*
 * core/series.h: metric time series over the store, pure C (no Lua; the binding is
 * lseries.c).
 *
 * A figure (pmf_obs) is one observation in force at the store's as-of cutoff: the version of
 * (metric, area, breakdown, start, len) whose batch was recorded last at or before the
 * cutoff.  A version whose value and numerator/denominator are all NULL withdraws the figure.
 *
 * The value of a metric over a period P (pmf_series_combine):
 *   - a figure stored with exactly P's span wins;
 *   - otherwise P is covered from its first month on, greedily, by the longest stored figure
 *     starting at each month that lies within P (so quarters are used where stored, months
 *     elsewhere), and the figures used are combined by the metric's rule:
 *       sum    the sum of the figures
 *       mean   the mean of the figures weighted by their months
 *       last   the figure that ends latest in P (the snapshot at period end)
 *       min    the least, max the greatest
 *       ratio  the sum of numerators over the sum of denominators (never the mean of the
 *              figures' percentages); a figure without numerator or denominator makes the
 *              ratio unavailable (PMF_SERIES_NORATIO)
 *   - months covered and expected are always reported: a partial period still has a value
 *     (callers decide whether to use it); an empty one has none (PMF_SERIES_NODATA).
 *   - the numerator and denominator sums are reported for every rule (NaN unless every figure
 *     used carries both), so that KPI ratio formulas can add numerators and denominators.
 *   - borrowing, for levels only (last and mean; never sum, min, max or ratio: a flow cannot
 *     be split): when no figure lies within P, the value is the figure whose span CONTAINS P
 *     (a year's mid-year population for each of its quarters: the shortest such span, then
 *     the latest starting; borrowed = PMF_SERIES_CONTAINING, months = the period's), else the
 *     latest figure that ENDED before P began with its last month within the
 *     PMF_SERIES_CARRY_MONTHS months before P (the latest ending, then the shortest;
 *     borrowed = PMF_SERIES_CARRIED, months = 0, flag PMF_SERIES_FLAG_CARRIED).  Figures
 *     starting more than PMF_SERIES_LOOKBACK months before P are not seen.  pmf_series_value
 *     and pmf_series_matrix borrow (pmf_series_borrow); the KPI engine's fetch (engine.h)
 *     follows the same rule with the same limits.
 *
 * Ownership: a pmf_series is a handle over an open store, created by pmf_series_open and
 * freed by pmf_series_close (NULL-safe).  It holds the prepared statements and one reusable
 * buffer of figures, so hot loops do no per-row allocation; pointers returned by
 * pmf_series_fetch stay valid until the next call on the same handle.
 * Functions returning int return 0 on success and -1 on an SQLite or memory failure (the
 * message is in sqlite3_errmsg of the store's connection, or "out of memory").
 */
#ifndef PMF_SERIES_H
#define PMF_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "period.h"
#include "store.h"

typedef enum pmf_agg {
    PMF_AGG_SUM = 0, PMF_AGG_MEAN, PMF_AGG_LAST, PMF_AGG_MIN, PMF_AGG_MAX, PMF_AGG_RATIO,
    PMF_AGG_NKINDS
} pmf_agg;

const char *pmf_agg_name(int agg);            /* "sum", ...; NULL if bad */
int pmf_agg_from_name(const char *name);      /* a pmf_agg, or -1 */

/* Outcome of combining figures over a period. */
#define PMF_SERIES_OK       0
#define PMF_SERIES_NODATA   1    /* no figure lies within the period */
#define PMF_SERIES_NORATIO  2    /* ratio rule, but a figure lacks numerator/denominator */
#define PMF_SERIES_ZERODEN  3    /* ratio rule, and the denominators sum to zero */

/* Borrowing by levels (see above). */
#define PMF_SERIES_OWN          0    /* the period's own figures */
#define PMF_SERIES_CONTAINING   1    /* the figure of a span containing the period */
#define PMF_SERIES_CARRIED      2    /* an earlier figure carried forward */
#define PMF_SERIES_FLAG_CARRIED ((int64_t)1 << 8)    /* in flags when carried */
#define PMF_SERIES_CARRY_MONTHS 12
#define PMF_SERIES_LOOKBACK     36
const char *pmf_series_status_message(int status);

typedef struct pmf_obs {
    int32_t start, len;           /* the figure's span */
    double value;                 /* numerator / denominator when value was NULL */
    double numerator, denominator;    /* NaN when NULL */
    int64_t flags;                /* PMF_FLAG_* bits */
} pmf_obs;

typedef struct pmf_agg_result {
    double value;                 /* NaN unless status is PMF_SERIES_OK */
    double numerator, denominator;    /* sums over the figures used; NaN if any lacks one */
    int32_t months;               /* months of the period covered by the figures used */
    int32_t expected;             /* months in the period */
    int32_t nfig;                 /* figures used */
    int exact;                    /* 1 if one figure had exactly the period's span */
    int status;                   /* PMF_SERIES_* */
    int borrowed;                 /* PMF_SERIES_OWN, _CONTAINING or _CARRIED */
    int64_t flags;                /* OR of the flags of the figures used */
} pmf_agg_result;

/* Combine figures obs[0..n) (sorted by start, then len; one per span) over the period
 * [start, start + len) by rule agg.  Pure; never fails. */
void pmf_series_combine(const pmf_obs *obs, size_t n, int agg, int32_t start, int32_t len,
                        pmf_agg_result *out);

/* After pmf_series_combine over the same figures: when agg is last or mean and no figure
 * lay within the period, borrow a containing or an earlier figure (see above).  The figures
 * must reach back PMF_SERIES_LOOKBACK months and include those extending past the period's
 * end.  Pure; never fails. */
void pmf_series_borrow(const pmf_obs *obs, size_t n, int agg, int32_t start, int32_t len,
                       pmf_agg_result *out);

typedef struct pmf_series pmf_series;

/* A handle reading `s` as of cutoff_ms (INT64_MAX: as known now).  bulk = 1 loads the batch
 * visibility table once (pmf_batch_view) so that scans need no join: best when many series
 * are read; bulk = 0 joins each row to its batch.  NULL on failure. */
pmf_series *pmf_series_open(pmf_store *s, int64_t cutoff_ms, int bulk);
void pmf_series_close(pmf_series *x);

/* Look a metric up by code: its id and aggregation rule.  1 if found, 0 if unknown, -1 on
 * error. */
int pmf_series_metric(pmf_series *x, const char *code, int64_t *id, int *agg);

/* The figures in force for (metric, area, breakdown) whose spans lie within months
 * [from, to] (inclusive), sorted by start then len; *n receives their number.  NULL on
 * error (with *n = 0).  The array belongs to the handle. */
const pmf_obs *pmf_series_fetch(pmf_series *x, int64_t metric, int64_t area,
                                const char *breakdown, int32_t from, int32_t to, size_t *n);

/* Fetch then combine (and borrow, for levels): the metric's value over [start, start + len). */
int pmf_series_value(pmf_series *x, int64_t metric, int agg, int64_t area,
                     const char *breakdown, int32_t start, int32_t len, pmf_agg_result *out);

/* The bulk path: for each area and each period, out[ai * nperiods + pi] is the metric's
 * value as pmf_series_value gives it (one ordered scan per area over the span that holds
 * every period). */
int pmf_series_matrix(pmf_series *x, int64_t metric, int agg, const int64_t *areas,
                      size_t nareas, const char *breakdown, const pmf_period *periods,
                      size_t nperiods, pmf_agg_result *out);

/* Whole-table aggregation: stream every observation in key order and combine each
 * (metric, area, breakdown)'s figures into blocks of `len` months (aligned to the year start
 * when len divides 12, else to month 0) by each metric's rule.  Figures longer than a block
 * or straddling two are skipped.  Counts what it did. */
typedef struct pmf_series_totals {
    int64_t rows;                 /* observation rows read */
    int64_t cells;                /* (metric, area, breakdown, block) results */
    int64_t complete;             /* ... of which every month was covered */
    double checksum;              /* sum of the cells' values (to compare runs) */
} pmf_series_totals;
int pmf_series_aggregate_all(pmf_series *x, int32_t len, int year_start,
                             pmf_series_totals *out);

/* The physical limit for the benchmark: step through SELECT metric, area, start, value FROM
 * observation, reading every column.  Counts rows and adds up values. */
int pmf_series_raw_scan(pmf_store *s, int64_t *rows, double *checksum);

/* Least-squares line y = intercept + slope * x through n points (NaN y values skipped).
 * -1 if fewer than two points or all x equal. */
typedef struct pmf_trend {
    double slope, intercept, r2;
    size_t n;
} pmf_trend;
int pmf_series_trend(const double *x, const double *y, size_t n, pmf_trend *out);

/* The first month of the block of `len` months holding month m: aligned to year_start when
 * len divides 12, else to month 0. */
int32_t pmf_series_block_start(int32_t m, int32_t len, int year_start);

#endif
