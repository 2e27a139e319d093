/*
 * core/limport_tools.c: pmf.importer's functions beside the importer itself (the importer,
 * its options and its summary are core/limport.c; they share core/limport.h).
 *
 * Owns: importer.breakdown and importer.parse_flags and importer.text_check (the one
 * normaliser and the importer's own checks, for store:observe and the other importable
 * kinds), importer.rows (a CSV file's rows streamed for lua/pmf/import_rows.lua), and the
 * bench's importer.peak_rss and importer.raw_insert (the physical limit an import is
 * measured against: pre-computed rows through one prepared INSERT).  The error contract is
 * core/limport.c's: misuse raises, an expected failure returns nil, message.
 */
#include "breakdown.h"
#include "import.h"
#include "limport.h"
#include "store_pack.h"
#include "lstore.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* importer.breakdown(store, metric_id, area_id, s) -> the breakdown as stored | nil,
 * message.  The one normaliser (core/breakdown.h), with the spelling already stored for the
 * metric in that area. */
int importer_breakdown(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    lua_Integer metric = luaL_checkinteger(L, 2), area = luaL_checkinteger(L, 3);
    size_t len, outlen = 0, at = 0;
    const char *in = luaL_checklstring(L, 4, &len);
    const char *why = "";
    char *out = lua_newuserdatauv(L, len + 1, 0);
    if (pmf_breakdown_canonical(s, (int64_t)metric, (int64_t)area, in, len, out, &outlen, &at,
                                &why) != 0) {
        luaL_pushfail(L);
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, "breakdown '");
        for (size_t i = 0; i < len; i++) {   /* as given, NUL and control bytes as \xNN */
            unsigned char c = (unsigned char)in[i];
            if (c < 0x20 || c == 0x7f) {
                char hex[8];
                snprintf(hex, sizeof hex, "\\x%02X", c);
                luaL_addstring(&b, hex);
            } else {
                luaL_addchar(&b, (char)c);
            }
        }
        luaL_addstring(&b, "' ");
        luaL_addstring(&b, why);
        luaL_pushresult(&b);
        return 2;
    }
    lua_pushlstring(L, out, outlen);
    return 1;
}

/* importer.parse_flags(s) -> bits | nil, message */
int importer_parse_flags(lua_State *L) {
    size_t len, at = 0, n = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    int bits = pmf_import_parse_flags(s, len, &at, &n);
    if (bits < 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "unknown flag '%s' (" PMF_FLAG_WORDS ")",
                        lua_pushlstring(L, s + at, n));
        return 2;
    }
    lua_pushinteger(L, bits);
    return 1;
}

/* importer.peak_rss() -> KiB (getrusage's ru_maxrss, the high-water mark) */
int importer_peak_rss(lua_State *L) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return luaL_error(L, "getrusage failed");
    lua_pushinteger(L, (lua_Integer)ru.ru_maxrss);
    return 1;
}

/* The benchmark's value for (metric index, area index, month index): the same formula as
 * tests/bench/bench_import.lua writes into its CSV. */
static double bench_value(lua_Integer m, lua_Integer a, lua_Integer t) {
    return (double)((m * 7919 + a * 104729 + t * 31) % 100000) / 4.0;
}

static int64_t *int_array(lua_State *L, int idx, lua_Integer *n) {
    luaL_checktype(L, idx, LUA_TTABLE);
    *n = luaL_len(L, idx);
    int64_t *a = lua_newuserdatauv(L, (size_t)(*n ? *n : 1) * sizeof *a, 0);
    for (lua_Integer i = 0; i < *n; i++) {
        lua_geti(L, idx, i + 1);
        a[i] = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
    }
    return a;
}

/* importer.raw_insert(store, metric_ids, area_ids, start, nmonths) -> seconds, rows.
 * Pre-computes every row in memory, then times BEGIN IMMEDIATE, a batch, one prepared
 * INSERT per row into the observation table, COMMIT: the physical limit an import is
 * measured against. */
