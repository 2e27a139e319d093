/*
 * core/store_pack.h: packed series, the store's fast copy of its figures (store_pack.c).
 *
 * WHY.  Rating reads a window of every comparator's series for every KPI, period after
 * period: one range scan of the observation table per series, every row costing SQLite's
 * per-row work (some 200 ns) however few columns are read.  A series' rows are also kept,
 * in the same key order, as one blob (series_pack: metric, area, breakdown -> data), read
 * with one seek and decoded at memory speed.  The rows stay the truth: a pack holds every
 * stored version of every span (batch included), so the one rule for the version in force
 * (store.h pmf_batch_rank) is applied to a pack's entries exactly as to rows, and an as-of
 * view reads a pack as it reads rows.
 *
 * KEPT IN STEP (the invariant): every series with rows has a pack or is listed in
 * series_dirty; a pack that exists holds exactly its series' rows.
 *   - Triggers on observation (INSERT, UPDATE, DELETE: any writer, this process or another,
 *     pmf or the sqlite3 shell) delete the series' pack and list it in series_dirty.
 *   - pmf_store_repack rebuilds the listed series' packs from their rows (the store calls
 *     it when a store:transaction or an autocommit store:exec ends, at the end of every
 *     import, and on opening a store migrated from before packs).
 *   - The C importer turns the triggers off on its own connection for its life
 *     (pmf_store_triggers_off), logs each row it writes (pmf_packlog) and merges them into
 *     the packs at row boundaries and before it commits: a bulk load pays no per-row
 *     trigger.  While the triggers are off, any other write to observation on that
 *     connection is refused (an authorizer), so nothing slips past both.
 * A reader (store_read.c) uses a series' pack when there is one and its rows otherwise, so
 * a dirty series reads correctly, only slower.
 *
 * THE FORMAT (version 1).  Byte 0 'P', byte 1 the format version, then a varint count, then
 * the entries in (start, len, batch) order, each: a tag byte (1 value present, 2 numerator,
 * 4 denominator, 8 flags non-zero, 16 len differs from the previous entry's, 32 batch
 * differs), start as a zigzag varint delta from the previous entry's (0 before the first),
 * len as a varint (tag 16; else the previous len, 1 before the first), batch as a zigzag
 * varint delta (tag 32; previous 0), value, numerator, denominator as 8 little-endian
 * bytes each when present, flags as a varint (tag 8).  A monthly figure costs 10 bytes.
 * A blob that does not decode is treated as no pack (the rows are read).
 */
#ifndef PMF_STORE_PACK_H
#define PMF_STORE_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One stored row of a series, as packed (NaN for NULL). */
typedef struct pmf_pack_row {
    int32_t start, len;
    int64_t batch;
    double value, numerator, denominator;
    int64_t flags;
} pmf_pack_row;

/* Decoding: it = pmf_pack_begin(blob, bytes); while (pmf_pack_next(&it, &row) == 1) ...
 * pmf_pack_next gives 1 (a row), 0 (the end) or -1 (the blob is damaged). */
typedef struct pmf_pack_iter {
    const unsigned char *p, *end;
    uint64_t left;
    int32_t start, len;
    int64_t batch;
    int bad;
} pmf_pack_iter;
pmf_pack_iter pmf_pack_begin(const void *blob, size_t bytes);
int pmf_pack_next(pmf_pack_iter *it, pmf_pack_row *row);

/* Rebuild the packs of every series listed in series_dirty from their rows, and clear the
 * list.  Runs in the caller's transaction (in a savepoint of its own), or its own.  0, or -1
 * (sqlite3_errmsg, or out of memory) with nothing changed: the series stay listed and are
 * read from their rows, so its callers (store:exec, store:transaction, an import's end)
 * never fail a write over it. */
int pmf_store_repack(pmf_store *s);

/* List every series with a row in `batch` as dirty (for a writer that held the triggers off
 * without packing: the bench's raw insert).  0 or -1. */
int pmf_store_mark_dirty(pmf_store *s, int64_t batch);

/* The importer's hold on the triggers (store.c): off for this connection, with an
 * authorizer refusing every other statement that writes observation, until the last hold
 * is let go.  pmf_store_own_write(s, 1) around the importer's own INSERT steps (SQLite
 * may prepare it again at any step).  0 or -1. */
int pmf_store_triggers_off(pmf_store *s);
void pmf_store_triggers_on(pmf_store *s);
void pmf_store_own_write(pmf_store *s, int on);
/* 0 while an importer holds the triggers off: its rows written so far are in the table but
 * not yet in the packs, so readers on this connection read rows (store_read.c); else 1. */
int pmf_store_packs_current(const pmf_store *s);

/* The C importer's log of the rows it writes while the triggers are off (store_pack.c). */
typedef struct pmf_packlog pmf_packlog;
pmf_packlog *pmf_packlog_new(pmf_store *s, int64_t batch);   /* the rows' one batch */
void pmf_packlog_free(pmf_packlog *l);                   /* NULL-safe */
/* Log one row written to observation (NaN for NULL).  0, or -1 out of memory. */
int pmf_packlog_add(pmf_packlog *l, int64_t metric, int64_t area, const char *breakdown,
                    size_t bdlen, int32_t start, int32_t len, double value, double numerator,
                    double denominator, int32_t flags);
/* Full enough to be merged (at the next row boundary). */
int pmf_packlog_full(const pmf_packlog *l);
/* A mark, and undoing the rows logged since it (a row refused alone under --skip-bad). */
size_t pmf_packlog_mark(const pmf_packlog *l);
void pmf_packlog_undo(pmf_packlog *l, size_t mark);
/* Merge the logged rows into their series' packs, in the caller's transaction, and empty
 * the log.  0, or -1 (sqlite3_errmsg, or "out of memory" from pmf_packlog_error). */
int pmf_packlog_flush(pmf_packlog *l);
const char *pmf_packlog_error(const pmf_packlog *l);

#endif
