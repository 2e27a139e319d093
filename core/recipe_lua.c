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
 * The row function (spec.row) and the row it is handed are core/recipe_rowfn.c's; this
 * file keeps them in the recipe's userdata (freed by its __gc).
 */
#include "recipe_lua.h"
#include "period.h"
#include "pmf_internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#define MT "pmf.Recipe"

const char *const pmf_lrecipe_fields[PMF_IMPORT_NCOLS + 1] = {"metric", "area", "period",
    "value", "breakdown", "numerator", "denominator", "flag", "source", NULL};

typedef struct {
    pmf_recipe *r;
    pmf_lrowfn row;   /* the row function, if any (core/recipe_rowfn.c) */
} urecipe;

static int gc(lua_State *L) {
    urecipe *u = luaL_checkudata(L, 1, MT);
    pmf_recipe_free(u->r);
    u->r = NULL;
    pmf_lrowfn_release(L, &u->row);
    return 0;
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
    pmf_lrowfn_init(&u->row);
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
            int f = luaL_checkoption(L, -1, NULL, pmf_lrecipe_fields);
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
        for (int k = 0; pmf_lrecipe_fields[k]; k++) {
            if (lua_getfield(L, -1, pmf_lrecipe_fields[k]) == LUA_TSTRING) oom(L, pmf_recipe_const(r, k, lua_tostring(L, -1)));
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
    if (lua_getfield(L, 1, "row") == LUA_TFUNCTION) pmf_lrowfn_bind(L, &u->row, 1, r);
    lua_settop(L, top);
    return 1;
}

pmf_recipe *pmf_lrecipe_opt(lua_State *L, int idx) {
    if (lua_isnoneornil(L, idx)) return NULL;
    urecipe *u = luaL_checkudata(L, idx, MT);
    if (!u->r) luaL_error(L, "attempt to use a freed recipe");
    u->row.L = L;   /* the row function runs on the importing state */
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
