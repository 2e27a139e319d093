/*
 * core/lseries.c: the pmf.series Lua module over series.c (reading one series here; the bulk
 * paths in lseries_bulk.c, the handle, argument checks and result tables in lseries_args.c): a metric's figures for an area,
 * its value over any period by the metric's aggregation rule, year to date, rolling, change,
 * trend and projection, completeness, and the bulk paths (matrix, aggregate_all).
 *
 * Every function takes the store first and answers as of its view (store:as_of(date));
 * metrics and areas are codes, periods Periods or labels (read under opts.year_start, April
 * by default).  Options tables may carry breakdown= (default "", the whole population) and
 * year_start= (1-12 or a month name).
 *
 * Decisions:
 * - Every value is the read contract's (reader.h pmf_read_value): exact span first, `last`
 *   by reference date, the rest from the figures within the period, nothing carried unless
 *   the metric's `carry` asks (then flagged "carried", info.carried_from = its period).
 * - A partial period still has a value; the info table says how many months were covered and
 *   expected, and `complete` (and flags "incomplete").
 * - Year to date runs from the start of the financial year holding the period's last month
 *   to that month: months with no figure add nothing; no figure at all gives nil.
 * - % change is the change over the magnitude of the earlier value, times 100 (so a rise is
 *   positive even from a negative base); no % when the earlier value is 0 or missing.
 * - Projection to the year end: a least-squares line through the last 12 months' periods of
 *   the period's length (months, quarters or halves; complete ones only); for sum metrics
 *   the projected year total is the actual year to date plus the line's values for the
 *   periods left in the year, for other rules it is the line's value at the year's last
 *   period.
 *
 * Error contract: misuse raises (not a store, unknown metric or area, a label that does not
 * parse, a bad option).  No data is not an error: value-like functions return nil and an
 * info table whose `reason` says why (no data, ratio unavailable).
 *
 * Memory: the series handle (prepared statements, figure buffer) lives in a to-be-closed
 * userdata, so it is released when the call returns or raises (a prepared statement left
 * for the collector would keep the store from closing); scratch arrays are userdata too.
 */
#include "lseries.h"

#include <math.h>
#include <string.h>

/* ---- reading one series ---- */

/* The common head of the single-series functions: store 1, metric 2, area 3.  Leaves the
 * handle on the stack. */
typedef struct {
    pmf_series *x;
    pmf_store *s;
    int64_t metric, area;
    pmf_read_rule rule;
} target;

static target check_target(lua_State *L, int nargs) {
    target t;
    lua_settop(L, nargs);     /* options sit at fixed slots, the handle above them */
    t.x = lseries_open(L, 1, &t.s);
    t.metric = lseries_checkmetric(L, t.x, 2, &t.rule);
    t.area = lseries_checkarea(L, t.s, 3);
    return t;
}

static const pmf_obs *fetch(lua_State *L, const target *t, const char *bd, int32_t from,
                            int32_t to, size_t *n) {
    const pmf_obs *obs = pmf_series_fetch(t->x, t->metric, t->area, bd, from, to, n);
    if (!obs) lseries_error(L, t->x);
    return obs;
}

/* The figures the reader needs for every period from month `first` to month `last`. */
static const pmf_obs *fetch_for(lua_State *L, const target *t, const char *bd, int32_t first,
                                int32_t last, size_t *n) {
    int32_t from, to;
    pmf_read_window(&t->rule, first, last - first + 1, &from, &to);
    return fetch(L, t, bd, from, to, n);
}

static int32_t last_month(const pmf_period *p) { return p->start + p->len - 1; }

/* series.fetch(store, metric, area [, {from=, to=, breakdown=, year_start=}])
 *   -> array of {period=, value=, numerator=, denominator=, flags={names}} */
