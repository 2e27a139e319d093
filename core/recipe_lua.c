/*
 * core/recipe_lua.c: compiling a recipe spec (a Lua table checked by lua/pmf/recipe.lua)
 * into core/recipe.h's C struct, once per import, held in a userdata freed by the GC.
 *
 * The spec is already checked (with file:line errors) by recipe.lua; what is checked here
 * is only what would make the C struct wrong (field names, meanings, year types), raising
 * on misuse.  The spec's shape:
 *   { name=, layout="long"|"wide_periods"|"wide_measures", map={{column, field}...},
 *     ignore={...}, const={field=value}, measures={{text, metric, year_type, breakdown}...},
 *     measure_also={column...},
 *     unmapped="skip"|"error", markers={{text, meaning}...}, thousands=, percent=, pound=,
 *     scale=, year_type=, period_template=, period_fix={{from, to}...}, area_by=, skip_area_kinds={...}, skip={{column, value, prefix}...},
 *     row=function, row_opts={name=, chunk=, budget=} }
 *
 * The row function (spec.row) is run here, as core/recipe.h's row hook: for each figure,
 * row(t) under the sandbox's limits (pmf_sandbox_pcall: the same limits as
 * pmf.sandbox.run(row, row_opts, t), read once per import when the header is bound, so a
 * row pays for the call alone), t ONE table per import reused for every row (column name
 * -> text, then the derived fields metric, area, period, value, ...), so the whole import's
 * row-function time and instructions come off ONE budget (row_opts.budget).  A limit reached
 * stops the import (-2); any other error refuses the row with the function's own file:line
 * message.  The Lua values the hook needs
 * are registry references released by __gc; the lua_State is the one importing
 * (pmf_lrecipe_opt notes it).
 */
#include "recipe_lua.h"
#include "period.h"
#include "pmf_internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#define MT "pmf.Recipe"

typedef struct {
    pmf_recipe *r;
    lua_State *L;                          /* the importing state (set by pmf_lrecipe_opt) */
    int fn, opts, rowt, names, last;       /* registry refs (LUA_NOREF: no row function) */
    pmf_sandbox_call call;                 /* the limits, read once per import */
    size_t ncols;                          /* columns named in names */
    int colno[PMF_IMPORT_NCOLS];           /* each field's column (1-based; 0 none) */
    unsigned set;                          /* fields the row table may hold (bit k: fields[k]) */
    unsigned clash;                        /* fields named as a column (always written) */
} urecipe;

static const char *const fields[] = {"metric", "area", "period", "value", "breakdown",
    "numerator", "denominator", "flag", "source", NULL};

static int gc(lua_State *L) {
    urecipe *u = luaL_checkudata(L, 1, MT);
    pmf_recipe_free(u->r);
    u->r = NULL;
    int *refs[] = {&u->fn, &u->opts, &u->rowt, &u->names, &u->last};
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        luaL_unref(L, LUA_REGISTRYINDEX, *refs[i]);
        *refs[i] = LUA_NOREF;
    }
    return 0;
}

/* The header hook: the column names, kept as Lua strings (the row table's keys); the
 * sandbox's limits read once for the whole import (its one budget starts here). */
static int row_header(void *ud, const char *const *names, size_t n, char *err, size_t errlen) {
    (void)err; (void)errlen;
    urecipe *u = ud;
    lua_State *L = u->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->fn);
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->opts);
    pmf_sandbox_prepare(L, -2, -1, &u->call);   /* name and chunk: anchored by opts */
    lua_pop(L, 2);
    lua_createtable(L, (int)n + PMF_IMPORT_NCOLS, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++) {   /* then the fields' names, interned once */
        lua_pushstring(L, fields[k]);
        lua_rawseti(L, -2, (lua_Integer)(n + 1 + (size_t)k));
    }
    lua_rawseti(L, LUA_REGISTRYINDEX, u->names);
    lua_createtable(L, 0, (int)n + PMF_IMPORT_NCOLS);   /* a fresh row table per import */
    lua_rawseti(L, LUA_REGISTRYINDEX, u->rowt);
    u->ncols = n;
    u->set = u->clash = 0;
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++)
        for (size_t i = 0; i < n; i++)
            if (!strcmp(names[i], fields[k])) u->clash |= 1u << k;
    return 0;
}

