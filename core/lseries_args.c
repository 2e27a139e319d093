/*
 * core/lseries_args.c: the shared half of the pmf.series binding (lseries.h): the per-call
 * series handle, the argument and option checks, and the result and info tables that every
 * pmf.series function pushes.
 *
 * Decisions:
 * - The handle (prepared statements, figure buffer) is a to-be-closed userdata, so it is
 *   released when the call returns or raises: a prepared statement left for the collector
 *   would keep the store from closing.
 * - A missing figure is never filled: NaN numerators or denominators are left out of the
 *   info table, and a value that is not PMF_READ_OK is nil with the reader's reason.
 */
#include "lseries.h"

#include <math.h>

#define PMF_SERIES_HANDLE_MT "pmf.SeriesHandle"

/* ---- the handle ---- */

static int handle_gc(lua_State *L) {
    pmf_series **px = luaL_checkudata(L, 1, PMF_SERIES_HANDLE_MT);
    pmf_series_close(*px);
    *px = NULL;
    return 0;
}

/* Push a handle for the store at idx (bulk: see pmf_series_open); raises on failure. */
pmf_series *lseries_open(lua_State *L, int idx, pmf_store **ps) {
    int64_t cutoff;
    pmf_store *s = pmf_checkstore(L, idx, &cutoff);
    pmf_series **px = lua_newuserdatauv(L, sizeof *px, 0);
    *px = NULL;
    if (luaL_newmetatable(L, PMF_SERIES_HANDLE_MT)) {
        lua_pushcfunction(L, handle_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, handle_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    lua_toclose(L, -1);     /* finalised when the call returns or raises, not at GC: the
                               store must be closable right after */
    *px = pmf_series_open(s, cutoff);
    if (!*px) luaL_error(L, "series: store error: %s", sqlite3_errmsg(pmf_store_db(s)));
    if (ps) *ps = s;
    return *px;
}

/* Raise the last failure of the handle x (a busy or failing store: never "no data"). */
int lseries_error(lua_State *L, const pmf_series *x) {
    return luaL_error(L, "series: store error: %s", pmf_series_error(x));
}

/* ---- arguments ---- */

int64_t lseries_checkmetric(lua_State *L, pmf_series *x, int idx, pmf_read_rule *rule) {
    const char *code = luaL_checkstring(L, idx);
    int64_t id;
    int rc = pmf_series_metric(x, code, &id, rule);
    if (rc < 0) luaL_error(L, "series: metric '%s': %s", code, pmf_series_error(x));
    if (rc == 0) luaL_error(L, "unknown metric '%s'", code);
    return id;
}

int64_t lseries_checkarea(lua_State *L, pmf_store *s, int idx) {
    const char *code = luaL_checkstring(L, idx);
    int64_t id = pmf_store_area_id(s, code);
    if (id == -2) luaL_error(L, "series: store error: %s", sqlite3_errmsg(pmf_store_db(s)));
    if (id < 0) luaL_error(L, "unknown area '%s'", code);
    return id;
}

/* The options table at idx (or none/nil). */
static int has_opts(lua_State *L, int idx) {
    if (lua_isnoneornil(L, idx)) return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    return 1;
}

const char *lseries_opt_breakdown(lua_State *L, int idx) {
    if (!has_opts(L, idx)) return "";
    lua_getfield(L, idx, "breakdown");
    const char *b = lua_isnil(L, -1) ? "" : luaL_checkstring(L, -1);
    lua_pop(L, 1);   /* the string stays alive in the options table */
    return b;
}

int lseries_opt_yearstart(lua_State *L, int idx, int def) {
    if (!has_opts(L, idx)) return def;
    lua_getfield(L, idx, "year_start");
    int ys = pmf_checkyearstart(L, -1, def);
    lua_pop(L, 1);
    return ys;
}

lua_Integer lseries_opt_integer(lua_State *L, int idx, const char *field, lua_Integer def) {
    if (!has_opts(L, idx)) return def;
    lua_getfield(L, idx, field);
    lua_Integer v = def;
    if (!lua_isnil(L, -1)) {
        int ok;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok) luaL_error(L, "option '%s' must be an integer", field);
    }
    lua_pop(L, 1);
    return v;
}

/* The period in field `field` of the options at idx: 1 and *out if given, 0 if absent;
 * raises naming the field if it is not a Period or a label that parses. */
int lseries_opt_period(lua_State *L, int idx, const char *field, int ys, pmf_period *out) {
    if (!has_opts(L, idx)) return 0;
    lua_getfield(L, idx, field);
    int given = !lua_isnil(L, -1);
    if (given) {
        const pmf_period *p = pmf_testperiod(L, -1);
        char err[PMF_PERIOD_ERR_MAX];
        if (p) *out = *p;
        else if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "option '%s': " PMF_PERIOD_MT " or label expected", field);
        else if (pmf_period_parse(lua_tostring(L, -1), ys, out, err, sizeof err) != 0)
            luaL_error(L, "option '%s': %s", field, err);
    }
    lua_pop(L, 1);
    return given;
}

