/*
 * core/lseries_bulk.c: the bulk paths of pmf.series (registered by lseries.c): a metric's
 * values for many areas and periods in one call (matrix), every series of the store
 * aggregated in one ordered scan (aggregate_all), and the raw scan the benchmark compares
 * with.  Same error contract as lseries.c: misuse raises, no data is nil.
 */
#include "lseries.h"

#include <math.h>
#include <stdint.h>

/* series.matrix(store, metric, areas, periods [, {breakdown=, year_start=}])
 *   -> values, info.  values[(ai-1) * #periods + pi] is the metric's value for areas[ai]
 *   over periods[pi] (nil when none); info = {n=, areas=, periods=, numerator={...},
 *   denominator={...}, months={...} (same indexing), expected={per period}}. */
int series_matrix(lua_State *L) {
    pmf_store *s;
    lua_settop(L, 5);
    pmf_series *x = lseries_open(L, 1, &s);
    pmf_read_rule rule;
    int64_t metric = lseries_checkmetric(L, x, 2, &rule);
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    int ys = lseries_opt_yearstart(L, 5, PMF_PERIOD_DEFAULT_YEAR_START);
    const char *bd = lseries_opt_breakdown(L, 5);
    size_t na = (size_t)lua_rawlen(L, 3), np = (size_t)lua_rawlen(L, 4);
    luaL_argcheck(L, np == 0 || na <= SIZE_MAX / np / sizeof(pmf_agg_result), 3, "too many");
    int64_t *areas = lua_newuserdatauv(L, (na ? na : 1) * sizeof *areas, 0);
    pmf_period *periods = lua_newuserdatauv(L, (np ? np : 1) * sizeof *periods, 0);
    pmf_agg_result *out = lua_newuserdatauv(L, (na * np > 0 ? na * np : 1) * sizeof *out, 0);
    for (size_t i = 0; i < na; i++) {
        lua_rawgeti(L, 3, (lua_Integer)i + 1);
        areas[i] = lseries_checkarea(L, s, -1);
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < np; i++) {
        lua_rawgeti(L, 4, (lua_Integer)i + 1);
        periods[i] = *pmf_checkperiod(L, -1, ys);
        lua_pop(L, 1);
    }
    if (pmf_series_matrix(x, metric, &rule, areas, na, bd, periods, np, out) != 0)
        return lseries_error(L, x);
    size_t total = na * np;
    lua_createtable(L, (int)total, 0);
    for (size_t i = 0; i < total; i++)
        if (out[i].status == PMF_READ_OK) {
            lua_pushnumber(L, out[i].value);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    lua_createtable(L, 0, 7);
    lseries_setinteger(L, "n", (lua_Integer)total);
    lseries_setinteger(L, "areas", (lua_Integer)na);
    lseries_setinteger(L, "periods", (lua_Integer)np);
    lua_pushstring(L, pmf_agg_name(rule.agg));
    lua_setfield(L, -2, "aggregation");
    static const char *const fields[] = {"numerator", "denominator", "months"};
    for (int f = 0; f < 3; f++) {
        lua_createtable(L, (int)total, 0);
        for (size_t i = 0; i < total; i++) {
            if (f == 2) lua_pushinteger(L, out[i].months);
            else if (isnan(f == 0 ? out[i].numerator : out[i].denominator)) continue;
            else lua_pushnumber(L, f == 0 ? out[i].numerator : out[i].denominator);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, fields[f]);
    }
    lua_createtable(L, (int)np, 0);
    for (size_t i = 0; i < np; i++) {
        lua_pushinteger(L, periods[i].len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "expected");
    return 2;
}

/* series.aggregate_all(store [, len = 3 [, year_start = 4]]) -> {rows=, cells=, complete=,
 * checksum=}: every (metric, area, breakdown)'s figures combined into blocks of len months
 * by each metric's rule, in one ordered scan of the observation table. */
int series_aggregate_all(lua_State *L) {
    pmf_store *s;
    lua_settop(L, 3);
    lua_Integer len = luaL_optinteger(L, 2, 3);
    luaL_argcheck(L, len >= 1 && len <= 1200, 2, "must be 1-1200 months");
    int ys = pmf_checkyearstart(L, 3, PMF_PERIOD_DEFAULT_YEAR_START);
    pmf_series *x = lseries_open(L, 1, &s);
    pmf_series_totals tot;
    (void)s;
    if (pmf_series_aggregate_all(x, (int32_t)len, ys, &tot) != 0) return lseries_error(L, x);
    lua_createtable(L, 0, 4);
    lseries_setinteger(L, "rows", tot.rows);
    lseries_setinteger(L, "cells", tot.cells);
    lseries_setinteger(L, "complete", tot.complete);
    lseries_setnumber(L, "checksum", tot.checksum);
    return 1;
}

/* series.raw_scan(store) -> rows, checksum: SELECT metric, area, start, value FROM
 * observation stepped through in C, the physical limit the benchmark compares with. */
int series_raw_scan(lua_State *L) {
    pmf_store *s = pmf_checkstore(L, 1, NULL);
    int64_t rows;
    double sum;
    if (pmf_store_raw_scan(s, &rows, &sum) != 0)
        return luaL_error(L, "series: store error: %s", sqlite3_errmsg(pmf_store_db(s)));
    lua_pushinteger(L, rows);
    lua_pushnumber(L, sum);
    return 2;
}
