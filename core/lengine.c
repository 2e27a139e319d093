/*
 * lengine.c: the Lua binding of the KPI engine's kernels, module `pmf.engine` (the kernels
 * are engine.c; lua/pmf/kpi/ drives them).
 *
 *   engine.reader, engine.hold, engine.area_ids, engine.fetch: reading figures into grids
 *                                                  (lreader.c, which documents them)
 *   engine.publish(g, decimals, cols)              the published figure (decimals < 0: as is)
 *   engine.grid(na, np)                            -> Grid with every array
 *   engine.rows(list)                              -> Indices: a list of rows or columns
 *                                                  converted once; any argument below
 *                                                  taking a list of indices takes one
 *   engine.combine(op, scale, a, b, out, cols)     op "copy" | "div" | "sub"
 *   engine.suppress(in, below, out, cols)
 *   engine.rule(t)                                 -> Rule: a rule table checked once
 *   engine.rate(g, rule, cols)                     rule as pmf.rag.rate's (target ignored),
 *                                                  or a Rule (so in dot and benchmark)
 *   engine.dot(g, rule, threshold, now, before, "prev" | "year")   before[k] = 0: none
 *   engine.benchmark(g, rule, rows, cols, min_group)  ranks, quartiles, per-column stats
 *   engine.stats(g, rows, col, min_group)          -> n, median, mean, q1, q3 (nil below min)
 *   engine.late(g, cols, deadline_ms)
 *   Grid: its methods are lgrid.c's; the Reader (reader, hold, area_ids, fetch) is lreader.c
 *
 * Design decisions:
 * - Rows (areas) and columns (periods) are 1-based in Lua, as Lua arrays are.  A Grid is
 *   one GC-owned userdata holding its header and all its arrays, so nothing malloc'd is ever
 *   held across a raise and 800,000 ratings cost no Lua tables.
 * - Misuse (a bad index, a wrong type, an unknown status name) raises; a store error raises
 *   with SQLite's message (the store is the caller's: there is no expected failure here;
 *   a busy store is an error, never "no data").
 * - Values come from the one reader (series.h's matrix over reader.h): no SQL here.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "engine.h"
#include "lgrid.h"
#include "lperiod.h"
#include "lrag.h"
#include "lreader.h"

#define PMF_RULE_MT    "pmf.Rule"

/* ---------------------------------------------------------------- module functions */

/* carry_months(text) -> months | nil, message ("12 months", "1 year"; reader.h's parser). */
static int engine_carry_months(lua_State *L) {
    const char *t = luaL_checkstring(L, 1);
    int m = pmf_carry_from_text(t);
    if (m < 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "carry must be a span like \"12 months\", not '%s'", t);
        return 2;
    }
    lua_pushinteger(L, m);
    return 1;
}

/* publish(g, decimals, cols): the published figure of each cell (decimals < 0: as is). */
static int engine_publish(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    lua_Integer d = luaL_checkinteger(L, 2);
    size_t n, *cols;
    luaL_argcheck(L, d >= -1 && d <= 15, 2, "decimals must be 0-15 (or -1: unrounded)");
    cols = pmf_grid_indices(L, 3, u->g.np, 0, &n);
    pmf_engine_publish(&u->g, (int)d, cols, n);
    return 0;
}

/* grid(na, np) -> a rating Grid: values and targets NaN, statuses no_data. */
static int engine_grid(lua_State *L) {
    lua_Integer na = luaL_checkinteger(L, 1), np = luaL_checkinteger(L, 2);
    luaL_argcheck(L, na >= 1 && na <= INT_MAX, 1, "number of areas must be positive");
    luaL_argcheck(L, np >= 1 && np <= INT_MAX, 2, "number of periods must be positive");
    pmf_grid_new(L, (size_t)na, (size_t)np, 1);
    return 1;
}

static void same_shape(lua_State *L, const lgrid *a, const lgrid *b, int arg) {
    if (a->g.na != b->g.na || a->g.np != b->g.np)
        luaL_argerror(L, arg, "grids differ in shape");
}

