/*
 * core/lperiod.c: the pmf.period Lua module (periods, labels, working days) over period.c.
 *
 * Owns the "pmf.Period" userdata type: an immutable pmf_period, read through fields
 * (start, len, kind, year_start, year, quarter, half, month) and methods, compared with
 * ==, < and <= by start then length, printed by tostring as its canonical label.
 * Module functions are period_<luaname>; Period methods and metamethods are per_<name>.
 *
 * Year types: parse(label, {year_type =, year_start =}) reads a publisher's label by the
 * declared type and returns the label's flags beside the Period (period.h); without the
 * table a label is read as pmf_period_parse reads it, and one carrying a flag is refused.
 *
 * Error contract: a label that does not parse, a period with no DHIS2 form or not inside
 * one financial quarter/half/year are expected failures and return nil, message (except
 * pmf.period(label), the raising convenience).  Wrong types, bad year starts, bad dates and
 * arithmetic that leaves the years 1000-9999 are misuse and raise.
 */
#include "lperiod.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const month_names[] = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    NULL
};

static void setup_metatable(lua_State *L);

/* ---- helpers shared with other bindings ---- */

pmf_period *pmf_testperiod(lua_State *L, int idx) {
    return (pmf_period *)luaL_testudata(L, idx, PMF_PERIOD_MT);
}

void pmf_pushperiod(lua_State *L, pmf_period p) {
    pmf_period *ud = (pmf_period *)lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = p;
    if (luaL_newmetatable(L, PMF_PERIOD_MT)) setup_metatable(L);
    lua_setmetatable(L, -2);
}

pmf_period *pmf_checkperiod(lua_State *L, int idx, int year_start) {
    pmf_period *p, q;
    char err[PMF_PERIOD_ERR_MAX];
    int t;
    idx = lua_absindex(L, idx);
    if ((p = pmf_testperiod(L, idx)) != NULL) return p;
    t = lua_type(L, idx);
    if (t != LUA_TSTRING && !(t == LUA_TNUMBER && lua_isinteger(L, idx)))
        luaL_typeerror(L, idx, PMF_PERIOD_MT " or label");
    if (pmf_period_parse(lua_tostring(L, idx), year_start > 0 ? year_start : 0, &q, err,
                         sizeof err) != 0)
        luaL_argerror(L, idx, err);
    pmf_pushperiod(L, q);
    lua_replace(L, idx);
    return (pmf_period *)lua_touserdata(L, idx);
}

int pmf_checkyearstart(lua_State *L, int idx, int def) {
    char low[16];
    size_t len, k;
    const char *s;
    idx = lua_absindex(L, idx);
    if (lua_isnoneornil(L, idx)) return def;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        lua_Integer v = luaL_checkinteger(L, idx);
        luaL_argcheck(L, v >= 1 && v <= 12, idx, "year start must be 1-12 or a month name");
        return (int)v;
    }
    s = luaL_checklstring(L, idx, &len);
    if (len >= sizeof low) len = sizeof low - 1;   /* too long for a month: still rejected */
    for (k = 0; k < len; k++)
        low[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
    low[k] = '\0';
    lua_pushstring(L, low);
    lua_replace(L, idx);
    return luaL_checkoption(L, idx, NULL, month_names) % 12 + 1;
}

/* ---- small local helpers ---- */

static pmf_period *checkself(lua_State *L) {
    return (pmf_period *)luaL_checkudata(L, 1, PMF_PERIOD_MT);
}

static const char *label(pmf_period p, char *buf, size_t n) {
    if (pmf_period_format(p, buf, n) < 0) snprintf(buf, n, "?");
    return buf;
}

static void pushlabel(lua_State *L, pmf_period p) {
    char buf[PMF_PERIOD_LABEL_MAX];
    lua_pushstring(L, label(p, buf, sizeof buf));
}

/* Returns nil, "<label> <why>": the expected-failure result. */
static int fail_with(lua_State *L, pmf_period p, const char *why) {
    char buf[PMF_PERIOD_LABEL_MAX];
    luaL_pushfail(L);
    lua_pushfstring(L, "%s %s", label(p, buf, sizeof buf), why);
    return 2;
}

static void pushdate(lua_State *L, pmf_date d) {
    char buf[16];
    pmf_date_format(d, buf, sizeof buf);
    lua_pushstring(L, buf);
}

static pmf_date checkdate(lua_State *L, int idx) {
    pmf_date d;
    if (pmf_date_parse(luaL_checkstring(L, idx), &d) != 0)
        luaL_argerror(L, idx, "expected a date YYYY-MM-DD (years 1000-9999)");
    return d;
}

static int32_t checkint32(lua_State *L, int idx, lua_Integer def) {
    lua_Integer v = luaL_optinteger(L, idx, def);
    luaL_argcheck(L, v >= -2147483647 && v <= 2147483647, idx, "number out of range");
    return (int32_t)v;
}

