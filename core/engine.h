/*
 * engine.h: the KPI engine's kernels, pure C (no Lua here; the binding is lengine.c, module
 * `pmf.engine`, driven by lua/pmf/kpi.lua).
 *
 * The engine rates many KPIs for many areas and periods at once.  Its unit is the GRID: one
 * KPI (or one input metric) over `na` areas (rows) and `np` periods (columns), stored column
 * by column (cell (i, j) at j * na + i) so that one period of every area is a contiguous run
 * that pmf_rag_rate_many and pmf_rag_dot_many can take whole.
 *
 * FETCH (pmf_engine_fetch): a metric's values for the grid's areas and periods, read from the
 *   observation table as of a cutoff: for each key (area, start, len) the version whose batch
 *   is the latest (by recorded_ms, then batch id) among those recorded at or before the
 *   cutoff; only the main figures (breakdown '').  A period's value is the figure stored for
 *   exactly its span when there is one; else the months stored within it, aggregated by the
 *   metric's rule: sum, mean, last (the latest month present), min, max, ratio (sum of the
 *   numerators over sum of the denominators, scaled as the month figures are, i.e. by
 *   value * den / num of the first month that has all three).  As pmf.series does, a period
 *   short of months still has a value from the months present; its cell gets
 *   PMF_ENGINE_INCOMPLETE.  Each cell also gets the OR of the observations' flags and the
 *   latest recorded_ms among them (for the "late" flag).
 *   BORROWING, for levels only (agg last or mean; never sum, min, max or ratio: a flow cannot
 *   be split): when no figure lies within a column's span (no exact figure, no month, no
 *   longer figure inside it), the cell takes the figure in force whose span CONTAINS the
 *   column (a year's mid-year population for each of its quarters; the shortest such span,
 *   then the latest starting), else the latest figure that ENDED before the column began, at
 *   most PMF_ENGINE_CARRY_MONTHS before (its last month within the 12 months before the
 *   column's first), flagged PMF_ENGINE_CARRIED.  Figures starting more than
 *   PMF_ENGINE_LOOKBACK months before the earliest column are not seen.  pmf_series_value
 *   follows the same rule (series.h), so pmf.series.value and the KPI engine agree.
 *
 * COMBINE: a KPI's value from its inputs, cell by cell: copy, ratio (scale * a / b) or
 *   difference (a - b).  A missing input, a zero denominator, or a result that is not finite
 *   gives NaN ("no data"), never inf or NaN as a value.  Flags are OR'ed, recorded times
 *   maxed.
 *
 * Every function is reentrant and allocation-free: the caller provides the grid's arrays
 * and any scratch (lengine.c keeps both in GC-owned userdata).
 */
#ifndef PMF_ENGINE_H
#define PMF_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "rag.h"

/* Cell flags: the store's observation flags (store.h PMF_FLAG_*, bits 0-3) and the engine's. */
#define PMF_ENGINE_INCOMPLETE 16    /* fewer months than the period spans */
#define PMF_ENGINE_SUPPRESSED 32    /* small-number suppression: the value is withheld */
#define PMF_ENGINE_LATE       64    /* recorded after the data-entry deadline */
#define PMF_ENGINE_CARRIED    128   /* a level carried forward from an earlier period */

#define PMF_ENGINE_CARRY_MONTHS 12  /* how far a level is carried forward */
#define PMF_ENGINE_LOOKBACK     36  /* how far before the first column borrowing looks */

typedef enum pmf_engine_agg {
    PMF_ENGINE_SUM, PMF_ENGINE_MEAN, PMF_ENGINE_LAST, PMF_ENGINE_MIN, PMF_ENGINE_MAX,
    PMF_ENGINE_RATIO, PMF_ENGINE_NAGG
} pmf_engine_agg;

typedef enum pmf_engine_op {
    PMF_ENGINE_COPY, PMF_ENGINE_DIV, PMF_ENGINE_SUB, PMF_ENGINE_NOP
} pmf_engine_op;

/* A grid's arrays, each na * np long, column-major.  Input grids use value, flags and rec
 * only; the other pointers may be NULL there. */
