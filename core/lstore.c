/*
 * lstore.c: the pmf.Store userdata: open and close a store, transactions, batches and as-of
 * views, the read-only check, and the module's luaL_Reg tables and opener.  SQL for the Lua
 * library (query, columns, exec) is lstore_sql.c.
 *
 * The C side is deliberately small (as lsqlite3 is): the store's own methods for areas,
 * metrics, observations, commentary, sign-off and so on are written in Lua over `query`,
 * `exec` and `transaction` (lua/pmf/store/); the hot paths (import, series) are C files of
 * their own that take a store with pmf_checkstore.  One decision is made here for the Lua
 * side: `in_force` (which version of a figure is in force at the view's cutoff), so that the
 * rule has one statement (store.h) for C and Lua alike.
 * store:resolve_area is lstore_area.c over the root's snapshot cache.
 *
 * Ownership: a Store is created closed, then opened; `close`, `__gc` and `__close` share one
 * idempotent closer.  `store:as_of(date)` returns a view: a Store userdata that shares the
 * root's connection, keeps the root alive through its user value, never closes it, and
 * refuses writes: the C writers check it (pmf_checkwritable), and exec and query refuse
 * any statement for which sqlite3_stmt_readonly is false (each statement of a several-
 * statement exec, before it runs).  This is the only copy of the check: the Store's Lua
 * methods call it as pmf._checkwritable.  Closing the root makes its views "closed" too.
 *
 * Errors: misuse raises (a closed store, a bad argument, SQL that does not prepare); an
 * expected failure returns nil, message (a store that cannot be opened, an as-of date that
 * does not parse).  SQLite's codes never reach Lua: messages do.
 */
#include "lstore.h"
#include "store_read.h"
#include "store_pack.h"
#include "pmf_internal.h"

#include <lauxlib.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    pmf_store *store;      /* owned by the root; NULL once closed */
    int64_t cutoff_ms;     /* INT64_MAX: as known now */
    int is_view;
    int txdepth;           /* nesting of store:transaction (root only) */
    pmf_lareas areas;      /* resolve_area's snapshot (root only) */
} lstore;

static lstore *root_of(lua_State *L, int idx, lstore *u) {
    if (!u->is_view) return u;
    lua_getiuservalue(L, idx, 1);
    lstore *r = luaL_checkudata(L, -1, PMF_STORE_MT);
    lua_pop(L, 1);
    return r;
}

pmf_store *pmf_checkstore(lua_State *L, int idx, int64_t *cutoff_ms) {
    lstore *u = luaL_checkudata(L, idx, PMF_STORE_MT);
    lstore *r = root_of(L, idx, u);
    if (!r->store) luaL_error(L, "attempt to use a closed pmf.Store");
    if (cutoff_ms) *cutoff_ms = u->cutoff_ms;
    return r->store;
}

/* The one read-only check: raise, naming the view's date, when the store at idx is an
 * as-of view.  `level` is where the error points (luaL_where), 1 = the caller of the running
 * C function.  Every write path comes here: the C writers (transaction, batch, the
 * importer), exec and query (for statements that are not read-only) and, through
 * pmf._checkwritable, the Store's methods written in Lua. */
static void check_writable_at(lua_State *L, int idx, int level) {
    lstore *u = luaL_checkudata(L, idx, PMF_STORE_MT);
    if (u->is_view) {
        char when[32];
        pmf_format_ms(u->cutoff_ms, when, sizeof when);
        luaL_where(L, level);
        lua_pushfstring(L, "this store is a read-only view as of %s", when);
        lua_concat(L, 2);
        lua_error(L);
    }
}

void pmf_checkwritable(lua_State *L, int idx) {
    check_writable_at(L, idx, 1);
}

/* pmf._checkwritable(store): the check for the Store's methods written in Lua; the error
 * points at the code that called the method (two levels up). */
static int store_checkwritable(lua_State *L) {
    check_writable_at(L, 1, 2);
    return 0;
}

/* Raise unless st may run on the store at idx: on an as-of view only statements that
 * sqlite3_stmt_readonly says change nothing (SELECT, read-only PRAGMAs, ...). */
void pmf_lstore_checkstatement(lua_State *L, int idx, sqlite3_stmt *st) {
    lstore *u = luaL_checkudata(L, idx, PMF_STORE_MT);
    if (u->is_view && !sqlite3_stmt_readonly(st)) {
        char when[32];
        pmf_format_ms(u->cutoff_ms, when, sizeof when);
        luaL_error(L, "this store is a read-only view as of %s: refused \"%s\"", when,
                   sqlite3_sql(st));
    }
}

/* Raise "store error: <SQLite's message>" (a failing step: busy, I/O, a constraint). */
int pmf_lstore_error(lua_State *L, sqlite3 *db) {
    return luaL_error(L, "store error: %s", sqlite3_errmsg(db));
}

