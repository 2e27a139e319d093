/*
 * limport.c: pmf.importer, the Lua binding of core/import.c (its functions beside the
 * importer itself, from importer.parse_flags down, are core/limport_tools.c).
 *
 *   importer.csv(store, path, opts)  -> summary | nil, message, errors
 *   importer.begin(store, name, opts) -> Importer | nil, message     (rows one at a time:
 *       imp:row(n, t) -> true|false, imp:fail(n, msg), imp:finish() -> as csv(), imp:close())
 *   importer.xlsx(store, path, opts) -> as csv(), a sheet of an .xlsx workbook (opts.sheet: its
 *       name, else the first; opts.range: "A5:Z" the header's row and the columns to read)
 *   importer.recipe(spec) -> Recipe (core/recipe_lua.c); opts.recipe reads the file through
 *       it, and the summary gains skipped= and skipped_by={rule=, missing=, ...}
 *   importer.parse_flags(s) -> bits | nil, message
 *   importer.breakdown(store, metric_id, area_id, s) -> the breakdown as stored ("" for
 *       none) | nil, message: core/breakdown.h's normaliser, for store:observe, get, history
 *   importer.rows(path) -> Rows: a CSV file's rows streamed for Lua (rows:next() -> line,
 *       fields | nil); the row source of the other importable kinds (lua/pmf/import.lua)
 *   importer.text_check(s) -> nil | byte, why: core/breakdown.h's UTF-8/NUL check
 *   importer.peak_rss() -> peak resident set size of the process, in KiB
 *   importer.raw_insert(store, metric_ids, area_ids, start, nmonths) -> seconds, rows
 *       (the benchmark's physical limit: pre-computed rows through one prepared INSERT)
 *
 * opts: year_start (1-12 or a month name; April), dry_run, max_errors (20), layout
 * ("auto"|"long"|"wide"), by, at, source, progress (draw a bar on stderr when it is a
 * terminal and the file is over 8 MB), items (messages say "item N"), breakdown_keys
 * ({[metric code] = "sex,age_band", ...}: the keys a metric's frameworks declare).
 * skip_bad: refuse bad rows alone; the summary's `rejects` lists them ({line=, fields=,
 * reason=}), `refused` counts them, `header` is the CSV header (for the rejects file).
 * summary: {rows=, new=, revised=, unchanged=, batch=, dry_run=, errors=0, refused=}.
 *
 * Error contract: misuse raises (not a store, a view as-of a date, a bad option); a file that
 * cannot be read or is rejected returns nil, message, errors (a list of every kept message;
 * the message is the first of them and says how many there were).  An Importer is created
 * closed-safe: `__gc` and `__close` roll back an unfinished import and free it.
 */
#include "breakdown.h"
#include "import.h"
#include "lperiod.h"
#include "lstore.h"
#include "limport.h"
#include "recipe_lua.h"
#include "xlsx_read.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PMF_IMPORTER_MT "pmf.Importer"
#define BAR_MIN_BYTES (8 * 1024 * 1024)

typedef struct {
    pmf_import *im;
    pmf_csv *csv;            /* importer.csv's reader, closed with the importer */
    pmf_xlsx *xlsx;          /* importer.xlsx's reader, likewise */
    int dry_run;
} limporter;

typedef struct {
    const char *name;
    double last;             /* seconds (monotonic) of the last draw; 0 never */
    int drawn;
} bar;

/* Seconds on the monotonic clock (the progress bar; the bench). */
double pmf_limport_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The progress bar: at most ten draws a second, only for a large file on a terminal. */
static void draw_bar(void *ud, int64_t done, int64_t total) {
    bar *b = ud;
    if (total < BAR_MIN_BYTES) return;
    double t = pmf_limport_now();
    if (done < total && t - b->last < 0.1) return;
    b->last = t;
    int pct = (int)(done * 100 / total), w = pct * 30 / 100;
    fprintf(stderr, "\rimporting %s [%.*s%*s] %3d%%", b->name, w,
            "##############################", 30 - w, "", pct);
    fflush(stderr);
    b->drawn = 1;
}