/* Year start argument at idx: an options table's year_start, or a year start itself. */
int lseries_arg_yearstart(lua_State *L, int idx, int def) {
    if (lua_istable(L, idx)) return lseries_opt_yearstart(L, idx, def);
    return pmf_checkyearstart(L, idx, def);
}

/* ---- results ---- */

void lseries_pushperiod(lua_State *L, int32_t start, int32_t len, int ys) {
    pmf_period p;
    if (pmf_period_make(start, len, ys, &p) != 0)
        luaL_error(L, "series: period out of range");
    pmf_pushperiod(L, p);
}

void lseries_pushlabel(lua_State *L, int32_t start, int32_t len, int ys) {
    pmf_period p;
    char buf[PMF_PERIOD_LABEL_MAX];
    if (pmf_period_make(start, len, ys, &p) != 0 || pmf_period_format(p, buf, sizeof buf) < 0)
        lua_pushliteral(L, "?");
    else
        lua_pushstring(L, buf);
}

void lseries_setnumber(lua_State *L, const char *k, double v) {
    if (isnan(v)) return;
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

void lseries_setinteger(lua_State *L, const char *k, lua_Integer v) {
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

void lseries_setbool(lua_State *L, const char *k, int v) {
    lua_pushboolean(L, v);
    lua_setfield(L, -2, k);
}

void lseries_pushflags(lua_State *L, int64_t flags) {
#define PUSH(bit, word) if (flags & (bit)) { lua_pushstring(L, word); lua_rawseti(L, -2, ++n); }
    lua_createtable(L, 0, 0);
    int n = 0;
    PMF_STORED_FLAGS(PUSH)
#undef PUSH
    if (flags & PMF_FLAG_INCOMPLETE) {
        lua_pushstring(L, "incomplete");
        lua_rawseti(L, -2, ++n);
    }
    if (flags & PMF_FLAG_CARRIED) {
        lua_pushstring(L, "carried");
        lua_rawseti(L, -2, ++n);
    }
}

/* Push value | nil, then the info table; returns 2. */
int lseries_push_result(lua_State *L, const pmf_agg_result *r, int ys) {
    if (r->status == PMF_READ_OK) lua_pushnumber(L, r->value); else lua_pushnil(L);
    lua_createtable(L, 0, 10);
    lseries_setinteger(L, "months", r->months);
    lseries_setinteger(L, "expected", r->expected);
    lseries_setbool(L, "complete", r->months == r->expected);
    lseries_setinteger(L, "figures", r->nfig);
    lseries_setbool(L, "exact", r->exact);
    lseries_setnumber(L, "numerator", r->numerator);
    lseries_setnumber(L, "denominator", r->denominator);
    lseries_pushflags(L, r->flags);
    lua_setfield(L, -2, "flags");
    if (r->carried) {
        lseries_pushlabel(L, r->from_start, r->from_len, ys);
        lua_setfield(L, -2, "carried_from");
    }
    if (r->status != PMF_READ_OK) {
        lua_pushstring(L, pmf_read_status_message(r->status));
        lua_setfield(L, -2, "reason");
    }
    return 2;
}