/* pmf.open(path [, refdir]) -> Store | nil, message */
static int store_open(lua_State *L) {
    const char *path = luaL_optstring(L, 1, NULL);
    if (!path) path = pmf_default_db_path();
    const char *refdir = luaL_optstring(L, 2, NULL);
    lstore *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->store = NULL;
    u->cutoff_ms = INT64_MAX;
    u->is_view = 0;
    u->txdepth = 0;
    u->areas = (pmf_lareas){NULL, -1, NULL};
    luaL_setmetatable(L, PMF_STORE_MT);
    char refbuf[4096];
    if (!refdir && pmf_home_dir(L, refbuf, sizeof refbuf, "lua/data")) refdir = refbuf;
    char err[1024];
    u->store = pmf_store_open(path, refdir, err, sizeof err);
    if (!u->store) {
        luaL_pushfail(L);
        lua_pushstring(L, err);
        return 2;
    }
    return 1;
}

static int store_close(lua_State *L) {
    lstore *u = luaL_checkudata(L, 1, PMF_STORE_MT);
    if (!u->is_view && u->store) {
        pmf_lareas_close(&u->areas);
        pmf_store_close(u->store);
        u->store = NULL;
    }
    return 0;
}

static int store_tostring(lua_State *L) {
    lstore *u = luaL_checkudata(L, 1, PMF_STORE_MT);
    lstore *r = root_of(L, 1, u);
    if (!r->store) {
        lua_pushstring(L, "pmf.Store (closed)");
    } else if (u->is_view) {
        char when[32];
        pmf_format_ms(u->cutoff_ms, when, sizeof when);
        lua_pushfstring(L, "pmf.Store (%s as of %s)", pmf_store_path(r->store), when);
    } else {
        lua_pushfstring(L, "pmf.Store (%s)", pmf_store_path(r->store));
    }
    return 1;
}

/* store:transaction(fn, ...) -> fn's results.  BEGIN IMMEDIATE ... COMMIT around fn; any
 * error rolls back and is raised again.  Nested calls use savepoints. */
