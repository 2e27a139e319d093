/*
 * store.c: the store handle: opening and migrating (the schema's list: store_schema.c; the
 * reference data a new store gets: store_ref.c), ids, metric definitions in force, batches
 * (transaction time) and the batch view of an as-of cutoff.
 *
 * Design decisions (the next engineer will want to know):
 *
 * - One SQLite file, WAL, synchronous=NORMAL (durable at checkpoint, never corrupt), foreign
 *   keys on, a busy timeout so that concurrent writers wait instead of failing.  Writers use
 *   BEGIN IMMEDIATE so that two importers serialise at the start rather than deadlocking at
 *   their first write.  Setting up a new file is the one place SQLite does not consult the
 *   busy handler: `PRAGMA journal_mode = WAL` needs an exclusive lock and answers
 *   SQLITE_BUSY at once while another process holds any lock (several processes opening a
 *   new store together).  The open's set-up steps are therefore retried with backoff, for
 *   as long as the busy timeout (exec_retry), so "database is locked" never reaches a user
 *   who merely started two commands at once.
 *
 * - Metrics are not KPIs.  `metric` holds what is measured (with its aggregation rule);
 *   frameworks (Lua) turn metrics into KPIs.  Areas and metrics have integer ids so that the
 *   observation table's key is compact; their codes are unique text.
 *
 * - Metric definitions are versioned as frameworks are: `metric_version` keeps every
 *   definition (rule, unit, decimals, reference, carry, who declared it, when), `metric` the
 *   latest.  pmf_store_metric_def is the one place that answers "the rule in force at T";
 *   every reader of a metric's rule calls it, so a view as of T rates with the rule of T.
 *
 * - Observations are never overwritten (bitemporal).  Every write belongs to a `batch` (an
 *   import, an edit) that carries the transaction time (recorded_at, recorded_by).  The
 *   observation table is WITHOUT ROWID, clustered on (metric, area, breakdown, start, len,
 *   batch): a series is one range scan, and all versions of one figure sit side by side.
 *   The figure "as known at T" is the version whose batch is the latest recorded at or before
 *   T.  Nothing is ever updated in place, so an as-of report can be rebuilt byte for byte.
 *
 * - A period is a span of months: (start, len), start = year*12 + month-1.  Labels belong to
 *   the frameworks (year start) and are printed by period.c.
 *
 * - Reference data (ONS codes and names of UK councils, CIPFA-style nearest neighbours, DfE
 *   children's statistical neighbours) is loaded into every new store from lua/data/.  The
 *   neighbour lists also name districts abolished in April 2023, combined authorities and
 *   the GLA, which areas.csv lacks: lua/data/areas_extra.csv names them, so no published
 *   link is dropped.  areas_more.csv adds England's regions, the nations and the former codes
 *   of 2013-2023, area_successors.csv who replaced them and when, and area_aliases.csv the
 *   names and DfE LA numbers publishers write (store_area.c resolves them).  Groups
 *   are named "<model>:<code>" and include the council itself (rank 0): "cipfa_2024:E08000027"
 *   is Dudley and its 15 nearest neighbours; "dfe_sn_2025:<code>" the DfE statistical
 *   neighbours; "all:<kind>" every council of one kind ("all:metropolitan district").
 *
 * - Migrations: PRAGMA user_version is the schema version.  Opening an older store copies the
 *   file to "<path>.v<N>.bak" (VACUUM INTO) before migrating it in one transaction; a store
 *   from a newer pmf is refused rather than damaged.
 */
#include "store_internal.h"
#include "store_area.h"
#include "store_pack.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pmf_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *metric_id, *area_id, *metric_def;
    int triggers_off;             /* importers holding the triggers off (store_pack.h) */
    int triggers_were;            /* the connection's trigger setting before the first */
    int own_write;                /* the importer's own INSERT is being (re)prepared */
};

/* Write a message into the caller's buffer (truncating; never more than errlen). */
void pmf_store_errorf(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------------------------------
 * Open and migrate.
 * ------------------------------------------------------------------------------------- */

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK) return 0;
    pmf_store_errorf(err, errlen, "%s", sqlite3_errmsg(db));
    return -1;
}

#define PMF_BUSY_MS 30000   /* the busy timeout, and how long the open's set-up retries */

/* Sleep before the next retry of a busy set-up step: 1 ms doubling to 64 ms.  *waited_ms
 * adds up the sleeps; returns 0 once PMF_BUSY_MS is spent (give up). */
static int busy_backoff(int *waited_ms, int attempt) {
    if (*waited_ms >= PMF_BUSY_MS) return 0;
    int ms = attempt < 6 ? 1 << attempt : 64;
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
    *waited_ms += ms;
    return 1;
}