typedef struct pmf_engine_grid {
    size_t na, np;
    double *value;
    double *target;
    int64_t *rec;                   /* latest recorded_ms of the figures used; 0 if none */
    unsigned char *flags;
    pmf_rag_status *status;
    pmf_rag_trend *dot_prev, *dot_year;
    int *rank, *quartile;
} pmf_engine_grid;

/* A period as the store keeps it. */
typedef struct pmf_engine_span {
    int32_t start, len;
} pmf_engine_span;

/* One group's summary for one period (pmf_engine_benchmark, pmf_engine_stats). */
typedef struct pmf_engine_stat {
    size_t n;
    double median, mean;
    double q1, q3;                  /* 25th and 75th percentiles (linear interpolation) */
} pmf_engine_stat;

/* Batches: ms[id] = recorded_ms of batch id when visible at the cutoff, else -1. */
typedef struct pmf_engine_batches {
    int64_t n;                      /* ids 0 .. n-1 */
    int64_t *ms;
} pmf_engine_batches;

/* ---- fetch ---- */

/* Bytes of scratch pmf_engine_fetch needs for the grid's areas and periods, with area ids up
 * to max_area_id, for a metric aggregated by agg (last and mean need room to borrow). */
size_t pmf_engine_fetch_scratch(size_t na, const pmf_engine_span *spans, size_t np,
                                int64_t max_area_id, pmf_engine_agg agg);

/* Fill g->value, g->flags and g->rec (every column) with metric `metric`'s values (see
 * FETCH).  area_id[i] is the store id of row i (-1: an unknown area, a row of NaN), every id
 * at most max_area_id; spans[j] is column j's period; b says which batches are visible.
 * One range scan per area when the areas are few, else one scan of the metric.  Returns
 * SQLITE_OK or the SQLite error code (the message is in sqlite3_errmsg(db)). */
int pmf_engine_fetch(sqlite3 *db, int64_t metric, pmf_engine_agg agg, const int64_t *area_id,
                     int64_t max_area_id, const pmf_engine_span *spans,
                     const pmf_engine_batches *b, void *scratch, pmf_engine_grid *g);

/* ---- kernels over columns: each takes the list of columns (periods) to work on ---- */

/* out = a (COPY), scale * a / b (DIV) or a - b (SUB) on columns cols[0..ncols); see COMBINE.
 * b is unused for COPY.  The grids have the same shape. */
void pmf_engine_combine(pmf_engine_op op, double scale, const pmf_engine_grid *a,
                        const pmf_engine_grid *b, pmf_engine_grid *out, const size_t *cols,
                        size_t ncols);

/* Small-number suppression: where in's value is below `below`, out's value becomes NaN and
 * its flags get PMF_ENGINE_SUPPRESSED (in may be out). */
void pmf_engine_suppress(const pmf_engine_grid *in, double below, pmf_engine_grid *out,
                         const size_t *cols, size_t ncols);

/* Rate every cell of the columns against its target (pmf_rag_rate_many, column by column). */
void pmf_engine_rate(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *cols,
                     size_t ncols);

/* Direction of travel of column now[k] against column before[k] (SIZE_MAX: none), into
 * g->dot_year when `year` is non-zero, else g->dot_prev. */
void pmf_engine_dot(const pmf_rag_rule *rule, pmf_rag_margin threshold, pmf_engine_grid *g,
                    const size_t *now, const size_t *before, size_t ncols, int year);

/* Benchmark each column over the group rows[0..nrows): stat[j] gets the group's summary
 * and every row of the grid its rank and quartile in the group (a member by the group's
 * ranking, 1-2-2-4; a non-member where it would stand; 0 with no value).  Scratch: slots and
 * vals of nrows entries, rank of nrows ints. */
void pmf_engine_benchmark(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *rows,
                          size_t nrows, const size_t *cols, size_t ncols, pmf_engine_stat *stat,
                          pmf_rag_slot *slots, double *vals, int *rank);

/* The summary of column col over rows[0..nrows) (scratch as above). */
pmf_engine_stat pmf_engine_stats(const pmf_engine_grid *g, const size_t *rows, size_t nrows,
                                 size_t col, pmf_rag_slot *slots, double *vals);

/* Set PMF_ENGINE_LATE on the cells of column cols[k] recorded after deadline_ms[k]. */
void pmf_engine_late(pmf_engine_grid *g, const size_t *cols, const int64_t *deadline_ms,
                     size_t ncols);

#endif