static int store_transaction(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    pmf_checkwritable(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lstore *u = lua_touserdata(L, 1);
    sqlite3 *db = pmf_store_db(s);
    int rc = u->txdepth == 0 ? sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)
                             : sqlite3_exec(db, "SAVEPOINT pmf_tx", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return pmf_lstore_error(L, db);
    u->txdepth++;
    int nargs = lua_gettop(L) - 2;
    lua_pushcfunction(L, pmf_traceback_handler);
    lua_insert(L, 2);   /* handler at 2, fn at 3 */
    int status = lua_pcall(L, nargs, LUA_MULTRET, 2);
    /* fn's results (or the error) are above the handler at 2 */
    u->txdepth--;
    if (!u->store) return luaL_error(L, "store closed during a transaction");
    db = pmf_store_db(u->store);
    if (status != LUA_OK) {
        if (u->txdepth == 0) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        else sqlite3_exec(db, "ROLLBACK TO pmf_tx; RELEASE pmf_tx", NULL, NULL, NULL);
        return lua_error(L);
    }
    /* the series its writes left dirty are packed before it commits (store_pack.h); a
     * failure to pack loses nothing (they stay listed, read from their rows), so it is not
     * the transaction's, as after store:exec */
    if (u->txdepth == 0) pmf_store_repack(u->store);
    rc = sqlite3_exec(db, u->txdepth == 0 ? "COMMIT" : "RELEASE pmf_tx", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lua_pushfstring(L, "store error: %s", sqlite3_errmsg(db));
        if (u->txdepth == 0) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return lua_error(L);
    }
    return lua_gettop(L) - 2;
}

/* store:in_transaction() -> boolean */
static int store_in_transaction(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    lua_pushboolean(L, !sqlite3_get_autocommit(pmf_store_db(s)));
    return 1;
}

/* store:batch{kind=, by=, at=, source=, note=} -> batch id */
static int store_batch(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    pmf_checkwritable(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *f[5] = {"kind", "by", "at", "source", "note"};
    const char *v[5];
    for (int i = 0; i < 5; i++) {
        lua_getfield(L, 2, f[i]);
        v[i] = lua_tostring(L, -1);   /* kept alive by the table */
        lua_pop(L, 1);
    }
    int64_t id = pmf_store_new_batch(s, v[0] ? v[0] : "edit", v[1], v[2], v[3], v[4]);
    if (id < 0) return pmf_lstore_error(L, pmf_store_db(s));
    lua_pushinteger(L, id);
    return 1;
}

/* store:as_of(date) -> view | nil, message;  store:as_of() -> the view's cutoff as an ISO
 * string, or nil for "as known now". */
static int store_as_of(lua_State *L) {
    lstore *u = luaL_checkudata(L, 1, PMF_STORE_MT);
    pmf_checkstore(L, 1, NULL);
    if (lua_isnoneornil(L, 2)) {
        if (u->cutoff_ms == INT64_MAX) return 0;
        char when[32];
        pmf_format_ms(u->cutoff_ms, when, sizeof when);
        lua_pushstring(L, when);
        return 1;
    }
    const char *date = luaL_checkstring(L, 2);
    int64_t cutoff;
    if (pmf_asof_parse(date, &cutoff) != 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "as-of date '%s' is not YYYY-MM-DD[THH:MM[:SS]]", date);
        return 2;
    }
    lstore *v = lua_newuserdatauv(L, sizeof *v, 1);
    v->store = NULL;
    v->cutoff_ms = cutoff;
    v->is_view = 1;
    v->txdepth = 0;
    v->areas = (pmf_lareas){NULL, -1, NULL};
    luaL_setmetatable(L, PMF_STORE_MT);
    if (u->is_view) lua_getiuservalue(L, 1, 1); else lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    return 1;
}

/* store:cutoff_ms() -> integer (math.maxinteger for "now") */
static int store_cutoff_ms(lua_State *L) {
    int64_t cutoff;
    pmf_checkstore(L, 1, &cutoff);
    lua_pushinteger(L, cutoff);
    return 1;
}

static int store_path(lua_State *L) {
    lua_pushstring(L, pmf_store_path(pmf_checkstore(L, 1, NULL)));
    return 1;
}

static int store_is_open(lua_State *L) {
    lstore *u = luaL_checkudata(L, 1, PMF_STORE_MT);
    lua_pushboolean(L, root_of(L, 1, u)->store != NULL);
    return 1;
}

static int store_metric_id(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    int64_t id = pmf_store_metric_id(s, luaL_checkstring(L, 2));
    if (id == -2) return luaL_error(L, "store error: %s", sqlite3_errmsg(pmf_store_db(s)));
    if (id < 0) luaL_pushfail(L); else lua_pushinteger(L, id);
    return 1;
}

/* store:in_force(metric_id, area_id, breakdown, start, len) -> batch | nil: the batch of
 * the version in force at the view's cutoff of one stored span (store.h's rule, decided in
 * C; store:get, store:history and store:observe ask here).  Raises on a store error. */
static int store_in_force(lua_State *L) {
    int64_t cutoff, batch;
    pmf_store *s = pmf_checkstore(L, 1, &cutoff);
    int rc = pmf_store_in_force(s, cutoff, luaL_checkinteger(L, 2), luaL_checkinteger(L, 3),
                                luaL_optstring(L, 4, ""), (int32_t)luaL_checkinteger(L, 5),
                                (int32_t)luaL_checkinteger(L, 6), &batch);
    if (rc < 0) return luaL_error(L, "store error: %s", sqlite3_errmsg(pmf_store_db(s)));
    if (rc == 0) luaL_pushfail(L); else lua_pushinteger(L, batch);
    return 1;
}

static int store_area_id(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    int64_t id = pmf_store_area_id(s, luaL_checkstring(L, 2));
    if (id == -2) return luaL_error(L, "store error: %s", sqlite3_errmsg(pmf_store_db(s)));
    if (id < 0) luaL_pushfail(L); else lua_pushinteger(L, id);
    return 1;
}

#define METRIC_DEF_MT "pmf.MetricDef"

/* store:metric_def(code | id) -> {id=code, metric_id=, version=, title=, unit=, aggregation=,
 * decimals=, definition=, source=, reference=, carry=, owner=, file=, line=, recorded_at=}
 * | nil: the metric's definition in force at the store's (or view's) cutoff (store.h). */
static int store_metric_def(lua_State *L) {
    int64_t cutoff;
    pmf_store *s = pmf_checkstore(L, 1, &cutoff);
    const char *code = lua_type(L, 2) == LUA_TNUMBER ? NULL : luaL_checkstring(L, 2);
    int64_t id = code ? 0 : (int64_t)luaL_checkinteger(L, 2);
    /* d lives in a userdata whose __gc frees its strings, so a raise below leaks nothing. */
    pmf_metric_def *dp = lua_newuserdatauv(L, sizeof *dp, 0);
    memset(dp, 0, sizeof *dp);
    luaL_setmetatable(L, METRIC_DEF_MT);
    int rc = pmf_store_metric_def(s, code, id, cutoff, dp);
    if (rc < 0) return luaL_error(L, "metric_def: %s", sqlite3_errmsg(pmf_store_db(s)));
    if (rc == 0) {
        luaL_pushfail(L);
        return 1;
    }
    pmf_metric_def d = *dp;
    lua_createtable(L, 0, 16);
    const char *text[][2] = {{"id", d.code}, {"title", d.title}, {"unit", d.unit},
                             {"aggregation", d.aggregation}, {"definition", d.definition},
                             {"source", d.source}, {"reference", d.reference},
                             {"carry", d.carry}, {"owner", d.owner}, {"file", d.file}};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (text[i][1]) {
            lua_pushstring(L, text[i][1]);
            lua_setfield(L, -2, text[i][0]);
        }
    lua_pushinteger(L, d.id);
    lua_setfield(L, -2, "metric_id");
    lua_pushinteger(L, d.version);
    lua_setfield(L, -2, "version");
    if (d.decimals >= 0) {
        lua_pushinteger(L, d.decimals);
        lua_setfield(L, -2, "decimals");
    }
    if (d.line > 0) {
        lua_pushinteger(L, d.line);
        lua_setfield(L, -2, "line");
    }
    lua_pushinteger(L, d.recorded_ms);
    lua_setfield(L, -2, "recorded_ms");
    char when[32];
    pmf_format_ms(d.recorded_ms, when, sizeof when);
    lua_pushstring(L, when);
    lua_setfield(L, -2, "recorded_at");
    pmf_metric_def_free(dp);
    return 1;
}

static int metric_def_gc(lua_State *L) {
    pmf_metric_def_free(luaL_checkudata(L, 1, METRIC_DEF_MT));
    return 0;
}

/* store:_forget_areas(): the next resolve_area reloads its snapshot (lstore_area.c). */
static int store_forget_areas(lua_State *L) {
    pmf_checkstore(L, 1, NULL);
    pmf_lareas_forget(&root_of(L, 1, luaL_checkudata(L, 1, PMF_STORE_MT))->areas);
    return 0;
}

/* store:resolve_area(text [, {by =, at =}]) -> code, info | nil, message (lstore_area.c) */
static int store_resolve_area(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    return pmf_lareas_resolve(L, s, &root_of(L, 1, luaL_checkudata(L, 1, PMF_STORE_MT))->areas);
}

/* pmf.now() -> ISO time string (honours $PMF_NOW) */
static int store_now(lua_State *L) {
    char when[32];
    pmf_format_ms(pmf_now_ms(), when, sizeof when);
    lua_pushstring(L, when);
    return 1;
}

/* pmf.asof_ms(date) -> cutoff ms | nil, message */
static int store_asof_ms(lua_State *L) {
    int64_t cutoff;
    if (pmf_asof_parse(luaL_checkstring(L, 1), &cutoff) != 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "'%s' is not a date (YYYY-MM-DD[THH:MM[:SS]])", lua_tostring(L, 1));
        return 2;
    }
    lua_pushinteger(L, cutoff);
    return 1;
}

