/*
 * lengine.c: the Lua binding of the KPI engine's kernels, module `pmf.engine` (the kernels
 * are engine.c; lua/pmf/kpi/ drives them).
 *
 *   engine.reader(store)                           -> Reader (figures as of the store's view)
 *   engine.hold(reader)                            -> a to-be-closed handle, generation:
 *                                                  one snapshot and one freshness check for
 *                                                  the fetches until it is closed
 *   engine.area_ids(list)                          -> AreaIds: store area ids converted once
 *   engine.fetch(reader, metric, area_ids, periods [, carry [, part, nrows [, into]]])
 *                                                  -> Grid
 *                                                  (value/flags/rec/src) metric: code;
 *                                                  area_ids: a list or AreaIds;
 *                                                  carry: months, overriding the metric's
 *                                                  (a KPI's carry =); columns `part` read
 *                                                  for the first nrows areas only
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
 *   Grid: its methods are lgrid.c's
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
#include "lstore.h"
#include "series.h"

#define PMF_READER_MT  "pmf.Reader"
#define PMF_HOLD_MT    "pmf.ReaderHold"
#define PMF_AREAIDS_MT "pmf.AreaIds"
#define PMF_RULE_MT    "pmf.Rule"

/* ---------------------------------------------------------------- module functions */

/* The Reader userdata: a series handle as of the store's view, closed by __gc/__close.  It
 * caches the figures it read (series.h pmf_series_cache) so that rating period after period
 * through one Reader reads each row once; at most this many figures (~48 bytes each). */
#define READER_CACHE_FIGURES ((size_t)3000000)

typedef struct lreader {
    pmf_series *x;
} lreader;

static int reader_close(lua_State *L) {
    lreader *r = luaL_checkudata(L, 1, PMF_READER_MT);
    pmf_series_close(r->x);
    r->x = NULL;
    return 0;
}

/* reader(store) -> Reader: figures as of the store's view (keeps the store alive). */
static int engine_reader(lua_State *L) {
    int64_t cutoff;
    pmf_store *s = pmf_checkstore(L, 1, &cutoff);
    lreader *r = lua_newuserdatauv(L, sizeof *r, 2);
    r->x = NULL;
    luaL_setmetatable(L, PMF_READER_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    r->x = pmf_series_open(s, cutoff);
    if (!r->x || pmf_series_cache(r->x, READER_CACHE_FIGURES) != 0)
        return luaL_error(L, "store error: %s", sqlite3_errmsg(pmf_store_db(s)));
    pmf_series_values_only(r->x);       /* grids keep values, flags, times and spans */
    return 1;
}

/* hold(reader) -> a to-be-closed handle, generation: until the handle is closed (`local h
 * <close>, gen = engine.hold(r)`, or collected), the reader's fetches share one snapshot and
 * one check of whether the store's data changed (series.h pmf_series_hold): a rating call
 * fetches once per KPI, and each check on its own is a statement.  Holds nest; closing
 * twice is a no-op.  The generation moves whenever the data may have changed
 * (pmf_series_generation): what a caller derived from the store stays valid while it is
 * the same. */
static int engine_hold(lua_State *L) {
    lreader *rd = luaL_checkudata(L, 1, PMF_READER_MT);
    luaL_argcheck(L, rd->x != NULL, 1, "attempt to use a closed " PMF_READER_MT);
    lua_getiuservalue(L, 1, 1);         /* its store must still be open */
    pmf_checkstore(L, -1, NULL);
    lua_pop(L, 1);
    int *held = lua_newuserdatauv(L, sizeof *held, 1);
    *held = 0;
    luaL_setmetatable(L, PMF_HOLD_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);        /* the hold keeps its reader alive */
    if (pmf_series_hold(rd->x) != 0)
        return luaL_error(L, "store error: %s", pmf_series_error(rd->x));
    *held = 1;
    lua_pushinteger(L, (lua_Integer)pmf_series_generation(rd->x));
    return 2;
}

static int hold_close(lua_State *L) {
    int *held = luaL_checkudata(L, 1, PMF_HOLD_MT);
    if (*held) {
        *held = 0;
        lua_getiuservalue(L, 1, 1);
        lreader *rd = lua_touserdata(L, -1);
        if (rd && rd->x) pmf_series_release(rd->x);   /* a closed reader released its hold */
        lua_pop(L, 1);
    }
    return 0;
}

/* area_ids(list) -> AreaIds: a list of the store's area ids (an integer; anything else, or a
 * negative id, is an unknown area: a row of no data) converted once, for fetch to take in
 * place of the list (a rating call fetches once per KPI over the same few hundred areas). */
typedef struct lareaids {
    size_t n;
    int64_t id[];
} lareaids;

static int engine_area_ids(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n = (size_t)lua_rawlen(L, 1);
    lareaids *u = lua_newuserdatauv(L, sizeof *u + (n ? n : 1) * sizeof u->id[0], 0);
    u->n = n;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 1, (lua_Integer)i + 1);
        u->id[i] = lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0
                   ? (int64_t)lua_tointeger(L, -1) : -1;
        lua_pop(L, 1);
    }
    luaL_setmetatable(L, PMF_AREAIDS_MT);
    return 1;
}