/* combine(op, scale, a, b, out, cols) */
static int engine_combine(lua_State *L) {
    static const char *const ops[] = { "copy", "div", "sub", NULL };
    int op = luaL_checkoption(L, 1, NULL, ops);
    double scale = luaL_optnumber(L, 2, 1.0);
    lgrid *a = pmf_grid_check(L, 3, 0), *b = NULL, *out = pmf_grid_check(L, 5, 0);
    size_t n, *cols;
    same_shape(L, a, out, 3);
    if (op != PMF_ENGINE_COPY) {
        b = pmf_grid_check(L, 4, 0);
        same_shape(L, b, out, 4);
    }
    cols = pmf_grid_indices(L, 6, out->g.np, 0, &n);
    pmf_engine_combine((pmf_engine_op)op, scale, &a->g, b ? &b->g : NULL, &out->g, cols, n);
    return 0;
}

/* suppress(in, below, out, cols) */
static int engine_suppress(lua_State *L) {
    lgrid *in = pmf_grid_check(L, 1, 0), *out = pmf_grid_check(L, 3, 0);
    double below = luaL_checknumber(L, 2);
    size_t n, *cols;
    same_shape(L, in, out, 1);
    cols = pmf_grid_indices(L, 4, out->g.np, 0, &n);
    pmf_engine_suppress(&in->g, below, &out->g, cols, n);
    return 0;
}

/* rule(t) -> Rule: a rule table (pmf.rag.rate's, target ignored) checked once, for rate,
 * dot and benchmark to take in place of the table (a KPI's rule is used by all three). */
static int engine_rule(lua_State *L) {
    pmf_rag_rule rule;
    pmf_rag_checkrule(L, 1, &rule, NULL);
    pmf_rag_rule *u = lua_newuserdatauv(L, sizeof *u, 0);
    *u = rule;
    luaL_setmetatable(L, PMF_RULE_MT);
    return 1;
}

/* The rule at idx: a Rule (engine.rule) or a rule table. */
static void check_rule(lua_State *L, int idx, pmf_rag_rule *rule) {
    const pmf_rag_rule *u = luaL_testudata(L, idx, PMF_RULE_MT);
    if (u) *rule = *u;
    else pmf_rag_checkrule(L, idx, rule, NULL);
}

/* rate(g, rule, cols) */
static int engine_rate(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    pmf_rag_rule rule;
    size_t n, *cols;
    check_rule(L, 2, &rule);
    cols = pmf_grid_indices(L, 3, u->g.np, 0, &n);
    pmf_engine_rate(&rule, &u->g, cols, n);
    return 0;
}

/* dot(g, rule, threshold, now, before, "prev" | "year"); before[k] = 0 means none. */
static int engine_dot(lua_State *L) {
    static const char *const which[] = { "prev", "year", NULL };
    static const pmf_rag_margin zero = { 0.0, 0 };
    lgrid *u = pmf_grid_check(L, 1, 1);
    pmf_rag_rule rule;
    pmf_rag_margin thr;
    size_t n, m, *now, *before;
    int year;
    check_rule(L, 2, &rule);
    thr = pmf_rag_checkmargin(L, 3, 3, "threshold", zero);
    year = luaL_checkoption(L, 6, NULL, which);
    now = pmf_grid_indices(L, 4, u->g.np, 0, &n);
    before = pmf_grid_indices(L, 5, u->g.np, 1, &m);
    luaL_argcheck(L, n == m, 5, "now and before differ in length");
    pmf_engine_dot(&rule, thr, &u->g, now, before, n, year);
    return 0;
}

static size_t check_min_group(lua_State *L, int idx) {
    lua_Integer m = luaL_optinteger(L, idx, 3);
    luaL_argcheck(L, m >= 1 && m <= INT_MAX, idx, "min_group must be a positive integer");
    return (size_t)m;
}

/* benchmark(g, rule, rows, cols [, min_group = 3]): ranks and quartiles of every row against
 * the group rows, and each column's stats (g:stat(j)). */
static int engine_benchmark(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    pmf_rag_rule rule;
    size_t nr, nc, *rows, *cols, min_group = check_min_group(L, 5);
    unsigned char *scratch;
    check_rule(L, 2, &rule);
    rows = pmf_grid_indices(L, 3, u->g.na, 0, &nr);
    cols = pmf_grid_indices(L, 4, u->g.np, 0, &nc);
    scratch = pmf_grid_scratch(L, (nr ? nr : 1) * (sizeof(pmf_rag_slot) + sizeof(double) +
                                                 sizeof(int)));
    pmf_engine_benchmark(&rule, &u->g, rows, nr, cols, nc, min_group, u->stat, (pmf_rag_slot *)(void *)scratch,
                         (double *)(void *)(scratch + nr * sizeof(pmf_rag_slot)),
                         (int *)(void *)(scratch + nr * (sizeof(pmf_rag_slot) + sizeof(double))));
    return 0;
}

