/*
 * lrag.c: the Lua binding of the RAG primitives, module `pmf.rag` (the rules are in rag.h).
 *
 *   pmf.rag.rate(value, rule)                    -> "red" | "amber" | ... | "data_only"
 *   pmf.rag.dot(now, before, polarity [, threshold]) -> "better" | "worse" | "same" | nil
 *   pmf.rag.benchmark(values, polarity [, opts]) -> {n=, median=, mean=, rank={}, quartile={}}
 *   pmf.rag.symbol(status)                       -> "R" | "A" | "G" | "B" | "-" | "DO" | "ERR"
 *   pmf.rag.statuses                             -> {"red", "amber", ..., "error"}
 *
 * Design decisions:
 * - A rule is a plain table {target=, polarity=, tolerance=, band={lo, hi}, blue=}; unknown
 *   fields are ignored so that a KPI definition can be passed as its own rule.  Polarity is
 *   required: a silent default would rate "lower is better" KPIs wrongly.
 * - Missing values are nil (or NaN); numbers and numeric strings are accepted, as
 *   luaL_checknumber does; anything else is misuse and raises.  A bad rule raises naming the
 *   field ("rule.tolerance must not be negative (got -5)").
 * - Where a polarity is asked for, a rule table may be given instead; a bare "band" cannot
 *   say where the band is, so dot() wants a rule for it and benchmark() takes opts.band.
 * - benchmark() keeps the keys of the values table (array or area map) and its scratch in a
 *   GC-owned userdata, so nothing malloc'd is held across a raise.
 */
#include <limits.h>
#include <math.h>

#include <lua.h>
#include <lauxlib.h>

#include "lrag.h"

static const char *const status_names[] = {
    "red", "amber", "green", "blue", "no_data", "data_only", "error", NULL
};
static const char *const polarity_names[] = { "up", "down", "band", NULL };

/* ---------------------------------------------------------------- argument helpers */

/* The number at stack index idx, NaN for nil/none; raises on argument `arg` naming `what`
 * for any other type. */
static double opt_value(lua_State *L, int idx, int arg, const char *what) {
    int isnum;
    double x;
    if (lua_isnoneornil(L, idx)) return NAN;
    x = (double)lua_tonumberx(L, idx, &isnum);
    if (!isnum)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must be a number or nil (got %s)",
                                              what, luaL_typename(L, idx)));
    return x;
}

pmf_rag_margin pmf_rag_checkmargin(lua_State *L, int idx, int arg, const char *what,
                                   pmf_rag_margin dflt) {
    pmf_rag_margin m = { 0.0, 0 };
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TNONE:
    case LUA_TNIL:
        return dflt;
    case LUA_TNUMBER:
        m.amount = (double)lua_tonumber(L, idx);
        break;
    case LUA_TSTRING:
        if (pmf_rag_margin_parse(lua_tostring(L, idx), &m) != 0)
            luaL_argerror(L, arg, lua_pushfstring(L,
                "%s must be a number or a percentage like \"10%%\" (got \"%s\")",
                what, lua_tostring(L, idx)));
        break;
    case LUA_TTABLE: {
        int has_pct, has_abs;
        lua_getfield(L, idx, "pct");
        lua_getfield(L, idx, "abs");
        has_pct = !lua_isnil(L, -2);
        has_abs = !lua_isnil(L, -1);
        if (has_pct == has_abs)
            luaL_argerror(L, arg, lua_pushfstring(L, "%s table needs exactly one of pct= or abs=",
                                                  what));
        m.pct = has_pct;
        if (!lua_isnumber(L, has_pct ? -2 : -1))
            luaL_argerror(L, arg, lua_pushfstring(L, "%s.%s must be a number", what,
                                                  has_pct ? "pct" : "abs"));
        m.amount = (double)lua_tonumber(L, has_pct ? -2 : -1);
        lua_pop(L, 2);
        break;
    }
    default:
        luaL_argerror(L, arg, lua_pushfstring(L,
            "%s must be a number, \"10%%\", {pct=} or {abs=} (got %s)",
            what, luaL_typename(L, idx)));
    }
    if (!isfinite(m.amount))
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must be finite", what));
    if (m.amount < 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must not be negative (got %f)",
                                              what, (lua_Number)m.amount));
    return m;
}

