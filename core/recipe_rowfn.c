/*
 * core/recipe_rowfn.c: a recipe's Lua row function (the odd case, `row(function(r) ...)`),
 * run for each figure after the recipe's words, and the row r it is handed.
 *
 * The row function (spec.row) is run as core/recipe.h's row hook: for each figure,
 * row(r) under the sandbox's limits (pmf_sandbox_pcall: the same limits as
 * pmf.sandbox.run(row, row_opts, r), read once per import when the header is bound, so a
 * row pays for the call alone), and the whole import's row-function time and instructions
 * come off ONE budget (row_opts.budget).  A limit reached stops the import (-2); any other
 * error refuses the row with the function's own file:line message.
 *
 * The row's contract (README, "The row function"): r reads as a table holding the row's
 * columns by header name (text) and the derived fields metric, area, period, value, ...
 * (nil when absent; a field wins over a column of its name).  Design decision: build only
 * what the function reads.  r is ONE empty proxy table per import whose metamethods (C
 * closures over a rowcell) do the work:
 *   __index     makes a column's or a field's Lua string when it is read, from the
 *               importer's texts of the figure being called (nothing is made for a field
 *               the function never reads; a proxy read outside its call gives nil);
 *   __newindex  records the write in a table W (a nil as a marker, so that r.x = nil
 *               clears a field even after a write to it), read before the texts;
 *   __pairs     iterates the row as a plain table would hold it, writes applied;
 *   __metatable protected.  next(r) and rawget see an empty table: iterate with pairs.
 * What the function returns is read back: r itself -> only the fields it wrote (the others
 * are the importer's texts as they were); another table -> every field, as it holds them;
 * nil -> skip; anything else refuses the row.  Numbers become their text (stored back so
 * that the text lives until the next row).  W is emptied before the next row, so nothing
 * written carries over.  The Lua values the hook needs are registry references released by
 * the recipe's __gc (pmf_lrowfn_release); the lua_State is the one importing
 * (pmf_lrecipe_opt notes it).
 */
#include "recipe_lua.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#define NF PMF_IMPORT_NCOLS

/* The row the function sees: the state behind the proxy's metamethods, a userdata made once
 * per import (when the header is bound) and held by the metamethods as their upvalue, so a
 * proxy kept by the function past its import reads nil, never freed memory.  User values:
 * 1 the writes table W (name -> value; NILMARK for a field set to nil), 2 the names table
 * (1..NF the fields' names, then the columns'), which keeps key[]'s strings alive. */
struct rowcell {
    const pmf_csv_field *row, *f;   /* the figure being called (NULL outside a call) */
    size_t n;                       /* fields in row */
    int dirty;                      /* W holds something */
    unsigned wrote;                 /* fields written (bit k: field k) */
    size_t nkeys;                   /* NF + the header's columns */
    struct { const char *s; size_t len; int hidden; } key[];   /* the fields' names, then the
                                    columns' (hidden: named as a field or an earlier column) */
};
typedef struct rowcell rowcell;

static const char NILMARK = 'n';   /* its address, a light userdata: "set to nil" in W */

/* The slot a key names: 0..NF-1 a field, NF.. a column (NF + its index), -1 none.  Short
 * strings are interned, so a key is almost always found by its address; then by its text. */
static int slot_of(const rowcell *c, lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TSTRING) return -1;
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    for (size_t i = 0; i < c->nkeys; i++)
        if (c->key[i].s == s) return (int)i;
    for (size_t i = 0; i < c->nkeys; i++)
        if (c->key[i].len == len && !memcmp(c->key[i].s, s, len)) return (int)i;
    return -1;
}

/* Push slot i's text as the importer has it now (nil: absent, or outside a call). */
static void push_slot(lua_State *L, const rowcell *c, int i) {
    const pmf_csv_field *v = !c->row || i < 0 ? NULL
                             : i < NF ? &c->f[i]
                             : (size_t)(i - NF) < c->n ? &c->row[i - NF] : NULL;
    if (v && v->s) lua_pushlstring(L, v->s, v->len);
    else if (v && i >= NF) lua_pushliteral(L, "");
    else lua_pushnil(L);
}

