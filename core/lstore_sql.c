/*
 * core/lstore_sql.c: SQL from Lua, the three Store methods the Lua library's store methods
 * are written over (lua/pmf/store/): store:query, store:columns and store:exec
 * (registered by lstore.c).
 *
 * Decisions:
 * - A statement lives in a to-be-closed userdata while it runs, so an error (a bad bind, a
 *   failing step) never leaks it and never keeps the store from closing.
 * - Every statement is checked against an as-of view before it runs
 *   (pmf_lstore_checkstatement: only read-only statements run on a view), each statement
 *   of a several-statement exec in turn.
 * - Parameters are positional values, or one table of named ones (:name, @name, $name);
 *   SQLite's codes never reach Lua, messages do.
 */
#include "lstore.h"
#include "store_pack.h"

#include <lauxlib.h>
#include <string.h>

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

/* A statement SQLite would not prepare.  The store's one authorizer is the guard that
 * refuses writes to observation while an import holds the triggers off (store_pack.h). */
static int sql_error(lua_State *L, sqlite3 *db) {
    if (sqlite3_errcode(db) == SQLITE_AUTH)
        return luaL_error(L, "SQL error: observations cannot be written while an import is open"
                             " on this store (it packs the series it writes): finish or close"
                             " the import first");
    return luaL_error(L, "SQL error: %s", sqlite3_errmsg(db));
}

/* Prepare one statement of sql for the store at 1 (checked against its view). */
static sqlite3_stmt **prepare(lua_State *L, sqlite3 *db, const char *sql) {
    sqlite3_stmt **pst = new_stmt(L);
    const char *tail;
    if (sqlite3_prepare_v2(db, sql, -1, pst, &tail) != SQLITE_OK) sql_error(L, db);
    if (*skip_space(tail)) luaL_error(L, "query takes one SQL statement (use exec for several)");
    if (!*pst) luaL_error(L, "SQL error: no statement in \"%s\"", sql);
    pmf_lstore_checkstatement(L, 1, *pst);
    return pst;
}

/* store:query(sql, ...) -> array of rows (tables keyed by column name).  Parameters are
 * positional values, or one table of named ones (:name). */
int store_query(lua_State *L) {
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
    if (rc != SQLITE_DONE) return pmf_lstore_error(L, db);
    sqlite3_finalize(*pst);
    *pst = NULL;
    return 1;
}

/* store:columns(sql) -> the names of the statement's result columns, in the SELECT's order
 * (a query's rows are tables keyed by name, which keep no order).  Nothing is run. */
int store_columns(lua_State *L) {
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

/* After a write outside any transaction, or the end of a transaction begun by an earlier
 * store:exec ("BEGIN" ... "COMMIT"): the series left dirty are packed (store_pack.h).  A
 * failure here loses nothing (a dirty series reads its rows, and the next write packs it),
 * so it is not the statement's error. */
static void repack_after(pmf_store *s, int wrote, int was_auto) {
    if ((wrote || !was_auto) && sqlite3_get_autocommit(pmf_store_db(s))) pmf_store_repack(s);
}

/* store:exec(sql [, ...]) -> number of rows changed.  With parameters, one statement;
 * without, any number of statements. */
int store_exec(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    const char *sql = luaL_checkstring(L, 2);
    sqlite3 *db = pmf_store_db(s);
    int was_auto = sqlite3_get_autocommit(db);
    if (lua_gettop(L) == 2) {
        /* several statements: each prepared, checked against the view, run, in turn */
        sqlite3_stmt **pst = new_stmt(L);
        const char *p = skip_space(sql);
        int wrote = 0;
        while (*p) {
            const char *tail;
            if (sqlite3_prepare_v2(db, p, -1, pst, &tail) != SQLITE_OK) sql_error(L, db);
            if (*pst) {
                pmf_lstore_checkstatement(L, 1, *pst);
                wrote |= !sqlite3_stmt_readonly(*pst);
                int rc = sqlite3_step(*pst);
                while (rc == SQLITE_ROW) rc = sqlite3_step(*pst);
                if (rc != SQLITE_DONE) return pmf_lstore_error(L, db);
                sqlite3_finalize(*pst);
                *pst = NULL;
            }
            p = skip_space(tail);
        }
        lua_pushinteger(L, sqlite3_changes(db));
        repack_after(s, wrote, was_auto);
        return 1;
    }
    int top = lua_gettop(L);
    sqlite3_stmt **pst = prepare(L, db, sql);
    bind_args(L, *pst, 3, top);
    int wrote = !sqlite3_stmt_readonly(*pst);
    int rc = sqlite3_step(*pst);
    while (rc == SQLITE_ROW) rc = sqlite3_step(*pst);
    if (rc != SQLITE_DONE) return pmf_lstore_error(L, db);
    sqlite3_finalize(*pst);
    *pst = NULL;
    lua_pushinteger(L, sqlite3_changes(db));
    repack_after(s, wrote, was_auto);
    return 1;
}
