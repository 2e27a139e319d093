/*
 * lpattern.c: string.find, string.match, string.gmatch and string.gsub on our own pattern
 * matcher (core/pattern.c), which the sandbox's clock can stop.
 *
 * luaopen_pmf_pattern installs the four in the state's string library (package.loaded.string,
 * which is also the strings' metatable __index), so s:find(...) in user code and in the host
 * uses them, under the pmf binary and under `require "pmf"` alike.  Outside a limited run
 * nothing stops them; inside one, every PM_CHECK_STEPS steps they ask the sandbox whether the
 * run's time is up (pmf_sandbox_expired) and, if so, raise "time limit exceeded" (the
 * sandbox has armed its hook, so a pcall cannot carry on).
 *
 * Arguments, results and error messages are those of Lua 5.4's string library (the unit test
 * tests/unit/test_pattern.c compares them case by case with a stock state).
 */
#include "pattern.h"
#include "pmf_internal.h"

#include <ctype.h>
#include <lauxlib.h>
#include <string.h>

static const char SPECIALS[] = "^$*+?.([%-";

static int interrupt(void *ud) { return pmf_sandbox_expired(ud); }

/* A 1-based position (negative from the end, 0 as 1) as a 0-based offset. */
static size_t start_offset(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos - 1;
    if (pos == 0 || pos < -(lua_Integer)len) return 0;
    return len + (size_t)pos;
}

static int pattern_error(lua_State *L, const pm_state *ms) { return luaL_error(L, "%s", ms->error); }

/* Push capture i of the match s..e. */
static void push_capture(lua_State *L, pm_state *ms, int i, const char *s, const char *e) {
    const char *cap;
    ptrdiff_t len;
    if (pm_capture(ms, i, s, e, &cap, &len) != 0) pattern_error(L, ms);
    if (len == PM_CAP_POSITION) lua_pushinteger(L, (cap - ms->src_init) + 1);
    else lua_pushlstring(L, cap, (size_t)len);
}

/* Push the captures of the match s..e (the whole match when there are none and s is given);
 * returns how many. */
static int push_captures(lua_State *L, pm_state *ms, const char *s, const char *e) {
    int n = (ms->level == 0 && s) ? 1 : ms->level;
    luaL_checkstack(L, n, "too many captures");
    for (int i = 0; i < n; i++) push_capture(L, ms, i, s, e);
    return n;
}

static int no_specials(const char *p, size_t lp) {
    for (size_t i = 0; i < lp; i++)
        if (p[i] && strchr(SPECIALS, p[i])) return 0;
    return 1;
}

static const char *find_plain(const char *s, size_t ls, const char *p, size_t lp) {
    if (lp == 0) return s;
    while (lp <= ls) {
        const char *c = memchr(s, *p, ls - lp + 1);
        if (!c) return NULL;
        if (memcmp(c + 1, p + 1, lp - 1) == 0) return c;
        ls -= (size_t)(c + 1 - s);
        s = c + 1;
    }
    return NULL;
}

static int find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
        const char *r = find_plain(s + init, ls - init, p, lp);
        if (r) {
            lua_pushinteger(L, (r - s) + 1);
            lua_pushinteger(L, (lua_Integer)((size_t)(r - s) + lp));
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    int anchor = lp > 0 && *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    pm_state ms;
    pm_init(&ms, s, ls, p, lp, interrupt, L);
    const char *s1 = s + init;
    do {
        const char *e = pm_match(&ms, s1, p);
        if (ms.error) return pattern_error(L, &ms);
        if (e) {
            if (!find) return push_captures(L, &ms, s1, e);
            lua_pushinteger(L, (s1 - s) + 1);
            lua_pushinteger(L, e - s);
            return push_captures(L, &ms, NULL, NULL) + 2;
        }
    } while (s1++ < ms.src_end && !anchor);
    luaL_pushfail(L);
    return 1;
}

static int pattern_find(lua_State *L) { return find_or_match(L, 1); }
static int pattern_match(lua_State *L) { return find_or_match(L, 0); }