/* The row hook: the function called on the row table under the shared budget. */
static int row_call(void *ud, const pmf_csv_field *row, size_t n, pmf_csv_field *f, char *err,
                    size_t errlen) {
    urecipe *u = ud;
    lua_State *L = u->L;
    int top = lua_gettop(L), rc = 1;
    if (!lua_checkstack(L, 12)) {
        snprintf(err, errlen, "row function: out of memory");
        return -2;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->fn);
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->rowt);
    int t = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->names);
    size_t nc = n < u->ncols ? n : u->ncols;
    for (size_t i = 0; i < nc; i++) {
        lua_rawgeti(L, t + 1, (lua_Integer)i + 1);
        lua_pushlstring(L, row[i].s ? row[i].s : "", row[i].len);
        lua_rawset(L, t);
    }
    /* the derived fields: a field that is a column's text as it stands reuses that string;
     * a field absent now and absent from the table is left alone */
    pmf_recipe_colnos(u->r, u->colno);
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++) {
        int c = u->colno[k] - 1;
        if (!f[k].s && !((u->set | u->clash) & (1u << k))) continue;
        lua_rawgeti(L, t + 1, (lua_Integer)(u->ncols + 1 + (size_t)k));   /* its name */
        if (!f[k].s) lua_pushnil(L);
        else if (c >= 0 && (size_t)c < nc && f[k].s == row[c].s && f[k].len == row[c].len) {
            lua_rawgeti(L, t + 1, (lua_Integer)c + 1);
            lua_rawget(L, t);
        } else lua_pushlstring(L, f[k].s, f[k].len);
        lua_settable(L, t);
    }
    lua_pop(L, 1);
    u->set = ~0u;   /* whatever the function does to the table, until it is read back */
    if (pmf_sandbox_pcall(L, &u->call, 1, 1) != LUA_OK) {   /* raised, or a limit reached */
        const char *msg = luaL_tolstring(L, -1, NULL);
        snprintf(err, errlen, u->call.tripped ? "the recipe's row function was stopped: %s" : "%s",
                 msg);
        lua_settop(L, top);
        return u->call.tripped ? -2 : -1;
    }
    if (lua_isnil(L, -1)) {
        rc = 0;   /* skipped by the row function */
    } else if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "the recipe's row function must return the row (a table) or nil, not %s",
                 luaL_typename(L, -1));
        rc = -1;
    } else {
        int r = lua_gettop(L);
        lua_rawgeti(L, LUA_REGISTRYINDEX, u->rowt);
        int same = lua_rawequal(L, r, -1);
        lua_pop(L, 1);
        if (same) u->set = 0;   /* recounted below; another table: rowt may hold anything */
        lua_rawgeti(L, LUA_REGISTRYINDEX, u->names);
        int nm = lua_gettop(L);
        for (int k = 0; k < PMF_IMPORT_NCOLS && rc == 1; k++) {
            lua_Integer key = (lua_Integer)(u->ncols + 1 + (size_t)k);
            lua_rawgeti(L, nm, key);
            int ty = lua_gettable(L, r);
            if (ty == LUA_TNUMBER) {   /* as text, kept in the table so that it stays alive */
                lua_tolstring(L, -1, NULL);
                lua_rawgeti(L, nm, key);
                lua_pushvalue(L, -2);
                lua_settable(L, r);
            }
            if (same && ty != LUA_TNIL) u->set |= 1u << k;
            if (ty == LUA_TNIL) {
                f[k] = (pmf_csv_field){NULL, 0};
            } else if (ty == LUA_TSTRING || ty == LUA_TNUMBER) {
                size_t len;
                const char *s = lua_tolstring(L, -1, &len);   /* anchored by the table */
                f[k] = (pmf_csv_field){s, len};
            } else {
                snprintf(err, errlen, "the recipe's row function returned %s = a %s (text or a number expected)",
                         fields[k], luaL_typename(L, -1));
                rc = -1;
            }
            lua_pop(L, 1);
        }
        if (rc != 1) u->set = ~0u;
        lua_pushvalue(L, r);   /* the returned table holds the texts until the next row */
        lua_rawseti(L, LUA_REGISTRYINDEX, u->last);
    }
    lua_settop(L, top);
    return rc;
}

