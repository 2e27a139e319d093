/*
 * engine.h: the KPI engine's kernels, pure C (no Lua here; the binding is lengine.c, module
 * `pmf.engine`, driven by lua/pmf/kpi/).
 *
 * The engine rates many KPIs for many areas and periods at once.  Its unit is the GRID: one
 * KPI (or one input metric) over `na` areas (rows) and `np` periods (columns), stored column
 * by column (cell (i, j) at j * na + i) so that one period of every area is a contiguous run
 * that pmf_rag_rate_many and pmf_rag_dot_many can take whole.
 *
 * VALUES come from the one reader (reader.h, through series.h's matrix): pmf_engine_fill
 *   copies reader results into a grid.  The engine runs no SQL and has no rules of its own
 *   for reading.
 *
 * THE PUBLISHED FIGURE (pmf_engine_publish): ratings (RAG), direction of travel and
 *   benchmarks use g->rated: the value rounded to the KPI's decimals, the figure the report
 *   shows (59.98 shown as "60.0" against a target of 60 is green), or the value itself when
 *   a framework rates unrounded (decimals < 0).  Rounding is the one printf does (the
 *   display's), half-way cases resolved on the exact binary value.
 *
 * BENCHMARKS (pmf_engine_benchmark, pmf_engine_stats): over the group's members that have a
 *   figure for the period (a carried value is another period's figure: it is left out).
 *   When fewer than min_group members have one, there is no rank, quartile, median, mean
 *   or percentile for that period (the summary's n says how many had a figure).
 *
 * DIRECTION OF TRAVEL compares like with like: the same KPI over a period of the same length
 *   (the caller's columns), and never a carried value (no direction when either is carried).
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

#include "rag.h"
#include "reader.h"
#include "store.h"

/* Cell flags are store.h's PMF_FLAG_* (one definition for every layer). */

typedef enum pmf_engine_op {
    PMF_ENGINE_COPY, PMF_ENGINE_DIV, PMF_ENGINE_SUB, PMF_ENGINE_NOP
} pmf_engine_op;

/* A period as the store keeps it. */
typedef struct pmf_engine_span {
    int32_t start, len;
} pmf_engine_span;

/* A grid's arrays, each na * np long, column-major.  Input grids use value, flags, rec and
 * src only; the other pointers may be NULL there. */
typedef struct pmf_engine_grid {
    size_t na, np;
    double *value;
    double *rated;                  /* the published figure (see above) */
    pmf_engine_span *src;           /* the span the figures came from (carried_from) */
    double *target;
    int64_t *rec;                   /* latest recorded_ms of the figures used; 0 if none */
    uint16_t *flags;                /* PMF_FLAG_* bits (store.h) */
    pmf_rag_status *status;
    pmf_rag_trend *dot_prev, *dot_year;
    int *rank, *quartile;
} pmf_engine_grid;

/* One group's summary for one period (pmf_engine_benchmark, pmf_engine_stats). */
typedef struct pmf_engine_stat {
    size_t n;
    double median, mean;
    double q1, q3;                  /* 25th and 75th percentiles (linear interpolation) */
} pmf_engine_stat;

/* ---- values ---- */

/* Fill every cell of g (value, flags, rec, src) from reader results res[i * np + j] (area i,
 * period j: series.h's matrix layout). */
void pmf_engine_fill(pmf_engine_grid *g, const pmf_agg_result *res);

/* Fill cells (rows[k], cols[c]) from res[k * ncols + c] for k < nrows, c < ncols (rows or
 * cols NULL: 0, 1, 2...); the other cells are left as they are (a new grid's: no data). */
void pmf_engine_fill_at(pmf_engine_grid *g, const pmf_agg_result *res, const size_t *rows,
                        size_t nrows, const size_t *cols, size_t ncols);

/* ---- kernels over columns: each takes the list of columns (periods) to work on ---- */

/* out = a (COPY), scale * a / b (DIV) or a - b (SUB) on columns cols[0..ncols); see COMBINE.
 * b is unused for COPY.  The grids have the same shape. */
void pmf_engine_combine(pmf_engine_op op, double scale, const pmf_engine_grid *a,
                        const pmf_engine_grid *b, pmf_engine_grid *out, const size_t *cols,
                        size_t ncols);

/* Small-number suppression: where in's value is below `below`, out's value becomes NaN and
 * its flags get PMF_FLAG_WITHHELD (in may be out). */
void pmf_engine_suppress(const pmf_engine_grid *in, double below, pmf_engine_grid *out,
                         const size_t *cols, size_t ncols);

/* The published figure of every cell of the columns: g->rated = value rounded to
 * `decimals` places (decimals < 0: unrounded). */
void pmf_engine_publish(pmf_engine_grid *g, int decimals, const size_t *cols, size_t ncols);

/* The value v rounded to d decimals as printf("%.*f") shows it. */
double pmf_engine_round(double v, int d);

/* Rate every cell's published figure against its target (pmf_rag_rate_many, by column). */
void pmf_engine_rate(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *cols,
                     size_t ncols);

/* Direction of travel of column now[k] against column before[k] (SIZE_MAX: none), into
 * g->dot_year when `year` is non-zero, else g->dot_prev. */
void pmf_engine_dot(const pmf_rag_rule *rule, pmf_rag_margin threshold, pmf_engine_grid *g,
                    const size_t *now, const size_t *before, size_t ncols, int year);

/* Benchmark each column over the group rows[0..nrows) (see BENCHMARKS): stat[j] gets the
 * group's summary and every row of the grid its rank and quartile in the group (a member by
 * the group's ranking, 1-2-2-4; a non-member where it would stand; 0 with no figure, a
 * carried value, or fewer than min_group figures).  Scratch: slots and vals of nrows
 * entries, rank of nrows ints. */
void pmf_engine_benchmark(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *rows,
                          size_t nrows, const size_t *cols, size_t ncols, size_t min_group,
                          pmf_engine_stat *stat, pmf_rag_slot *slots, double *vals, int *rank);

/* The summary of column col over rows[0..nrows) (scratch as above; min_group as above). */
pmf_engine_stat pmf_engine_stats(const pmf_engine_grid *g, const size_t *rows, size_t nrows,
                                 size_t col, size_t min_group, pmf_rag_slot *slots,
                                 double *vals);

/* Set PMF_FLAG_LATE on the cells of column cols[k] recorded after deadline_ms[k]. */
void pmf_engine_late(pmf_engine_grid *g, const size_t *cols, const int64_t *deadline_ms,
                     size_t ncols);

#endif
