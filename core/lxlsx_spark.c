/*
 * core/lxlsx_spark.c: a worksheet's `sparklines` in pmf.xlsx.write (Lua side); the XML and
 * the zip rewrite are core/xlsx_spark.c, the steps are in lxlsx_spark.h.
 *
 *   sheet.sparklines = { { range = "D5:K5" | "'Other sheet'!D5:K5", cell = "L5",
 *                          type = "line" | "column" | "stacked", empty = "gap" | "zero" | "span",
 *                          markers =, high =, low =, first =, last =, negative =, axis = bool,
 *                          min =, max = number (a fixed vertical axis), weight = points }, ... }
 *
 * Design decisions:
 * - Sparklines are data in the sheet's table, like its validations: one write call makes the
 *   whole workbook (lxlsx.c's first decision), so nothing half-written is left when a
 *   description is wrong.
 * - Everything is checked before the workbook is closed, so a bad description raises and no
 *   file is written: a range that is not a range, or is neither one row nor one column, a cell
 *   that is not one cell or already has a sparkline, an unknown option or a misspelt key, a
 *   range on a sheet the workbook does not have.  Messages name the sheet and the sparkline's
 *   place in the list: "xlsx: sheet 'Scorecard' sparkline 2: range 'D5:K' is not ...".
 * - A range without a sheet name is on the sheet itself; the cell is always on the sheet.
 * - Empty cells in the data are a gap in the line unless `empty` says otherwise: a missing
 *   figure is never drawn as a zero.
 * - The XML is made here, one group per sparkline, and kept as Lua strings in the accumulator
 *   until the file is written; only pmf_lxlsx_spark_apply's call into xlsx_spark.c allocates,
 *   and it raises nothing.
 */
#include "lxlsx_spark.h"
#include "xlsx_spark.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

static const char *const KEYS[] = { "range", "cell", "type", "empty", "markers", "high", "low",
                                    "first", "last", "negative", "axis", "min", "max", "weight",
                                    NULL };
static const char *const TYPES[] = { "line", "column", "stacked", NULL };
static const char *const EMPTIES[] = { "gap", "zero", "span", NULL };

/* "xlsx: sheet 'S' sparkline i: " pushed, for messages. */
static const char *where(lua_State *L, const char *sheet, lua_Integer i) {
    return lua_pushfstring(L, "xlsx: sheet '%s' sparkline %I: ", sheet, i);
}

/* The string option `key` of the table at sp, one of opts (default def). */
static const char *option(lua_State *L, int sp, const char *key, const char *const *opts,
                          const char *def, const char *w) {
    const char *v;
    int i;
    lua_getfield(L, sp, key);
    if (lua_isnil(L, -1)) { lua_pop(L, 1); return def; }
    v = lua_tostring(L, -1);
    for (i = 0; v && opts[i]; i++)
        if (strcmp(v, opts[i]) == 0) { lua_pop(L, 1); return opts[i]; }
    luaL_error(L, "%s%s must be %s, %s or %s, not '%s'", w, key, opts[0], opts[1], opts[2],
               v ? v : luaL_typename(L, -1));
    return def;
}

/* The number option `key` of the table at sp: 1 and *out set if given. */
static int number(lua_State *L, int sp, const char *key, double *out, const char *w) {
    int t = lua_getfield(L, sp, key);
    if (t == LUA_TNIL) { lua_pop(L, 1); return 0; }
    if (t != LUA_TNUMBER) luaL_error(L, "%s%s must be a number, not %s", w, key, luaL_typename(L, -1));
    *out = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return 1;
}