/* proxy[k]: what the function wrote, else the column's or field's text, made now. */
static int row_index(lua_State *L) {
    rowcell *c = lua_touserdata(L, lua_upvalueindex(1));
    if (c->dirty) {
        lua_getiuservalue(L, lua_upvalueindex(1), 1);
        lua_pushvalue(L, 2);
        if (lua_rawget(L, -2) != LUA_TNIL) {
            if (lua_touserdata(L, -1) == &NILMARK) lua_pushnil(L);
            return 1;
        }
    }
    push_slot(L, c, slot_of(c, L, 2));
    return 1;
}

/* proxy[k] = v: recorded in W (nil as NILMARK, so that it hides the text). */
static int row_newindex(lua_State *L) {
    rowcell *c = lua_touserdata(L, lua_upvalueindex(1));
    lua_settop(L, 3);
    if (lua_isnil(L, 2)) return luaL_error(L, "table index is nil");   /* as a table says it, at */
    if (lua_type(L, 2) == LUA_TNUMBER && lua_tonumber(L, 2) != lua_tonumber(L, 2))
        return luaL_error(L, "table index is NaN");                     /* the function's line */
    lua_getiuservalue(L, lua_upvalueindex(1), 1);
    lua_pushvalue(L, 2);
    if (lua_isnil(L, 3)) lua_pushlightuserdata(L, (void *)&NILMARK);
    else lua_pushvalue(L, 3);
    lua_rawset(L, -3);
    c->dirty = 1;
    int i = slot_of(c, L, 2);
    if (i >= 0 && i < NF) c->wrote |= 1u << i;
    return 0;
}

/* The value pairs gives for slot i (pushed), or nothing and 0 when the row has none. */
static int pair_value(lua_State *L, const rowcell *c, int i) {
    if (c->dirty) {
        lua_getiuservalue(L, lua_upvalueindex(1), 1);
        lua_getiuservalue(L, lua_upvalueindex(1), 2);
        lua_rawgeti(L, -1, i + 1);
        int ty = lua_rawget(L, -3);
        lua_replace(L, -3);
        lua_pop(L, 1);
        if (ty != LUA_TNIL) {
            if (lua_touserdata(L, -1) != &NILMARK) return 1;
            lua_pop(L, 1);
            return 0;
        }
        lua_pop(L, 1);
    }
    push_slot(L, c, i);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
    return 0;
}

/* The iterator pairs(proxy) returns: the slots (fields, then columns, each name once) that
 * hold something, then the other keys written.  next's contract: the key given is the last
 * one returned. */
static int row_next(lua_State *L) {
    rowcell *c = lua_touserdata(L, lua_upvalueindex(1));
    lua_settop(L, 2);
    int i = lua_isnil(L, 2) ? 0 : slot_of(c, L, 2) + 1;
    if (lua_isnil(L, 2) || i > 0) {
        for (; (size_t)i < c->nkeys; i++) {
            if (c->key[i].hidden) continue;
            lua_getiuservalue(L, lua_upvalueindex(1), 2);
            lua_rawgeti(L, -1, i + 1);   /* the name */
            if (pair_value(L, c, i)) return 2;
            lua_settop(L, 2);
        }
        lua_pushnil(L);   /* then W, from its start */
        lua_replace(L, 2);
    }
    if (!c->dirty) return 0;
    lua_getiuservalue(L, lua_upvalueindex(1), 1);
    lua_pushvalue(L, 2);
    while (lua_next(L, -2)) {
        if (slot_of(c, L, -2) < 0 && lua_touserdata(L, -1) != &NILMARK) return 2;
        lua_pop(L, 1);
    }
    return 0;
}

/* pairs(proxy): the row as a plain table would hold it (a field winning over a column of
 * its name), writes applied. */
