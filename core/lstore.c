/*
 * lstore.c: the pmf.Store userdata: open and close a store, SQL for the Lua library,
 * transactions, batches and as-of views.
 *
 * The C side is deliberately small (as lsqlite3 is): the store's own methods for areas,
 * metrics, observations, commentary, sign-off and so on are written in Lua over `query`,
 * `exec` and `transaction` (lua/pmf/store.lua); the hot paths (import, series) are C files of
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
static void check_statement(lua_State *L, int idx, sqlite3_stmt *st) {
    lstore *u = luaL_checkudata(L, idx, PMF_STORE_MT);
    if (u->is_view && !sqlite3_stmt_readonly(st)) {
        char when[32];
        pmf_format_ms(u->cutoff_ms, when, sizeof when);
        luaL_error(L, "this store is a read-only view as of %s: refused \"%s\"", when,
                   sqlite3_sql(st));
    }
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

/* Bind stack slots first..last to the statement's parameters: positional values, or one
 * table of named values (:name, @name or $name). */
static void bind_args(lua_State *L, sqlite3_stmt *st, int first, int last) {
    int n = last - first + 1;
    if (n == 1 && lua_istable(L, first)) {
        /* named parameters from a table: :name, @name or $name */
        int np = sqlite3_bind_parameter_count(st);
        for (int i = 1; i <= np; i++) {
            const char *name = sqlite3_bind_parameter_name(st, i);
            if (!name) luaL_error(L, "positional parameter %d with a table of named values", i);
            lua_getfield(L, first, name + 1);
            int n = lua_gettop(L);
            switch (lua_type(L, n)) {
            case LUA_TNIL: sqlite3_bind_null(st, i); break;
            case LUA_TBOOLEAN: sqlite3_bind_int(st, i, lua_toboolean(L, n)); break;
            case LUA_TNUMBER:
                if (lua_isinteger(L, n)) sqlite3_bind_int64(st, i, lua_tointeger(L, n));
                else sqlite3_bind_double(st, i, lua_tonumber(L, n));
                break;
            case LUA_TSTRING: {
                size_t len;
                const char *s = lua_tolstring(L, n, &len);
                sqlite3_bind_text(st, i, s, (int)len, SQLITE_TRANSIENT);
                break;
            }
            default:
                luaL_error(L, "cannot bind a %s to :%s", luaL_typename(L, n), name + 1);
            }
            lua_pop(L, 1);
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        int a = first + i;
        switch (lua_type(L, a)) {
        case LUA_TNIL: sqlite3_bind_null(st, i + 1); break;
        case LUA_TBOOLEAN: sqlite3_bind_int(st, i + 1, lua_toboolean(L, a)); break;
        case LUA_TNUMBER:
            if (lua_isinteger(L, a)) sqlite3_bind_int64(st, i + 1, lua_tointeger(L, a));
            else sqlite3_bind_double(st, i + 1, lua_tonumber(L, a));
            break;
        case LUA_TSTRING: {
            size_t len;
            const char *s = lua_tolstring(L, a, &len);
            sqlite3_bind_text(st, i + 1, s, (int)len, SQLITE_TRANSIENT);
            break;
        }
        default:
            luaL_argerror(L, a, "expected nil, boolean, number or string");
            break;
        }
    }
}

static void push_column(lua_State *L, sqlite3_stmt *st, int i) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: lua_pushinteger(L, sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: lua_pushnumber(L, sqlite3_column_double(st, i)); break;
    case SQLITE_NULL: lua_pushnil(L); break;
    default:
        lua_pushlstring(L, (const char *)sqlite3_column_text(st, i),
                        (size_t)sqlite3_column_bytes(st, i));
    }
}

/* Prepare sql on the store at 1; the statement is owned by a to-be-closed-style userdata on
 * the stack so that an error while stepping cannot leak it. */
static int stmt_gc(lua_State *L) {
    sqlite3_stmt **pst = lua_touserdata(L, 1);
    if (*pst) sqlite3_finalize(*pst);
    *pst = NULL;
    return 0;
}