static void clear_bar(const bar *b) {
    if (b->drawn) fprintf(stderr, "\r%*s\r", 60 + (int)strlen(b->name), "");
}

/* Options from the table at idx (may be none).  Strings stay owned by that table. */
static void get_opts(lua_State *L, int idx, pmf_import_opts *o) {
    static const char *const layouts[] = {"auto", "long", "wide", NULL};
    memset(o, 0, sizeof *o);
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "year_start");
    o->year_start = pmf_checkyearstart(L, lua_gettop(L), PMF_PERIOD_DEFAULT_YEAR_START);
    lua_pop(L, 1);
    lua_getfield(L, idx, "dry_run");
    o->dry_run = lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, idx, "items");
    o->items = lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, idx, "max_errors");
    if (!lua_isnil(L, -1)) {
        lua_Integer n = luaL_checkinteger(L, -1);
        luaL_argcheck(L, n > 0 && n <= 100000, idx, "max_errors must be 1..100000");
        o->max_errors = (int)n;
    }
    lua_pop(L, 1);
    lua_getfield(L, idx, "layout");
    o->layout = luaL_checkoption(L, lua_gettop(L), "auto", layouts);
    lua_pop(L, 1);
    const char *f[3] = {"by", "at", "source"};
    const char **v[3] = {&o->by, &o->at, &o->source};
    for (int i = 0; i < 3; i++) {
        lua_getfield(L, idx, f[i]);
        if (!lua_isnil(L, -1) && !lua_isstring(L, -1))
            luaL_error(L, "import option '%s' must be a string", f[i]);
        *v[i] = lua_tostring(L, -1);   /* anchored by the options table */
        lua_pop(L, 1);
    }
    lua_getfield(L, idx, "skip_bad");
    o->skip_bad = lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, idx, "year_type");
    if (!lua_isnil(L, -1)) {
        o->year_type = pmf_year_type_from_name(luaL_checkstring(L, -1));
        if (o->year_type < 0)
            luaL_error(L, "import option 'year_type' must be financial, academic or calendar");
    }
    lua_pop(L, 1);
    if (o->at) {
        int64_t ms;
        if (pmf_asof_parse(o->at, &ms) != 0)
            luaL_error(L, "import option 'at': '%s' is not YYYY-MM-DD[THH:MM[:SS]]", o->at);
    }
}

