/*
 * core/lxlsx.c: the pmf.xlsx Lua module, writing .xlsx workbooks through libxlsxwriter
 * (used by pmf.render for the xlsx format).
 *
 *   pmf.xlsx.write(path, book) -> true | nil, message
 *   pmf.xlsx.member(path, name) -> the bytes of one member of the zip (inflated) | nil
 *            (read back by libzip: core/lxlsx_member.c)
 *
 *   book = { created = unix seconds (the document date; default 0 = 1980, for identical
 *            bytes on every run), title = "...",
 *            sheets = { { name = "Scorecard", columns = { {title =, width =}, ... },
 *                         rows = { {cell, cell, ...}, ... }, freeze = {row, col},
 *                         top = { "title line", ... } (above the header row; the first bold),
 *                         autofilter = bool (on the header row and the rows) } },
 *            keywords = "...", comments = "..." (document properties),
 *            charts = { { name = "Chart", title = "...", categories = "'S'!$B$5:$B$20",
 *                         values = "'S'!$C$5:$C$20", x_title =, y_title =,
 *                         highlight = n (the 0-based point drawn hatched) } } }
 *   (each chart is a bar chart on a chart sheet of its own, after the worksheets)
 *   cell = number | string | boolean | nil (empty) |
 *          { value = number|string|bool|nil, fill = "#RRGGBB", color = "#RRGGBB",
 *            bold = bool, num_format = "0.0", unlocked = bool (an input cell of a
 *            protected sheet) }
 *   sheet extras: hidden = true (a hidden sheet), protect = true (every cell locked but the
 *            unlocked ones), validations = { {row =, col =, last_row =, last_col =,
 *            type = "decimal"|"list", min =, max =, list = {"a", "b"}, message = "..."} }
 *            (rows as in `rows`: 1 is the first row under the header; columns from 1)
 *   book extras: properties = { {"name", "text"}, ... } (custom document properties)
 *   sheet extras: sparklines = { {range = "D5:K5", cell = "L5", markers = true, ...} }
 *            (native Excel sparklines: see core/lxlsx_spark.c)
 *
 * Design decisions:
 * - One call writes a whole workbook from plain Lua data: reports are data, and a handle
 *   API would leave half-written workbooks around when Lua code raises between calls.
 * - The libxlsxwriter workbook lives in a GC-owned userdata whose __gc frees it (without
 *   writing) if anything raises while the book is read; on success workbook_close() writes
 *   the file and frees it, and the pointer is cleared first so the closer is idempotent.
 * - The header row (column titles) is bold, with a light fill; the first row (and
 *   `freeze` if given) is frozen; numbers are written as numbers.
 * - Formats are cached per (bold, fill, color, num_format) in a Lua table keyed by that
 *   description, since libxlsxwriter keeps every format it is given.
 * - The workbook's author (docProps/core.xml creator) is always "pmf": the mark by which
 *   pmf.render knows an existing .xlsx is a report it may replace (pmf.xlsx.member,
 *   core/lxlsx_member.c).
 * - Error contract: a malformed book (wrong types) raises; failing to write the file
 *   (bad directory, ...) returns nil, message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>

#include <xlsxwriter.h>

#include "lxlsx_member.h"
#include "lxlsx_spark.h"

#define PMF_XLSX_MT "pmf.xlsx.Workbook"

typedef struct { lxw_workbook *wb; } book_ud;

/* The idempotent closer: frees an unwritten workbook. */
static int book_gc(lua_State *L) {
    book_ud *b = (book_ud *)luaL_checkudata(L, 1, PMF_XLSX_MT);
    if (b->wb) {
        lxw_workbook_free(b->wb);
        b->wb = NULL;
    }
    return 0;
}

/* "#RRGGBB" (or "RRGGBB") -> 0xRRGGBB; raises on anything else (`what` names the field). */
static lxw_color_t parse_color(lua_State *L, const char *s, const char *what) {
    unsigned int v = 0;
    int n = 0;
    if (s && *s == '#') s++;
    if (!s || strlen(s) != 6 || sscanf(s, "%6x%n", &v, &n) != 1 || n != 6)
        luaL_error(L, "xlsx: %s must be a colour \"#RRGGBB\"", what);
    return (lxw_color_t)v;
}

/* The format for the cell description at idx (a table), made once per distinct
 * description and cached in the table at cache_idx.  Returns NULL for "no format". */
