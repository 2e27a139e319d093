/*
 * core/lxlsxread.c: the pmf.xlsxread Lua module, reading sheets of .xlsx workbooks (the
 * reader itself is core/xlsx_read.c; pmf.xlsx is the writer).
 *
 *   pmf.xlsxread.sheets(path)        -> { "Cover", "Table_1", ... } | nil, message
 *   pmf.xlsxread.open(path [, opts]) -> reader | nil, message
 *       reader:rows()    -> iterator: row, rownum   (row: a table of strings, "" for an empty
 *                           cell between two values; rownum: the sheet's row number)
 *       reader:header()  -> the header row's table, or nil without opts.header_row
 *       reader:sheet()   -> the sheet's name
 *       reader:close()   (also __close and __gc)
 *   pmf.xlsxread.read(path, opts, fn) -> number of rows | nil, message
 *       calls fn(row, rownum, header) for each row, then closes the workbook
 *   pmf.xlsxread.scan(path, sheet, "inflate"|"parse"|"rows") -> bytes or rows | nil, message
 *       for `make bench`: the sheet inflated only, inflated and parsed by expat with no
 *       handlers, or read row by row in C without Lua tables
 *
 *   opts = { sheet = "Table_5" or 3 (the first sheet by default; numbers count from 1, hidden
 *            sheets included),
 *            range = "A7:Z900" (also "A7:Z", "C:F"): only these cells; fields count from
 *                    the range's first column,
 *            header_row = 6: that row of the sheet is the header (rows above it are skipped;
 *                         an empty or missing header row is an error),
 *            skip = 1: drop this many rows (with values) before the first data row, after the
 *                  header if there is one (a units row under the header, say) }
 *
 * Rows with no value in the range are not returned (rownum shows the gap).  Cells are text
 * as xlsx_read.h describes: numbers as written in the file, dates as ISO 8601, booleans
 * TRUE/FALSE, errors as "#N/A".
 *
 * Error contract: misuse raises (a bad option, a closed reader); an unreadable workbook, a
 * missing sheet or a missing header returns nil, message; a damaged cell or part met while
 * iterating raises the message (as io.lines does on a read error); read() returns it.
 * Ownership: the C reader lives in a userdata, created closed, with one idempotent closer for
 * close, __close and __gc; the header table is the userdata's user value.
 */
#include "xlsx_read.h"
#include "pmf_internal.h"

#include <lauxlib.h>
#include <string.h>

#define PMF_XLSXREAD_MT "pmf.xlsxread.Reader"

typedef struct { pmf_xlsx *x; } reader_ud;

/* The one closer, for the reader at idx. */
static void close_at(lua_State *L, int idx) {
    reader_ud *u = luaL_checkudata(L, idx, PMF_XLSXREAD_MT);
    pmf_xlsx_close(u->x);
    u->x = NULL;
}

static int reader_close(lua_State *L) {
    close_at(L, 1);
    return 0;
}

static pmf_xlsx *check_reader(lua_State *L, int idx) {
    reader_ud *u = luaL_checkudata(L, idx, PMF_XLSXREAD_MT);
    if (!u->x) luaL_error(L, "attempt to use a closed pmf.xlsxread.Reader");
    return u->x;
}

