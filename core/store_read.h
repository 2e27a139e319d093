/*
 * core/store_read.h: the store's read side for figures (the SQL lives in store_read.c, part
 * of the store layer with store.c; no other C file prepares a statement on observations).
 *
 * A pmf_figures handle reads figures in force at a cutoff (the version rule is store.h's
 * pmf_batch_rank) and hands them to the reader (reader.h) as sorted pmf_obs arrays.  It owns
 * its prepared statements (one per set of columns read), the batch view and one reusable
 * buffer, so hot loops allocate nothing per row.  Every sqlite3_step result is checked: a busy or failing store gives an
 * error (NULL / -1, message in sqlite3_errmsg of the store's connection, or "out of memory"
 * from pmf_figures_error), never "no data".
 */
#ifndef PMF_STORE_READ_H
#define PMF_STORE_READ_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "store.h"

typedef struct pmf_figures pmf_figures;

/* A REAL column of the store layer's statements, NaN for NULL.  One call into the statement
 * (sqlite3_column_value) rather than two (column_type, then column_double): each
 * sqlite3_column_* call costs as much as the decoding, on every row read.  The value is
 * used at once, on the connection's one thread (store.h: a store belongs to one thread; the
 * connection is NOMUTEX). */
static inline double pmf_column_double(sqlite3_stmt *st, int i) {
    sqlite3_value *v = sqlite3_column_value(st, i);
    return sqlite3_value_type(v) == SQLITE_NULL ? NAN : sqlite3_value_double(v);
}

/* Open a reader over `s` as of cutoff_ms (INT64_MAX: as known now).  NULL on failure. */
pmf_figures *pmf_figures_open(pmf_store *s, int64_t cutoff_ms);
void pmf_figures_close(pmf_figures *f);                       /* NULL-safe */
/* Hold one read transaction over the reads that follow, until pmf_figures_release (a
 * savepoint: it nests in a caller's transaction).  Reads are correct without it, only
 * slower; a hold that cannot start is no error (each read then takes its own). */
void pmf_figures_hold(pmf_figures *f);
void pmf_figures_release(pmf_figures *f);
const pmf_batch_view *pmf_figures_view(const pmf_figures *f);
/* Reload the batch view (after the store changed: new batches become visible).  0 or -1. */
int pmf_figures_refresh(pmf_figures *f);
const char *pmf_figures_error(const pmf_figures *f);         /* the last failure */

/* What a read or scan reads of a figure beyond its span, value and rec (each column read costs
 * every row of the table): PMF_FIG_PARTS numerator and denominator (else NaN, except where
 * the stored value is NULL: they give it), PMF_FIG_FLAGS its flags (else 0). */
#define PMF_FIG_PARTS 1
#define PMF_FIG_FLAGS 2

/* The figures in force for (metric, area, breakdown) starting in months [from, to], sorted
 * by (start, len), one per span, withdrawn ones left out; *n their number.  `want`
 * (PMF_FIG_* bits, above) says what to read beyond span, value and rec.  NULL on error.
 * The array belongs to the handle and stays valid until its next read. */
const pmf_obs *pmf_figures_read(pmf_figures *f, int64_t metric, int64_t area,
                                const char *breakdown, int32_t from, int32_t to, int want,
                                size_t *n);

/* As pmf_figures_read, for a caller that keeps what it reads (a cache): where the series is
 * packed its whole history costs what a window of it does, so every figure is given and
 * *from, *to are widened to INT32_MIN, INT32_MAX to say so; else the window's rows. */
const pmf_obs *pmf_figures_read_wide(pmf_figures *f, int64_t metric, int64_t area,
                                     const char *breakdown, int32_t *from, int32_t *to,
                                     int want, size_t *n);

/* The batch of the version in force at cutoff_ms of one stored span (store.h's rule):
 * 1 (*batch set; the version may withdraw the figure), 0 when none is visible, -1 on
 * error. */
int pmf_store_in_force(pmf_store *s, int64_t cutoff_ms, int64_t metric, int64_t area,
                       const char *breakdown, int32_t start, int32_t len, int64_t *batch);

/* A metric's id and read rule (aggregation, reference, carry) by code, as defined at
 * cutoff_ms (metric definitions are versioned: pmf_store_metric_def in store.h).  1 found,
 * 0 unknown, -1 on error (a stored reference or carry that does not parse is an error too). */
int pmf_store_metric_rule(pmf_store *s, const char *code, int64_t cutoff_ms, int64_t *id,
                          pmf_read_rule *rule);

/* Every metric's rule by id as defined at cutoff_ms: *rules (malloc'd, free it) has *n
 * entries; ids without a metric read as sum.  0 or -1. */
int pmf_store_metric_rules(pmf_store *s, int64_t cutoff_ms, pmf_read_rule **rules, int64_t *n);

/* Stream every series (metric, area, breakdown) of the whole observation table in key
 * order: fn gets each series' figures in force (sorted); *rows counts the rows read.  A
 * non-zero return from fn stops the scan and is returned.  want[metric] (PMF_FIG_* bits)
 * says what to read for metric ids below nwant, nothing more for others; want NULL: all.
 * -1 on a store failure. */
typedef int (*pmf_series_fn)(void *ctx, int64_t metric, int64_t area, const pmf_obs *obs,
                             size_t n);
int pmf_figures_scan_all(pmf_figures *f, const unsigned char *want, int64_t nwant,
                         pmf_series_fn fn, void *ctx, int64_t *rows);

/* A stamp that changes whenever the store's data may have changed: this connection's
 * writes (sqlite3_total_changes64) and other connections' commits (PRAGMA data_version).
 * 0 or -1. */
int pmf_figures_stamp(pmf_figures *f, int64_t stamp[2]);

/* The physical limit for benchmarks: step through SELECT metric, area, start, value FROM
 * observation, reading every column.  0 or -1. */
int pmf_store_raw_scan(pmf_store *s, int64_t *rows, double *checksum);

#endif