/* opts.breakdown_keys ({[metric code] = "k1,k2"}), declared to the importer. */
static void declare_keys(lua_State *L, int idx, pmf_import *im) {
    if (!lua_istable(L, idx)) return;
    if (lua_getfield(L, idx, "breakdown_keys") == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "import option 'breakdown_keys': metric code = \"key,key\" expected");
            pmf_import_declare_keys(im, lua_tostring(L, -2), lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* skip_bad: where refused rows go, a list {line=, fields={...}, reason=} at stack index
 * `idx` (memory grows with the refused rows only). */
typedef struct {
    lua_State *L;
    int idx;
} rejects;

/* A row's fields as a Lua list of strings (a rejected row; importer.rows). */
void pmf_limport_push_fields(lua_State *L, const pmf_csv_field *row, size_t n) {
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        if (row[i].s) lua_pushlstring(L, row[i].s, row[i].len); else lua_pushliteral(L, "");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void on_reject(void *ud, long line, const pmf_csv_field *row, size_t n,
                      const char *reason) {
    rejects *r = ud;
    lua_State *L = r->L;
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, line);
    lua_setfield(L, -2, "line");
    pmf_limport_push_fields(L, row, n);
    lua_setfield(L, -2, "fields");
    lua_pushstring(L, reason);
    lua_setfield(L, -2, "reason");
    lua_rawseti(L, r->idx, (lua_Integer)luaL_len(L, r->idx) + 1);
}

/* Push the result of a finished import: summary, or nil, message, errors. */
static int push_result(lua_State *L, pmf_import *im, int dry_run) {
    pmf_import_summary s;
    size_t ncols = pmf_import_ncols(im);
    int rc = pmf_import_finish(im, &s);
    if (rc == 0) {
        lua_createtable(L, 0, 9);
        lua_pushinteger(L, s.refused); lua_setfield(L, -2, "refused");
        lua_pushinteger(L, s.skipped); lua_setfield(L, -2, "skipped");
        lua_createtable(L, (int)ncols, 0);
        for (size_t i = 0; i < ncols; i++) {
            lua_pushstring(L, pmf_import_colname(im, i));
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "header");
        lua_pushinteger(L, s.rows); lua_setfield(L, -2, "rows");
        lua_pushinteger(L, s.added); lua_setfield(L, -2, "new");
        lua_pushinteger(L, s.revised); lua_setfield(L, -2, "revised");
        lua_pushinteger(L, s.unchanged); lua_setfield(L, -2, "unchanged");
        lua_pushinteger(L, 0); lua_setfield(L, -2, "errors");
        if (s.batch >= 0) { lua_pushinteger(L, s.batch); lua_setfield(L, -2, "batch"); }
        lua_pushboolean(L, dry_run); lua_setfield(L, -2, "dry_run");
        return 1;
    }
    int n = pmf_import_nmessages(im);
    int64_t total = pmf_import_nerrors(im);
    luaL_pushfail(L);
    if (total > n)
        lua_pushfstring(L, "%s (%I errors in all; the file was not imported)",
                        n ? pmf_import_message(im, 0) : "error", (lua_Integer)total);
    else if (total > 1)
        lua_pushfstring(L, "%s (%I errors; the file was not imported)",
                        pmf_import_message(im, 0), (lua_Integer)total);
    else
        lua_pushstring(L, n ? pmf_import_message(im, 0) : "the import failed");
    lua_createtable(L, n, 1);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, pmf_import_message(im, i));
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushinteger(L, total);
    lua_setfield(L, -2, "total");
    return 3;
}

static limporter *new_importer(lua_State *L) {
    limporter *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->im = NULL;
    u->csv = NULL;
    u->xlsx = NULL;
    u->dry_run = 0;
    luaL_setmetatable(L, PMF_IMPORTER_MT);
    return u;
}

/* importer.csv(store, path, opts) / importer.xlsx(...) -> summary | nil, message, errors.
 * path "-" is stdin (CSV only). */
static int import_file(lua_State *L, int xlsx) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    pmf_checkwritable(L, 1);
    const char *path = luaL_checkstring(L, 2);
    pmf_import_opts o;
    get_opts(L, 3, &o);
    int progress = 0;
    pmf_recipe *recipe = NULL;
    const char *sheet = NULL, *range = NULL;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "progress");
        progress = lua_toboolean(L, -1);
        lua_getfield(L, 3, "recipe");
        recipe = pmf_lrecipe_opt(L, -1);
        lua_getfield(L, 3, "sheet");
        sheet = lua_tostring(L, -1);
        lua_getfield(L, 3, "range");
        range = lua_tostring(L, -1);
        lua_pop(L, 4);   /* all anchored by the options table */
    }
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (lua_istable(L, 3) && lua_getfield(L, 3, "name") == LUA_TSTRING) name = lua_tostring(L, -1);
    /* Room for any message naming the file (GC-owned, so a raise cannot leak it). */
    size_t errlen = strlen(path) + strlen(name) + 1024;
    char *err = lua_newuserdatauv(L, errlen, 0);
    /* The reader and the importer live in the Importer's userdata, freed by its closer, so
     * that nothing malloc'd is lost if anything below raises. */
    limporter *u = new_importer(L);
    if (xlsx) {
        pmf_xlsx_range rg = {0, 0, 0, 0};
        if (range && pmf_xlsx_parse_range(range, &rg, err, errlen) != 0) {
            luaL_pushfail(L);
            lua_pushfstring(L, "%s: range '%s': %s", name, range, err);
            return 2;
        }
        if (pmf_xlsx_open(path, &u->xlsx) != 0 ||
            pmf_xlsx_open_sheet(u->xlsx, sheet, 0, range ? &rg : NULL) != 0) {
            luaL_pushfail(L);
            lua_pushstring(L, u->xlsx ? pmf_xlsx_error(u->xlsx) : "out of memory");
            return 2;
        }
    } else {
        pmf_csv *c = strcmp(path, "-") == 0 ? pmf_csv_open_fd(0, "<stdin>", err, errlen)
                                            : pmf_csv_open(path, err, errlen);
        u->csv = c;
        if (!c) {
            luaL_pushfail(L);
            lua_pushstring(L, err);
            return 2;
        }
    }
    bar b = {name, 0, 0};
    if (progress && isatty(2)) {
        o.progress = draw_bar;
        o.progress_ud = &b;
    }
    lua_newtable(L);   /* the refused rows (skip_bad) */
    rejects rj = {L, lua_gettop(L)};
    if (o.skip_bad) {
        o.reject = on_reject;
        o.reject_ud = &rj;
    }
    u->im = pmf_import_begin(s, name, &o, err, errlen);
    if (!u->im) {
        luaL_pushfail(L);
        lua_pushstring(L, err);
        return 2;
    }
    declare_keys(L, 3, u->im);
    if (!recipe || pmf_import_use_recipe(u->im, recipe) == 0) {
        if (xlsx) pmf_import_xlsx(u->im, u->xlsx);
        else pmf_import_csv(u->im, u->csv);
    }
    clear_bar(&b);
    int n = push_result(L, u->im, o.dry_run);
    if (n == 1) {
        lua_pushvalue(L, rj.idx);
        lua_setfield(L, -2, "rejects");
        if (recipe) {
            pmf_lrecipe_push_skipped(L, recipe);
            lua_setfield(L, -2, "skipped_by");
        }
    }
    pmf_import_free(u->im);
    u->im = NULL;
    pmf_csv_close(u->csv);
    u->csv = NULL;
    pmf_xlsx_close(u->xlsx);
    u->xlsx = NULL;
    return n;
}