/* Push the current row as a table of strings. */
static void push_row(lua_State *L, pmf_xlsx *x) {
    size_t n = pmf_xlsx_nfields(x);
    const pmf_xlsx_cell *c = pmf_xlsx_cells(x);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushlstring(L, c[i].s, c[i].len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* Read opts (a table or nil at idx) into the sheet choice, range, header row and skip. */
typedef struct {
    const char *sheet;
    int index;
    pmf_xlsx_range range;
    int has_range;
    lua_Integer header_row, skip;
} options;

static void check_options(lua_State *L, int idx, options *o) {
    static const char *const known[] = {"sheet", "range", "header_row", "skip", NULL};
    memset(o, 0, sizeof *o);
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int k = 0;
        while (key && known[k] && strcmp(known[k], key) != 0) k++;
        if (!key || !known[k])
            luaL_argerror(L, idx, lua_pushfstring(L, "unknown option '%s' (the options are "
                          "sheet, range, header_row, skip)", key ? key : luaL_typename(L, -1)));
    }
    lua_getfield(L, idx, "sheet");
    if (lua_type(L, -1) == LUA_TSTRING) o->sheet = lua_tostring(L, -1);   /* opts keeps it */
    else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= 65535)
        o->index = (int)lua_tointeger(L, -1) - 1;
    else if (!lua_isnil(L, -1)) luaL_argerror(L, idx, "sheet must be a name or a number from 1");
    lua_pop(L, 1);
    lua_getfield(L, idx, "range");
    if (!lua_isnil(L, -1)) {
        char err[200];
        if (lua_type(L, -1) != LUA_TSTRING ||
            pmf_xlsx_parse_range(lua_tostring(L, -1), &o->range, err, sizeof err) < 0)
            luaL_argerror(L, idx, lua_type(L, -1) == LUA_TSTRING ? err : "range must be a string");
        o->has_range = 1;
    }
    lua_pop(L, 1);
    lua_getfield(L, idx, "header_row");
    o->header_row = luaL_optinteger(L, -1, 0);
    luaL_argcheck(L, o->header_row >= 0, idx, "header_row must be a row number from 1");
    lua_getfield(L, idx, "skip");
    o->skip = luaL_optinteger(L, -1, 0);
    luaL_argcheck(L, o->skip >= 0, idx, "skip must be 0 or more");
    lua_pop(L, 2);
}

/* Open path on the stack as a reader positioned at the first data row: pushes the reader
 * (1 result), or nil, message (2 results). */
static int open_reader(lua_State *L, const char *path, int optidx) {
    options o;
    check_options(L, optidx, &o);
    reader_ud *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->x = NULL;
    luaL_setmetatable(L, PMF_XLSXREAD_MT);
    int ud = lua_gettop(L);
    pmf_xlsx *x = NULL;
    int rc = pmf_xlsx_open(path, &x);
    u->x = x;
    if (!x) return luaL_error(L, "out of memory");
    if (rc == 0) rc = pmf_xlsx_open_sheet(x, o.sheet, o.index, o.has_range ? &o.range : NULL);
    if (rc == 0 && o.header_row) {
        while ((rc = pmf_xlsx_next(x)) == 1 && pmf_xlsx_row(x) < o.header_row) {}
        if (rc == 1 && pmf_xlsx_row(x) == o.header_row) {
            push_row(L, x);
            lua_setiuservalue(L, ud, 1);
            rc = 0;
        } else if (rc >= 0) {
            lua_pushnil(L);
            lua_pushfstring(L, "%s: sheet '%s': header row %d is empty%s", path,
                            pmf_xlsx_sheet(x), (int)o.header_row,
                            o.has_range ? " or outside the range" : "");
            close_at(L, ud);
            return 2;
        }
    }
    for (lua_Integer i = 0; rc == 0 && i < o.skip; i++)
        if ((rc = pmf_xlsx_next(x)) == 1) rc = 0;
        else if (rc == 0) break;
    if (rc < 0) {
        lua_pushnil(L);
        lua_pushstring(L, pmf_xlsx_error(x));
        close_at(L, ud);
        return 2;
    }
    return 1;
}

/* pmf.xlsxread.open(path [, opts]) -> reader | nil, message */
static int xlsxread_open(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    lua_settop(L, 2);
    return open_reader(L, path, 2);
}

/* The iterator of reader:rows(): row, rownum; nil at the end; raises a read error. */
static int rows_next(lua_State *L) {
    pmf_xlsx *x = check_reader(L, lua_upvalueindex(1));
    int rc = pmf_xlsx_next(x);
    if (rc < 0) {
        lua_pushstring(L, pmf_xlsx_error(x));
        return lua_error(L);
    }
    if (rc == 0) return 0;
    push_row(L, x);
    lua_pushinteger(L, pmf_xlsx_row(x));
    return 2;
}

static int reader_rows(lua_State *L) {
    check_reader(L, 1);
    lua_settop(L, 1);
    lua_pushcclosure(L, rows_next, 1);
    return 1;
}

