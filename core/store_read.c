/*
 * core/store_read.c: the store layer's figure reads (see store_read.h).  With store.c this
 * is the only C that runs SQL on observations.
 *
 * Design decisions:
 * - One range scan on the observation table's primary key per (metric, area, breakdown):
 *   rows arrive in key order (start, len, batch), so the versions of one figure are adjacent
 *   and the one in force is picked while streaming, by pmf_batch_rank (store.h), the one
 *   rule for "the version in force at T".  No join to `batch`: the view is loaded once.
 * - A read costs the rows of its window only (the caller asks for [from, to]: the months the
 *   periods it rates need, reader.h pmf_read_window), never the series' whole history.
 * - Reads and scans select only the columns their caller wants (numerator and denominator
 *   only where a rule combines them, flags only where shown): every column costs every row
 *   read.  A NULL value still gets its parts (they give it) by a key lookup of that row.
 * - The whole-table scan goes metric by metric (a seek each), so that each metric's rows are
 *   read with only the columns its caller wants (numerator, denominator, flags: each column
 *   costs every row of the table).  Parts are still needed where a value is NULL (they give
 *   it): those few rows are looked up by key.
 */
#include "store_read.h"
#include "store_pack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmf_figures {
    pmf_store *store;
    int64_t cutoff_ms;
    sqlite3_stmt *fetch[4];       /* by PMF_FIG_* bits: the columns read; prepared on first use */
    sqlite3_stmt *parts;          /* a NULL value's parts, by key (fetches without parts) */
    sqlite3_stmt *pack;           /* a series' pack (store_pack.h); prepared on first use */
    sqlite3_stmt *version;        /* PRAGMA data_version, for pmf_figures_stamp */
    sqlite3_stmt *hold, *release; /* SAVEPOINT / RELEASE: one read transaction for many reads */
    int holding;
    pmf_batch_view view;
    pmf_obs *buf;
    size_t n, cap;
    const char *error;            /* NULL: see sqlite3_errmsg */
};

/* What a read selects after start, len, batch, value, by PMF_FIG_* bits (the order
 * fold_series reads them in). */
static const char fig_cols[][32] = {
    "", ", numerator, denominator", ", flags", ", flags, numerator, denominator",
};

/* The parts of one stored row (metric ?1, area ?2, breakdown ?3, start ?4, len ?5, batch ?6):
 * a read without parts still needs them where the value is NULL (they give it). */
static const char parts_sql[] =
    "SELECT numerator, denominator FROM observation WHERE metric = ?1 AND area = ?2"
    " AND breakdown = ?3 AND start = ?4 AND len = ?5 AND batch = ?6";