static int flag(lua_State *L, int sp, const char *key) {
    lua_getfield(L, sp, key);
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Raises on a key of the table at sp that is not an option (a misspelt "marker = true"). */
static void known_keys(lua_State *L, int sp, const char *w) {
    lua_pushnil(L);
    while (lua_next(L, sp)) {
        int ok = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            for (int i = 0; KEYS[i] && !ok; i++) ok = strcmp(lua_tostring(L, -2), KEYS[i]) == 0;
        if (!ok)
            luaL_error(L, "%sunknown option '%s' (range, cell, type, empty, markers, high, low, "
                          "first, last, negative, axis, min, max, weight)", w,
                       lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : luaL_typename(L, -2));
        lua_pop(L, 1);
    }
}

/* One sparkline (the table at sp): its group's XML pushed; a range on another sheet is
 * noted in refs (a table) for pmf_lxlsx_spark_check. */
static void one(lua_State *L, int sp, const char *name, lua_Integer i, int used, int refs) {
    char dsheet[256], csheet[256], xml[2048], at[16];
    pmf_xlsx_area data, cell;
    pmf_xlsx_spark_style st;
    const char *range, *cellref, *w = where(L, name, i);
    int len;
    if (!lua_istable(L, sp)) luaL_error(L, "%smust be a table {range = , cell = }", w);
    known_keys(L, sp, w);
    lua_getfield(L, sp, "range");
    range = lua_tostring(L, -1);
    if (!range) luaL_error(L, "%sno range (such as range = \"D5:K5\")", w);
    if (pmf_xlsx_parse_ref(range, dsheet, sizeof dsheet, &data) < 0)
        luaL_error(L, "%srange '%s' is not a range of cells (such as \"D5:K5\")", w, range);
    if (data.row0 != data.row1 && data.col0 != data.col1)
        luaL_error(L, "%srange '%s' must be one row or one column of cells", w, range);
    lua_getfield(L, sp, "cell");
    cellref = lua_tostring(L, -1);
    if (!cellref) luaL_error(L, "%sno cell (such as cell = \"L5\")", w);
    if (pmf_xlsx_parse_ref(cellref, csheet, sizeof csheet, &cell) < 0 ||
        cell.row0 != cell.row1 || cell.col0 != cell.col1)
        luaL_error(L, "%scell '%s' is not one cell (such as \"L5\")", w, cellref);
    if (csheet[0] && strcmp(csheet, name) != 0)
        luaL_error(L, "%scell '%s' must be on the sheet itself", w, cellref);
    pmf_xlsx_cell_name(cell.row0, cell.col0, at);
    if (lua_getfield(L, used, at) != LUA_TNIL)
        luaL_error(L, "%scell %s already has a sparkline (sparkline %I)", w, at, lua_tointeger(L, -1));
    lua_pushinteger(L, i);
    lua_setfield(L, used, at);
    if (dsheet[0] && strcmp(dsheet, name) != 0) {            /* checked once all sheets exist */
        lua_createtable(L, 2, 0);
        lua_pushstring(L, dsheet);
        lua_rawseti(L, -2, 1);
        lua_pushfstring(L, "%srange '%s' is on sheet '%s', which the workbook does not have",
                        w, range, dsheet);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, refs, (lua_Integer)lua_rawlen(L, refs) + 1);
    }
    memset(&st, 0, sizeof st);
    st.type = option(L, sp, "type", TYPES, "line", w);
    st.empty = option(L, sp, "empty", EMPTIES, "gap", w);
    st.markers = flag(L, sp, "markers");
    st.high = flag(L, sp, "high");
    st.low = flag(L, sp, "low");
    st.first = flag(L, sp, "first");
    st.last = flag(L, sp, "last");
    st.negative = flag(L, sp, "negative");
    st.axis = flag(L, sp, "axis");
    st.has_min = number(L, sp, "min", &st.min, w);
    st.has_max = number(L, sp, "max", &st.max, w);
    if (number(L, sp, "weight", &st.weight, w) && !(st.weight > 0 && st.weight <= 20))
        luaL_error(L, "%sweight must be a line width in points, above 0 and at most 20", w);
    if (st.has_min && st.has_max && !(st.min < st.max))
        luaL_error(L, "%smin must be below max", w);
    len = pmf_xlsx_spark_group(xml, sizeof xml, &st, dsheet[0] ? dsheet : name, &data, &cell);
    if (len < 0) luaL_error(L, "%sthe sheet name is too long", w);
    lua_pushlstring(L, xml, (size_t)len);
}

void pmf_lxlsx_spark_sheet(lua_State *L, int sheet, int sheetno, const char *name, int acc) {
    int top = lua_gettop(L), list, used, refs, groups;
    lua_Integer i, n;
    luaL_Buffer b;
    if (lua_getfield(L, sheet, "sparklines") == LUA_TNIL) {
        lua_settop(L, top);
        return;
    }
    if (!lua_istable(L, -1))
        luaL_error(L, "xlsx: sheet '%s': sparklines must be a list of tables", name);
    list = lua_gettop(L);
    n = luaL_len(L, list);
    lua_newtable(L);                                  /* the cells that have a sparkline */
    used = lua_gettop(L);
    if (lua_getfield(L, acc, "refs") != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, acc, "refs");
    }
    refs = lua_gettop(L);
    lua_createtable(L, (int)(n < 1000 ? n : 1000), 0);
    groups = lua_gettop(L);
    for (i = 1; i <= n; i++) {
        lua_geti(L, list, i);
        one(L, lua_gettop(L), name, i, used, refs);
        lua_rawseti(L, groups, i);
        lua_settop(L, groups);
    }
    if (n > 0) {
        lua_createtable(L, 0, 2);
        lua_pushfstring(L, "xl/worksheets/sheet%d.xml", sheetno);
        lua_setfield(L, -2, "part");
        luaL_buffinit(L, &b);
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, groups, i);
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
        lua_setfield(L, -2, "xml");
        lua_rawseti(L, acc, (lua_Integer)lua_rawlen(L, acc) + 1);
    }
    lua_settop(L, top);
}

void pmf_lxlsx_spark_check(lua_State *L, lxw_workbook *wb, int acc) {
    int top = lua_gettop(L);
    if (lua_getfield(L, acc, "refs") == LUA_TTABLE) {
        lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            lua_rawgeti(L, -1, 1);
            if (!workbook_get_worksheet_by_name(wb, lua_tostring(L, -1))) {
                lua_rawgeti(L, -2, 2);
                lua_error(L);
            }
            lua_pop(L, 2);
        }
    }
    lua_settop(L, top);
}

int pmf_lxlsx_spark_apply(lua_State *L, const char *path, int acc) {
    int top = lua_gettop(L), n = (int)lua_rawlen(L, acc), i, rc;
    char err[1024];
    if (n == 0) return 0;
    /* GC-owned arrays, the strings kept alive by the entries still in acc */
    const char **parts = lua_newuserdatauv(L, sizeof *parts * (size_t)n, 0);
    const char **groups = lua_newuserdatauv(L, sizeof *groups * (size_t)n, 0);
    size_t *glen = lua_newuserdatauv(L, sizeof *glen * (size_t)n, 0);
    for (i = 0; i < n; i++) {
        lua_rawgeti(L, acc, i + 1);
        lua_getfield(L, -1, "part");
        parts[i] = lua_tostring(L, -1);
        lua_getfield(L, -2, "xml");
        groups[i] = lua_tolstring(L, -1, &glen[i]);
        lua_pop(L, 3);
    }
    rc = pmf_xlsx_add_sparklines(path, n, parts, groups, glen, err, sizeof err);
    lua_settop(L, top);
    if (rc == 0) return 0;
    luaL_pushfail(L);
    lua_pushstring(L, err);
    return 2;
}