/* Raises "<label>: <what> is outside the years 1000-9999". */
static int out_of_range(lua_State *L, pmf_period p, const char *what) {
    char buf[PMF_PERIOD_LABEL_MAX];
    return luaL_error(L, "%s: %s is outside the years %d-%d", label(p, buf, sizeof buf), what,
                      PMF_PERIOD_MIN_YEAR, PMF_PERIOD_MAX_YEAR);
}

/* ---- module functions ---- */

/* Reads {year_type = "financial"|"academic"|"calendar", year_start = M} at idx. */
static pmf_period_opts checkopts(lua_State *L, int idx) {
    static const char *const types[] = {"none", "financial", "academic", "calendar", NULL};
    pmf_period_opts o = { PMF_PERIOD_DEFAULT_YEAR_START, PMF_YEAR_NONE };
    lua_getfield(L, idx, "year_start");
    o.year_start = pmf_checkyearstart(L, -1, PMF_PERIOD_DEFAULT_YEAR_START);
    lua_getfield(L, idx, "year_type");
    if (!lua_isnil(L, -1)) o.year_type = luaL_checkoption(L, -1, NULL, types);
    lua_pop(L, 2);
    return o;
}

/* The flags of a typed read: {provisional = true, ..., snapshot = "YYYY-MM-DD"}. */
static void pushinfo(lua_State *L, const pmf_period_info *info) {
    static const struct { unsigned flag; const char *name; } names[] = {
        { PMF_LABEL_PROVISIONAL, "provisional" }, { PMF_LABEL_REVISED, "revised" },
        { PMF_LABEL_OUTTURN, "outturn" }, { PMF_LABEL_FINAL, "final" },
    };
    lua_createtable(L, 0, 2);
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (info->flags & names[k].flag) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, names[k].name);
        }
    if (info->flags & PMF_LABEL_SNAPSHOT) {
        pushdate(L, info->snapshot);
        lua_setfield(L, -2, "snapshot");
    }
}

/* parse(label [, year_start]) -> Period | nil, message.  A Period is returned as it is,
 * or re-read under the given year start.
 * parse(label, {year_type =, year_start =}) -> Period, info | nil, message: read by the
 * declared year type (period.h's table); info holds the label's flags (provisional,
 * revised, outturn, final) and a snapshot's date.  Without the table, labels carrying a
 * flag or a date are refused (the flag would be lost). */
static int period_parse(lua_State *L) {
    pmf_period *p = pmf_testperiod(L, 1), q;
    char err[PMF_PERIOD_ERR_MAX];
    if (lua_istable(L, 2)) {
        pmf_period_opts o = checkopts(L, 2);
        pmf_period_info info;
        if (p != NULL) {
            if (pmf_period_make(p->start, p->len, o.year_start, &q) != 0)
                return luaL_argerror(L, 1, "invalid period");
            pmf_pushperiod(L, q);
            return 1;
        }
        if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TNUMBER)
            return luaL_typeerror(L, 1, PMF_PERIOD_MT " or label");
        if (pmf_period_parse_typed(lua_tostring(L, 1), &o, &q, &info, err, sizeof err) != 0) {
            luaL_pushfail(L);
            lua_pushstring(L, err);
            return 2;
        }
        pmf_pushperiod(L, q);
        pushinfo(L, &info);
        return 2;
    }
    int ys = pmf_checkyearstart(L, 2, PMF_PERIOD_DEFAULT_YEAR_START);
    if (p != NULL) {
        if (lua_isnoneornil(L, 2) || p->year_start == ys) lua_settop(L, 1);
        else if (pmf_period_make(p->start, p->len, ys, &q) == 0) pmf_pushperiod(L, q);
        else return luaL_argerror(L, 1, "invalid period");
        return 1;
    }
    if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TNUMBER)
        return luaL_typeerror(L, 1, PMF_PERIOD_MT " or label");
    if (pmf_period_parse(lua_tostring(L, 1), ys, &q, err, sizeof err) != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, err);
        return 2;
    }
    pmf_pushperiod(L, q);
    return 1;
}

/* pmf.period(label [, year_start | opts]) -> Period [, info], raising the message parse
 * would return. */
static int period_call(lua_State *L) {
    lua_remove(L, 1);                               /* the module table */
    int n = period_parse(L);
    if (n == 2 && lua_isnil(L, -2)) return luaL_error(L, "%s", lua_tostring(L, -1));
    return n;
}

/* span(start, len [, year_start]) -> Period with the natural kind (the store's pair). */
static int period_span(lua_State *L) {
    lua_Integer start = luaL_checkinteger(L, 1), len = luaL_checkinteger(L, 2);
    int ys = pmf_checkyearstart(L, 3, PMF_PERIOD_DEFAULT_YEAR_START);
    pmf_period p;
    luaL_argcheck(L, len >= 1 && len <= 2147483647, 2, "length must be at least 1 month");
    luaL_argcheck(L, start >= 0 && start <= 2147483647, 1, "span is outside the years 1000-9999");
    if (pmf_period_make((int32_t)start, (int32_t)len, ys, &p) != 0)
        return luaL_argerror(L, 1, "span is outside the years 1000-9999");
    pmf_pushperiod(L, p);
    return 1;
}