static const luaL_Reg store_methods[] = {
    {"close",          store_close},
    {"query",          store_query},
    {"exec",           store_exec},
    {"columns",        store_columns},
    {"transaction",    store_transaction},
    {"in_transaction", store_in_transaction},
    {"batch",          store_batch},
    {"as_of",          store_as_of},
    {"cutoff_ms",      store_cutoff_ms},
    {"path",           store_path},
    {"is_open",        store_is_open},
    {"metric_id",      store_metric_id},
    {"metric_def",     store_metric_def},
    {"area_id",        store_area_id},
    {"in_force",       store_in_force},
    {"resolve_area",   store_resolve_area},
    {"_forget_areas",  store_forget_areas},
    {NULL, NULL}
};

static const luaL_Reg store_meta[] = {
    {"__gc",       store_close},
    {"__close",    store_close},
    {"__tostring", store_tostring},
    {"__index",    NULL},   /* set to the methods table below */
    {NULL, NULL}
};

static const luaL_Reg store_funcs[] = {
    {"open",    store_open},
    {"now",     store_now},
    {"asof_ms", store_asof_ms},
    {"checkwritable", store_checkwritable},
    {"area_key", pmf_lareas_key},
    {NULL, NULL}
};

/* Returns a table {open=, now=, asof_ms=, checkwritable=, Store=<methods>}; the Lua library adds methods to
 * Store (lua/pmf/store/). */
int luaopen_pmf_store(lua_State *L) {
    luaL_newmetatable(L, METRIC_DEF_MT);
    lua_pushcfunction(L, metric_def_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    luaL_newmetatable(L, PMF_STORE_MT);
    luaL_setfuncs(L, store_meta, 0);
    luaL_newlib(L, store_methods);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__index");
    luaL_newlib(L, store_funcs);
    lua_insert(L, -2);
    lua_setfield(L, -2, "Store");
    lua_remove(L, -2);
    return 1;
}