static int is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

/* exec, retrying while SQLite answers busy/locked without having waited itself (the
 * journal-mode change; a BEGIN IMMEDIATE racing another process's set-up). */
static int exec_retry(sqlite3 *db, const char *sql, char *err, size_t errlen) {
    int waited = 0, rc;
    for (int attempt = 0; (rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK; attempt++)
        if (!is_busy(rc) || !busy_backoff(&waited, attempt)) break;
    if (rc == SQLITE_OK) return 0;
    pmf_store_errorf(err, errlen, "%s", sqlite3_errmsg(db));
    return -1;
}

/* PRAGMA user_version, or -1 when the file cannot be read as a database (busy is retried). */
static int user_version(sqlite3 *db) {
    int v = -1, waited = 0;
    for (int attempt = 0;; attempt++) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (v >= 0 || !is_busy(rc) || !busy_backoff(&waited, attempt)) return v;
    }
}

static int file_exists(const char *name) {
    FILE *f = fopen(name, "rb");
    if (f) fclose(f);
    return f != NULL;
}

/* Copy the store aside before an upgrade: "<path>.v<N>.bak", or "<path>.v<N>.<k>.bak" when a
 * copy by that name is already there (from an earlier upgrade, or another process upgrading
 * at the same moment): an old copy is never overwritten, and never blocks an upgrade. */
static int backup(sqlite3 *db, const char *path, int version, char *err, size_t errlen) {
    for (int k = 0; k < 1000; k++) {
        char *name = k ? sqlite3_mprintf("%s.v%d.%d.bak", path, version, k)
                       : sqlite3_mprintf("%s.v%d.bak", path, version);
        if (!name) return -1;
        int rc = 1;
        if (!file_exists(name)) {
            char *sql = sqlite3_mprintf("VACUUM INTO %Q", name);
            rc = sql ? exec(db, sql, err, errlen) : -1;
            sqlite3_free(sql);
            if (rc != 0 && file_exists(name)) rc = 1;   /* taken meanwhile: the next name */
        }
        sqlite3_free(name);
        if (rc <= 0) return rc;
    }
    pmf_store_errorf(err, errlen, "%s: too many backup copies (%s.v%d.*.bak)", path, path, version);
    return -1;
}

static int has_rows(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc;
}

