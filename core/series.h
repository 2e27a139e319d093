/*
 * core/series.h: metric time series over the store, pure C (no Lua; the binding is
 * lseries.c).  The value of a period is THE READ CONTRACT of reader.h (pmf_read_value);
 * figures come from the store layer (store_read.h), as of the handle's cutoff.  This file
 * adds the shapes callers want: one value, a matrix of areas x periods (what the KPI
 * engine's grids are filled from), and whole-table aggregation for the benchmark.
 *
 * Ownership: a pmf_series is a handle over an open store, created by pmf_series_open and
 * freed by pmf_series_close (NULL-safe).  Pointers returned by pmf_series_fetch stay valid
 * until the next call on the same handle.  Functions returning int return 0 on success and
 * -1 on a store or memory failure (the message: pmf_series_error); a busy store is an
 * error, never "no data".
 */
#ifndef PMF_SERIES_H
#define PMF_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "period.h"
#include "reader.h"
#include "store.h"

typedef struct pmf_series pmf_series;

/* A handle reading `s` as of cutoff_ms (INT64_MAX: as known now).  NULL on failure. */
pmf_series *pmf_series_open(pmf_store *s, int64_t cutoff_ms);
void pmf_series_close(pmf_series *x);
const char *pmf_series_error(const pmf_series *x);

/* Keep the figures read for the main series (breakdown "") between calls, up to
 * max_figures in all, so that rating period after period reads each row once.  The cache
 * is dropped whenever the store's data may have changed (pmf_figures_stamp, checked at each
 * matrix call) or it grows past max_figures.  0 or -1. */
int pmf_series_cache(pmf_series *x, size_t max_figures);

/* From now on the matrix's results are wanted for their values, flags, recorded times and
 * spans only (the KPI engine's grids): figures' numerators and denominators are then read
 * only for `ratio` metrics (where they make the value; a NULL value still gets them), and
 * the results of other rules have NaN numerator and denominator.  Each column read costs
 * every row read. */
void pmf_series_values_only(pmf_series *x);

/* One snapshot for many calls: from pmf_series_hold to the matching pmf_series_release, the
 * reads share one read transaction, and whether the store's data changed (which drops the
 * cache) is checked once, at the outermost hold, not at each metric lookup and matrix call
 * (a rating call asks for thousands; each check is a statement).  Holds nest.  A write made
 * through the same connection while held is seen from the next outermost hold on.
 * 0, or -1 on a store error (nothing held then). */
int pmf_series_hold(pmf_series *x);
void pmf_series_release(pmf_series *x);
/* A number that moves whenever the cache was dropped because the store's data may have
 * changed (checked at a hold, a metric lookup or a matrix call): what a caller keeps beside
 * the cache, derived from the same data, is valid while it stays the same. */
int64_t pmf_series_generation(const pmf_series *x);

/* A metric's id and read rule by code: 1 found, 0 unknown, -1 on error. */
int pmf_series_metric(pmf_series *x, const char *code, int64_t *id, pmf_read_rule *rule);

/* The figures in force for (metric, area, breakdown) starting within months [from, to],
 * sorted by start then len.  NULL on error (with *n = 0).  The array belongs to the handle. */
const pmf_obs *pmf_series_fetch(pmf_series *x, int64_t metric, int64_t area,
                                const char *breakdown, int32_t from, int32_t to, size_t *n);

/* The metric's value over [start, start + len) (reader.h). */
int pmf_series_value(pmf_series *x, int64_t metric, const pmf_read_rule *rule, int64_t area,
                     const char *breakdown, int32_t start, int32_t len, pmf_agg_result *out);

/* For each area and period, out[ai * nperiods + pi] is what pmf_series_value gives.  Reads
 * per area only the months the periods need (their windows, merged where they touch), so a
 * call costs in proportion to the periods asked, not to the series' history. */
int pmf_series_matrix(pmf_series *x, int64_t metric, const pmf_read_rule *rule,
                      const int64_t *areas, size_t nareas, const char *breakdown,
                      const pmf_period *periods, size_t nperiods, pmf_agg_result *out);

/* Whole-table aggregation: every (metric, area, breakdown)'s figures combined into blocks
 * of `len` months (aligned to the year start when len divides 12, else to month 0) by each
 * metric's rule, from the blocks' first figure to their last.  Counts what it did. */
typedef struct pmf_series_totals {
    int64_t rows;                 /* observation rows read */
    int64_t cells;                /* (metric, area, breakdown, block) results */
    int64_t complete;             /* ... of which every month was covered */
    double checksum;              /* sum of the cells' values (to compare runs) */
} pmf_series_totals;
int pmf_series_aggregate_all(pmf_series *x, int32_t len, int year_start,
                             pmf_series_totals *out);

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
