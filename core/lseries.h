/*
 * core/lseries.h: what the three files of the pmf.series binding share (not a public
 * header; Lua glue, so it mentions lua_State).
 *
 *   lseries.c       reading one series (fetch, value, aggregate, ytd, rolling, change,
 *                   trend, projection, completeness), the module's luaL_Reg and opener
 *   lseries_bulk.c  the bulk paths (matrix, aggregate_all, raw_scan)
 *   lseries_args.c  the per-call handle, argument checks and result tables below
 *
 * Error contract as lseries.c states: misuse raises (luaL_error / luaL_arg*), so none of
 * these may be called while malloc'd memory is held.
 */
#ifndef PMF_LSERIES_H
#define PMF_LSERIES_H

#include "lperiod.h"
#include "lstore.h"
#include "series.h"
#include "store_read.h"

#include <lauxlib.h>
#include <stdint.h>

/* ---- the handle (lseries_args.c) ---- */

/* Push a to-be-closed handle for the store at idx (prepared statements, figure buffer),
 * released when the calling C function returns or raises; *ps (if not NULL) gets the
 * store.  Raises on a store error. */
pmf_series *lseries_open(lua_State *L, int idx, pmf_store **ps);

/* Raise the last failure of the handle x (a busy or failing store: never "no data"). */
int lseries_error(lua_State *L, const pmf_series *x);

/* ---- arguments ---- */

/* The metric / area code at idx as an id (and the metric's read rule); raises "unknown
 * metric 'X'" / "unknown area 'X'". */
int64_t lseries_checkmetric(lua_State *L, pmf_series *x, int idx, pmf_read_rule *rule);
int64_t lseries_checkarea(lua_State *L, pmf_store *s, int idx);

/* Fields of the options table at idx (none or nil: the default). */
const char *lseries_opt_breakdown(lua_State *L, int idx);            /* default "" */
int lseries_opt_yearstart(lua_State *L, int idx, int def);
lua_Integer lseries_opt_integer(lua_State *L, int idx, const char *field, lua_Integer def);
/* 1 and *out when field `field` is given (a Period or a label that parses), 0 if absent. */
int lseries_opt_period(lua_State *L, int idx, const char *field, int ys, pmf_period *out);
/* A year start at idx: an options table's year_start, or a year start itself. */
int lseries_arg_yearstart(lua_State *L, int idx, int def);

/* ---- results ---- */

void lseries_pushperiod(lua_State *L, int32_t start, int32_t len, int ys);
void lseries_pushlabel(lua_State *L, int32_t start, int32_t len, int ys);   /* "?" if none */
/* t[k] = v on the table at the top; lseries_setnumber skips NaN (a missing figure). */
void lseries_setnumber(lua_State *L, const char *k, double v);
void lseries_setinteger(lua_State *L, const char *k, lua_Integer v);
void lseries_setbool(lua_State *L, const char *k, int v);
/* The flag names of `flags` as an array. */
void lseries_pushflags(lua_State *L, int64_t flags);
/* Push value | nil, then the info table; returns 2. */
int lseries_push_result(lua_State *L, const pmf_agg_result *r, int ys);

/* ---- the bulk functions (lseries_bulk.c), registered by lseries.c ---- */

int series_matrix(lua_State *L);
int series_aggregate_all(lua_State *L);
int series_raw_scan(lua_State *L);

#endif