static lxw_format *cell_format(lua_State *L, lxw_workbook *wb, int idx, int cache_idx,
                               int header) {
    int bold = header, top = lua_gettop(L), unlocked = 0;
    const char *fill = NULL, *color = NULL, *numfmt = NULL;
    lxw_format *f;
    if (idx && lua_istable(L, idx)) {
        lua_getfield(L, idx, "bold");
        bold = bold || lua_toboolean(L, -1);
        lua_getfield(L, idx, "fill");
        fill = lua_tostring(L, -1);
        lua_getfield(L, idx, "color");
        color = lua_tostring(L, -1);
        lua_getfield(L, idx, "num_format");
        numfmt = lua_tostring(L, -1);
        lua_getfield(L, idx, "unlocked");
        unlocked = lua_toboolean(L, -1);
    }
    if (header && !fill) fill = "#D9D9D9";
    if (!bold && !fill && !color && !numfmt && !unlocked) {
        lua_settop(L, top);
        return NULL;
    }
    lua_pushfstring(L, "%d|%s|%s|%s|%d", bold, fill ? fill : "", color ? color : "",
                    numfmt ? numfmt : "", unlocked);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, cache_idx) == LUA_TLIGHTUSERDATA) {
        f = (lxw_format *)lua_touserdata(L, -1);
        lua_settop(L, top);
        return f;
    }
    lua_pop(L, 1);
    f = workbook_add_format(wb);
    if (!f) luaL_error(L, "xlsx: out of memory");
    if (bold) format_set_bold(f);
    if (fill) {
        format_set_pattern(f, LXW_PATTERN_SOLID);
        format_set_bg_color(f, parse_color(L, fill, "fill"));
    }
    if (color) format_set_font_color(f, parse_color(L, color, "color"));
    if (numfmt) format_set_num_format(f, numfmt);
    if (unlocked) format_set_unlocked(f);
    format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    lua_pushlightuserdata(L, f);
    lua_rawset(L, cache_idx);
    lua_settop(L, top);
    return f;
}

/* Writes the value at idx (not a table) into (row, col) with format f. */
static void write_value(lua_State *L, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                        int idx, lxw_format *f) {
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        worksheet_write_number(ws, row, col, lua_tonumber(L, idx), f);
        break;
    case LUA_TSTRING:
        worksheet_write_string(ws, row, col, lua_tostring(L, idx), f);
        break;
    case LUA_TBOOLEAN:
        worksheet_write_boolean(ws, row, col, lua_toboolean(L, idx), f);
        break;
    case LUA_TNIL:
        if (f) worksheet_write_blank(ws, row, col, f);
        break;
    default:
        luaL_error(L, "xlsx: a cell must be a number, string, boolean or table, not %s",
                   luaL_typename(L, idx));
    }
}

/* Data validation on a range, from the table at idx (see the header comment). */
static void add_validation(lua_State *L, lxw_worksheet *ws, int idx) {
    lxw_data_validation dv;
    lua_Integer r0, c0, r1, c1;
    const char *type;
    char *items[64];
    int top = lua_gettop(L);
    memset(&dv, 0, sizeof dv);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "row");
    r0 = luaL_checkinteger(L, -1);
    lua_getfield(L, idx, "col");
    c0 = luaL_checkinteger(L, -1);
    lua_getfield(L, idx, "last_row");
    r1 = luaL_optinteger(L, -1, r0);
    lua_getfield(L, idx, "last_col");
    c1 = luaL_optinteger(L, -1, c0);
    if (r0 < 1 || c0 < 1 || r1 < r0 || c1 < c0 || r1 > 1048575 || c1 > 16384)
        luaL_error(L, "xlsx: a validation's range is out of bounds");
    lua_getfield(L, idx, "type");
    type = luaL_checkstring(L, -1);
    lua_getfield(L, idx, "message");
    if (lua_isstring(L, -1)) {
        dv.error_message = (char *)lua_tostring(L, -1);
        dv.input_message = (char *)lua_tostring(L, -1);
    }
    if (strcmp(type, "decimal") == 0) {
        dv.validate = LXW_VALIDATION_TYPE_DECIMAL;
        lua_getfield(L, idx, "min");
        lua_getfield(L, idx, "max");
        if (lua_isnumber(L, -2) && lua_isnumber(L, -1)) {
            dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
            dv.minimum_number = lua_tonumber(L, -2);
            dv.maximum_number = lua_tonumber(L, -1);
        } else {
            dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
            dv.minimum_number = -1e15;
            dv.maximum_number = 1e15;
        }
    } else if (strcmp(type, "list") == 0) {
        lua_Integer n, i;
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        int list;
        lua_getfield(L, idx, "list");
        luaL_checktype(L, -1, LUA_TTABLE);
        list = lua_gettop(L);
        n = luaL_len(L, list);
        if (n < 1 || n > 63) luaL_error(L, "xlsx: a list validation has 1 to 63 items");
        for (i = 1; i <= n; i++) {
            lua_geti(L, list, i);
            items[i - 1] = (char *)luaL_checkstring(L, -1);   /* kept on the stack until the call */
        }
        items[n] = NULL;
        dv.value_list = items;
    } else {
        luaL_error(L, "xlsx: validation type must be decimal or list, not '%s'", type);
    }
    if (worksheet_data_validation_range(ws, (lxw_row_t)r0, (lxw_col_t)(c0 - 1), (lxw_row_t)r1,
                                        (lxw_col_t)(c1 - 1), &dv) != LXW_NO_ERROR)
        luaL_error(L, "xlsx: cannot add a data validation");
    lua_settop(L, top);
}

