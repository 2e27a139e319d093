/*
 * store.h: the store, pure C over SQLite (no Lua here; the binding is lstore.c).
 *
 * One SQLite file in WAL mode, foreign keys on, schema versioned by PRAGMA user_version and
 * migrated on open (with a backup copy of the file first when an existing store is
 * upgraded).  See store.c for the schema and the bitemporal model.
 */
#ifndef PMF_STORE_H
#define PMF_STORE_H

#include "calendar.h"

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#define PMF_SCHEMA_VERSION 8   /* = the number of entries in store.c migrations[] */

/* Observation flags (a bitmask in observation.flags; the CSV `flag` column names them). */
#define PMF_FLAG_PROVISIONAL 1
#define PMF_FLAG_ESTIMATED   2
#define PMF_FLAG_PROXY       4
#define PMF_FLAG_SUPPRESSED  8
#define PMF_FLAG_REVISED     256  /* the publisher revised it: a "(Rev)" / "(R)" label */
/* The stored flags and the words naming them (the CSV flag column, a figure's `flags`
 * list in Lua and reports), in the order they are listed: the one list every layer uses
 * (C through this macro, Lua through pmf.core.engine.STORED_FLAGS). */
#define PMF_STORED_FLAGS(X) X(PMF_FLAG_PROVISIONAL, "provisional") X(PMF_FLAG_ESTIMATED, "estimated") \
    X(PMF_FLAG_PROXY, "proxy") X(PMF_FLAG_SUPPRESSED, "suppressed") X(PMF_FLAG_REVISED, "revised")
#define PMF_FLAG_STORED (PMF_FLAG_PROVISIONAL | PMF_FLAG_ESTIMATED | PMF_FLAG_PROXY | \
                         PMF_FLAG_SUPPRESSED | PMF_FLAG_REVISED)
#define PMF_FLAG_WORDS "provisional, estimated, proxy, suppressed, revised"   /* for messages */
/* Flags a reading adds (reader.h, engine.h); the one definition of every flag bit. */
#define PMF_FLAG_INCOMPLETE  16   /* fewer months than the period spans */
#define PMF_FLAG_WITHHELD    32   /* small-number suppression: the value is withheld */
#define PMF_FLAG_LATE        64   /* recorded after the data-entry deadline */
#define PMF_FLAG_CARRIED     128  /* carried from an earlier period (the rule asked) */

typedef struct pmf_store pmf_store;

/* Open (creating and migrating as needed) the store at `path` (":memory:" works).  `refdir`
 * is the folder holding the reference CSVs (areas.csv, areas_extra.csv, areas_more.csv,
 * area_successors.csv, area_aliases.csv, nearest_neighbours.csv,
 * childrens_statistical_neighbours_2025.csv) loaded into every new store; NULL skips them.
 * Returns NULL and writes a message to err on failure. */
pmf_store *pmf_store_open(const char *path, const char *refdir, char *err, size_t errlen);
void pmf_store_close(pmf_store *s);            /* NULL-safe */
sqlite3 *pmf_store_db(pmf_store *s);
const char *pmf_store_path(const pmf_store *s);

/* Transactions: BEGIN IMMEDIATE (waiting on a busy store up to the busy timeout), COMMIT,
 * ROLLBACK.  Return SQLITE_OK or an SQLite code; the message is in sqlite3_errmsg. */
int pmf_store_begin(pmf_store *s);
int pmf_store_commit(pmf_store *s);
int pmf_store_rollback(pmf_store *s);

/* Start a batch: the unit of transaction time.  Every observation written belongs to one;
 * its recorded_at is now (or `at`, an ISO date-time, for back-filled history) and
 * recorded_by the user ($PMF_USER, $USER, or `by`).  Returns the batch id, or -1. */
int64_t pmf_store_new_batch(pmf_store *s, const char *kind, const char *by, const char *at,
                            const char *source, const char *note);

/* Ids of a metric / area code, -1 when unknown, -2 when the store failed (sqlite3_errmsg). */
int64_t pmf_store_metric_id(pmf_store *s, const char *code);
int64_t pmf_store_area_id(pmf_store *s, const char *code);

/* A metric's definition as it was in force at a cutoff (metric definitions are versioned:
 * table metric_version).  The one place that answers "which rule does this metric follow
 * as of T": readers of aggregation, decimals, unit, reference or carry call this.
 * decimals is -1 when not given; text fields are NULL when absent.  The strings live in
 * one block owned by `d`: release it with pmf_metric_def_free (idempotent). */
typedef struct {
    int64_t id;               /* metric.id */
    int version;              /* 1, 2, ... */
    char aggregation[8];      /* sum, mean, last, min, max, ratio */
    int decimals;
    int line;                 /* where it was declared (0: not from a file) */
    int64_t recorded_ms;      /* when this version was recorded */
    char *code, *title, *unit, *definition, *source, *reference, *carry;
    char *owner;              /* framework id, "catalogue", or NULL (the Lua API) */
    char *file;
    char *text_;              /* private: the block the strings live in */
} pmf_metric_def;

/* Look a metric up by code (or, when code is NULL, by id) as of cutoff_ms (INT64_MAX: now).
 * Returns 1 and fills d; 0 for an unknown metric; -1 on an SQLite or memory error.  When
 * the cutoff is before the metric's first version, that first version is returned. */
int pmf_store_metric_def(pmf_store *s, const char *code, int64_t id, int64_t cutoff_ms,
                         pmf_metric_def *d);
void pmf_metric_def_free(pmf_metric_def *d);

/* As-of dates and timestamps (pmf_asof_parse, pmf_now_ms, pmf_format_ms): calendar.h. */

/* THE VERSION IN FORCE AT T: a batch is visible at cutoff T when recorded_ms <= T; of the
 * visible versions of one key, the one whose batch is latest by (recorded_ms, id) is in
 * force.  These two functions are the one statement of that rule; every reader uses them:
 * the batch view (store.c), figure reads (store_read.c, hence the series and the KPI
 * engine) and pmf_store_in_force (store:get, store:history, store:observe in Lua). */
static inline int pmf_version_visible(int64_t recorded_ms, int64_t cutoff_ms) {
    return recorded_ms <= cutoff_ms;
}
static inline int pmf_version_later(int64_t ms_a, int64_t batch_a, int64_t ms_b,
                                    int64_t batch_b) {
    return ms_a != ms_b ? ms_a > ms_b : batch_a > batch_b;
}

/* pmf_batch_view_load loads the batch table once so that hot loops decide with integer
 * operations: rank[id] orders the visible batches by pmf_version_later, 0 for a batch not
 * visible (after the cutoff, or absent); ms[id] is its recorded_ms.
 * cutoff_ms = INT64_MAX for "now".  Returns 0, or -1 on an SQLite or memory failure (every
 * step checked: a busy store is an error, never an empty view). */
typedef struct {
    int64_t nbatch;        /* ids are 1..nbatch-1 (slot 0 unused) */
    int64_t *rank;
    int64_t *ms;
} pmf_batch_view;
int pmf_batch_view_load(pmf_store *s, int64_t cutoff_ms, pmf_batch_view *v);
void pmf_batch_view_free(pmf_batch_view *v);

/* The rank of batch b in the view (0: not visible).  Version a is in force over version b
 * of the same key when pmf_batch_rank(v, a) > pmf_batch_rank(v, b). */
static inline int64_t pmf_batch_rank(const pmf_batch_view *v, int64_t b) {
    return b > 0 && b < v->nbatch ? v->rank[b] : 0;
}

#endif