static int row_pairs(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, row_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* The header hook: the sandbox's limits read once for the whole import (its one budget
 * starts here); the proxy, its state and its metamethods made for this header. */
static int row_header(void *ud, const char *const *names, size_t n, char *err, size_t errlen) {
    (void)err; (void)errlen;
    pmf_lrowfn *u = ud;
    lua_State *L = u->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->fn);
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->opts);
    pmf_sandbox_prepare(L, -2, -1, &u->call);   /* name and chunk: anchored by opts */
    lua_pop(L, 2);
    size_t nkeys = NF + n;
    rowcell *c = lua_newuserdatauv(L, sizeof *c + nkeys * sizeof c->key[0], 2);
    memset(c, 0, sizeof *c);
    c->nkeys = nkeys;
    int ci = lua_gettop(L);
    lua_newtable(L);
    lua_setiuservalue(L, ci, 1);   /* W */
    lua_createtable(L, (int)nkeys, 0);
    for (size_t i = 0; i < nkeys; i++) {
        const char *s = i < NF ? pmf_lrecipe_fields[i] : names[i - NF];
        lua_pushstring(L, s);
        c->key[i].s = lua_tolstring(L, -1, &c->key[i].len);   /* alive in the names table */
        c->key[i].hidden = 0;
        for (size_t j = 0; j < i; j++)
            if (c->key[j].len == c->key[i].len && !memcmp(c->key[j].s, s, c->key[i].len)) c->key[i].hidden = 1;
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setiuservalue(L, ci, 2);
    lua_newtable(L);   /* the proxy: empty, so that every read and write reaches the methods */
    lua_createtable(L, 0, 4);
    static const luaL_Reg methods[] = {
        {"__index", row_index}, {"__newindex", row_newindex}, {"__pairs", row_pairs}, {NULL, NULL}};
    lua_pushvalue(L, ci);
    luaL_setfuncs(L, methods, 1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");   /* not the function's to change */
    lua_setmetatable(L, -2);
    u->proxy = lua_topointer(L, -1);
    luaL_unref(L, LUA_REGISTRYINDEX, u->proxyref);
    u->proxyref = luaL_ref(L, LUA_REGISTRYINDEX);
    luaL_unref(L, LUA_REGISTRYINDEX, u->cellref);
    u->cellref = luaL_ref(L, LUA_REGISTRYINDEX);   /* pops the cell */
    u->cell = c;
    return 0;
}

/* Read field k of what the function returned (value on top) into f[k]; a number becomes
 * its text, stored back under key (at index key) in the table at t so that it stays alive.
 * 1, or -1 with a message in err.  Pops the value. */
static int read_field(lua_State *L, int t, int key, int k, pmf_csv_field *f, char *err,
                      size_t errlen) {
    int ty = lua_type(L, -1), rc = 1;
    if (lua_touserdata(L, -1) == &NILMARK) ty = LUA_TNIL;
    if (ty == LUA_TNUMBER) {
        lua_tolstring(L, -1, NULL);
        lua_pushvalue(L, key);
        lua_pushvalue(L, -2);
        lua_rawset(L, t);
    }
    if (ty == LUA_TNIL) {
        f[k] = (pmf_csv_field){NULL, 0};
    } else if (ty == LUA_TSTRING || ty == LUA_TNUMBER) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);   /* anchored by the table */
        f[k] = (pmf_csv_field){s, len};
    } else {
        snprintf(err, errlen, "the recipe's row function returned %s = a %s (text or a number expected)",
                 pmf_lrecipe_fields[k], luaL_typename(L, -1));
        rc = -1;
    }
    lua_pop(L, 1);
    return rc;
}

/* The row hook: the function called on the proxy under the shared budget, then what it
 * returned read back: the proxy (only the fields it wrote), another table (every field), or
 * nil (skip). */