/* A scratch buffer of at least `size` bytes kept with the Reader at idx (its second user
 * value): GC-owned like every buffer here, and reused by the fetches that follow (a report
 * fetches thousands of times; a fresh buffer each time is an allocation and a collection). */
static void *reader_scratch(lua_State *L, int idx, size_t size) {
    void *p;
    lua_getiuservalue(L, idx, 2);
    p = lua_touserdata(L, -1);
    if (!p || lua_rawlen(L, -1) < size) {
        p = lua_newuserdatauv(L, size + size / 2, 0);
        lua_setiuservalue(L, idx, 2);
    }
    lua_pop(L, 1);
    return p;
}

/* fetch(reader, metric, area_ids, periods [, carry [, part, nrows [, into]]]) -> Grid.
 * metric is the metric's code; the area ids are the store's integer ids (-1 for an unknown
 * area: a row of no data), a list or an AreaIds; periods are Periods or labels; carry
 * (months) overrides the metric's rule.  Columns listed in `part` (1-based) are read for
 * the first nrows areas only, the other rows of them left no data: a council's report
 * needs its previous period and last year for its own rows, not for every comparator.
 * `into`: a new rating Grid (engine.grid) of the same shape to read into, returned, its
 * cells as engine.combine("copy") from a fetched Grid would leave them (a KPI that is one
 * metric, read by no other KPI of the call, needs no grid of its own for it). */
