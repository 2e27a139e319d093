/*
 * core/lperiod.c: the pmf.period Lua module (periods, labels, working days) over period.c.
 *
 * The "pmf.Period" userdata type (fields, methods, metamethods) is lperiod_type.c; this file
 * has the module functions (period_<luaname>), the argument helpers other bindings use
 * (pmf_checkperiod, pmf_checkyearstart: lperiod.h), and the module's luaL_Reg and opener.
 *
 * Year types: parse(label, {year_type =, year_start =}) reads a publisher's label by the
 * declared type and returns the label's flags beside the Period (period.h); without the
 * table a label is read as pmf_period_parse reads it, and one carrying a flag is refused.
 *
 * Error contract: a label that does not parse, a date that is not one (day_number), a
 * period with no DHIS2 form or not inside one financial quarter/half/year are expected failures and return nil, message (except
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

/* ---- helpers shared with other bindings ---- */

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

/* ---- small helpers (the first two shared with lperiod_type.c: lperiod.h) ---- */

const char *pmf_lperiod_label(pmf_period p, char *buf, size_t n) {
    if (pmf_period_format(p, buf, n) < 0) snprintf(buf, n, "?");
    return buf;
}

void pmf_pushdate(lua_State *L, pmf_date d) {
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
        pmf_pushdate(L, info->snapshot);
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

/* day_number(s) -> days since 1970-01-01 of the date s, exactly "YYYY-MM-DD" (the one
 * calendar's reading: a real day in the years 1000-9999) | nil, message.  Lua code that
 * checks a date or counts days (the importer, the xlsx creation date) asks this, so no
 * second copy of month lengths or day counts lives in Lua. */
static int period_day_number(lua_State *L) {
    const char *s = luaL_checkstring(L, 1);
    pmf_date d;
    if (pmf_date_parse(s, &d) != 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "'%s' is not a date YYYY-MM-DD (years 1000-9999)", s);
        return 2;
    }
    lua_pushinteger(L, (lua_Integer)pmf_days_from_civil(d.y, d.m, d.d));
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
        pmf_pushdate(L, h[k]);
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
    pmf_pushdate(L, r);
    return 1;
}

/* today() -> "YYYY-MM-DD", from the environment variable PMF_TODAY when it is set. */
static int period_today(lua_State *L) {
    pmf_date d;
    if (pmf_date_today(&d) != 0)
        return luaL_error(L, "PMF_TODAY=%s is not a date YYYY-MM-DD", getenv("PMF_TODAY"));
    pmf_pushdate(L, d);
    return 1;
}

static const luaL_Reg period_funcs[] = {
    { "parse",            period_parse },
    { "span",             period_span },
    { "month",            period_month },
    { "range",            period_range },
    { "is_working_day",   period_is_working_day },
    { "day_number",       period_day_number },
    { "bank_holidays",    period_bank_holidays },
    { "add_working_days", period_add_working_days },
    { "today",            period_today },
    { NULL,               NULL }
};

int luaopen_pmf_period(lua_State *L) {
    pmf_lperiod_register(L);
    luaL_newlib(L, period_funcs);
    lua_createtable(L, 0, 1);                       /* pmf.period(label) raises on failure */
    lua_pushcfunction(L, period_call);
    lua_setfield(L, -2, "__call");
    lua_setmetatable(L, -2);
    return 1;
}