static int migrate(sqlite3 *db, const char *path, const char *refdir, char *err, size_t errlen,
                   int *migrated) {
    int v = user_version(db);
    if (v < 0) {
        pmf_store_errorf(err, errlen, "%s: not a pmf store (%s)", path, sqlite3_errmsg(db));
        return -1;
    }
    if (v > pmf_store_nmigrations) {
        char ver[32];
        snprintf(ver, sizeof ver, "%d", v);
        pmf_store_errorf(err, errlen, "%s: store schema version %s is newer than this pmf understands",
                path, ver);
        return -1;
    }
    if (v == pmf_store_nmigrations) return 0;
    if (v > 0 && strcmp(path, ":memory:") != 0 && backup(db, path, v, err, errlen) != 0)
        return -1;
    if (exec_retry(db, "BEGIN IMMEDIATE", err, errlen) != 0) return -1;
    /* Re-read inside the write lock: another process may have migrated meanwhile. */
    v = user_version(db);
    for (int i = v; i < pmf_store_nmigrations; i++)
        if (exec(db, pmf_store_migrations[i], err, errlen) != 0) goto fail;
    if (v == 0 && refdir && pmf_store_load_reference(db, refdir, err, errlen) != 0) goto fail;
    /* an older store gaining the area tables gets their reference rows now */
    if (v > 0 && refdir && !has_rows(db, "SELECT 1 FROM area_alias LIMIT 1") &&
        pmf_store_load_area_links(db, refdir, err, errlen) != 0)
        goto fail;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", pmf_store_nmigrations);
    if (exec(db, sql, err, errlen) != 0 || exec(db, "COMMIT", err, errlen) != 0) goto fail;
    *migrated = v > 0;
    return 0;
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* The definition of a metric (by code, ?1, or by id, ?2) in force at cutoff ?3: the highest
 * version recorded by then; before its first version, that first version (figures may be
 * back-dated with `at` before the framework that defines the metric was loaded).  A metric
 * row with no version (written by raw SQL) is its own definition, version 0. */
#define METRIC_DEF_COL(c) " CASE WHEN v.metric IS NULL THEN m." c " ELSE v." c " END"
static const char metric_def_sql[] =
    "SELECT m.id, m.code, coalesce(v.version, 0)," METRIC_DEF_COL("aggregation") ","
    METRIC_DEF_COL("decimals") ", v.line, coalesce(v.recorded_ms, 0),"
    METRIC_DEF_COL("title") "," METRIC_DEF_COL("unit") "," METRIC_DEF_COL("definition") ","
    METRIC_DEF_COL("source") "," METRIC_DEF_COL("reference") "," METRIC_DEF_COL("carry") ","
    "       v.owner, v.file"
    "  FROM metric m LEFT JOIN metric_version v ON v.metric = m.id"
    " WHERE m.code = ?1 OR m.id = ?2"
    " ORDER BY v.recorded_ms <= ?3 DESC,"
    "          CASE WHEN v.recorded_ms <= ?3 THEN -v.version ELSE v.version END"
    " LIMIT 1";

pmf_store *pmf_store_open(const char *path, const char *refdir, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    pmf_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        pmf_store_errorf(err, errlen, "out of memory");
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        pmf_store_errorf(err, errlen, "cannot open store %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "");
        pmf_store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, PMF_BUSY_MS);
    pmf_area_register_sql(s->db);
    sqlite3_extended_result_codes(s->db, 1);
    char msg[512] = "";
    int migrated = 0;
    if (exec(s->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", msg, sizeof msg) ||
        (strcmp(path, ":memory:") != 0 &&
         exec_retry(s->db, "PRAGMA journal_mode = WAL", msg, sizeof msg)) ||
        migrate(s->db, path, refdir, msg, sizeof msg, &migrated)) {
        if (strstr(msg, path) == msg) pmf_store_errorf(err, errlen, "%s", msg);
        else pmf_store_errorf(err, errlen, "%s: %s", path, msg);
        pmf_store_close(s);
        return NULL;
    }
    if (sqlite3_prepare_v3(s->db, "SELECT id FROM metric WHERE code = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->metric_id, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(s->db, "SELECT id FROM area WHERE code = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->area_id, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(s->db, metric_def_sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &s->metric_def, NULL) != SQLITE_OK) {
        pmf_store_errorf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
        pmf_store_close(s);
        return NULL;
    }
    /* An older store's series start dirty (store_schema.c): packed now, once.  Not fatal:
     * a dirty series reads its rows, and the next write packs it. */
    if (migrated) pmf_store_repack(s);
    return s;
}

void pmf_store_close(pmf_store *s) {
    if (!s) return;
    sqlite3_finalize(s->metric_id);
    sqlite3_finalize(s->area_id);
    sqlite3_finalize(s->metric_def);
    sqlite3_close_v2(s->db);   /* NULL-safe; a zombie until any statement still open is finalised */
    free(s->path);
    free(s);
}

sqlite3 *pmf_store_db(pmf_store *s) { return s->db; }

/* While the triggers are off (an importer keeping the packs itself, store_pack.h), no
 * statement prepared on this connection may write observation but the importer's own. */
static int guard_observation(void *ud, int action, const char *a, const char *b,
                             const char *c, const char *d) {
    pmf_store *s = ud;
    (void)b, (void)c, (void)d;
    if ((action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) &&
        a && strcmp(a, "observation") == 0 && !s->own_write)
        return SQLITE_DENY;
    return SQLITE_OK;
}

int pmf_store_triggers_off(pmf_store *s) {
    if (s->triggers_off++ > 0) return 0;
    int was = 1, now = 1;
    if (sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &was) != SQLITE_OK ||
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &now) != SQLITE_OK || now) {
        s->triggers_off = 0;
        return -1;
    }
    s->triggers_were = was;
    sqlite3_set_authorizer(s->db, guard_observation, s);
    return 0;
}

void pmf_store_triggers_on(pmf_store *s) {
    if (s->triggers_off == 0 || --s->triggers_off > 0) return;
    sqlite3_set_authorizer(s->db, NULL, NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, s->triggers_were, NULL);
}

void pmf_store_own_write(pmf_store *s, int on) { s->own_write = on; }
int pmf_store_packs_current(const pmf_store *s) { return s->triggers_off == 0; }
const char *pmf_store_path(const pmf_store *s) { return s->path; }

int pmf_store_begin(pmf_store *s) { return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL); }
int pmf_store_commit(pmf_store *s) { return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL); }
int pmf_store_rollback(pmf_store *s) {
    if (sqlite3_get_autocommit(s->db)) return SQLITE_OK;
    return sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* -1: unknown; -2: the step failed (busy, I/O): an error, never "unknown". */
static int64_t lookup_id(sqlite3_stmt *st, const char *code) {
    int64_t id = -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE) id = -2;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return id;
}

int64_t pmf_store_metric_id(pmf_store *s, const char *code) { return lookup_id(s->metric_id, code); }
int64_t pmf_store_area_id(pmf_store *s, const char *code) { return lookup_id(s->area_id, code); }

