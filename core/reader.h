/*
 * core/reader.h: THE READ CONTRACT: how a period's value is made from stored figures.  Pure C
 * (no SQL, no Lua): a function of the figures in force and the metric's rule.  pmf.series
 * (series.c), the KPI engine's grids (lengine.c), benchmarks and reports all call
 * pmf_read_value, so one figure reads the same everywhere.
 *
 * FIGURES.  A figure (pmf_obs) is the version in force of one stored span (start, len) of a
 * metric for an area and breakdown, at the store's as-of cutoff (store.h decides which
 * version: pmf_batch_view).  A version whose value, numerator and denominator are all NULL
 * withdraws the figure; one with a NULL value but both parts has value numerator/denominator.
 *
 * THE RULE (pmf_read_rule), from the metric's definition, passed in by the caller:
 *   agg        sum | mean | last | min | max | ratio
 *   reference  for `last` (snapshots): the date a figure speaks of.  "end" (default): the
 *              end of the figure's own span; "mid-year": the end of the middle month of its
 *              span (ONS mid-year population: calendar 2021 is at 30 June 2021, so it is
 *              2021/22's); "start": the end of its first month.
 *   carry      months (0 = never, the default).  How far a figure may be carried into a later
 *              period that has none of its own (`carry = "12 months"` on the metric or KPI).
 *
 * THE VALUE OF PERIOD P = [start, start + len) (pmf_read_value):
 *   1. Exact span first: a figure stored for exactly P's span is P's value, whatever the
 *      rule (the published figure beats any re-aggregation of its parts).
 *   2. `last`: the figure whose reference month lies within P; of several, the latest
 *      reference, then the shortest span, then the latest start.  A snapshot is complete.
 *      A figure whose reference lies outside P never counts, even if its span overlaps P
 *      (calendar 2020 and 2022 figures give 2021/22 nothing).
 *   3. Every other rule: the figures lying wholly within P, covering it from its first
 *      month greedily with the longest figure starting at each month (quarters where stored,
 *      months elsewhere; figures overlapping one already used are skipped), combined:
 *        sum    the sum of the figures
 *        mean   the mean weighted by months: a quarter at 10 and one month at 40 give the
 *               year (3*10 + 1*40) / 4 = 17.5
 *        min    the least; max the greatest
 *        ratio  sum of numerators over sum of denominators, in the figures' own scale: a
 *               figure stored as 50 with 5 / 10 is a percentage (scale 100, from the first
 *               figure with value, numerator and denominator all non-zero; else 1), so
 *               months stored as 50 = 5/10 give their quarter 50.  A figure lacking either
 *               part makes the ratio unavailable (PMF_READ_NORATIO); denominators summing
 *               to 0 too (PMF_READ_ZERODEN).
 *      A figure overlapping P's edge never counts (a year's total is no quarter's value).
 *   4. Completeness: months = months of P covered by the figures used, expected = P's
 *      length.  A partial period still has a value (flag PMF_FLAG_INCOMPLETE); callers show
 *      it flagged.  No figure: PMF_READ_NODATA.
 *   5. Carry: only when rule.carry > 0 and steps 1-3 found nothing.  The figure whose
 *      anchor month (its reference month for `last`, its last month otherwise) lies within
 *      the `carry` months before P (latest anchor, then shortest, then latest start) is
 *      used whole, flagged PMF_FLAG_CARRIED, with from_start/from_len = its span (the rows'
 *      `carried_from`).  Without carry there is no borrowing of any kind.
 *   The result's numerator/denominator are the sums over the figures used (NaN unless every
 *   figure carries both), flags the OR of theirs, rec the latest recorded_ms among them.
 *
 * Rounding (the published figure) and benchmarks (min_group) are the engine's (engine.h).
 */
#ifndef PMF_READER_H
#define PMF_READER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef enum pmf_agg {
    PMF_AGG_SUM = 0, PMF_AGG_MEAN, PMF_AGG_LAST, PMF_AGG_MIN, PMF_AGG_MAX, PMF_AGG_RATIO,
    PMF_AGG_NKINDS
} pmf_agg;

typedef enum pmf_ref { PMF_REF_END = 0, PMF_REF_MID, PMF_REF_START, PMF_REF_NKINDS } pmf_ref;

const char *pmf_agg_name(int agg);              /* "sum", ...; NULL if bad */
int pmf_agg_from_name(const char *name);        /* a pmf_agg, or -1 */
const char *pmf_ref_name(int ref);              /* "end", "mid-year", "start" */
int pmf_ref_from_name(const char *name);        /* NULL or "" -> PMF_REF_END; -1 if bad */
/* "12 months", "1 year", "6" -> months; NULL or "" -> 0; -1 if it does not parse. */
int pmf_carry_from_text(const char *text);

/* How far before a period figures must be read: longer figures starting earlier are not
 * seen by `last` (their reference would have to reach into the period). */
#define PMF_READ_LOOKBACK 36

#define PMF_READ_OK       0
#define PMF_READ_NODATA   1
#define PMF_READ_NORATIO  2
#define PMF_READ_ZERODEN  3
const char *pmf_read_status_message(int status);

typedef struct pmf_read_rule {
    int agg;                      /* pmf_agg */
    int reference;                /* pmf_ref */
    int32_t carry;                /* months; 0 = never */
} pmf_read_rule;

typedef struct pmf_obs {
    int32_t start, len;           /* the figure's span */
    double value;
    double numerator, denominator;    /* NaN when NULL */
    int64_t flags;                /* PMF_FLAG_* bits (store.h) */
    int64_t rec;                  /* recorded_ms of its batch */
} pmf_obs;

typedef struct pmf_agg_result {
    double value;                 /* NaN unless status is PMF_READ_OK */
    double numerator, denominator;
    int32_t months, expected, nfig;
    int exact;                    /* 1: one figure with exactly the period's span */
    int status;                   /* PMF_READ_* */
    int carried;                  /* 1: carried from an earlier period (step 5) */
    int32_t from_start, from_len; /* the span of the figures used (carried: the source) */
    int64_t flags;                /* figures' flags | PMF_FLAG_INCOMPLETE | PMF_FLAG_CARRIED */
    int64_t rec;
} pmf_agg_result;

/* The value of [start, start + len) from obs[0..n) (sorted by start, then len; one per span)
 * under `rule` (see THE VALUE OF PERIOD P).  Pure; never fails. */
void pmf_read_value(const pmf_obs *obs, size_t n, const pmf_read_rule *rule, int32_t start,
                    int32_t len, pmf_agg_result *out);

/* The figures pmf_read_value needs for [start, start + len) are those starting in
 * [*from, *to]. */
void pmf_read_window(const pmf_read_rule *rule, int32_t start, int32_t len, int32_t *from,
                     int32_t *to);

/* The reference month of a figure under `reference`. */
int32_t pmf_read_refmonth(int32_t start, int32_t len, int reference);

#endif