static int engine_fetch(lua_State *L) {
    lreader *rd = luaL_checkudata(L, 1, PMF_READER_MT);
    const char *code = luaL_checkstring(L, 2);
    size_t na, np, i, j, nk = 0, nk2 = 0, nf = 0, np2 = 0, *row, *part = NULL, npart = 0,
           nrows = 0, *fcol, *pcol;
    int64_t *known, metric = -1;
    pmf_period *periods, *fper, *pper;
    pmf_agg_result *res;
    unsigned char *is_part;
    pmf_read_rule rule = {PMF_AGG_SUM, PMF_REF_END, 0};
    lgrid *u = NULL;
    const lareaids *ids;
    int found, into = 0;
    luaL_argcheck(L, rd->x != NULL, 1, "attempt to use a closed " PMF_READER_MT);
    lua_getiuservalue(L, 1, 1);         /* its store must still be open */
    pmf_checkstore(L, -1, NULL);
    lua_pop(L, 1);
    ids = luaL_testudata(L, 3, PMF_AREAIDS_MT);
    if (!ids) luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    na = ids ? ids->n : (size_t)lua_rawlen(L, 3);
    np = (size_t)lua_rawlen(L, 4);
    luaL_argcheck(L, na > 0, 3, "no areas");
    luaL_argcheck(L, np > 0, 4, "no periods");
    luaL_argcheck(L, na * np / np == na && na * np <= (size_t)INT_MAX, 3, "too many cells");
    found = pmf_series_metric(rd->x, code, &metric, &rule);
    if (found < 0) return luaL_error(L, "metric '%s': %s", code, pmf_series_error(rd->x));
    if (!lua_isnoneornil(L, 5)) {
        lua_Integer c = luaL_checkinteger(L, 5);
        luaL_argcheck(L, c >= 0 && c <= 1200, 5, "carry must be 0-1200 months");
        rule.carry = (int32_t)c;
    }
    if (!lua_isnoneornil(L, 6)) {
        lua_Integer nr = luaL_checkinteger(L, 7);
        luaL_argcheck(L, nr >= 0, 7, "number of rows must not be negative");
        nrows = (size_t)nr < na ? (size_t)nr : na;
        part = pmf_grid_indices(L, 6, np, 0, &npart);
    }
    if (!lua_isnoneornil(L, 8)) {
        into = 1;
        u = pmf_grid_check(L, 8, 1);
        luaL_argcheck(L, u->g.na == na && u->g.np == np, 8, "grid's shape differs");
    }
    {
        size_t o_row = ALIGN8(na * sizeof *known), o_per = o_row + ALIGN8(na * sizeof(size_t)),
               o_col = o_per + 3 * ALIGN8(np * sizeof *periods),
               o_part = o_col + 2 * ALIGN8(np * sizeof(size_t)), o_res = o_part + ALIGN8(np);
        unsigned char *base = reader_scratch(L, 1, o_res + na * np * sizeof *res);
        known = (int64_t *)(void *)base;
        row = (size_t *)(void *)(base + o_row);
        periods = (pmf_period *)(void *)(base + o_per);
        fper = periods + np;
        pper = fper + np;
        fcol = (size_t *)(void *)(base + o_col);
        pcol = fcol + np;
        is_part = base + o_part;
        res = (pmf_agg_result *)(void *)(base + o_res);
    }
    /* unknown areas (and every area of an unknown metric) read as no data: only the known
     * ones go to the reader, their results filled into their own rows; a new grid's other
     * cells are no data already */
    for (i = 0; i < na && found == 1; i++) {
        if (ids) {
            if (ids->id[i] >= 0) {
                row[nk] = i;
                known[nk++] = ids->id[i];
            }
            continue;
        }
        lua_rawgeti(L, 3, (lua_Integer)i + 1);
        if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0) {
            row[nk] = i;
            known[nk++] = (int64_t)lua_tointeger(L, -1);
        }
        lua_pop(L, 1);
    }
    for (j = 0; j < np; j++) {
        lua_rawgeti(L, 4, (lua_Integer)j + 1);
        periods[j] = *pmf_checkperiod(L, -1, 0);
        lua_pop(L, 1);
    }
    /* the columns listed in `part` are read for the first nrows areas only (a council's
     * report needs its previous period and last year for its own rows, not for every
     * comparator): two reads, each filled into its rows and columns */
    memset(is_part, 0, np);
    for (j = 0; j < npart; j++) is_part[part[j]] = 1;
    for (j = 0; j < np; j++) {
        if (is_part[j]) {
            pcol[np2] = j;
            pper[np2++] = periods[j];
        } else {
            fcol[nf] = j;
            fper[nf++] = periods[j];
        }
    }
    while (nk2 < nk && row[nk2] < nrows) nk2++;
    if (into) lua_pushvalue(L, 8);
    else u = pmf_grid_new(L, na, np, 0);
    if (nk > 0 && nf > 0) {
        if (pmf_series_matrix(rd->x, metric, &rule, known, nk, "", fper, nf, res) != 0)
            return luaL_error(L, "store error: %s", pmf_series_error(rd->x));
        pmf_engine_fill_at(&u->g, res, row, nk, fcol, nf);
    }
    if (nk2 > 0 && np2 > 0) {
        if (pmf_series_matrix(rd->x, metric, &rule, known, nk2, "", pper, np2, res) != 0)
            return luaL_error(L, "store error: %s", pmf_series_error(rd->x));
        pmf_engine_fill_at(&u->g, res, row, nk2, pcol, np2);
    }
    if (into)                           /* as engine.combine "copy" would leave them */
        for (i = 0; i < na * np; i++)
            if (!isfinite(u->g.value[i])) u->g.value[i] = NAN;
    return 1;
}

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

/* Scratch memory of at least `size` bytes for one kernel call, kept as the calling
 * function's upvalue and reused by its later calls (a rating call benchmarks once per KPI:
 * a fresh buffer each time would be an allocation and more garbage).  GC-owned like every
 * buffer here; valid until that function asks again. */
static void *module_scratch(lua_State *L, size_t size) {
    void *p = lua_touserdata(L, lua_upvalueindex(1));
    if (!p || lua_rawlen(L, lua_upvalueindex(1)) < size) {
        p = lua_newuserdatauv(L, size + size / 2, 0);
        lua_replace(L, lua_upvalueindex(1));
    }
    return p;
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
    scratch = module_scratch(L, (nr ? nr : 1) * (sizeof(pmf_rag_slot) + sizeof(double) +
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
    scratch = module_scratch(L, (nr ? nr : 1) * (sizeof(pmf_rag_slot) + sizeof(double)));
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
    { "reader",    engine_reader    },
    { "hold",      engine_hold      },
    { "area_ids",  engine_area_ids  },
    { "fetch",     engine_fetch     },
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
    if (luaL_newmetatable(L, PMF_READER_MT)) {
        lua_pushcfunction(L, reader_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, reader_close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, PMF_HOLD_MT)) {
        lua_pushcfunction(L, hold_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, hold_close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    luaL_newmetatable(L, PMF_AREAIDS_MT);
    lua_pop(L, 1);
    luaL_newmetatable(L, PMF_RULE_MT);
    lua_pop(L, 1);
    luaL_newlibtable(L, engine_funcs);
    lua_pushnil(L);                     /* each function's scratch (module_scratch) */
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
