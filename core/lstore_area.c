/*
 * lstore_area.c: store:resolve_area and pmf.core.store.area_key, the Lua face of the area
 * resolver (store_area.c), with the snapshot cache a root store keeps (lstore.h).
 *
 * Design decisions: the snapshot is loaded once and kept until another connection commits
 * (PRAGMA data_version changes) or this one changes its areas through store:area, which
 * calls store:_forget_areas; so a Lua row function can resolve every row for about two
 * microseconds.  Areas changed by raw SQL on this connection are seen after
 * store:_forget_areas().  Errors: a bad `by` or `at` raises; an unknown or ambiguous area
 * returns nil, message.
 */
#include "lstore.h"
#include "lperiod.h"

#include <lauxlib.h>
#include <string.h>

void pmf_lareas_forget(pmf_lareas *c) {
    pmf_areas_free(c->areas);
    c->areas = NULL;
}

void pmf_lareas_close(pmf_lareas *c) {
    pmf_lareas_forget(c);
    sqlite3_finalize(c->data_version);
    c->data_version = NULL;
}

/* The snapshot, loaded again when stale; raises if it cannot be loaded. */
static pmf_areas *areas_of(lua_State *L, pmf_lareas *c, pmf_store *s) {
    sqlite3 *db = pmf_store_db(s);
    int64_t stamp = -1;
    if (!c->data_version &&
        sqlite3_prepare_v3(db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
                           &c->data_version, NULL) != SQLITE_OK)
        luaL_error(L, "store error: %s", sqlite3_errmsg(db));
    if (sqlite3_step(c->data_version) == SQLITE_ROW) stamp = sqlite3_column_int64(c->data_version, 0);
    sqlite3_reset(c->data_version);
    if (!c->areas || stamp != c->stamp) {
        char err[256];
        pmf_lareas_forget(c);
        c->areas = pmf_areas_load(s, err, sizeof err);
        c->stamp = stamp;
        if (!c->areas) luaL_error(L, "%s", err);
    }
    return c->areas;
}

/* store:resolve_area(text [, {by = "any"|"code"|"name"|"la_number", at = period}])
 *   -> code, {code=, name=, kind=, matched_by=, successors = {...}, successor=, ended=}
 *    | nil, message.
 * A former code resolves to itself, with its successors and end date in the info. */
int pmf_lareas_resolve(lua_State *L, pmf_store *s, pmf_lareas *c) {
    static const char *const bys[] = {"any", "code", "name", "la_number", NULL};
    const char *text = luaL_checkstring(L, 2);
    int by = PMF_AREA_BY_ANY;
    int32_t at = -1, months = 0;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_getfield(L, 3, "by");
        if (!lua_isnil(L, -1)) by = luaL_checkoption(L, -1, NULL, bys);
        lua_getfield(L, 3, "at");
        if (!lua_isnil(L, -1)) {
            const pmf_period *p = pmf_checkperiod(L, -1, 0);
            at = p->start;
            months = p->len;
        }
        lua_pop(L, 2);
    }
    pmf_areas *areas = areas_of(L, c, s);
    pmf_area_hit hit;
    char msg[1024];
    if (pmf_area_resolve(areas, text, (pmf_area_by)by, at, months, &hit, msg, sizeof msg) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        return 2;
    }
    lua_pushstring(L, hit.code);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, hit.code), lua_setfield(L, -2, "code");
    lua_pushstring(L, hit.name), lua_setfield(L, -2, "name");
    lua_pushstring(L, hit.kind), lua_setfield(L, -2, "kind");
    lua_pushstring(L, hit.matched_by), lua_setfield(L, -2, "matched_by");
    if (*hit.ended) {
        lua_pushstring(L, hit.ended), lua_setfield(L, -2, "ended");
        lua_pushstring(L, hit.successors), lua_setfield(L, -2, "successor");
        lua_newtable(L);
        int k = 0;
        for (const char *p = hit.successors; *p;) {
            size_t n = strcspn(p, " ");
            lua_pushlstring(L, p, n);
            lua_rawseti(L, -2, ++k);
            p += n;
            while (*p == ' ') p++;
        }
        lua_setfield(L, -2, "successors");
    }
    return 2;
}

/* pmf.core.store.area_key(text) -> the key names are compared by (store_area.h) */
int pmf_lareas_key(lua_State *L) {
    char key[PMF_AREA_KEY_MAX];
    size_t n = pmf_area_key(luaL_checkstring(L, 1), key, sizeof key);
    lua_pushlstring(L, key, n);
    return 1;
}