/* stats(g, rows, col [, min_group = 3]) -> n, median, mean, q1, q3 (nil below min_group) */
static int engine_stats(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    size_t nr, *rows, min_group = check_min_group(L, 4);
    lua_Integer col = luaL_checkinteger(L, 3);
    unsigned char *scratch;
    luaL_argcheck(L, col >= 1 && (lua_Unsigned)col <= u->g.np, 3, "period index out of range");
    rows = pmf_grid_indices(L, 2, u->g.na, 0, &nr);
    scratch = pmf_grid_scratch(L, (nr ? nr : 1) * (sizeof(pmf_rag_slot) + sizeof(double)));
    return pmf_grid_push_stat(L, pmf_engine_stats(&u->g, rows, nr, (size_t)(col - 1), min_group,
                                         (pmf_rag_slot *)(void *)scratch,
                                         (double *)(void *)(scratch + nr * sizeof(pmf_rag_slot))));
}

/* late(g, cols, deadline_ms) */
static int engine_late(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    size_t n, k, *cols = pmf_grid_indices(L, 2, u->g.np, 0, &n);
    int64_t *dl;
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_argcheck(L, (size_t)lua_rawlen(L, 3) == n, 3, "one deadline per column expected");
    dl = lua_newuserdatauv(L, (n ? n : 1) * sizeof *dl, 0);
    for (k = 0; k < n; k++) {
        lua_rawgeti(L, 3, (lua_Integer)k + 1);
        dl[k] = lua_isinteger(L, -1) ? (int64_t)lua_tointeger(L, -1) : INT64_MAX;
        lua_pop(L, 1);
    }
    pmf_engine_late(&u->g, cols, dl, n);
    return 0;
}

static const luaL_Reg engine_funcs[] = {
    { "reader",    pmf_reader_open     },
    { "hold",      pmf_reader_hold     },
    { "area_ids",  pmf_reader_area_ids },
    { "fetch",     pmf_reader_fetch    },
    { "publish",   engine_publish   },
    { "carry_months", engine_carry_months },
    { "grid",      engine_grid      },
    { "rows",      pmf_grid_rows    },
    { "combine",   engine_combine   },
    { "suppress",  engine_suppress  },
    { "rule",      engine_rule      },
    { "rate",      engine_rate      },
    { "dot",       engine_dot       },
    { "benchmark", engine_benchmark },
    { "stats",     engine_stats     },
    { "late",      engine_late      },
    { NULL,        NULL             }
};

int luaopen_pmf_engine(lua_State *L) {
    pmf_grid_register(L);
    pmf_reader_register(L);
    luaL_newmetatable(L, PMF_RULE_MT);
    lua_pop(L, 1);
    luaL_newlibtable(L, engine_funcs);
    lua_pushnil(L);                     /* each function's scratch (pmf_grid_scratch) */
    luaL_setfuncs(L, engine_funcs, 1);
    lua_pushinteger(L, PMF_FLAG_INCOMPLETE);
    lua_setfield(L, -2, "INCOMPLETE");
    lua_pushinteger(L, PMF_FLAG_WITHHELD);
    lua_setfield(L, -2, "SUPPRESSED");
    lua_pushinteger(L, PMF_FLAG_LATE);
    lua_setfield(L, -2, "LATE");
    lua_pushinteger(L, PMF_FLAG_CARRIED);
    lua_setfield(L, -2, "CARRIED");
    /* STORED_FLAGS: {{bit, word}, ...}: the stored flags in store.h's order */
    lua_newtable(L);
    int nf = 0;
#define FLAG(bit, word) lua_createtable(L, 2, 0); lua_pushinteger(L, bit); lua_rawseti(L, -2, 1); \
    lua_pushstring(L, word); lua_rawseti(L, -2, 2); lua_rawseti(L, -2, ++nf);
    PMF_STORED_FLAGS(FLAG)
#undef FLAG
    lua_setfield(L, -2, "STORED_FLAGS");
    return 1;
}