static sqlite3_stmt **new_stmt(lua_State *L) {
    sqlite3_stmt **pst = lua_newuserdatauv(L, sizeof *pst, 0);
    *pst = NULL;
    if (luaL_newmetatable(L, "pmf.Stmt")) {
        lua_pushcfunction(L, stmt_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, stmt_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    return pst;
}

static const char *skip_space(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ';') p++;
    return p;
}

/* Prepare one statement of sql for the store at 1 (checked against its view). */
static sqlite3_stmt **prepare(lua_State *L, sqlite3 *db, const char *sql) {
    sqlite3_stmt **pst = new_stmt(L);
    const char *tail;
    if (sqlite3_prepare_v2(db, sql, -1, pst, &tail) != SQLITE_OK)
        luaL_error(L, "SQL error: %s", sqlite3_errmsg(db));
    if (*skip_space(tail)) luaL_error(L, "query takes one SQL statement (use exec for several)");
    if (!*pst) luaL_error(L, "SQL error: no statement in \"%s\"", sql);
    check_statement(L, 1, *pst);
    return pst;
}

static int store_error(lua_State *L, sqlite3 *db) {
    return luaL_error(L, "store error: %s", sqlite3_errmsg(db));
}

/* store:query(sql, ...) -> array of rows (tables keyed by column name).  Parameters are
 * positional values, or one table of named ones (:name). */
static int store_query(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    const char *sql = luaL_checkstring(L, 2);
    sqlite3 *db = pmf_store_db(s);
    int top = lua_gettop(L);
    sqlite3_stmt **pst = prepare(L, db, sql);
    bind_args(L, *pst, 3, top);
    lua_newtable(L);
    int ncol = sqlite3_column_count(*pst);
    lua_Integer n = 0;
    int rc;
    while ((rc = sqlite3_step(*pst)) == SQLITE_ROW) {
        lua_createtable(L, 0, ncol);
        for (int i = 0; i < ncol; i++) {
            push_column(L, *pst, i);
            lua_setfield(L, -2, sqlite3_column_name(*pst, i));
        }
        lua_rawseti(L, -2, ++n);
    }
    if (rc != SQLITE_DONE) return store_error(L, db);
    sqlite3_finalize(*pst);
    *pst = NULL;
    return 1;
}

/* store:columns(sql) -> the names of the statement's result columns, in the SELECT's order
 * (a query's rows are tables keyed by name, which keep no order).  Nothing is run. */
static int store_columns(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    const char *sql = luaL_checkstring(L, 2);
    sqlite3_stmt **pst = prepare(L, pmf_store_db(s), sql);
    int ncol = sqlite3_column_count(*pst);
    lua_createtable(L, ncol, 0);
    for (int i = 0; i < ncol; i++) {
        lua_pushstring(L, sqlite3_column_name(*pst, i));
        lua_rawseti(L, -2, i + 1);
    }
    sqlite3_finalize(*pst);
    *pst = NULL;
    return 1;
}

/* store:exec(sql [, ...]) -> number of rows changed.  With parameters, one statement;
 * without, any number of statements. */
static int store_exec(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    const char *sql = luaL_checkstring(L, 2);
    sqlite3 *db = pmf_store_db(s);
    if (lua_gettop(L) == 2) {
        /* several statements: each prepared, checked against the view, run, in turn */
        sqlite3_stmt **pst = new_stmt(L);
        const char *p = skip_space(sql);
        while (*p) {
            const char *tail;
            if (sqlite3_prepare_v2(db, p, -1, pst, &tail) != SQLITE_OK)
                luaL_error(L, "SQL error: %s", sqlite3_errmsg(db));
            if (*pst) {
                check_statement(L, 1, *pst);
                int rc = sqlite3_step(*pst);
                while (rc == SQLITE_ROW) rc = sqlite3_step(*pst);
                if (rc != SQLITE_DONE) return store_error(L, db);
                sqlite3_finalize(*pst);
                *pst = NULL;
            }
            p = skip_space(tail);
        }
        lua_pushinteger(L, sqlite3_changes(db));
        return 1;
    }
    int top = lua_gettop(L);
    sqlite3_stmt **pst = prepare(L, db, sql);
    bind_args(L, *pst, 3, top);
    int rc = sqlite3_step(*pst);
    while (rc == SQLITE_ROW) rc = sqlite3_step(*pst);
    if (rc != SQLITE_DONE) return store_error(L, db);
    sqlite3_finalize(*pst);
    *pst = NULL;
    lua_pushinteger(L, sqlite3_changes(db));
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
    if (rc != SQLITE_OK) return store_error(L, db);
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
    rc = u->txdepth == 0 ? sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)
                           : sqlite3_exec(db, "RELEASE pmf_tx", NULL, NULL, NULL);
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
    if (id < 0) return store_error(L, pmf_store_db(s));
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
 * C; store.lua's get, history and observe ask here).  Raises on a store error. */
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
 * Store (lua/pmf/store.lua). */
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