static int ref_field(lua_State *L, int t, const char *k, int type) {
    lua_getfield(L, t, k);
    luaL_checktype(L, -1, type);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static const char *str(lua_State *L, int t, int i) {
    lua_rawgeti(L, t, i);
    const char *s = luaL_checkstring(L, -1);
    lua_pop(L, 1);   /* anchored by the spec */
    return s;
}

static void oom(lua_State *L, int rc) { if (rc != 0) luaL_error(L, "out of memory"); }

static int year_type(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TSTRING) return 0;
    int yt = pmf_year_type_from_name(luaL_checkstring(L, idx));
    if (yt < 0) luaL_error(L, "recipe: year type must be financial, academic or calendar");
    return yt;
}

int pmf_lrecipe_new(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    urecipe *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->r = NULL;
    u->L = L;
    u->fn = u->opts = u->rowt = u->names = u->last = LUA_NOREF;
    memset(&u->call, 0, sizeof u->call);
    u->ncols = 0;
    if (luaL_newmetatable(L, MT)) {
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_getfield(L, 1, "name");
    u->r = pmf_recipe_new(luaL_optstring(L, -1, "recipe"));
    lua_pop(L, 1);
    if (!u->r) return luaL_error(L, "out of memory");
    pmf_recipe *r = u->r;
    int top = lua_gettop(L);
    static const char *const layouts[] = {"long", "wide_periods", "wide_measures", NULL};
    lua_getfield(L, 1, "layout");
    pmf_recipe_layout(r, luaL_checkoption(L, -1, "long", layouts));
    if (lua_getfield(L, 1, "map") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
            const char *col = str(L, lua_gettop(L), 1);
            lua_rawgeti(L, -1, 2);
            int f = luaL_checkoption(L, -1, NULL, fields);
            lua_pop(L, 2);
            oom(L, pmf_recipe_map(r, col, f));
        }
    lua_settop(L, top);
    if (lua_getfield(L, 1, "ignore") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
            oom(L, pmf_recipe_ignore(r, lua_tostring(L, -1)));
            lua_pop(L, 1);
        }
    lua_settop(L, top);
    if (lua_getfield(L, 1, "const") == LUA_TTABLE)
        for (int k = 0; fields[k]; k++) {
            if (lua_getfield(L, -1, fields[k]) == LUA_TSTRING) oom(L, pmf_recipe_const(r, k, lua_tostring(L, -1)));
            lua_pop(L, 1);
        }
    lua_settop(L, top);
    if (lua_getfield(L, 1, "measures") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
            int t = lua_gettop(L);
            lua_rawgeti(L, t, 3);
            int yt = year_type(L, -1);
            lua_rawgeti(L, t, 4);
            const char *bd = lua_tostring(L, -1);   /* anchored by the spec */
            lua_pop(L, 2);
            oom(L, pmf_recipe_measure(r, str(L, t, 1), str(L, t, 2), bd, yt));
            lua_pop(L, 1);
        }
    lua_settop(L, top);
    if (lua_getfield(L, 1, "measure_also") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
            oom(L, pmf_recipe_measure_also(r, lua_tostring(L, -1)));
            lua_pop(L, 1);
        }
    lua_settop(L, top);
    lua_getfield(L, 1, "unmapped");
    pmf_recipe_unmapped_skip(r, lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), "skip"));
    lua_settop(L, top);
    static const char *const means[] = {"", "missing", "suppressed", "not_applicable", NULL};
    if (lua_getfield(L, 1, "markers") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
            int t = lua_gettop(L);
            lua_rawgeti(L, t, 2);
            int m = luaL_checkoption(L, -1, NULL, means);
            lua_pop(L, 1);
            oom(L, pmf_recipe_marker(r, str(L, t, 1), m));
            lua_pop(L, 1);
        }
    lua_settop(L, top);
    unsigned tx = 0;
    const char *txn[] = {"thousands", "percent", "pound"};
    for (int k = 0; k < 3; k++) {
        lua_getfield(L, 1, txn[k]);
        if (lua_toboolean(L, -1)) tx |= 1u << k;
        lua_pop(L, 1);
    }
    lua_getfield(L, 1, "scale");
    pmf_recipe_value(r, tx, luaL_optnumber(L, -1, 1));
    lua_getfield(L, 1, "year_type");
    pmf_recipe_year_type(r, year_type(L, -1));
    lua_getfield(L, 1, "period_template");
    if (lua_isstring(L, -1)) oom(L, pmf_recipe_period_template(r, lua_tostring(L, -1)));
    lua_settop(L, top);
    if (lua_getfield(L, 1, "period_fix") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
            int t = lua_gettop(L);
            oom(L, pmf_recipe_period_fix(r, str(L, t, 1), str(L, t, 2)));
            lua_pop(L, 1);
        }
    static const char *const bys[] = {"any", "code", "name", "la_number", NULL};
    lua_getfield(L, 1, "area_by");
    if (!lua_isnil(L, -1)) pmf_recipe_area_by(r, luaL_checkoption(L, -1, NULL, bys));
    lua_settop(L, top);
    if (lua_getfield(L, 1, "skip_area_kinds") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
            oom(L, pmf_recipe_skip_area_kind(r, lua_tostring(L, -1)));
            lua_pop(L, 1);
        }
    lua_settop(L, top);
    if (lua_getfield(L, 1, "skip") == LUA_TTABLE)
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
            int t = lua_gettop(L);
            lua_rawgeti(L, t, 3);
            int prefix = lua_toboolean(L, -1);
            lua_pop(L, 1);
            oom(L, pmf_recipe_skip(r, str(L, t, 1), str(L, t, 2), prefix));
            lua_pop(L, 1);
        }
    lua_settop(L, top);
    if (lua_getfield(L, 1, "row") == LUA_TFUNCTION) {
        lua_pop(L, 1);
        u->fn = ref_field(L, 1, "row", LUA_TFUNCTION);
        u->opts = ref_field(L, 1, "row_opts", LUA_TTABLE);
        lua_newtable(L);
        u->names = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_newtable(L);
        u->rowt = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pushboolean(L, 0);
        u->last = luaL_ref(L, LUA_REGISTRYINDEX);
        pmf_recipe_rowfn hook = {row_header, row_call, u};
        pmf_recipe_set_rowfn(r, &hook);
    }
    lua_settop(L, top);
    return 1;
}

pmf_recipe *pmf_lrecipe_opt(lua_State *L, int idx) {
    if (lua_isnoneornil(L, idx)) return NULL;
    urecipe *u = luaL_checkudata(L, idx, MT);
    if (!u->r) luaL_error(L, "attempt to use a freed recipe");
    u->L = L;   /* the row function runs on the importing state */
    return u->r;
}

void pmf_lrecipe_push_skipped(lua_State *L, const pmf_recipe *r) {
    static const char *const names[PMF_SKIP_NREASONS] = {"rule", "missing", "not_applicable",
                                                         "area_kind", "measure", "row_function"};
    lua_createtable(L, 0, PMF_SKIP_NREASONS);
    for (int k = 0; k < PMF_SKIP_NREASONS; k++) {
        lua_pushinteger(L, pmf_recipe_skipped(r, k));
        lua_setfield(L, -2, names[k]);
    }
}
