/*
 * core/lperiod_type.c: the "pmf.Period" userdata type of the pmf.period module: an immutable
 * pmf_period, read through fields (start, len, kind, year_start, year, quarter, half,
 * month) and methods (next, prev, contains, months, quarter_of, deadline, ...), compared
 * with ==, < and <= by start then length, printed by tostring as its canonical label.
 * Methods and metamethods are per_<name>.  The module functions are lperiod.c.
 *
 * Error contract as lperiod.c states: a period with no DHIS2 form or not inside one
 * financial quarter/half/year returns nil, message; arithmetic that leaves the years
 * 1000-9999 raises.
 */
#include "lperiod.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

static void setup_metatable(lua_State *L);

/* ---- the type's constructor and test (lperiod.h) ---- */

pmf_period *pmf_testperiod(lua_State *L, int idx) {
    return (pmf_period *)luaL_testudata(L, idx, PMF_PERIOD_MT);
}

void pmf_pushperiod(lua_State *L, pmf_period p) {
    pmf_period *ud = (pmf_period *)lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = p;
    if (luaL_newmetatable(L, PMF_PERIOD_MT)) setup_metatable(L);
    lua_setmetatable(L, -2);
}

/* ---- helpers ---- */

static pmf_period *checkself(lua_State *L) {
    return (pmf_period *)luaL_checkudata(L, 1, PMF_PERIOD_MT);
}

static void pushlabel(lua_State *L, pmf_period p) {
    char buf[PMF_PERIOD_LABEL_MAX];
    lua_pushstring(L, pmf_lperiod_label(p, buf, sizeof buf));
}

/* Returns nil, "<label> <why>": the expected-failure result. */
static int fail_with(lua_State *L, pmf_period p, const char *why) {
    char buf[PMF_PERIOD_LABEL_MAX];
    luaL_pushfail(L);
    lua_pushfstring(L, "%s %s", pmf_lperiod_label(p, buf, sizeof buf), why);
    return 2;
}

static int32_t checkint32(lua_State *L, int idx, lua_Integer def) {
    lua_Integer v = luaL_optinteger(L, idx, def);
    luaL_argcheck(L, v >= -2147483647 && v <= 2147483647, idx, "number out of range");
    return (int32_t)v;
}

/* Raises "<label>: <what> is outside the years 1000-9999". */
static int out_of_range(lua_State *L, pmf_period p, const char *what) {
    char buf[PMF_PERIOD_LABEL_MAX];
    return luaL_error(L, "%s: %s is outside the years %d-%d",
                      pmf_lperiod_label(p, buf, sizeof buf), what,
                      PMF_PERIOD_MIN_YEAR, PMF_PERIOD_MAX_YEAR);
}

/* ---- Period fields, methods and metamethods ---- */

/* __index: the fields first, then the methods table (upvalue 1). */
static int per_index(lua_State *L) {
    pmf_period *p = checkself(L);
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "";
    int v;
    if (strcmp(k, "start") == 0) lua_pushinteger(L, p->start);
    else if (strcmp(k, "len") == 0) lua_pushinteger(L, p->len);
    else if (strcmp(k, "kind") == 0) lua_pushstring(L, pmf_period_kind_name(p->kind));
    else if (strcmp(k, "year_start") == 0) lua_pushinteger(L, p->year_start);
    else if (strcmp(k, "year") == 0) lua_pushinteger(L, pmf_period_year(*p));
    else if (strcmp(k, "month") == 0) lua_pushinteger(L, p->start % 12 + 1);
    else if (strcmp(k, "quarter") == 0) {
        if ((v = pmf_period_quarter(*p)) != 0) lua_pushinteger(L, v);
        else lua_pushnil(L);
    } else if (strcmp(k, "half") == 0) {
        if ((v = pmf_period_half(*p)) != 0) lua_pushinteger(L, v);
        else lua_pushnil(L);
    } else {
        lua_pushvalue(L, 2);
        lua_rawget(L, lua_upvalueindex(1));
    }
    return 1;
}

static int per_newindex(lua_State *L) {
    return luaL_error(L, "attempt to modify a " PMF_PERIOD_MT " (periods are immutable)");
}

static int per_tostring(lua_State *L) {
    pushlabel(L, *checkself(L));
    return 1;
}