static int series_fetch(lua_State *L) {
    target t = check_target(L, 4);
    int ys = lseries_opt_yearstart(L, 4, PMF_PERIOD_DEFAULT_YEAR_START);
    const char *bd = lseries_opt_breakdown(L, 4);
    pmf_period p;
    int32_t from = 0, to = INT32_MAX;
    if (lseries_opt_period(L, 4, "from", ys, &p)) from = p.start;
    if (lseries_opt_period(L, 4, "to", ys, &p)) to = last_month(&p);
    size_t n;
    const pmf_obs *obs = fetch(L, &t, bd, from, to, &n);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);
        lseries_pushperiod(L, obs[i].start, obs[i].len, ys);
        lua_setfield(L, -2, "period");
        lseries_setnumber(L, "value", obs[i].value);
        lseries_setnumber(L, "numerator", obs[i].numerator);
        lseries_setnumber(L, "denominator", obs[i].denominator);
        lseries_pushflags(L, obs[i].flags);
        lua_setfield(L, -2, "flags");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* series.value(store, metric, area, period [, {breakdown=, year_start=}]) -> value|nil, info */
static int series_value(lua_State *L) {
    target t = check_target(L, 5);
    int ys = lseries_opt_yearstart(L, 5, PMF_PERIOD_DEFAULT_YEAR_START);
    const char *bd = lseries_opt_breakdown(L, 5);
    pmf_period p = *pmf_checkperiod(L, 4, ys);
    pmf_agg_result r;
    if (pmf_series_value(t.x, t.metric, &t.rule, t.area, bd, p.start, p.len, &r) != 0)
        return lseries_error(L, t.x);
    return lseries_push_result(L, &r, p.year_start);
}

/* The blocks of `len` months over [from, to]: aligned to the year start when len divides
 * 12, else starting at from.  Reads from/to/len/year_start from the options at idx. */
typedef struct {
    int32_t first, last, len;
    int ys;
} blocks;

static blocks check_blocks(lua_State *L, int idx) {
    blocks b;
    luaL_checktype(L, idx, LUA_TTABLE);
    b.ys = lseries_opt_yearstart(L, idx, PMF_PERIOD_DEFAULT_YEAR_START);
    pmf_period from, to;
    if (!lseries_opt_period(L, idx, "from", b.ys, &from)) luaL_error(L, "option 'from' is required");
    if (!lseries_opt_period(L, idx, "to", b.ys, &to)) to = from;
    lua_Integer len = lseries_opt_integer(L, idx, "len", 1);
    if (len < 1 || len > 1200) luaL_error(L, "option 'len' must be 1-1200 months");
    b.len = (int32_t)len;
    b.first = 12 % b.len == 0 ? pmf_series_block_start(from.start, b.len, b.ys) : from.start;
    b.last = last_month(&to);
    if (b.last < b.first) luaL_error(L, "option 'to' is before 'from'");
    return b;
}

/* series.aggregate(store, metric, area, {from=, to=, len=, year_start=, breakdown=})
 *   -> array of {period=, value=, complete=, months=, expected=} */