pmf_figures *pmf_figures_open(pmf_store *s, int64_t cutoff_ms) {
    pmf_figures *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->store = s;
    f->cutoff_ms = cutoff_ms;
    if (pmf_batch_view_load(s, cutoff_ms, &f->view) != 0 ||
        sqlite3_prepare_v2(pmf_store_db(s), "PRAGMA data_version", -1, &f->version, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(pmf_store_db(s), "SAVEPOINT pmf_figures", -1, &f->hold, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(pmf_store_db(s), "RELEASE pmf_figures", -1, &f->release, NULL) !=
            SQLITE_OK) {
        pmf_figures_close(f);
        return NULL;
    }
    return f;
}

void pmf_figures_close(pmf_figures *f) {
    if (!f) return;
    pmf_figures_release(f);
    sqlite3_finalize(f->hold);
    sqlite3_finalize(f->release);
    for (int i = 0; i < 4; i++) sqlite3_finalize(f->fetch[i]);
    sqlite3_finalize(f->parts);
    sqlite3_finalize(f->pack);
    sqlite3_finalize(f->version);
    pmf_batch_view_free(&f->view);
    free(f->buf);
    free(f);
}

/* Many reads in one read transaction: without it each statement opens and closes its own
 * (in WAL mode a lock on the shared-memory file each time, a good part of a short range
 * scan's cost).  A savepoint, so that it nests inside a caller's transaction. */
void pmf_figures_hold(pmf_figures *f) {
    if (f->holding) return;
    f->holding = sqlite3_step(f->hold) == SQLITE_DONE;
    sqlite3_reset(f->hold);
}

void pmf_figures_release(pmf_figures *f) {
    if (!f->holding) return;
    f->holding = 0;
    sqlite3_step(f->release);
    sqlite3_reset(f->release);
}

const pmf_batch_view *pmf_figures_view(const pmf_figures *f) { return &f->view; }

int pmf_figures_refresh(pmf_figures *f) {
    pmf_batch_view v;
    if (pmf_batch_view_load(f->store, f->cutoff_ms, &v) != 0) return -1;
    pmf_batch_view_free(&f->view);
    f->view = v;
    return 0;
}

const char *pmf_figures_error(const pmf_figures *f) {
    return f->error ? f->error : sqlite3_errmsg(pmf_store_db(f->store));
}

/* Append the version in force of one span, unless it withdraws the figure. */
static int emit(pmf_figures *f, const pmf_obs *o) {
    pmf_obs x = *o;
    if (isnan(x.value)) {
        if (isnan(x.numerator) || isnan(x.denominator) || x.denominator == 0) return 0;
        x.value = x.numerator / x.denominator;
    }
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 256;
        pmf_obs *nb = realloc(f->buf, nc * sizeof *nb);
        if (!nb) {
            f->error = "out of memory";
            return -1;
        }
        f->buf = nb;
        f->cap = nc;
    }
    f->buf[f->n++] = x;
    return 0;
}

/* The parts of the row st is on, looked up by its key (lookup: parts_sql, metric bound;
 * st's columns: start, len, batch from col0, and area, breakdown at col0 - 2 when col0 >= 2,
 * else already bound).  0 or -1. */
static int lookup_parts(sqlite3_stmt *lookup, sqlite3_stmt *st, int col0, pmf_obs *o) {
    for (int i = col0 >= 2 ? 0 : 2; i < 5; i++)
        sqlite3_bind_value(lookup, i + 2, sqlite3_column_value(st, col0 - 2 + i));
    int rc = sqlite3_step(lookup);
    if (rc == SQLITE_ROW) {
        o->numerator = pmf_column_double(lookup, 0);
        o->denominator = pmf_column_double(lookup, 1);
    }
    sqlite3_reset(lookup);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* The version in force of each span, picked while a series' stored rows stream past in key
 * order (start, len, batch): rows from SQL (fold_series) and from a pack (fold_pack) both
 * go through take(), so the one rule (pmf_batch_rank) is applied in one place. */
typedef struct {
    pmf_obs cur;
    int64_t crank;
    int have;
} fold_state;

/* One stored version o of rank r (> 0: visible).  1: it is now the span's version in force
 * (the caller fills its value and parts), 0: skipped, -1: out of memory. */
static int take(pmf_figures *f, fold_state *fs, int32_t start, int32_t len, int64_t r) {
    if (len < 1 || r == 0) return 0;
    if (fs->have && fs->cur.start == start && fs->cur.len == len) {
        if (r < fs->crank) return 0;                    /* an older version */
    } else if (fs->have && emit(f, &fs->cur) != 0) {
        return -1;
    }
    fs->cur.start = start;
    fs->cur.len = len;
    fs->crank = r;
    fs->have = 1;
    return 1;
}

/* Fold the rows of a statement positioned on its first row (columns from col0: start, len,
 * batch, value, then flags with PMF_FIG_FLAGS in `want`, then numerator, denominator with
 * PMF_FIG_PARTS) into figures in force, while same() says the row belongs to the series.
 * Without PMF_FIG_PARTS the parts are NaN, except where the value is NULL (they give it):
 * those come from `lookup` (lookup_parts).  Returns the last step's code (SQLITE_ROW:
 * stopped on the next series' first row), or -1 on a memory or lookup failure. */
static int fold_series(pmf_figures *f, sqlite3_stmt *st, int col0, int want,
                       sqlite3_stmt *lookup, int rc, int64_t *rows,
                       int (*same)(sqlite3_stmt *, const int64_t *), const int64_t *key) {
    int cparts = col0 + (want & PMF_FIG_FLAGS ? 5 : 4);
    fold_state fs = {.have = 0};
    f->n = 0;
    for (; rc == SQLITE_ROW && (!same || same(st, key)); rc = sqlite3_step(st)) {
        int32_t s = sqlite3_column_int(st, col0), len = sqlite3_column_int(st, col0 + 1);
        int64_t b = sqlite3_column_int64(st, col0 + 2);
        if (rows) (*rows)++;
        int t = take(f, &fs, s, len, pmf_batch_rank(&f->view, b));
        if (t < 0) return -1;
        if (t == 0) continue;
        pmf_obs *cur = &fs.cur;
        cur->value = pmf_column_double(st, col0 + 3);
        cur->numerator = cur->denominator = NAN;
        if (want & PMF_FIG_PARTS) {
            cur->numerator = pmf_column_double(st, cparts);
            cur->denominator = pmf_column_double(st, cparts + 1);
        } else if (isnan(cur->value) && lookup_parts(lookup, st, col0, cur) != 0) {
            return -1;
        }
        cur->flags = want & PMF_FIG_FLAGS ? sqlite3_column_int64(st, col0 + 4) & PMF_FLAG_STORED : 0;
        cur->rec = f->view.ms[b];
    }
    if (fs.have && emit(f, &fs.cur) != 0) return -1;
    return rc;
}

/* Fold a pack's rows starting in [from, to] as fold_series folds rows, reading what `want`
 * asks (the same figures, field for field, as the rows give).  0, -1 out of memory, -2 the
 * pack does not decode (the caller reads the rows). */
static int fold_pack(pmf_figures *f, const void *blob, size_t bytes, int32_t from, int32_t to,
                     int want, int64_t *rows) {
    pmf_pack_iter it = pmf_pack_begin(blob, bytes);
    pmf_pack_row r;
    fold_state fs = {.have = 0};
    int d;
    f->n = 0;
    while ((d = pmf_pack_next(&it, &r)) == 1) {
        if (r.start < from) continue;
        if (r.start > to) break;
        if (rows) (*rows)++;
        int t = take(f, &fs, r.start, r.len, pmf_batch_rank(&f->view, r.batch));
        if (t < 0) return -1;
        if (t == 0) continue;
        pmf_obs *cur = &fs.cur;
        cur->value = r.value;
        cur->numerator = cur->denominator = NAN;
        if ((want & PMF_FIG_PARTS) || isnan(r.value)) {
            cur->numerator = r.numerator;
            cur->denominator = r.denominator;
        }
        cur->flags = want & PMF_FIG_FLAGS ? r.flags & PMF_FLAG_STORED : 0;
        cur->rec = f->view.ms[r.batch];
    }
    if (d < 0) return -2;
    if (fs.have && emit(f, &fs.cur) != 0) return -1;
    return 0;
}

/* The fetch statement reading the columns `want` asks for (prepared on first use). */
static sqlite3_stmt *fetch_stmt(pmf_figures *f, int want) {
    if (!f->fetch[want]) {
        char sql[320];
        snprintf(sql, sizeof sql,
                 "SELECT start, len, batch, value%s FROM observation"
                 " WHERE metric = ?1 AND area = ?2 AND breakdown = ?3 AND start >= ?4"
                 " AND start <= ?5 ORDER BY start, len, batch", fig_cols[want]);
        if (sqlite3_prepare_v2(pmf_store_db(f->store), sql, -1, &f->fetch[want], NULL) !=
            SQLITE_OK)
            return NULL;
    }
    return f->fetch[want];
}

/* The series' pack folded into f->buf: 0, 1 when it has no pack (or one that does not
 * decode: its rows are read instead), -1 on error. */
static int read_pack(pmf_figures *f, int64_t metric, int64_t area, const char *breakdown,
                     int32_t from, int32_t to, int want) {
    if (!pmf_store_packs_current(f->store)) return 1;      /* an import is open: rows */
    if (!f->pack && sqlite3_prepare_v3(pmf_store_db(f->store),
                                       "SELECT data FROM series_pack WHERE metric = ?1"
                                       " AND area = ?2 AND breakdown = ?3", -1,
                                       SQLITE_PREPARE_PERSISTENT, &f->pack, NULL) != SQLITE_OK)
        return -1;
    sqlite3_stmt *st = f->pack;
    sqlite3_bind_int64(st, 1, metric);
    sqlite3_bind_int64(st, 2, area);
    sqlite3_bind_text(st, 3, breakdown ? breakdown : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), out = 1;
    if (rc == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 0);
        int d = fold_pack(f, blob, (size_t)sqlite3_column_bytes(st, 0), from, to, want, NULL);
        if (d == -1) f->error = "out of memory";
        out = d == -2 ? 1 : d;
    } else if (rc != SQLITE_DONE) {
        out = -1;
    }
    sqlite3_reset(st);
    return out;
}

/* The series' rows starting in [from, to] folded into f->buf: 0, or -1 on error. */
static int read_rows(pmf_figures *f, int64_t metric, int64_t area, const char *breakdown,
                     int32_t from, int32_t to, int want) {
    sqlite3_stmt *st, *lookup = NULL;
    if (!(st = fetch_stmt(f, want))) return -1;
    if (!(want & PMF_FIG_PARTS)) {
        if (!f->parts && sqlite3_prepare_v2(pmf_store_db(f->store), parts_sql, -1, &f->parts,
                                            NULL) != SQLITE_OK)
            return -1;
        lookup = f->parts;
        sqlite3_bind_int64(lookup, 1, metric);
        sqlite3_bind_int64(lookup, 2, area);
        sqlite3_bind_text(lookup, 3, breakdown ? breakdown : "", -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 1, metric);
    sqlite3_bind_int64(st, 2, area);
    sqlite3_bind_text(st, 3, breakdown ? breakdown : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, from);
    sqlite3_bind_int(st, 5, to);
    int rc = fold_series(f, st, 0, want, lookup, sqlite3_step(st), NULL, NULL, NULL);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {          /* a failed step (busy, I/O, interrupted) or memory */
        f->n = 0;
        return -1;
    }
    return 0;
}

const pmf_obs *pmf_figures_read(pmf_figures *f, int64_t metric, int64_t area,
                                const char *breakdown, int32_t from, int32_t to, int want,
                                size_t *n) {
    f->error = NULL;
    *n = 0;
    want &= PMF_FIG_PARTS | PMF_FIG_FLAGS;
    int pk = read_pack(f, metric, area, breakdown, from, to, want);
    if (pk == -1 || (pk == 1 && read_rows(f, metric, area, breakdown, from, to, want) != 0))
        return NULL;
    *n = f->n;
    return f->buf ? f->buf : (const pmf_obs *)f;      /* never NULL on success */
}

const pmf_obs *pmf_figures_read_wide(pmf_figures *f, int64_t metric, int64_t area,
                                     const char *breakdown, int32_t *from, int32_t *to,
                                     int want, size_t *n) {
    f->error = NULL;
    *n = 0;
    want &= PMF_FIG_PARTS | PMF_FIG_FLAGS;
    int pk = read_pack(f, metric, area, breakdown, INT32_MIN, INT32_MAX, want);
    if (pk == 0) {
        *from = INT32_MIN;
        *to = INT32_MAX;
    }
    if (pk == -1 || (pk == 1 && read_rows(f, metric, area, breakdown, *from, *to, want) != 0))
        return NULL;
    *n = f->n;
    return f->buf ? f->buf : (const pmf_obs *)f;
}

int pmf_store_in_force(pmf_store *s, int64_t cutoff_ms, int64_t metric, int64_t area,
                       const char *breakdown, int32_t start, int32_t len, int64_t *batch) {
    sqlite3_stmt *st;
    int64_t best_ms = 0, best = -1;
    if (sqlite3_prepare_v2(pmf_store_db(s),
            "SELECT o.batch, b.recorded_ms FROM observation o JOIN batch b ON b.id = o.batch"
            " WHERE o.metric = ?1 AND o.area = ?2 AND o.breakdown = ?3 AND o.start = ?4"
            "   AND o.len = ?5", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, metric);
    sqlite3_bind_int64(st, 2, area);
    sqlite3_bind_text(st, 3, breakdown ? breakdown : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, start);
    sqlite3_bind_int(st, 5, len);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t b = sqlite3_column_int64(st, 0), ms = sqlite3_column_int64(st, 1);
        if (pmf_version_visible(ms, cutoff_ms) &&
            (best < 0 || pmf_version_later(ms, b, best_ms, best))) {
            best = b;
            best_ms = ms;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    *batch = best;
    return best >= 0;
}

/* The read rule of a definition (store.h's pmf_metric_def, in force at a cutoff). */
static int def_rule(const pmf_metric_def *d, pmf_read_rule *rule) {
    int agg = pmf_agg_from_name(d->aggregation);
    int ref = pmf_ref_from_name(d->reference);
    int carry = pmf_carry_from_text(d->carry);
    rule->agg = agg < 0 ? PMF_AGG_SUM : agg;
    rule->reference = ref < 0 ? PMF_REF_END : ref;
    rule->carry = carry < 0 ? 0 : carry;
    return ref < 0 || carry < 0 ? -1 : 0;
}

/* Metric definitions are versioned (store.h): the rule is the one in force at the cutoff. */
int pmf_store_metric_rule(pmf_store *s, const char *code, int64_t cutoff_ms, int64_t *id,
                          pmf_read_rule *rule) {
    pmf_metric_def d;
    int found = pmf_store_metric_def(s, code, 0, cutoff_ms, &d);
    if (found == 1) {
        *id = d.id;
        if (def_rule(&d, rule) != 0) found = -1;
    }
    pmf_metric_def_free(&d);
    return found;
}

int pmf_store_metric_rules(pmf_store *s, int64_t cutoff_ms, pmf_read_rule **rules, int64_t *n) {
    sqlite3 *db = pmf_store_db(s);
    sqlite3_stmt *st;
    int rc;
    *rules = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM metric", -1, &st, NULL))
        return -1;
    rc = sqlite3_step(st);
    int64_t max = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    if (max < 0 || max >= INT32_MAX || !(*rules = calloc((size_t)max + 1, sizeof **rules)))
        return -1;
    *n = max + 1;
    if (sqlite3_prepare_v2(db, "SELECT id FROM metric", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int out = 0;
    while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        pmf_metric_def d;
        int found = pmf_store_metric_def(s, NULL, id, cutoff_ms, &d);
        if (found < 0) out = -1;
        else if (found == 1 && id >= 0 && id <= max) def_rule(&d, &(*rules)[id]);
        pmf_metric_def_free(&d);
    }
    sqlite3_finalize(st);
    return out == 0 && rc == SQLITE_DONE ? 0 : -1;
}

/* Does the row belong to the series key = {area, breakdown bytes, pointer}? */
static int same_series(sqlite3_stmt *st, const int64_t *key) {
    int blen = sqlite3_column_bytes(st, 1);
    return sqlite3_column_int64(st, 0) == key[0] && blen == key[1] &&
           (blen == 0 || memcmp(sqlite3_column_text(st, 1), (const char *)(intptr_t)key[2],
                                (size_t)blen) == 0);
}

/* One metric's series (its id: the value m): st_of[want] prepared on first use. */
static int scan_metric(pmf_figures *f, sqlite3_value *m, int want, sqlite3_stmt **st_of,
                       sqlite3_stmt *lookup, char **bd, size_t *bdcap, pmf_series_fn fn,
                       void *ctx, int64_t *rows) {
    int64_t metric = sqlite3_value_int64(m);
    int out = 0;
    if (!st_of[want]) {
        char sql[320];
        snprintf(sql, sizeof sql,
                 "SELECT area, breakdown, start, len, batch, value%s FROM observation"
                 " WHERE metric = ?1 ORDER BY area, breakdown, start, len, batch",
                 fig_cols[want]);
        if (sqlite3_prepare_v2(pmf_store_db(f->store), sql, -1, &st_of[want], NULL) != SQLITE_OK)
            return -1;
    }
    sqlite3_stmt *st = st_of[want];
    sqlite3_bind_value(st, 1, m);
    sqlite3_bind_value(lookup, 1, m);
    int rc = sqlite3_step(st);
    while (rc == SQLITE_ROW) {
        int blen = sqlite3_column_bytes(st, 1);
        if ((size_t)blen + 1 > *bdcap) {
            char *nb = realloc(*bd, (size_t)blen + 64);
            if (!nb) {
                f->error = "out of memory";
                out = -1;
                break;
            }
            *bd = nb;
            *bdcap = (size_t)blen + 64;
        }
        if (blen) memcpy(*bd, sqlite3_column_text(st, 1), (size_t)blen);
        int64_t key[3] = {sqlite3_column_int64(st, 0), blen, (int64_t)(intptr_t)*bd};
        rc = fold_series(f, st, 2, want, lookup, rc, rows, same_series, key);
        if (rc < 0) {
            out = -1;
            break;
        }
        if ((out = fn(ctx, metric, key[0], f->buf, f->n)) != 0) break;
    }
    if (out == 0 && rc != SQLITE_DONE) out = -1;
    sqlite3_reset(st);
    return out;
}

/* Every series from its pack, in key order (the packs' key is the rows' series key), when no
 * series is dirty.  1: some series is dirty (the caller scans rows), 0 done, fn's non-zero
 * return, or -1. */
static int scan_packs(pmf_figures *f, const unsigned char *want, int64_t nwant,
                      pmf_series_fn fn, void *ctx, int64_t *rows) {
    sqlite3 *db = pmf_store_db(f->store);
    sqlite3_stmt *dirty = NULL, *st = NULL;
    int out = -1, rc;
    if (!pmf_store_packs_current(f->store)) return 1;      /* an import is open: rows */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM series_dirty LIMIT 1", -1, &dirty, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT metric, area, data, breakdown FROM series_pack"
                               " ORDER BY metric, area, breakdown", -1, &st, NULL) != SQLITE_OK)
        goto done;
    rc = sqlite3_step(dirty);
    if (rc != SQLITE_DONE) {
        out = rc == SQLITE_ROW ? 1 : -1;
        goto done;
    }
    out = 0;
    while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t metric = sqlite3_column_int64(st, 0), area = sqlite3_column_int64(st, 1);
        int w = !want ? PMF_FIG_PARTS | PMF_FIG_FLAGS
                      : metric >= 0 && metric < nwant ? want[metric] & 3 : 0;
        int d = fold_pack(f, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
                          INT32_MIN, INT32_MAX, w, rows);
        if (d == -2)                  /* a damaged pack: the series' rows */
            d = read_rows(f, metric, area, (const char *)sqlite3_column_text(st, 3), INT32_MIN,
                          INT32_MAX, w);
        if (d != 0) out = -1;
        else out = fn(ctx, metric, area, f->buf, f->n);
    }
    if (out == 0 && rc != SQLITE_DONE) out = -1;
done:
    sqlite3_finalize(dirty);
    sqlite3_finalize(st);
    return out;
}

/* From the packs when every series has one; else metric by metric (each its own range scan,
 * in key order), so that each reads only the columns it wants: a column costs every row. */
int pmf_figures_scan_all(pmf_figures *f, const unsigned char *want, int64_t nwant,
                         pmf_series_fn fn, void *ctx, int64_t *rows) {
    sqlite3 *db = pmf_store_db(f->store);
    sqlite3_stmt *first = NULL, *next = NULL, *lookup = NULL, *st_of[4] = {0};
    sqlite3_value *m = NULL;
    char *bd = NULL;
    size_t bdcap = 0;
    int out = -1;
    *rows = 0;
    f->error = NULL;
    if (sqlite3_prepare_v2(db, "SELECT metric FROM observation ORDER BY metric LIMIT 1", -1,
                           &first, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT metric FROM observation WHERE metric > ?1"
                               " ORDER BY metric LIMIT 1", -1, &next, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, parts_sql, -1, &lookup, NULL) != SQLITE_OK)
        goto done;
    pmf_figures_hold(f);              /* one read transaction: one snapshot for all metrics */
    if ((out = scan_packs(f, want, nwant, fn, ctx, rows)) != 1) {
        pmf_figures_release(f);
        goto done;
    }
    *rows = 0;
    out = -1;
    sqlite3_stmt *q = first;
    for (;;) {
        int rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) {
            out = 0;
            break;
        }
        sqlite3_value_free(m);
        m = rc == SQLITE_ROW ? sqlite3_value_dup(sqlite3_column_value(q, 0)) : NULL;
        sqlite3_reset(q);
        if (!m) {
            if (rc == SQLITE_ROW) f->error = "out of memory";
            break;
        }
        int64_t id = sqlite3_value_int64(m);
        int w = !want ? PMF_FIG_PARTS | PMF_FIG_FLAGS : id >= 0 && id < nwant ? want[id] & 3 : 0;
        if ((out = scan_metric(f, m, w, st_of, lookup, &bd, &bdcap, fn, ctx, rows)) != 0) break;
        out = -1;
        q = next;
        sqlite3_bind_value(next, 1, m);
    }
    pmf_figures_release(f);
done:
    sqlite3_finalize(first);
    sqlite3_finalize(next);
    sqlite3_finalize(lookup);
    for (int i = 0; i < 4; i++) sqlite3_finalize(st_of[i]);
    sqlite3_value_free(m);
    free(bd);
    f->n = 0;
    return out;
}

int pmf_figures_stamp(pmf_figures *f, int64_t stamp[2]) {
    sqlite3_stmt *st = f->version;
    f->error = NULL;
    int rc = sqlite3_step(st);
    stamp[0] = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    stamp[1] = (int64_t)sqlite3_total_changes64(pmf_store_db(f->store));
    return rc == SQLITE_ROW ? 0 : -1;
}

int pmf_store_raw_scan(pmf_store *s, int64_t *rows, double *checksum) {
    sqlite3_stmt *st;
    int rc;
    int64_t keys = 0;
    *rows = 0;
    *checksum = 0;
    if (sqlite3_prepare_v2(pmf_store_db(s), "SELECT metric, area, start, value FROM observation",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        keys += sqlite3_column_int64(st, 0) + sqlite3_column_int64(st, 1) +
                sqlite3_column_int(st, 2);
        *checksum += sqlite3_column_double(st, 3);
        (*rows)++;
    }
    sqlite3_finalize(st);
    (void)keys;
    return rc == SQLITE_DONE ? 0 : -1;
}