static char *dup_text(sqlite3_stmt *st, int col, char **at) {
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t) return NULL;
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *out = *at;
    memcpy(out, t, n);
    out[n] = '\0';
    *at += n + 1;
    return out;
}

int pmf_store_metric_def(pmf_store *s, const char *code, int64_t id, int64_t cutoff_ms,
                         pmf_metric_def *d) {
    memset(d, 0, sizeof *d);
    sqlite3_stmt *st = s->metric_def;
    if (code) sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    else sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, cutoff_ms);
    int rc = sqlite3_step(st), out = 0;
    if (rc == SQLITE_ROW) {
        enum { NTEXT = 8, FIRST = 7 };
        size_t need = 0;
        need += (size_t)sqlite3_column_bytes(st, 1) + 1;
        for (int i = 0; i < NTEXT; i++) need += (size_t)sqlite3_column_bytes(st, FIRST + i) + 1;
        char *at = d->text_ = malloc(need);
        if (!at) {
            out = -1;
        } else {
            d->id = sqlite3_column_int64(st, 0);
            d->code = dup_text(st, 1, &at);
            d->version = sqlite3_column_int(st, 2);
            const char *agg = (const char *)sqlite3_column_text(st, 3);
            snprintf(d->aggregation, sizeof d->aggregation, "%s", agg ? agg : "sum");
            d->decimals = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
            d->line = sqlite3_column_int(st, 5);
            d->recorded_ms = sqlite3_column_int64(st, 6);
            char **text[NTEXT] = {&d->title, &d->unit, &d->definition, &d->source,
                                  &d->reference, &d->carry, &d->owner, &d->file};
            for (int i = 0; i < NTEXT; i++) *text[i] = dup_text(st, FIRST + i, &at);
            out = 1;
        }
    } else if (rc != SQLITE_DONE) {
        out = -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

void pmf_metric_def_free(pmf_metric_def *d) {
    if (!d) return;
    free(d->text_);
    memset(d, 0, sizeof *d);
}

int64_t pmf_store_new_batch(pmf_store *s, const char *kind, const char *by, const char *at,
                            const char *source, const char *note) {
    int64_t ms, prec;
    if (!at || pmf_iso_parse(at, &ms, &prec) != 0) ms = pmf_now_ms();
    char when[32];
    pmf_format_ms(ms, when, sizeof when);
    if (!by || !*by) by = getenv("PMF_USER");
    if (!by || !*by) by = getenv("USER");
    if (!by || !*by) by = "unknown";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
            "INSERT INTO batch(kind, recorded_at, recorded_ms, recorded_by, source, note) "
            "VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, when, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, ms);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(s->db) : -1;
}

/* A visible batch, sorted by the version rule. */
typedef struct batch_key {
    int64_t ms, id;
} batch_key;

static int by_version(const void *a, const void *b) {
    const batch_key *x = a, *y = b;
    if (pmf_version_later(x->ms, x->id, y->ms, y->id)) return 1;
    if (pmf_version_later(y->ms, y->id, x->ms, x->id)) return -1;
    return 0;
}

int pmf_batch_view_load(pmf_store *s, int64_t cutoff_ms, pmf_batch_view *v) {
    sqlite3_stmt *st = NULL;
    int64_t max = 0, nvis = 0;
    batch_key *ids = NULL;
    int rc;
    v->nbatch = 0;
    v->rank = v->ms = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT max(id) FROM batch", -1, &st, NULL) != SQLITE_OK)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) max = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW || max < 0 || max >= INT32_MAX) return -1;
    v->nbatch = max + 1;
    v->rank = calloc((size_t)v->nbatch, sizeof *v->rank);
    v->ms = calloc((size_t)v->nbatch, sizeof *v->ms);
    ids = malloc((size_t)v->nbatch * sizeof *ids);
    if (!v->rank || !v->ms || !ids ||
        sqlite3_prepare_v2(s->db, "SELECT id, recorded_ms FROM batch", -1, &st, NULL) !=
            SQLITE_OK) {
        free(ids);
        pmf_batch_view_free(v);
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), ms = sqlite3_column_int64(st, 1);
        if (id > 0 && id < v->nbatch && pmf_version_visible(ms, cutoff_ms)) {
            v->ms[id] = ms;
            ids[nvis].ms = ms;
            ids[nvis++].id = id;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(ids);
        pmf_batch_view_free(v);
        return -1;
    }
    qsort(ids, (size_t)nvis, sizeof *ids, by_version);
    for (int64_t k = 0; k < nvis; k++) v->rank[ids[k].id] = k + 1;
    free(ids);
    return 0;
}

void pmf_batch_view_free(pmf_batch_view *v) {
    free(v->rank);
    free(v->ms);
    v->rank = v->ms = NULL;
    v->nbatch = 0;
}