static int series_aggregate(lua_State *L) {
    target t = check_target(L, 4);
    blocks b = check_blocks(L, 4);
    const char *bd = lseries_opt_breakdown(L, 4);
    int32_t end = b.first + ((b.last - b.first) / b.len + 1) * b.len - 1;
    size_t n;
    const pmf_obs *obs = fetch_for(L, &t, bd, b.first, end, &n);
    lua_createtable(L, (b.last - b.first) / b.len + 1, 0);
    lua_Integer k = 0;
    for (int32_t s = b.first; s <= b.last; s += b.len) {
        pmf_agg_result r;
        pmf_read_value(obs, n, &t.rule, s, b.len, &r);
        lua_createtable(L, 0, 5);
        lseries_pushperiod(L, s, b.len, b.ys);
        lua_setfield(L, -2, "period");
        if (r.status == PMF_READ_OK) lseries_setnumber(L, "value", r.value);
        lseries_setbool(L, "complete", r.months == r.expected);
        lseries_setinteger(L, "months", r.months);
        lseries_setinteger(L, "expected", r.expected);
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

/* series.ytd(store, metric, area, period [, year_start | opts]) -> value|nil, info
 * (info.period is the year-to-date span). */
static int series_ytd(lua_State *L) {
    target t = check_target(L, 5);
    int ys0 = lseries_arg_yearstart(L, 5, 0);
    const char *bd = lua_istable(L, 5) ? lseries_opt_breakdown(L, 5) : "";
    pmf_period p = *pmf_checkperiod(L, 4, ys0 ? ys0 : PMF_PERIOD_DEFAULT_YEAR_START);
    int ys = ys0 ? ys0 : p.year_start;
    int32_t end = last_month(&p), start = pmf_series_block_start(end, 12, ys);
    pmf_agg_result r;
    if (pmf_series_value(t.x, t.metric, &t.rule, t.area, bd, start, end - start + 1, &r) != 0)
        return lseries_error(L, t.x);
    lseries_push_result(L, &r, ys);
    lseries_pushperiod(L, start, end - start + 1, ys);
    lua_setfield(L, -2, "period");
    return 2;
}

/* series.rolling(store, metric, area, period, n [, opts]) -> value|nil, info: the n periods
 * of the period's length ending with it, combined by the metric's rule. */
static int series_rolling(lua_State *L) {
    target t = check_target(L, 6);
    int ys = lseries_opt_yearstart(L, 6, PMF_PERIOD_DEFAULT_YEAR_START);
    const char *bd = lseries_opt_breakdown(L, 6);
    pmf_period p = *pmf_checkperiod(L, 4, ys);
    lua_Integer n = luaL_checkinteger(L, 5);
    luaL_argcheck(L, n >= 1 && n * p.len <= 1200, 5, "must be 1 or more (at most 100 years)");
    int32_t len = (int32_t)n * p.len, start = last_month(&p) - len + 1;
    pmf_agg_result r;
    if (pmf_series_value(t.x, t.metric, &t.rule, t.area, bd, start, len, &r) != 0)
        return lseries_error(L, t.x);
    lseries_push_result(L, &r, p.year_start);
    lseries_pushperiod(L, start, len, p.year_start);
    lua_setfield(L, -2, "period");
    return 2;
}

static void set_change(lua_State *L, const pmf_agg_result *now, const pmf_agg_result *then,
                       const char *kthen, const char *kchange, const char *kpct) {
    if (then->status != PMF_READ_OK) return;
    lseries_setnumber(L, kthen, then->value);
    if (now->status != PMF_READ_OK) return;
    double d = now->value - then->value;
    lseries_setnumber(L, kchange, d);
    if (then->value != 0) lseries_setnumber(L, kpct, d / fabs(then->value) * 100);
}

/* series.change(store, metric, area, period [, opts]) -> {value=, prev=, change=, pct=,
 * last_year=, change_year=, pct_year=} (fields absent when there is nothing to compare) */
static int series_change(lua_State *L) {
    target t = check_target(L, 5);
    int ys = lseries_opt_yearstart(L, 5, PMF_PERIOD_DEFAULT_YEAR_START);
    const char *bd = lseries_opt_breakdown(L, 5);
    pmf_period p = *pmf_checkperiod(L, 4, ys);
    int32_t prev = p.start - p.len, ly = p.start - 12;
    size_t n;
    const pmf_obs *obs = fetch_for(L, &t, bd, prev < ly ? prev : ly, last_month(&p), &n);
    pmf_agg_result now, rp, ry;
    pmf_read_value(obs, n, &t.rule, p.start, p.len, &now);
    pmf_read_value(obs, n, &t.rule, prev, p.len, &rp);
    pmf_read_value(obs, n, &t.rule, ly, p.len, &ry);
    lua_createtable(L, 0, 8);
    if (now.status == PMF_READ_OK) lseries_setnumber(L, "value", now.value);
    set_change(L, &now, &rp, "prev", "change", "pct");
    set_change(L, &now, &ry, "last_year", "change_year", "pct_year");
    return 1;
}

/* series.trend(values | fetch result) -> {slope=, intercept=, r2=, n=} | nil, message.
 * Plain numbers sit at x = 0, 1, 2 ...; fetch rows at x = months since the first row's
 * start over its length, so gaps count.  The slope is per period; the intercept is the
 * line's value at the first element.  NaN values are skipped. */
static int series_trend(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n = (size_t)lua_rawlen(L, 1);
    double *xy = lua_newuserdatauv(L, (n ? n : 1) * 2 * sizeof *xy, 0);
    double *xs = xy, *ys = xy + n;
    int32_t first = 0, unit = 1;
    for (size_t i = 0; i < n; i++) {
        int ty = lua_rawgeti(L, 1, (lua_Integer)i + 1);
        if (ty == LUA_TNUMBER) {
            xs[i] = (double)i;
            ys[i] = lua_tonumber(L, -1);
        } else if (ty == LUA_TTABLE) {
            lua_getfield(L, -1, "value");
            ys[i] = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN;
            lua_getfield(L, -2, "period");
            const pmf_period *p = pmf_testperiod(L, -1);
            if (!p) luaL_error(L, "trend: element %d has no period", (int)i + 1);
            if (i == 0) {
                first = p->start;
                unit = p->len;
            }
            xs[i] = (double)(p->start - first) / unit;
            lua_pop(L, 2);
        } else {
            luaL_error(L, "trend: element %d is a %s (numbers or fetch rows expected)",
                       (int)i + 1, luaL_typename(L, -1));
        }
        lua_pop(L, 1);
    }
    pmf_trend tr;
    if (pmf_series_trend(xs, ys, n, &tr) != 0) {
        luaL_pushfail(L);
        lua_pushliteral(L, "a trend needs at least two points at different times");
        return 2;
    }
    lua_createtable(L, 0, 4);
    lseries_setnumber(L, "slope", tr.slope);
    lseries_setnumber(L, "intercept", tr.intercept);
    lseries_setnumber(L, "r2", tr.r2);
    lseries_setinteger(L, "n", (lua_Integer)tr.n);
    return 1;
}

/* series.projection(store, metric, area, period [, year_start | opts]) -> value|nil, info
 * {year=label, ytd=, months=, expected=, remaining= (periods), unit= (months per period),
 * slope=, intercept=, n=, method="ytd+trend"|"trend"} or {reason=}. */
static int series_projection(lua_State *L) {
    target t = check_target(L, 5);
    int ys0 = lseries_arg_yearstart(L, 5, 0);
    const char *bd = lua_istable(L, 5) ? lseries_opt_breakdown(L, 5) : "";
    pmf_period p = *pmf_checkperiod(L, 4, ys0 ? ys0 : PMF_PERIOD_DEFAULT_YEAR_START);
    int ys = ys0 ? ys0 : p.year_start;
    int32_t end = last_month(&p), fy = pmf_series_block_start(end, 12, ys), fyend = fy + 11;
    int32_t unit = p.len < 12 && 12 % p.len == 0 ? p.len : 1, k = 12 / unit;
    int32_t lo = end - 11 < fy ? end - 11 : fy;
    size_t n;
    const pmf_obs *obs = fetch_for(L, &t, bd, lo, end, &n);
    double xs[12], vs[12];
    for (int32_t i = 0; i < k; i++) {
        pmf_agg_result r;
        pmf_read_value(obs, n, &t.rule, end + 1 - (k - i) * unit, unit, &r);
        xs[i] = i;
        vs[i] = r.status == PMF_READ_OK && r.months == r.expected ? r.value : NAN;
    }
    pmf_agg_result ytd;
    pmf_read_value(obs, n, &t.rule, fy, end - fy + 1, &ytd);
    pmf_trend tr;
    int ok = pmf_series_trend(xs, vs, (size_t)k, &tr) == 0;
    int32_t remaining = (fyend - end) / unit;
    int additive = t.rule.agg == PMF_AGG_SUM;
    double v = NAN;
    if (ok && additive && ytd.status == PMF_READ_OK) {
        v = ytd.value;
        for (int32_t j = 1; j <= remaining; j++) v += tr.intercept + tr.slope * (k - 1 + j);
    } else if (ok && !additive) {
        v = tr.intercept + tr.slope * (k - 1 + remaining);
    }
    if (isnan(v)) lua_pushnil(L); else lua_pushnumber(L, v);
    lua_createtable(L, 0, 12);
    lseries_pushlabel(L, fy, 12, ys);
    lua_setfield(L, -2, "year");
    if (ytd.status == PMF_READ_OK) lseries_setnumber(L, "ytd", ytd.value);
    lseries_setinteger(L, "months", ytd.months);
    lseries_setinteger(L, "expected", ytd.expected);
    lseries_setinteger(L, "remaining", remaining);
    lseries_setinteger(L, "unit", unit);
    lseries_setinteger(L, "n", (lua_Integer)tr.n);
    lua_pushstring(L, additive ? "ytd+trend" : "trend");
    lua_setfield(L, -2, "method");
    if (ok) {
        lseries_setnumber(L, "slope", tr.slope);
        lseries_setnumber(L, "intercept", tr.intercept);
    }
    if (isnan(v)) {
        lua_pushstring(L, !ok ? "a trend needs at least two complete periods in the last 12 months"
                              : pmf_read_status_message(ytd.status));
        lua_setfield(L, -2, "reason");
    }
    return 2;
}

/* series.completeness(store, metric, area, {from=, to=, len=, year_start=, breakdown=})
 *   -> {expected=, present=, missing={labels}, partial={labels}}: blocks as in aggregate;
 * present counts the blocks with every month covered. */
static int series_completeness(lua_State *L) {
    target t = check_target(L, 4);
    blocks b = check_blocks(L, 4);
    const char *bd = lseries_opt_breakdown(L, 4);
    int32_t end = b.first + ((b.last - b.first) / b.len + 1) * b.len - 1;
    size_t n;
    const pmf_obs *obs = fetch_for(L, &t, bd, b.first, end, &n);
    lua_createtable(L, 0, 4);
    lua_newtable(L);          /* missing */
    lua_newtable(L);          /* partial */
    lua_Integer expected = 0, present = 0, nm = 0, np = 0;
    for (int32_t s = b.first; s <= b.last; s += b.len) {
        pmf_agg_result r;
        pmf_read_value(obs, n, &t.rule, s, b.len, &r);
        expected++;
        if (r.months == r.expected && r.status != PMF_READ_NODATA) {
            present++;
        } else {
            lseries_pushlabel(L, s, b.len, b.ys);
            lua_rawseti(L, r.months == 0 ? -3 : -2, r.months == 0 ? ++nm : ++np);
        }
    }
    lua_setfield(L, -3, "partial");
    lua_setfield(L, -2, "missing");
    lseries_setinteger(L, "expected", expected);
    lseries_setinteger(L, "present", present);
    return 1;
}

static const luaL_Reg series_funcs[] = {
    {"fetch",         series_fetch},
    {"value",         series_value},
    {"aggregate",     series_aggregate},
    {"ytd",           series_ytd},
    {"rolling",       series_rolling},
    {"change",        series_change},
    {"trend",         series_trend},
    {"projection",    series_projection},
    {"completeness",  series_completeness},
    {"matrix",        series_matrix},
    {"aggregate_all", series_aggregate_all},
    {"raw_scan",      series_raw_scan},
    {NULL, NULL}
};

int luaopen_pmf_series(lua_State *L) {
    luaL_newlib(L, series_funcs);
    return 1;
}