/* gmatch's state: a userdata upvalue beside the subject and pattern it points into. */
typedef struct {
    pm_state ms;
    const char *src, *p, *lastmatch;
} gmatch_state;

static int gmatch_next(lua_State *L) {
    gmatch_state *g = lua_touserdata(L, lua_upvalueindex(3));
    g->ms.ud = L;   /* the thread calling now */
    g->ms.error = NULL;
    for (const char *src = g->src; src <= g->ms.src_end; src++) {
        const char *e = pm_match(&g->ms, src, g->p);
        if (g->ms.error) return pattern_error(L, &g->ms);
        if (e && e != g->lastmatch) {
            g->src = g->lastmatch = e;
            return push_captures(L, &g->ms, src, e);
        }
    }
    return 0;
}

static int pattern_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) init = ls + 1;   /* past the end: nothing to find */
    lua_settop(L, 2);
    gmatch_state *g = lua_newuserdatauv(L, sizeof *g, 0);
    pm_init(&g->ms, s, ls, p, lp, interrupt, L);
    g->src = s + init;
    g->p = p;
    g->lastmatch = NULL;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/* A replacement string: %0-%9 and %% expanded. */
static void add_string(lua_State *L, pm_state *ms, luaL_Buffer *b, const char *s, const char *e) {
    size_t l;
    const char *r = lua_tolstring(L, 3, &l), *end = r + l, *q;
    while ((q = memchr(r, '%', (size_t)(end - r))) != NULL) {
        luaL_addlstring(b, r, (size_t)(q - r));
        q++;
        if (q < end && *q == '%') {
            luaL_addchar(b, '%');
        } else if (q < end && *q == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (q < end && isdigit((unsigned char)*q)) {
            push_capture(L, ms, *q - '1', s, e);
            luaL_addvalue(b);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", '%');
        }
        r = q + 1;
    }
    luaL_addlstring(b, r, (size_t)(end - r));
}

static void add_value(lua_State *L, pm_state *ms, luaL_Buffer *b, const char *s, const char *e,
                      int tr) {
    if (tr == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(L, ms, s, e);
        lua_call(L, n, 1);
    } else if (tr == LUA_TTABLE) {
        push_capture(L, ms, 0, s, e);
        lua_gettable(L, 3);
    } else {
        add_string(L, ms, b, s, e);
        return;
    }
    if (!lua_toboolean(L, -1)) {   /* nil or false: keep the text matched */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(b);
    }
}

static int pattern_gsub(lua_State *L) {
    size_t ls, lp;
    const char *src = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int tr = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
                        tr == LUA_TTABLE, 3, "string/function/table");
    int anchor = lp > 0 && *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    pm_state ms;
    pm_init(&ms, src, ls, p, lp, interrupt, L);
    const char *lastmatch = NULL;
    lua_Integer n = 0;
    while (n < max_n) {
        const char *e = pm_match(&ms, src, p);
        if (ms.error) return pattern_error(L, &ms);
        if (e && e != lastmatch) {
            n++;
            add_value(L, &ms, &b, src, e, tr);
            src = lastmatch = e;
        } else if (src < ms.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor) break;
    }
    luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
    luaL_pushresult(&b);
    lua_pushinteger(L, n);
    return 2;
}

static const luaL_Reg pattern_funcs[] = {
    {"find",   pattern_find},
    {"match",  pattern_match},
    {"gmatch", pattern_gmatch},
    {"gsub",   pattern_gsub},
    {NULL, NULL}
};

/* Returns the four functions, having installed them in package.loaded.string (when the
 * state has a string library). */
int luaopen_pmf_pattern(lua_State *L) {
    luaL_newlib(L, pattern_funcs);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "string") == LUA_TTABLE) {
        for (const luaL_Reg *f = pattern_funcs; f->name; f++) {
            lua_getfield(L, -3, f->name);
            lua_setfield(L, -2, f->name);
        }
    }
    lua_pop(L, 2);
    return 1;
}