/* Read band = {lo, hi} (or {lo=, hi=}) from the table at stack index idx. */
static void check_band(lua_State *L, int idx, int arg, const char *what, pmf_rag_rule *rule) {
    int i;
    double v[2];
    static const char *const names[2] = { "lo", "hi" };
    if (!lua_istable(L, idx))
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must be a table {lo, hi} (got %s)",
                                              what, luaL_typename(L, idx)));
    for (i = 0; i < 2; i++) {
        if (lua_rawgeti(L, idx, i + 1) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_getfield(L, idx, names[i]);
        }
        v[i] = lua_isnumber(L, -1) ? (double)lua_tonumber(L, -1) : NAN;
        if (isnan(v[i]))
            luaL_argerror(L, arg, lua_pushfstring(L, "%s needs a number %s (the %s end)",
                                                  what, names[i], i ? "high" : "low"));
        lua_pop(L, 1);
    }
    rule->lo = v[0];
    rule->hi = v[1];
}

/* Raise on argument `arg` with "<prefix><message>" if the rule does not check. */
static void check_ruleok(lua_State *L, int arg, const char *prefix, const pmf_rag_rule *rule) {
    const char *msg = pmf_rag_rule_check(rule);
    if (msg) luaL_argerror(L, arg, lua_pushfstring(L, "%s%s", prefix, msg));
}

void pmf_rag_checkrule(lua_State *L, int arg, pmf_rag_rule *rule, double *target) {
    int p;
    static const pmf_rag_margin zero = { 0.0, 0 }, unset = { NAN, 0 };
    arg = lua_absindex(L, arg);
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_getfield(L, arg, "polarity");
    p = lua_type(L, -1) == LUA_TSTRING ? pmf_rag_polarity_parse(lua_tostring(L, -1)) : -1;
    if (p < 0)
        luaL_argerror(L, arg, lua_pushfstring(L,
            "rule.polarity must be \"up\", \"down\" or \"band\" (got %s%s%s)",
            lua_type(L, -1) == LUA_TSTRING ? "\"" : "",
            lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1),
            lua_type(L, -1) == LUA_TSTRING ? "\"" : ""));
    lua_pop(L, 1);
    pmf_rag_rule_init(rule, (pmf_rag_polarity)p);

    lua_getfield(L, arg, "target");
    if (target) *target = opt_value(L, -1, arg, "rule.target");
    lua_pop(L, 1);

    lua_getfield(L, arg, "tolerance");
    rule->tolerance = pmf_rag_checkmargin(L, -1, arg, "rule.tolerance", zero);
    lua_pop(L, 1);

    lua_getfield(L, arg, "blue");
    rule->blue = pmf_rag_checkmargin(L, -1, arg, "rule.blue", unset);
    lua_pop(L, 1);

    lua_getfield(L, arg, "band");
    if (!lua_isnil(L, -1)) {
        if (p != PMF_RAG_BAND)
            luaL_argerror(L, arg, "rule.band is only for polarity \"band\"");
        check_band(L, lua_gettop(L), arg, "rule.band", rule);
    }
    lua_pop(L, 1);
    check_ruleok(L, arg, "rule.", rule);
}

/* A polarity argument: a string ("band" only when `band_opts` can supply the band), or a
 * rule table. */
static void check_polarity(lua_State *L, int arg, int opts, pmf_rag_rule *rule) {
    if (lua_istable(L, arg)) {
        pmf_rag_checkrule(L, arg, rule, NULL);
        return;
    }
    pmf_rag_rule_init(rule, (pmf_rag_polarity)luaL_checkoption(L, arg, NULL, polarity_names));
    if (rule->polarity != PMF_RAG_BAND) return;
    if (opts == 0)
        luaL_argerror(L, arg, "polarity \"band\" needs its band: pass a rule "
                              "{polarity = \"band\", band = {lo, hi}}");
    if (lua_type(L, opts) != LUA_TTABLE || lua_getfield(L, opts, "band") == LUA_TNIL)
        luaL_argerror(L, opts, "opts.band = {lo, hi} is needed for polarity \"band\"");
    check_band(L, lua_gettop(L), opts, "opts.band", rule);
    lua_pop(L, 1);
    check_ruleok(L, opts, "opts.", rule);
}

/* ---------------------------------------------------------------- functions */

/* rate(value, rule) -> status string.  value may be nil (no_data); raises on a bad rule. */
static int rag_rate(lua_State *L) {
    pmf_rag_rule rule;
    double target, value;
    pmf_rag_checkrule(L, 2, &rule, &target);
    value = opt_value(L, 1, 1, "value");
    lua_pushstring(L, pmf_rag_status_name(pmf_rag_rate(&rule, value, target)));
    return 1;
}