static int reader_header(lua_State *L) {
    check_reader(L, 1);
    lua_getiuservalue(L, 1, 1);
    return 1;
}

static int reader_sheet(lua_State *L) {
    lua_pushstring(L, pmf_xlsx_sheet(check_reader(L, 1)));
    return 1;
}

/* pmf.xlsxread.read(path, opts, fn) -> rows read | nil, message */
static int xlsxread_read(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 3, LUA_TFUNCTION);
    lua_settop(L, 3);
    if (open_reader(L, path, 2) == 2) return 2;
    pmf_xlsx *x = check_reader(L, 4);
    lua_getiuservalue(L, 4, 1);                       /* 5: header or nil */
    lua_Integer n = 0;
    int rc;
    while ((rc = pmf_xlsx_next(x)) == 1) {
        lua_pushvalue(L, 3);
        push_row(L, x);
        lua_pushinteger(L, pmf_xlsx_row(x));
        lua_pushvalue(L, 5);
        lua_call(L, 3, 0);
        n++;
    }
    if (rc < 0) {
        lua_pushnil(L);
        lua_pushstring(L, pmf_xlsx_error(x));
    } else {
        lua_pushinteger(L, n);
    }
    close_at(L, 4);
    return rc < 0 ? 2 : 1;
}

/* pmf.xlsxread.sheets(path) -> names | nil, message */
static int xlsxread_sheets(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    reader_ud *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->x = NULL;
    luaL_setmetatable(L, PMF_XLSXREAD_MT);
    int rc = pmf_xlsx_open(path, &u->x);
    if (!u->x) return luaL_error(L, "out of memory");
    if (rc < 0) {
        lua_pushnil(L);
        lua_pushstring(L, pmf_xlsx_error(u->x));
    } else {
        int n = pmf_xlsx_nsheets(u->x);
        lua_createtable(L, n, 0);
        for (int i = 0; i < n; i++) {
            lua_pushstring(L, pmf_xlsx_sheet_name(u->x, i));
            lua_rawseti(L, -2, i + 1);
        }
    }
    close_at(L, 2);
    return rc < 0 ? 2 : 1;
}

/* pmf.xlsxread.scan(path, sheet, "inflate"|"parse"|"rows") -> count | nil, message: the
 * benchmark's floor (see pmf_xlsx_scan). */
static int xlsxread_scan(lua_State *L) {
    static const char *const modes[] = {"inflate", "parse", "rows", NULL};
    const char *path = luaL_checkstring(L, 1);
    const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    int index = name ? 0 : (int)luaL_optinteger(L, 2, 1) - 1;
    int mode = luaL_checkoption(L, 3, NULL, modes);
    lua_settop(L, 3);
    reader_ud *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->x = NULL;
    luaL_setmetatable(L, PMF_XLSXREAD_MT);
    int rc = pmf_xlsx_open(path, &u->x);
    if (!u->x) return luaL_error(L, "out of memory");
    long long n = rc < 0 ? -1 : pmf_xlsx_scan(u->x, name, index, mode);
    if (n < 0) {
        lua_pushnil(L);
        lua_pushstring(L, pmf_xlsx_error(u->x));
    } else {
        lua_pushinteger(L, (lua_Integer)n);
    }
    close_at(L, 4);
    return n < 0 ? 2 : 1;
}

static const luaL_Reg reader_methods[] = {
    {"rows",    reader_rows},
    {"header",  reader_header},
    {"sheet",   reader_sheet},
    {"close",   reader_close},
    {NULL, NULL}
};

static const luaL_Reg xlsxread_funcs[] = {
    {"sheets",  xlsxread_sheets},
    {"open",    xlsxread_open},
    {"read",    xlsxread_read},
    {"scan",    xlsxread_scan},
    {NULL, NULL}
};

int luaopen_pmf_xlsxread(lua_State *L) {
    if (luaL_newmetatable(L, PMF_XLSXREAD_MT)) {
        luaL_newlib(L, reader_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, reader_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, reader_close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    luaL_newlib(L, xlsxread_funcs);
    return 1;
}
