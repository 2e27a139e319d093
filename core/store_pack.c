/*
 * core/store_pack.c: packed series (see store_pack.h for why, the invariant and the
 * format): the codec, rebuilding dirty series' packs from their rows, and the importer's
 * log merged into packs.  Part of the store layer: its SQL touches only observation,
 * series_pack and series_dirty.
 *
 * Design decisions:
 * - A pack holds every version (batch) of every span, so packing decides nothing: the
 *   reader applies the version rule to a pack's entries as to rows.
 * - Deltas and varints: the start of a monthly series steps by 1, its len and batch rarely
 *   change, so an entry is a tag byte, a one-byte start step and the value's 8 bytes.
 *   Decoding a series' 100 months costs about what SQLite spends on one row.
 * - The importer's log is capped (PACKLOG_MAX rows) so its memory stays flat in the file's
 *   size: a full log is merged at the next row boundary.  A file sorted by series (the
 *   usual long form) writes each pack once or twice; a file sorted by period rewrites each
 *   series' pack once per merge.
 * - A log's rows are merged with the series' pack when it has one; a series listed dirty
 *   (rows written by another writer) is rebuilt from its rows, the log's included; a series
 *   with neither has no other rows (the invariant), so its pack is the log's rows.
 */
#include "store_pack.h"
#include "store_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PACK_MAGIC 'P'
#define PACK_VERSION 1
#define PACKLOG_MAX ((size_t)1 << 17)

enum { T_VALUE = 1, T_NUM = 2, T_DEN = 4, T_FLAGS = 8, T_LEN = 16, T_BATCH = 32 };

/* ---- the codec ----------------------------------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
} bytes;

static int room(bytes *b, size_t more) {
    if (b->n + more <= b->cap) return 0;
    size_t nc = b->cap ? b->cap * 2 : 1024;
    while (nc < b->n + more) nc *= 2;
    unsigned char *np = realloc(b->p, nc);
    if (!np) return -1;
    b->p = np;
    b->cap = nc;
    return 0;
}

static void put_varint(bytes *b, uint64_t v) {
    while (v >= 0x80) {
        b->p[b->n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->n++] = (unsigned char)v;
}

static uint64_t zigzag(int64_t v) {
    uint64_t u = (uint64_t)v;
    return (u << 1) ^ ((uint64_t)0 - (u >> 63));     /* the sign spread over every bit */
}
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static void put_double(bytes *b, double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int i = 0; i < 8; i++) b->p[b->n++] = (unsigned char)(u >> (8 * i));
}

/* Encode rows[0..n) (sorted by start, len, batch) into b (emptied first).  0 or -1. */
static int encode(bytes *b, const pmf_pack_row *rows, size_t n) {
    b->n = 0;
    if (room(b, 12)) return -1;
    b->p[b->n++] = PACK_MAGIC;
    b->p[b->n++] = PACK_VERSION;
    put_varint(b, n);
    int32_t pstart = 0, plen = 1;
    int64_t pbatch = 0;
    for (size_t i = 0; i < n; i++) {
        const pmf_pack_row *r = &rows[i];
        if (room(b, 1 + 10 + 10 + 10 + 24 + 10)) return -1;
        int tag = (isnan(r->value) ? 0 : T_VALUE) | (isnan(r->numerator) ? 0 : T_NUM) |
                  (isnan(r->denominator) ? 0 : T_DEN) | (r->flags ? T_FLAGS : 0) |
                  (r->len != plen ? T_LEN : 0) | (r->batch != pbatch ? T_BATCH : 0);
        b->p[b->n++] = (unsigned char)tag;
        put_varint(b, zigzag((int64_t)r->start - pstart));
        if (tag & T_LEN) put_varint(b, (uint64_t)(uint32_t)r->len);
        if (tag & T_BATCH) put_varint(b, zigzag(r->batch - pbatch));
        if (tag & T_VALUE) put_double(b, r->value);
        if (tag & T_NUM) put_double(b, r->numerator);
        if (tag & T_DEN) put_double(b, r->denominator);
        if (tag & T_FLAGS) put_varint(b, (uint64_t)r->flags);
        pstart = r->start;
        plen = r->len;
        pbatch = r->batch;
    }
    return 0;
}