/* dot(now, before, polarity | rule [, threshold]) -> "better" | "worse" | "same" | nil
 * (nil when either value is missing).  threshold: a number or "2%" of |before|. */
static int rag_dot(lua_State *L) {
    static const pmf_rag_margin zero = { 0.0, 0 };
    pmf_rag_rule rule;
    pmf_rag_margin thr;
    double now = opt_value(L, 1, 1, "now"), before = opt_value(L, 2, 2, "before");
    const char *name;
    check_polarity(L, 3, 0, &rule);
    thr = pmf_rag_checkmargin(L, 4, 4, "threshold", zero);
    name = pmf_rag_dot_name(pmf_rag_dot(&rule, now, before, thr));
    if (name) lua_pushstring(L, name);
    else lua_pushnil(L);
    return 1;
}

/* benchmark(values, polarity | rule [, opts]) -> {n=, median=, mean=, rank=, quartile=}.
 * values: an array or a map area -> value, nil/NaN skipped; rank and quartile have the same
 * keys as values, for the values present.  median and mean are nil when n == 0. */
static int rag_benchmark(lua_State *L) {
    pmf_rag_rule rule;
    pmf_rag_bench b;
    pmf_rag_slot *slots;
    double *vals;
    int *rank, *quart;
    unsigned char *base;
    size_t count = 0, i;
    luaL_checktype(L, 1, LUA_TTABLE);
    check_polarity(L, 2, 3, &rule);
    if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);

    lua_pushnil(L);
    while (lua_next(L, 1)) {
        count++;
        lua_pop(L, 1);
    }
    luaL_argcheck(L, count <= INT_MAX, 1, "too many values");
    /* one GC-owned block: slots, then values, then ranks and quartiles (in falling
     * alignment, so each part stays aligned) */
    base = lua_newuserdatauv(L, count * (sizeof *slots + sizeof *vals + 2 * sizeof *rank), 0);
    slots = (void *)base;
    vals = (void *)(base + count * sizeof *slots);
    rank = (void *)(base + count * (sizeof *slots + sizeof *vals));
    quart = rank + count;

    i = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        int isnum;
        vals[i] = (double)lua_tonumberx(L, -1, &isnum);
        if (!isnum) {
            const char *tname = luaL_typename(L, -1);
            lua_pushvalue(L, -2);
            luaL_argerror(L, 1, lua_pushfstring(L, "values[%s] must be a number (got %s)",
                                                luaL_tolstring(L, -1, NULL), tname));
        }
        i++;
        lua_pop(L, 1);
    }
    b = pmf_rag_benchmark(&rule, vals, count, slots, rank, quart);

    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)b.n);
    lua_setfield(L, -2, "n");
    if (b.n > 0) {
        lua_pushnumber(L, (lua_Number)b.median);
        lua_setfield(L, -2, "median");
        lua_pushnumber(L, (lua_Number)b.mean);
        lua_setfield(L, -2, "mean");
    }
    lua_newtable(L);                                    /* rank */
    lua_newtable(L);                                    /* quartile */
    i = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (rank[i] > 0) {
            lua_pushvalue(L, -1);
            lua_pushinteger(L, rank[i]);
            lua_settable(L, -5);
            lua_pushvalue(L, -1);
            lua_pushinteger(L, quart[i]);
            lua_settable(L, -4);
        }
        i++;
    }
    lua_setfield(L, -3, "quartile");
    lua_setfield(L, -2, "rank");
    return 1;
}

/* symbol(status) -> the short text symbol, so RAG is never shown by colour alone. */
static int rag_symbol(lua_State *L) {
    int s = luaL_checkoption(L, 1, NULL, status_names);
    lua_pushstring(L, pmf_rag_status_symbol((pmf_rag_status)s));
    return 1;
}

static const luaL_Reg rag_funcs[] = {
    { "rate",      rag_rate      },
    { "dot",       rag_dot       },
    { "benchmark", rag_benchmark },
    { "symbol",    rag_symbol    },
    { NULL,        NULL          }
};

int luaopen_pmf_rag(lua_State *L) {
    int i;
    luaL_newlib(L, rag_funcs);
    lua_createtable(L, PMF_RAG_NSTATUS, 0);
    for (i = 0; i < PMF_RAG_NSTATUS; i++) {
        lua_pushstring(L, status_names[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "statuses");
    return 1;
}