/* A sheet's extras: validations, protection, hidden. */
static void sheet_extras(lua_State *L, lxw_worksheet *ws, int idx) {
    int top = lua_gettop(L);
    if (lua_getfield(L, idx, "validations") == LUA_TTABLE) {
        lua_Integer i, n = luaL_len(L, -1);
        for (i = 1; i <= n; i++) {
            lua_geti(L, -1, i);
            add_validation(L, ws, lua_gettop(L));
            lua_pop(L, 1);
        }
    }
    lua_getfield(L, idx, "protect");
    if (lua_toboolean(L, -1)) worksheet_protect(ws, NULL, NULL);
    lua_getfield(L, idx, "hidden");
    if (lua_toboolean(L, -1)) worksheet_hide(ws);
    lua_settop(L, top);
}

/* Writes one sheet (the table at idx) into the workbook; returns it. */
static lxw_worksheet *write_sheet(lua_State *L, lxw_workbook *wb, int idx, int cache_idx) {
    lxw_worksheet *ws;
    lua_Integer ncols, nrows, r, c;
    lxw_row_t head = 0;                           /* the header row (after `top`) */
    char name[32];
    const char *nm;
    int top = lua_gettop(L);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "name");
    nm = luaL_optstring(L, -1, NULL);
    if (nm) {
        snprintf(name, sizeof name, "%s", nm);   /* Excel's limit is 31 characters */
    }
    ws = workbook_add_worksheet(wb, nm ? name : NULL);
    if (!ws) luaL_error(L, "xlsx: cannot add sheet '%s' (duplicate or invalid name)",
                        nm ? name : "?");
    lua_getfield(L, idx, "top");                 /* title lines above the header */
    if (lua_istable(L, -1)) {
        lua_Integer t, nt = luaL_len(L, -1);
        for (t = 1; t <= nt; t++) {
            lua_geti(L, -1, t);
            if (t == 1) {
                lua_newtable(L);
                lua_pushboolean(L, 1);
                lua_setfield(L, -2, "bold");
                write_value(L, ws, (lxw_row_t)(t - 1), 0, -2,
                            cell_format(L, wb, lua_gettop(L), cache_idx, 0));
                lua_pop(L, 1);
            } else {
                write_value(L, ws, (lxw_row_t)(t - 1), 0, -1, NULL);
            }
            lua_pop(L, 1);
        }
        head = (lxw_row_t)nt;
    }
    lua_pop(L, 1);
    lua_getfield(L, idx, "columns");
    luaL_checktype(L, -1, LUA_TTABLE);
    ncols = luaL_len(L, -1);
    for (c = 1; c <= ncols; c++) {
        lua_geti(L, -1, c);
        luaL_checktype(L, -1, LUA_TTABLE);
        lua_getfield(L, -1, "title");
        lua_getfield(L, -2, "width");
        worksheet_set_column(ws, (lxw_col_t)(c - 1), (lxw_col_t)(c - 1),
                             lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 12.0, NULL);
        write_value(L, ws, head, (lxw_col_t)(c - 1), -2, cell_format(L, wb, 0, cache_idx, 1));
        lua_pop(L, 3);
    }
    lua_getfield(L, idx, "rows");
    luaL_checktype(L, -1, LUA_TTABLE);
    nrows = luaL_len(L, -1);
    for (r = 1; r <= nrows; r++) {
        lua_geti(L, -1, r);
        luaL_checktype(L, -1, LUA_TTABLE);
        for (c = 1; c <= ncols; c++) {
            lxw_row_t xr = head + (lxw_row_t)r;
            lxw_col_t xc = (lxw_col_t)(c - 1);
            if (lua_geti(L, -1, c) == LUA_TTABLE) {
                int cell = lua_gettop(L);
                lxw_format *f = cell_format(L, wb, cell, cache_idx, 0);
                lua_getfield(L, cell, "value");
                write_value(L, ws, xr, xc, -1, f);
                lua_pop(L, 1);
            } else {
                write_value(L, ws, xr, xc, -1, NULL);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_getfield(L, idx, "freeze");
    if (lua_istable(L, -1)) {
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        worksheet_freeze_panes(ws, (lxw_row_t)luaL_optinteger(L, -2, 1),
                               (lxw_col_t)luaL_optinteger(L, -1, 0));
    } else {
        worksheet_freeze_panes(ws, head + 1, 0);
    }
    lua_getfield(L, idx, "autofilter");
    if (lua_toboolean(L, -1) && ncols > 0)
        worksheet_autofilter(ws, head, 0, head + (lxw_row_t)nrows, (lxw_col_t)(ncols - 1));
    sheet_extras(L, ws, idx);
    lua_settop(L, top);
    return ws;
}

/* Adds a chart sheet holding a bar chart (the table at idx) to the workbook. */
static void write_chart(lua_State *L, lxw_workbook *wb, int idx) {
    const char *nm, *cats, *vals, *title, *xt, *yt;
    lxw_chartsheet *cs;
    lxw_chart *chart;
    lxw_chart_series *series;
    int top = lua_gettop(L);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "name");
    nm = luaL_optstring(L, -1, NULL);
    lua_getfield(L, idx, "categories");
    cats = luaL_checkstring(L, -1);
    lua_getfield(L, idx, "values");
    vals = luaL_checkstring(L, -1);
    lua_getfield(L, idx, "title");
    title = luaL_optstring(L, -1, NULL);
    lua_getfield(L, idx, "x_title");
    xt = luaL_optstring(L, -1, NULL);
    lua_getfield(L, idx, "y_title");
    yt = luaL_optstring(L, -1, NULL);
    cs = workbook_add_chartsheet(wb, nm);
    if (!cs) luaL_error(L, "xlsx: cannot add chart sheet '%s'", nm ? nm : "?");
    chart = workbook_add_chart(wb, LXW_CHART_BAR);
    if (!chart) luaL_error(L, "xlsx: out of memory");
    series = chart_add_series(chart, cats, vals);
    if (!series) luaL_error(L, "xlsx: out of memory");
    if (title) chart_title_set_name(chart, title);
    if (xt) chart_axis_set_name(chart->x_axis, xt);
    if (yt) chart_axis_set_name(chart->y_axis, yt);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    chart_series_set_labels(series);
    chart_axis_set_reverse(chart->x_axis);        /* the first row at the top */
    lua_getfield(L, idx, "highlight");
    if (lua_isinteger(L, -1)) {
        lua_Integer h = lua_tointeger(L, -1), k;
        static lxw_chart_pattern hatch = { 0x1F3A5F, 0xF2C94C, LXW_CHART_PATTERN_WIDE_UPWARD_DIAGONAL };
        static lxw_chart_fill plain_fill = { 0x6B7F99, 0, 0 };
        static lxw_chart_point own = { NULL, NULL, &hatch };
        static lxw_chart_point other = { NULL, &plain_fill, NULL };
        if (h >= 0 && h < 1000) {
            lxw_chart_point **pts = lua_newuserdatauv(L, sizeof *pts * (size_t)(h + 2), 0);
            for (k = 0; k < h; k++) pts[k] = &other;
            pts[h] = &own;
            pts[h + 1] = NULL;
            chart_series_set_points(series, pts);   /* copied by libxlsxwriter */
        }
    }
    chartsheet_set_chart(cs, chart);
    lua_settop(L, top);
}

/* pmf.xlsx.write(path, book) -> true | nil, message.  Raises on a malformed book. */
static int xlsx_write(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    lxw_doc_properties props;
    lxw_error err;
    lua_Integer i, n;
    book_ud *b;
    int cache, spark;
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    {   /* fail early, quietly (libxlsxwriter would print to stderr at close) */
        FILE *fp = fopen(path, "wb");
        if (!fp) return luaL_fileresult(L, 0, path);
        fclose(fp);
    }
    lua_newtable(L);                                 /* 3: the format cache */
    cache = 3;
    b = (book_ud *)lua_newuserdatauv(L, sizeof *b, 0); /* 4: created closed, then opened */
    b->wb = NULL;
    luaL_setmetatable(L, PMF_XLSX_MT);
    lua_newtable(L);                                 /* 5: the sparklines, per worksheet */
    spark = 5;
    b->wb = workbook_new(path);
    if (!b->wb) {
        luaL_pushfail(L);
        lua_pushfstring(L, "%s: cannot create workbook", path);
        return 2;
    }
    memset(&props, 0, sizeof props);
    lua_getfield(L, 2, "title");
    props.title = (char *)lua_tostring(L, -1);      /* libxlsxwriter copies it */
    lua_getfield(L, 2, "created");
    props.created = (time_t)luaL_optinteger(L, -1, 315532800);  /* 1980-01-01 */
    if (props.created <= 0) props.created = 315532800;
    props.author = (char *)"pmf";
    lua_getfield(L, 2, "keywords");
    props.keywords = (char *)lua_tostring(L, -1);
    lua_getfield(L, 2, "comments");
    props.comments = (char *)lua_tostring(L, -1);
    workbook_set_properties(b->wb, &props);
    lua_pop(L, 4);
    if (lua_getfield(L, 2, "properties") == LUA_TTABLE) {   /* custom properties, in order */
        lua_Integer k, np = luaL_len(L, -1);
        for (k = 1; k <= np; k++) {
            lua_geti(L, -1, k);
            luaL_checktype(L, -1, LUA_TTABLE);
            lua_geti(L, -1, 1);
            lua_geti(L, -2, 2);
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "xlsx: properties must be a list of {name, text}");
            if (workbook_set_custom_property_string(b->wb, lua_tostring(L, -2),
                                                    lua_tostring(L, -1)) != LXW_NO_ERROR)
                luaL_error(L, "xlsx: cannot set property '%s'", lua_tostring(L, -2));
            lua_pop(L, 3);
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "sheets");
    luaL_checktype(L, -1, LUA_TTABLE);
    n = luaL_len(L, -1);
    for (i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        lxw_worksheet *ws = write_sheet(L, b->wb, lua_gettop(L), cache);
        pmf_lxlsx_spark_sheet(L, lua_gettop(L), (int)i, ws->name, spark);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "charts");
    if (lua_istable(L, -1)) {
        n = luaL_len(L, -1);
        for (i = 1; i <= n; i++) {
            lua_geti(L, -1, i);
            write_chart(L, b->wb, lua_gettop(L));
            lua_pop(L, 1);
        }
    }
    pmf_lxlsx_spark_check(L, b->wb, spark);
    {
        lxw_workbook *wb = b->wb;
        b->wb = NULL;                                /* close frees it, whatever happens */
        errno = 0;
        err = workbook_close(wb);
    }
    if (err != LXW_NO_ERROR) {
        /* the system's reason (a full disk, ...) when there is one, then libxlsxwriter's */
        int en = errno;
        luaL_pushfail(L);
        if (en) lua_pushfstring(L, "%s: %s (%s)", path, strerror(en), lxw_strerror(err));
        else lua_pushfstring(L, "%s: %s", path, lxw_strerror(err));
        return 2;
    }
    if (pmf_lxlsx_spark_apply(L, path, spark)) return 2;
    lua_pushboolean(L, 1);
    return 1;
}

static const luaL_Reg xlsx_funcs[] = {
    { "write",   xlsx_write },
    { "member",  pmf_lxlsx_member },
    { NULL,    NULL }
};

int luaopen_pmf_xlsx(lua_State *L) {
    if (luaL_newmetatable(L, PMF_XLSX_MT)) {
        lua_pushcfunction(L, book_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, book_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    luaL_newlib(L, xlsx_funcs);
    return 1;
}