static int row_call(void *ud, const pmf_csv_field *row, size_t n, pmf_csv_field *f, char *err,
                    size_t errlen) {
    pmf_lrowfn *u = ud;
    lua_State *L = u->L;
    rowcell *c = u->cell;
    int top = lua_gettop(L), rc = 1;
    if (!lua_checkstack(L, 12)) {
        snprintf(err, errlen, "row function: out of memory");
        return -2;
    }
    if (c->dirty) {   /* the last row's writes: forgotten */
        lua_rawgeti(L, LUA_REGISTRYINDEX, u->cellref);
        lua_getiuservalue(L, -1, 1);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            lua_pushnil(L);
            lua_rawset(L, -4);
        }
        lua_settop(L, top);
        c->dirty = 0;
        c->wrote = 0;
    }
    c->row = row;
    c->n = n;
    c->f = f;
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->fn);
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->proxyref);
    if (pmf_sandbox_pcall(L, &u->call, 1, 1) != LUA_OK) {   /* raised, or a limit reached */
        c->row = c->f = NULL;
        const char *msg = luaL_tolstring(L, -1, NULL);
        snprintf(err, errlen, u->call.tripped ? "the recipe's row function was stopped: %s" : "%s",
                 msg);
        lua_settop(L, top);
        return u->call.tripped ? -2 : -1;
    }
    int t = lua_gettop(L);
    if (lua_isnil(L, t)) {
        rc = 0;   /* skipped by the row function */
    } else if (!lua_istable(L, t)) {
        snprintf(err, errlen, "the recipe's row function must return the row (a table) or nil, not %s",
                 luaL_typename(L, t));
        rc = -1;
    } else if (lua_topointer(L, t) == u->proxy) {   /* the row: only what was written */
        if (c->wrote) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, u->cellref);
            lua_getiuservalue(L, -1, 1);
            int w = lua_gettop(L);
            for (int k = 0; k < NF && rc == 1; k++) {
                if (!(c->wrote & (1u << k))) continue;
                lua_pushlstring(L, c->key[k].s, c->key[k].len);
                lua_pushvalue(L, -1);
                lua_rawget(L, w);
                rc = read_field(L, w, w + 1, k, f, err, errlen);   /* anchored by W */
                lua_pop(L, 1);
            }
        }
    } else {   /* another table: every field, as it holds them */
        for (int k = 0; k < NF && rc == 1; k++) {
            lua_pushlstring(L, c->key[k].s, c->key[k].len);
            lua_pushvalue(L, -1);
            lua_gettable(L, t);
            rc = read_field(L, t, t + 1, k, f, err, errlen);
            lua_pop(L, 1);
        }
        lua_pushvalue(L, t);   /* the returned table holds the texts until the next row */
        lua_rawseti(L, LUA_REGISTRYINDEX, u->last);
    }
    c->row = c->f = NULL;
    lua_settop(L, top);
    return rc;
}

void pmf_lrowfn_init(pmf_lrowfn *w) {
    memset(w, 0, sizeof *w);
    w->fn = w->opts = w->cellref = w->proxyref = w->last = LUA_NOREF;
}

static int ref_field(lua_State *L, int t, const char *k, int type) {
    lua_getfield(L, t, k);
    luaL_checktype(L, -1, type);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

void pmf_lrowfn_bind(lua_State *L, pmf_lrowfn *w, int spec, pmf_recipe *r) {
    spec = lua_absindex(L, spec);
    w->L = L;
    w->fn = ref_field(L, spec, "row", LUA_TFUNCTION);
    w->opts = ref_field(L, spec, "row_opts", LUA_TTABLE);
    lua_pushboolean(L, 0);
    w->last = luaL_ref(L, LUA_REGISTRYINDEX);
    pmf_recipe_rowfn hook = {row_header, row_call, w};
    pmf_recipe_set_rowfn(r, &hook);
}

void pmf_lrowfn_release(lua_State *L, pmf_lrowfn *w) {
    int *refs[] = {&w->fn, &w->opts, &w->cellref, &w->proxyref, &w->last};
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        luaL_unref(L, LUA_REGISTRYINDEX, *refs[i]);
        *refs[i] = LUA_NOREF;
    }
    w->cell = NULL;
    w->proxy = NULL;
}