static int importer_csv(lua_State *L) { return import_file(L, 0); }
static int importer_xlsx(lua_State *L) { return import_file(L, 1); }

/* importer.begin(store, name, opts) -> Importer | nil, message */
static int importer_begin(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    pmf_checkwritable(L, 1);
    const char *name = luaL_checkstring(L, 2);
    pmf_import_opts o;
    get_opts(L, 3, &o);
    size_t errlen = strlen(name) + 1024;
    char *err = lua_newuserdatauv(L, errlen, 0);
    limporter *u = new_importer(L);
    u->im = pmf_import_begin(s, name, &o, err, errlen);
    if (!u->im) {
        luaL_pushfail(L);
        lua_pushstring(L, err);
        return 2;
    }
    declare_keys(L, 3, u->im);
    u->dry_run = o.dry_run;
    return 1;
}

static pmf_import *check_open(lua_State *L) {
    limporter *u = luaL_checkudata(L, 1, PMF_IMPORTER_MT);
    if (!u->im) luaL_error(L, "attempt to use a finished pmf.Importer");
    return u->im;
}

/* imp:row(n, t) -> true | false: one long-form row from the fields of t (strings or
 * numbers; nil or any non-string, non-number value such as cjson.null is absent). */
static int importer_row(lua_State *L) {
    pmf_import *im = check_open(L);
    lua_Integer line = luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    static const char *const names[PMF_IMPORT_NCOLS] = {
        "metric", "area", "period", "value", "breakdown", "numerator", "denominator", "flag",
        "source",
    };
    pmf_csv_field f[PMF_IMPORT_NCOLS];
    char num[PMF_IMPORT_NCOLS][40];
    for (int i = 0; i < PMF_IMPORT_NCOLS; i++) {
        f[i].s = NULL;
        f[i].len = 0;
        int t = lua_getfield(L, 3, names[i]);
        if (t == LUA_TNUMBER) {
            if (lua_isinteger(L, -1))
                snprintf(num[i], sizeof num[i], LUA_INTEGER_FMT, lua_tointeger(L, -1));
            else
                snprintf(num[i], sizeof num[i], "%.17g", (double)lua_tonumber(L, -1));
            f[i].s = num[i];
            f[i].len = strlen(num[i]);
        } else if (t == LUA_TSTRING) {
            f[i].s = lua_tolstring(L, -1, &f[i].len);   /* anchored by the table */
        }
        lua_pop(L, 1);
    }
    int ok = pmf_import_row(im, (long)line, f) == 0;
    lua_pushboolean(L, ok);
    const char *why = ok ? NULL : pmf_import_row_reason(im);
    if (!why) return 1;
    lua_pushstring(L, why);
    return 2;
}