static int get_varint(pmf_pack_iter *it, uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64 && it->p < it->end; shift += 7) {
        unsigned char c = *it->p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static int get_double(pmf_pack_iter *it, double *d) {
    if (it->end - it->p < 8) return -1;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u |= (uint64_t)it->p[i] << (8 * i);
    it->p += 8;
    memcpy(d, &u, sizeof *d);
    return 0;
}

pmf_pack_iter pmf_pack_begin(const void *blob, size_t n) {
    pmf_pack_iter it = {0};
    it.len = 1;
    uint64_t count = 0;
    if (!blob || n < 3) {
        it.bad = 1;
        return it;
    }
    it.p = blob;
    it.end = it.p + n;
    if (it.p[0] != PACK_MAGIC || it.p[1] != PACK_VERSION) {
        it.bad = 1;
        return it;
    }
    it.p += 2;
    if (get_varint(&it, &count) != 0 || count > n) it.bad = 1;
    it.left = count;
    return it;
}

int pmf_pack_next(pmf_pack_iter *it, pmf_pack_row *r) {
    if (it->bad) return -1;
    if (it->left == 0) return it->p == it->end ? 0 : (it->bad = 1, -1);
    if (it->p >= it->end) return it->bad = 1, -1;
    int tag = *it->p++;
    uint64_t u;
    if (tag & ~63 || get_varint(it, &u) != 0) return it->bad = 1, -1;
    int64_t start = it->start + unzigzag(u);
    if (tag & T_LEN) {
        if (get_varint(it, &u) != 0 || u > INT32_MAX) return it->bad = 1, -1;
        it->len = (int32_t)u;
    }
    if (tag & T_BATCH) {
        if (get_varint(it, &u) != 0) return it->bad = 1, -1;
        it->batch += unzigzag(u);
    }
    if (start < INT32_MIN || start > INT32_MAX) return it->bad = 1, -1;
    it->start = (int32_t)start;
    r->start = it->start;
    r->len = it->len;
    r->batch = it->batch;
    r->value = r->numerator = r->denominator = NAN;
    r->flags = 0;
    if (((tag & T_VALUE) && get_double(it, &r->value) != 0) ||
        ((tag & T_NUM) && get_double(it, &r->numerator) != 0) ||
        ((tag & T_DEN) && get_double(it, &r->denominator) != 0))
        return it->bad = 1, -1;
    if (tag & T_FLAGS) {
        if (get_varint(it, &u) != 0) return it->bad = 1, -1;
        r->flags = (int64_t)u;
    }
    it->left--;
    return 1;
}

/* ---- packs from rows ----------------------------------------------------------------- */

typedef struct {
    sqlite3_stmt *rows, *put, *drop, *undirty, *get, *dirty;
    pmf_pack_row *buf, *old;
    size_t cap, oldcap;
    bytes enc;
    const char *error;
} packer;

static const char *const packer_sql[] = {
    "SELECT start, len, batch, value, numerator, denominator, flags FROM observation"
    " WHERE metric = ?1 AND area = ?2 AND breakdown = ?3 ORDER BY start, len, batch",
    "INSERT OR REPLACE INTO series_pack(metric, area, breakdown, data) VALUES (?1, ?2, ?3, ?4)",
    "DELETE FROM series_pack WHERE metric = ?1 AND area = ?2 AND breakdown = ?3",
    "DELETE FROM series_dirty WHERE metric = ?1 AND area = ?2 AND breakdown = ?3",
    "SELECT data FROM series_pack WHERE metric = ?1 AND area = ?2 AND breakdown = ?3",
    "SELECT 1 FROM series_dirty WHERE metric = ?1 AND area = ?2 AND breakdown = ?3",
};

static int packer_open(packer *k, sqlite3 *db) {
    sqlite3_stmt **st[] = {&k->rows, &k->put, &k->drop, &k->undirty, &k->get, &k->dirty};
    memset(k, 0, sizeof *k);
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        if (sqlite3_prepare_v3(db, packer_sql[i], -1, SQLITE_PREPARE_PERSISTENT, st[i], NULL) !=
            SQLITE_OK)
            return -1;
    return 0;
}

static void packer_close(packer *k) {
    sqlite3_finalize(k->rows);
    sqlite3_finalize(k->put);
    sqlite3_finalize(k->drop);
    sqlite3_finalize(k->undirty);
    sqlite3_finalize(k->get);
    sqlite3_finalize(k->dirty);
    free(k->buf);
    free(k->old);
    free(k->enc.p);
}

static void bind_key(sqlite3_stmt *st, int64_t metric, int64_t area, const char *bd, size_t bdlen) {
    sqlite3_bind_int64(st, 1, metric);
    sqlite3_bind_int64(st, 2, area);
    sqlite3_bind_text(st, 3, bd, (int)bdlen, SQLITE_STATIC);
}

/* Run a keyed write statement (put, drop, undirty).  0 or -1. */
static int run(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int grow(pmf_pack_row **a, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 128;
    while (nc < need) nc *= 2;
    pmf_pack_row *na = realloc(*a, nc * sizeof *na);
    if (!na) return -1;
    *a = na;
    *cap = nc;
    return 0;
}

/* Write the pack of rows[0..n) for the key (no rows: no pack).  0 or -1. */
static int write_pack(packer *k, int64_t metric, int64_t area, const char *bd, size_t bdlen,
                      const pmf_pack_row *rows, size_t n) {
    if (n == 0) {
        bind_key(k->drop, metric, area, bd, bdlen);
        return run(k->drop);
    }
    if (encode(&k->enc, rows, n) != 0) {
        k->error = "out of memory";
        return -1;
    }
    bind_key(k->put, metric, area, bd, bdlen);
    sqlite3_bind_blob(k->put, 4, k->enc.p, (int)k->enc.n, SQLITE_STATIC);
    return run(k->put);
}

/* Rebuild one series' pack from its rows and take it off the dirty list.  0 or -1. */
static int pack_from_rows(packer *k, int64_t metric, int64_t area, const char *bd, size_t bdlen) {
    size_t n = 0;
    int rc;
    bind_key(k->rows, metric, area, bd, bdlen);
    while ((rc = sqlite3_step(k->rows)) == SQLITE_ROW) {
        if (grow(&k->buf, &k->cap, n + 1) != 0) {
            sqlite3_reset(k->rows);
            k->error = "out of memory";
            return -1;
        }
        pmf_pack_row *r = &k->buf[n++];
        r->start = sqlite3_column_int(k->rows, 0);
        r->len = sqlite3_column_int(k->rows, 1);
        r->batch = sqlite3_column_int64(k->rows, 2);
        r->value = pmf_column_double(k->rows, 3);
        r->numerator = pmf_column_double(k->rows, 4);
        r->denominator = pmf_column_double(k->rows, 5);
        r->flags = sqlite3_column_int64(k->rows, 6);
    }
    sqlite3_reset(k->rows);
    sqlite3_clear_bindings(k->rows);
    if (rc != SQLITE_DONE) return -1;
    if (write_pack(k, metric, area, bd, bdlen, k->buf, n) != 0) return -1;
    bind_key(k->undirty, metric, area, bd, bdlen);
    return run(k->undirty);
}

/* Run `sql` (BEGIN / SAVEPOINT, COMMIT / RELEASE, ...). */
static int exec(sqlite3 *db, const char *sql) {
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int pmf_store_repack(pmf_store *s) {
    sqlite3 *db = pmf_store_db(s);
    sqlite3_stmt *list = NULL;
    packer k;
    int out = -1, own = sqlite3_get_autocommit(db);
    /* the list is read a slice at a time: its rows are deleted as their packs are made (a
     * key whose breakdown is not text, which only a raw write could store, is left listed:
     * bound back as text it would never match, and the slices would not end) */
    if (sqlite3_prepare_v2(db, "SELECT metric, area, breakdown FROM series_dirty"
                           " WHERE typeof(breakdown) = 'text' LIMIT 256", -1, &list,
                           NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(list);
    if (rc != SQLITE_ROW) {               /* nothing dirty: the common case, one seek */
        sqlite3_finalize(list);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_reset(list);
    if (packer_open(&k, db) != 0 ||
        exec(db, own ? "BEGIN IMMEDIATE" : "SAVEPOINT pmf_repack") != 0)
        goto done;
    typedef struct { int64_t metric, area; char *bd; int bdlen; } key;
    key keys[256];
    for (;;) {
        int nk = 0;
        while (nk < 256 && (rc = sqlite3_step(list)) == SQLITE_ROW) {
            keys[nk].metric = sqlite3_column_int64(list, 0);
            keys[nk].area = sqlite3_column_int64(list, 1);
            keys[nk].bdlen = sqlite3_column_bytes(list, 2);
            keys[nk].bd = malloc((size_t)keys[nk].bdlen + 1);
            if (!keys[nk].bd) {
                rc = SQLITE_NOMEM;
                break;
            }
            memcpy(keys[nk].bd, sqlite3_column_blob(list, 2) ? sqlite3_column_blob(list, 2) : "",
                   (size_t)keys[nk].bdlen);
            nk++;
        }
        sqlite3_reset(list);
        int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
        for (int i = 0; i < nk; i++) {
            if (ok && pack_from_rows(&k, keys[i].metric, keys[i].area, keys[i].bd,
                                     (size_t)keys[i].bdlen) != 0)
                ok = 0;
            free(keys[i].bd);
        }
        if (!ok) break;
        if (nk < 256) {
            out = 0;
            break;
        }
    }
    if (out == 0) out = exec(db, own ? "COMMIT" : "RELEASE pmf_repack");
    if (out != 0) exec(db, own ? "ROLLBACK" : "ROLLBACK TO pmf_repack; RELEASE pmf_repack");
done:
    sqlite3_finalize(list);
    packer_close(&k);
    return out;
}

int pmf_store_mark_dirty(pmf_store *s, int64_t batch) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(pmf_store_db(s), "INSERT OR IGNORE INTO series_dirty SELECT DISTINCT"
                           " metric, area, breakdown FROM observation WHERE batch = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, batch);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- the importer's log ------------------------------------------------------------- */

/* One row written (56 bytes: the log's batch is the importer's one batch, kept once). */
typedef struct {
    int64_t metric, area;
    uint32_t bd;                  /* index into the log's breakdowns */
    int32_t start, len;
    int32_t flags;
    double value, numerator, denominator;
} logged;

typedef struct {
    char *s;
    size_t len;
} bdstr;

struct pmf_packlog {
    pmf_store *store;
    int64_t batch;                /* every row logged belongs to it */
    packer k;
    logged *rows;
    size_t n, cap;
    bdstr *bds;                   /* the breakdowns seen ("" first) */
    size_t nbds, capbds;
    uint32_t lastbd;
    const char *error;
};

pmf_packlog *pmf_packlog_new(pmf_store *s, int64_t batch) {
    pmf_packlog *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->store = s;
    l->batch = batch;
    if (packer_open(&l->k, pmf_store_db(s)) != 0) {
        pmf_packlog_free(l);
        return NULL;
    }
    return l;
}

void pmf_packlog_free(pmf_packlog *l) {
    if (!l) return;
    packer_close(&l->k);
    for (size_t i = 0; i < l->nbds; i++) free(l->bds[i].s);
    free(l->bds);
    free(l->rows);
    free(l);
}

const char *pmf_packlog_error(const pmf_packlog *l) {
    return l->error ? l->error : l->k.error ? l->k.error : sqlite3_errmsg(pmf_store_db(l->store));
}

/* The index of breakdown bd (added when new); UINT32_MAX when out of memory.  Imports have
 * few breakdowns, mostly "": the last one used is tried first, then a linear search. */
static uint32_t bd_index(pmf_packlog *l, const char *bd, size_t len) {
    if (l->lastbd < l->nbds && l->bds[l->lastbd].len == len &&
        (len == 0 || memcmp(l->bds[l->lastbd].s, bd, len) == 0))
        return l->lastbd;
    for (size_t i = 0; i < l->nbds; i++)
        if (l->bds[i].len == len && (len == 0 || memcmp(l->bds[i].s, bd, len) == 0))
            return l->lastbd = (uint32_t)i;
    if (l->nbds == l->capbds) {
        size_t nc = l->capbds ? l->capbds * 2 : 8;
        bdstr *nb = realloc(l->bds, nc * sizeof *nb);
        if (!nb) return UINT32_MAX;
        l->bds = nb;
        l->capbds = nc;
    }
    char *c = malloc(len + 1);
    if (!c) return UINT32_MAX;
    if (len) memcpy(c, bd, len);
    c[len] = '\0';
    l->bds[l->nbds].s = c;
    l->bds[l->nbds].len = len;
    return l->lastbd = (uint32_t)l->nbds++;
}

int pmf_packlog_add(pmf_packlog *l, int64_t metric, int64_t area, const char *bd, size_t bdlen,
                    int32_t start, int32_t len, double value, double numerator,
                    double denominator, int32_t flags) {
    uint32_t b = bd_index(l, bd ? bd : "", bd ? bdlen : 0);
    if (b == UINT32_MAX) return -1;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4096;
        logged *nr = realloc(l->rows, nc * sizeof *nr);
        if (!nr) return -1;
        l->rows = nr;
        l->cap = nc;
    }
    logged *e = &l->rows[l->n++];
    e->metric = metric;
    e->area = area;
    e->bd = b;
    e->start = start;
    e->len = len;
    e->flags = flags;
    e->value = value;
    e->numerator = numerator;
    e->denominator = denominator;
    return 0;
}

int pmf_packlog_full(const pmf_packlog *l) { return l->n >= PACKLOG_MAX; }
size_t pmf_packlog_mark(const pmf_packlog *l) { return l->n; }
void pmf_packlog_undo(pmf_packlog *l, size_t mark) {
    if (mark < l->n) l->n = mark;
}

/* Order: the series (metric, area, breakdown index), then the row key (start, len, batch). */
static int cmp_logged(const logged *a, const logged *b) {
    if (a->metric != b->metric) return a->metric < b->metric ? -1 : 1;
    if (a->area != b->area) return a->area < b->area ? -1 : 1;
    if (a->bd != b->bd) return a->bd < b->bd ? -1 : 1;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return 0;
}

static int qcmp_logged(const void *a, const void *b) { return cmp_logged(a, b); }

static int row_before(const pmf_pack_row *a, const pmf_pack_row *b) {
    if (a->start != b->start) return a->start < b->start;
    if (a->len != b->len) return a->len < b->len;
    return a->batch < b->batch;
}

/* Merge one series' logged rows (sorted) into its pack.  0 or -1. */
static int merge_series(pmf_packlog *l, const logged *g, size_t ng) {
    packer *k = &l->k;
    const bdstr *bd = &l->bds[g[0].bd];
    int64_t metric = g[0].metric, area = g[0].area;
    size_t nold = 0;
    int rc;
    bind_key(k->get, metric, area, bd->s, bd->len);
    rc = sqlite3_step(k->get);
    if (rc == SQLITE_ROW) {
        pmf_pack_iter it = pmf_pack_begin(sqlite3_column_blob(k->get, 0),
                                          (size_t)sqlite3_column_bytes(k->get, 0));
        pmf_pack_row r;
        int d;
        while ((d = pmf_pack_next(&it, &r)) == 1) {
            if (grow(&k->old, &k->oldcap, nold + 1) != 0) {
                d = -2;
                break;
            }
            k->old[nold++] = r;
        }
        sqlite3_reset(k->get);
        sqlite3_clear_bindings(k->get);
        if (d == -2) {
            l->error = "out of memory";
            return -1;
        }
        if (d < 0) return pack_from_rows(k, metric, area, bd->s, bd->len);   /* damaged */
    } else {
        sqlite3_reset(k->get);
        sqlite3_clear_bindings(k->get);
        if (rc != SQLITE_DONE) return -1;
        bind_key(k->dirty, metric, area, bd->s, bd->len);
        rc = sqlite3_step(k->dirty);
        sqlite3_reset(k->dirty);
        sqlite3_clear_bindings(k->dirty);
        if (rc == SQLITE_ROW) return pack_from_rows(k, metric, area, bd->s, bd->len);
        if (rc != SQLITE_DONE) return -1;
    }
    /* the old pack's rows and the log's, both sorted, merged */
    if (grow(&k->buf, &k->cap, nold + ng) != 0) {
        l->error = "out of memory";
        return -1;
    }
    size_t i = 0, j = 0, n = 0;
    while (i < nold || j < ng) {
        pmf_pack_row r = {0, 0, l->batch, 0, 0, 0, 0};
        if (j < ng) {
            r.start = g[j].start;
            r.len = g[j].len;
            r.value = g[j].value;
            r.numerator = g[j].numerator;
            r.denominator = g[j].denominator;
            r.flags = g[j].flags;
        }
        if (j < ng && i < nold && k->old[i].start == r.start && k->old[i].len == r.len &&
            k->old[i].batch == r.batch) {
            /* packed already: an earlier run of this flush packed the series from its rows
             * (it was dirty, or its pack damaged), these among them */
            k->buf[n++] = k->old[i++];
            j++;
        } else if (j == ng || (i < nold && row_before(&k->old[i], &r))) {
            k->buf[n++] = k->old[i++];
        } else {
            k->buf[n++] = r;
            j++;
        }
    }
    return write_pack(k, metric, area, bd->s, bd->len, k->buf, n);
}

static int same_series(const logged *a, const logged *b) {
    return a->metric == b->metric && a->area == b->area && a->bd == b->bd;
}

/* The log is merged run by run: a run is a stretch of one series' rows.  Files are mostly
 * in series order (in any order of series: codes do not sort as ids do), so each series is
 * one run, sorted within, and nothing needs sorting; a series met again in a later run is
 * merged into the pack its first run wrote.  A log of many short runs (a file in period
 * order) is sorted whole first, so that each series is merged once. */
int pmf_packlog_flush(pmf_packlog *l) {
    l->error = l->k.error = NULL;
    size_t runs = 0;
    for (size_t i = 0; i < l->n; i++)
        if (i == 0 || !same_series(&l->rows[i - 1], &l->rows[i])) runs++;
    if (runs * 8 > l->n) qsort(l->rows, l->n, sizeof *l->rows, qcmp_logged);
    for (size_t i = 0; i < l->n;) {
        size_t j = i + 1;
        int sorted = 1;
        for (; j < l->n && same_series(&l->rows[j], &l->rows[i]); j++)
            if (sorted && cmp_logged(&l->rows[j - 1], &l->rows[j]) >= 0) sorted = 0;
        if (!sorted) qsort(&l->rows[i], j - i, sizeof *l->rows, qcmp_logged);
        if (merge_series(l, &l->rows[i], j - i) != 0) return -1;
        i = j;
    }
    l->n = 0;
    return 0;
}