static int per_iso(lua_State *L) {
    char buf[PMF_PERIOD_LABEL_MAX];
    pmf_period_format_iso(*checkself(L), buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

/* dhis2() -> id | nil, message where DHIS2 has no period type for the span. */
static int per_dhis2(lua_State *L) {
    pmf_period *p = checkself(L);
    char buf[PMF_PERIOD_LABEL_MAX];
    if (pmf_period_format_dhis2(*p, buf, sizeof buf) < 0)
        return fail_with(L, *p, "has no DHIS2 period id");
    lua_pushstring(L, buf);
    return 1;
}

static int shift(lua_State *L, int sign) {
    pmf_period *p = checkself(L), q;
    int32_t n = checkint32(L, 2, 1);
    if (pmf_period_shift(*p, sign * n, &q) != 0)
        return out_of_range(L, *p, sign > 0 ? "the next period" : "the previous period");
    pmf_pushperiod(L, q);
    return 1;
}

static int per_next(lua_State *L) { return shift(L, 1); }
static int per_prev(lua_State *L) { return shift(L, -1); }

static int per_last_year(lua_State *L) {
    pmf_period *p = checkself(L), q;
    if (pmf_period_last_year(*p, &q) != 0) return out_of_range(L, *p, "the period a year back");
    pmf_pushperiod(L, q);
    return 1;
}

static int per_contains(lua_State *L) {
    pmf_period *p = checkself(L);
    lua_pushboolean(L, pmf_period_contains(*p, *pmf_checkperiod(L, 2, p->year_start)));
    return 1;
}

static int per_months(lua_State *L) {
    pmf_period p = *checkself(L), m;
    lua_createtable(L, p.len, 0);
    for (int32_t i = 0; i < p.len && pmf_period_nth_month(p, i, &m) == 0; i++) {
        pmf_pushperiod(L, m);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* The financial quarter/half/year holding the period, or nil, message. */
static int block_of(lua_State *L, int (*of)(pmf_period, pmf_period *), const char *why) {
    pmf_period *p = checkself(L), q;
    if (of(*p, &q) != 0) return fail_with(L, *p, why);
    pmf_pushperiod(L, q);
    return 1;
}

static int per_quarter_of(lua_State *L) {
    return block_of(L, pmf_period_quarter_of, "is not within one financial quarter");
}

static int per_half_of(lua_State *L) {
    return block_of(L, pmf_period_half_of, "is not within one financial half");
}

static int per_year_of(lua_State *L) {
    return block_of(L, pmf_period_year_of, "is not within one financial year");
}

static int per_start_date(lua_State *L) {
    pmf_pushdate(L, pmf_period_start_date(*checkself(L)));
    return 1;
}

static int per_end_date(lua_State *L) {
    pmf_pushdate(L, pmf_period_end_date(*checkself(L)));
    return 1;
}

/* deadline([n]) -> the date n (default 0) working days after the end date. */
static int per_deadline(lua_State *L) {
    pmf_period *p = checkself(L);
    lua_Integer n = luaL_optinteger(L, 2, 0);
    pmf_date d;
    luaL_argcheck(L, n >= 0 && n <= 1000000, 2, "working days must be 0 or more");
    if (pmf_period_deadline(*p, (int)n, &d) != 0) return out_of_range(L, *p, "the deadline");
    pmf_pushdate(L, d);
    return 1;
}

static int per_eq(lua_State *L) {
    pmf_period *a = checkself(L), *b = pmf_testperiod(L, 2);
    lua_pushboolean(L, b != NULL && pmf_period_compare(*a, *b) == 0);
    return 1;
}

/* For < and <=, where either side may be a label read under the other's year start. */
static int compare_args(lua_State *L) {
    pmf_period *a = pmf_testperiod(L, 1), *b = pmf_testperiod(L, 2);
    int ys = a ? a->year_start : b ? b->year_start : 0;
    a = pmf_checkperiod(L, 1, ys);
    b = pmf_checkperiod(L, 2, ys);
    return pmf_period_compare(*a, *b);
}

static int per_lt(lua_State *L) {
    lua_pushboolean(L, compare_args(L) < 0);
    return 1;
}

static int per_le(lua_State *L) {
    lua_pushboolean(L, compare_args(L) <= 0);
    return 1;
}

static int per_concat(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    luaL_tolstring(L, 2, NULL);
    lua_concat(L, 2);
    return 1;
}

static const luaL_Reg per_methods[] = {
    { "next",       per_next },
    { "prev",       per_prev },
    { "last_year",  per_last_year },
    { "contains",   per_contains },
    { "months",     per_months },
    { "quarter_of", per_quarter_of },
    { "half_of",    per_half_of },
    { "year_of",    per_year_of },
    { "start_date", per_start_date },
    { "end_date",   per_end_date },
    { "deadline",   per_deadline },
    { "dhis2",      per_dhis2 },
    { "iso",        per_iso },
    { "label",      per_tostring },
    { NULL,         NULL }
};

static const luaL_Reg per_meta[] = {
    { "__newindex", per_newindex },
    { "__tostring", per_tostring },
    { "__eq",       per_eq },
    { "__lt",       per_lt },
    { "__le",       per_le },
    { "__concat",   per_concat },
    { NULL,         NULL }
};

/* Fills the metatable on top of the stack: metamethods, and __index over the methods. */
static void setup_metatable(lua_State *L) {
    luaL_setfuncs(L, per_meta, 0);
    luaL_newlib(L, per_methods);
    lua_pushcclosure(L, per_index, 1);
    lua_setfield(L, -2, "__index");
}

void pmf_lperiod_register(lua_State *L) {
    if (luaL_newmetatable(L, PMF_PERIOD_MT)) setup_metatable(L);
    lua_pop(L, 1);
}