/* imp:fail(n, message): record an error found by the caller (a bad JSON item). */
static int importer_fail(lua_State *L) {
    pmf_import *im = check_open(L);
    pmf_import_fail(im, (long)luaL_checkinteger(L, 2), luaL_checkstring(L, 3));
    return 0;
}

/* imp:finish() -> summary | nil, message, errors; the importer is closed after. */
static int importer_finish(lua_State *L) {
    limporter *u = luaL_checkudata(L, 1, PMF_IMPORTER_MT);
    pmf_import *im = check_open(L);
    int n = push_result(L, im, u->dry_run);
    pmf_import_free(im);
    u->im = NULL;
    return n;
}

/* __gc, __close and imp:close(): roll back if unfinished, free; idempotent. */
static int importer_close(lua_State *L) {
    limporter *u = luaL_checkudata(L, 1, PMF_IMPORTER_MT);
    pmf_import_free(u->im);
    u->im = NULL;
    pmf_csv_close(u->csv);
    u->csv = NULL;
    pmf_xlsx_close(u->xlsx);
    u->xlsx = NULL;
    return 0;
}

static const luaL_Reg rows_methods[] = {
    {"next",  rows_next},
    {"close", rows_close},
    {NULL, NULL},
};

static const luaL_Reg importer_methods[] = {
    {"row",    importer_row},
    {"fail",   importer_fail},
    {"finish", importer_finish},
    {"close",  importer_close},
    {NULL,     NULL}
};

static const luaL_Reg importer_meta[] = {
    {"__gc",    importer_close},
    {"__close", importer_close},
    {"__index", NULL},   /* set to the methods table below */
    {NULL,      NULL}
};

static const luaL_Reg importer_funcs[] = {
    {"csv",         importer_csv},
    {"xlsx",        importer_xlsx},
    {"recipe",      pmf_lrecipe_new},
    {"begin",       importer_begin},
    {"parse_flags", importer_parse_flags},
    {"breakdown",   importer_breakdown},
    {"peak_rss",    importer_peak_rss},
    {"raw_insert",  importer_raw_insert},
    {"rows",        importer_rows},
    {"text_check",  importer_text_check},
    {NULL,          NULL}
};

int luaopen_pmf_importer(lua_State *L) {
    luaL_newmetatable(L, PMF_IMPORTER_MT);
    luaL_setfuncs(L, importer_meta, 0);
    luaL_newlib(L, importer_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newmetatable(L, PMF_ROWS_MT);
    lua_pushcfunction(L, rows_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, rows_close);
    lua_setfield(L, -2, "__close");
    luaL_newlib(L, rows_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, importer_funcs);
    return 1;
}