/* month(year, month [, year_start]) -> Period. */
static int period_month(lua_State *L) {
    lua_Integer y = luaL_checkinteger(L, 1), m = luaL_checkinteger(L, 2);
    int ys = pmf_checkyearstart(L, 3, PMF_PERIOD_DEFAULT_YEAR_START);
    pmf_period p;
    luaL_argcheck(L, y >= PMF_PERIOD_MIN_YEAR && y <= PMF_PERIOD_MAX_YEAR, 1,
                  "year must be 1000-9999");
    luaL_argcheck(L, m >= 1 && m <= 12, 2, "month must be 1-12");
    pmf_period_month((int)y, (int)m, ys, &p);
    pmf_pushperiod(L, p);
    return 1;
}

/* range(from, to) -> { from, from:next(), ... } while a period starts no later than `to`
 * starts, so the list runs through the period of from's kind that holds to's start. */
static int period_range(lua_State *L) {
    pmf_period cur = *pmf_checkperiod(L, 1, 0);
    pmf_period to = *pmf_checkperiod(L, 2, cur.year_start);
    lua_Integer i = 0;
    lua_createtable(L, to.start >= cur.start ? (int)((to.start - cur.start) / cur.len + 1) : 0, 0);
    while (cur.start <= to.start) {
        pmf_pushperiod(L, cur);
        lua_rawseti(L, -2, ++i);
        if (pmf_period_shift(cur, 1, &cur) != 0) break;
    }
    return 1;
}

static int period_is_working_day(lua_State *L) {
    pmf_date d = checkdate(L, 1);
    lua_pushboolean(L, pmf_is_working_day(d.y, d.m, d.d));
    return 1;
}

/* bank_holidays(year) -> { "YYYY-MM-DD", ... } in date order (England and Wales). */
static int period_bank_holidays(lua_State *L) {
    lua_Integer y = luaL_checkinteger(L, 1);
    pmf_date h[PMF_BANK_HOLIDAYS_MAX];
    int n;
    luaL_argcheck(L, y >= PMF_PERIOD_MIN_YEAR && y <= PMF_PERIOD_MAX_YEAR, 1,
                  "year must be 1000-9999");
    n = pmf_bank_holidays((int)y, h, PMF_BANK_HOLIDAYS_MAX);
    if (n > PMF_BANK_HOLIDAYS_MAX) n = PMF_BANK_HOLIDAYS_MAX;
    lua_createtable(L, n > 0 ? n : 0, 0);
    for (int k = 0; k < n; k++) {
        pushdate(L, h[k]);
        lua_rawseti(L, -2, k + 1);
    }
    return 1;
}

/* add_working_days(date, n) -> date: n working days on (back, for negative n). */
static int period_add_working_days(lua_State *L) {
    pmf_date d = checkdate(L, 1), r;
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= -1000000 && n <= 1000000, 2, "at most a million working days");
    if (pmf_add_working_days(d, (int)n, &r) != 0)
        return luaL_error(L, "%s + %d working days is outside the years 1000-9999",
                          lua_tostring(L, 1), (int)n);
    pushdate(L, r);
    return 1;
}

/* today() -> "YYYY-MM-DD", from the environment variable PMF_TODAY when it is set. */
static int period_today(lua_State *L) {
    pmf_date d;
    if (pmf_date_today(&d) != 0)
        return luaL_error(L, "PMF_TODAY=%s is not a date YYYY-MM-DD", getenv("PMF_TODAY"));
    pushdate(L, d);
    return 1;
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
    pushdate(L, pmf_period_start_date(*checkself(L)));
    return 1;
}

static int per_end_date(lua_State *L) {
    pushdate(L, pmf_period_end_date(*checkself(L)));
    return 1;
}

/* deadline([n]) -> the date n (default 0) working days after the end date. */
static int per_deadline(lua_State *L) {
    pmf_period *p = checkself(L);
    lua_Integer n = luaL_optinteger(L, 2, 0);
    pmf_date d;
    luaL_argcheck(L, n >= 0 && n <= 1000000, 2, "working days must be 0 or more");
    if (pmf_period_deadline(*p, (int)n, &d) != 0) return out_of_range(L, *p, "the deadline");
    pushdate(L, d);
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

static const luaL_Reg period_funcs[] = {
    { "parse",            period_parse },
    { "span",             period_span },
    { "month",            period_month },
    { "range",            period_range },
    { "is_working_day",   period_is_working_day },
    { "bank_holidays",    period_bank_holidays },
    { "add_working_days", period_add_working_days },
    { "today",            period_today },
    { NULL,               NULL }
};

int luaopen_pmf_period(lua_State *L) {
    if (luaL_newmetatable(L, PMF_PERIOD_MT)) setup_metatable(L);
    lua_pop(L, 1);
    luaL_newlib(L, period_funcs);
    lua_createtable(L, 0, 1);                       /* pmf.period(label) raises on failure */
    lua_pushcfunction(L, period_call);
    lua_setfield(L, -2, "__call");
    lua_setmetatable(L, -2);
    return 1;
}