int importer_raw_insert(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    pmf_checkwritable(L, 1);
    lua_Integer nm, na;
    int64_t *metrics = int_array(L, 2, &nm);
    int64_t *areas = int_array(L, 3, &na);
    lua_Integer start = luaL_checkinteger(L, 4), nmonths = luaL_checkinteger(L, 5);
    luaL_argcheck(L, nmonths > 0 && nm * na * nmonths < 100000000, 5, "too many rows");
    size_t nrows = (size_t)(nm * na * nmonths);
    typedef struct { int64_t metric, area; int32_t start; double value; } raw_row;
    raw_row *rows = lua_newuserdatauv(L, nrows * sizeof *rows, 0);
    size_t k = 0;
    for (lua_Integer m = 0; m < nm; m++)
        for (lua_Integer a = 0; a < na; a++)
            for (lua_Integer t = 0; t < nmonths; t++, k++) {
                rows[k].metric = metrics[m];
                rows[k].area = areas[a];
                rows[k].start = (int32_t)(start + t);
                rows[k].value = bench_value(m, a, t);
            }
    sqlite3 *db = pmf_store_db(s);
    sqlite3_stmt *st = NULL;
    /* the physical limit is the rows alone: no trigger, no pack (store_pack.h).  The series
     * written are listed dirty afterwards, outside the time, so the store stays in step. */
    if (pmf_store_triggers_off(s) != 0) return luaL_error(L, "raw_insert: %s", sqlite3_errmsg(db));
    pmf_store_own_write(s, 1);
    double t0 = pmf_limport_now();
    if (pmf_store_begin(s) != SQLITE_OK) {
        pmf_store_own_write(s, 0);
        pmf_store_triggers_on(s);
        return luaL_error(L, "raw_insert: %s", sqlite3_errmsg(db));
    }
    int64_t batch = pmf_store_new_batch(s, "import", NULL, NULL, "raw", NULL);
    if (batch < 0 ||
        sqlite3_prepare_v2(db, "INSERT INTO observation(metric, area, breakdown, start, len,"
                               " batch, value, numerator, denominator, flags, source) VALUES"
                               " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st, NULL) != SQLITE_OK) {
        pmf_store_rollback(s);
        pmf_store_own_write(s, 0);
        pmf_store_triggers_on(s);
        return luaL_error(L, "raw_insert: %s", sqlite3_errmsg(db));
    }
    sqlite3_bind_text(st, 3, "", 0, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, 1);
    sqlite3_bind_int64(st, 6, batch);
    sqlite3_bind_int(st, 10, 0);
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < nrows && rc == SQLITE_DONE; i++) {
        sqlite3_bind_int64(st, 1, rows[i].metric);
        sqlite3_bind_int64(st, 2, rows[i].area);
        sqlite3_bind_int(st, 4, rows[i].start);
        sqlite3_bind_double(st, 7, rows[i].value);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    pmf_store_own_write(s, 0);
    double t1 = pmf_limport_now();
    if (rc == SQLITE_DONE && pmf_store_mark_dirty(s, batch) != 0) rc = SQLITE_ERROR;
    double t2 = pmf_limport_now();
    pmf_store_triggers_on(s);
    if (rc != SQLITE_DONE || pmf_store_commit(s) != SQLITE_OK) {
        lua_pushfstring(L, "raw_insert: %s", sqlite3_errmsg(db));
        pmf_store_rollback(s);
        return lua_error(L);
    }
    lua_pushnumber(L, pmf_limport_now() - t0 - (t2 - t1));
    lua_pushinteger(L, (lua_Integer)nrows);
    return 2;
}

/* ---- a CSV row source for Lua (the importables: targets, commentary, actions, risks) ---- */

typedef struct {
    pmf_csv *c;
} lrows;

/* importer.rows(path) -> Rows | nil, message: a CSV file's rows, streamed ("-" is stdin).
 * rows:next() -> line, {field, ...} | nil at the end | raises "NAME:LINE: ..." for bad CSV;
 * rows:close().  Fields are strings as given (checking them is the caller's). */
int importer_rows(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    size_t errlen = strlen(path) + 1024;
    char *err = lua_newuserdatauv(L, errlen, 0);
    lrows *r = lua_newuserdatauv(L, sizeof *r, 0);
    r->c = NULL;
    luaL_setmetatable(L, PMF_ROWS_MT);
    r->c = strcmp(path, "-") == 0 ? pmf_csv_open_fd(0, "<stdin>", err, errlen)
                                  : pmf_csv_open(path, err, errlen);
    if (!r->c) {
        luaL_pushfail(L);
        lua_pushstring(L, err);
        return 2;
    }
    return 1;
}

int rows_next(lua_State *L) {
    lrows *r = luaL_checkudata(L, 1, PMF_ROWS_MT);
    if (!r->c) return 0;
    int rc = pmf_csv_next(r->c);
    if (rc == 0) return 0;
    if (rc < 0) return luaL_error(L, "%s", pmf_csv_error(r->c));
    lua_pushinteger(L, pmf_csv_line(r->c));
    pmf_limport_push_fields(L, pmf_csv_fields(r->c), pmf_csv_nfields(r->c));
    return 2;
}

int rows_close(lua_State *L) {
    lrows *r = luaL_checkudata(L, 1, PMF_ROWS_MT);
    pmf_csv_close(r->c);
    r->c = NULL;
    return 0;
}

/* importer.text_check(s) -> nil when s is UTF-8 without NUL bytes | byte, why: the one
 * check (core/breakdown.h) that every imported text field goes through. */
int importer_text_check(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *why = NULL;
    size_t at = pmf_text_check(s, len, &why);
    if (at == len) return 0;
    lua_pushinteger(L, (lua_Integer)at + 1);
    lua_pushstring(L, why ? why : "invalid text");
    return 2;
}
