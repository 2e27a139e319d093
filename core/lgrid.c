/*
 * lgrid.c: the Grid userdata of module `pmf.engine` (lengine.c binds the kernels and the
 * Reader; this file owns the Grid's memory layout and its methods):
 *
 *   Grid: g:dims() g:value(i,j) g:set_value(i,j,v) g:target(i,j) g:set_target(i,j,v)
 *         g:fill_target(j,v) g:status(i,j) g:set_status(i,j,s) g:flags(i,j) g:rec(i,j)
 *         g:dot(i,j) g:rank(i,j) g:stat(j) g:count(cols) g:rated(i,j) g:source(i,j)
 *         g:cell(i,j) -> value, flags, target, status, dot_prev, dot_year, rank, quartile
 *         g:reset() (every cell as new)
 *
 * Design decisions:
 * - A Grid is one GC-owned userdata holding its header and all its arrays, so nothing
 *   malloc'd is ever held across a raise and 800,000 ratings cost no Lua tables.
 * - Rows (areas) and columns (periods) are 1-based in Lua; misuse raises.
 * - A list of rows used many times (a comparator group's, by every KPI of a call) can be
 *   converted once (engine.rows -> an Indices userdata), which every kernel taking a list
 *   of indices accepts in place of the table.
 * - g:cell returns everything a rating row reads of one cell in one call: a report builds
 *   hundreds of thousands of rows, and each method call costs as much as the read itself.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lgrid.h"

const char *const pmf_grid_status_names[] = {
    "red", "amber", "green", "blue", "no_data", "data_only", "error", NULL
};

/* Set every cell of u as a new grid has it: values (targets, published figures) NaN,
 * statuses no_data, flags, times, spans, trends and ranks 0, no stats yet. */
static void grid_init(lgrid *u) {
    size_t n = u->g.na * u->g.np, j;
    memset(u->g.rec, 0, n * sizeof *u->g.rec);
    memset(u->g.src, 0, n * sizeof *u->g.src);
    memset(u->g.flags, 0, n * sizeof *u->g.flags);
    for (j = 0; j < n; j++) u->g.value[j] = NAN;
    if (!u->g.target) return;
    memset(u->stat, 0, (size_t)((unsigned char *)(void *)(u->g.quartile + n) -
                                (unsigned char *)(void *)u->stat));
    for (j = 0; j < n; j++) {
        u->g.target[j] = NAN;
        u->g.rated[j] = NAN;
        u->g.status[j] = PMF_RAG_NO_DATA;
    }
    for (j = 0; j < u->g.np; j++) u->stat[j].n = SIZE_MAX;
}

/* A new Grid on the stack; `full` adds the rating arrays. */
lgrid *pmf_grid_new(lua_State *L, size_t na, size_t np, int full) {
    size_t n = na * np, size = ALIGN8(sizeof(lgrid));
    unsigned char *p;
    lgrid *u;
    luaL_argcheck(L, na > 0 && np > 0 && n / np == na && n <= (size_t)INT_MAX, 1,
                  "grid must have at least one area and one period");
    size += n * (sizeof(double) + sizeof(int64_t) + sizeof(pmf_engine_span));
    if (full) size += n * (2 * sizeof(double) + sizeof(pmf_rag_status) +
                           2 * sizeof(pmf_rag_trend) + 2 * sizeof(int)) +
                      np * sizeof(pmf_engine_stat);
    size += ALIGN8(n * sizeof(uint16_t));
    p = lua_newuserdatauv(L, size, 0);
    memset(p, 0, ALIGN8(sizeof(lgrid)));
    u = (lgrid *)(void *)p;
    p += ALIGN8(sizeof(lgrid));
    u->g.na = na;
    u->g.np = np;
    u->g.value = (double *)(void *)p;  p += n * sizeof(double);
    u->g.rec = (int64_t *)(void *)p;   p += n * sizeof(int64_t);
    u->g.src = (pmf_engine_span *)(void *)p;  p += n * sizeof(pmf_engine_span);
    if (full) {
        u->g.target = (double *)(void *)p;             p += n * sizeof(double);
        u->g.rated = (double *)(void *)p;              p += n * sizeof(double);
        u->stat = (pmf_engine_stat *)(void *)p;        p += np * sizeof(pmf_engine_stat);
        u->g.status = (pmf_rag_status *)(void *)p;     p += n * sizeof(pmf_rag_status);
        u->g.dot_prev = (pmf_rag_trend *)(void *)p;    p += n * sizeof(pmf_rag_trend);
        u->g.dot_year = (pmf_rag_trend *)(void *)p;    p += n * sizeof(pmf_rag_trend);
        u->g.rank = (int *)(void *)p;                  p += n * sizeof(int);
        u->g.quartile = (int *)(void *)p;              p += n * sizeof(int);
    }
    u->g.flags = (uint16_t *)(void *)p;
    grid_init(u);
    luaL_setmetatable(L, PMF_GRID_MT);
    return u;
}

lgrid *pmf_grid_check(lua_State *L, int idx, int full) {
    lgrid *u = luaL_checkudata(L, idx, PMF_GRID_MT);
    if (full && !u->g.target) luaL_argerror(L, idx, "a rating grid (engine.grid) expected");
    return u;
}

/* Cell (i, j) from arguments at idx, idx+1 (1-based), as an offset. */
static size_t check_cell(lua_State *L, const lgrid *u, int idx) {
    lua_Integer i = luaL_checkinteger(L, idx), j = luaL_checkinteger(L, idx + 1);
    luaL_argcheck(L, i >= 1 && (lua_Unsigned)i <= u->g.na, idx, "area index out of range");
    luaL_argcheck(L, j >= 1 && (lua_Unsigned)j <= u->g.np, idx + 1, "period index out of range");
    return (size_t)(j - 1) * u->g.na + (size_t)(i - 1);
}

/* An Indices userdata: a list of 0-based indices converted once (pmf_grid_rows). */
typedef struct lindices {
    size_t n, max;              /* max: the largest index + 1 (0 when empty) */
    size_t v[];
} lindices;

/* A Lua array of 1-based indices below `limit` (0 allowed when zero_ok: SIZE_MAX) at idx,
 * as a 0-based size_t array in a GC-owned userdata pushed on the stack; or an Indices
 * (engine.rows) at idx, checked against `limit`, nothing pushed. */
void *pmf_grid_scratch(lua_State *L, size_t size) {
    void *p = lua_touserdata(L, lua_upvalueindex(1));
    if (!p || lua_rawlen(L, lua_upvalueindex(1)) < size) {
        p = lua_newuserdatauv(L, size + size / 2, 0);
        lua_replace(L, lua_upvalueindex(1));
    }
    return p;
}

size_t *pmf_grid_indices(lua_State *L, int idx, size_t limit, int zero_ok, size_t *n) {
    size_t k, len;
    size_t *out;
    lindices *pre = luaL_testudata(L, idx, PMF_INDICES_MT);
    if (pre) {
        if (pre->max > limit)
            luaL_argerror(L, idx, lua_pushfstring(L, "an index is not 1..%d", (int)limit));
        *n = pre->n;
        return pre->v;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    len = (size_t)lua_rawlen(L, idx);
    out = lua_newuserdatauv(L, (len ? len : 1) * sizeof *out, 0);
    for (k = 0; k < len; k++) {
        lua_Integer v;
        int ok;
        lua_rawgeti(L, idx, (lua_Integer)k + 1);
        v = lua_tointegerx(L, -1, &ok);
        lua_pop(L, 1);
        if (ok && v == 0 && zero_ok) {
            out[k] = SIZE_MAX;
            continue;
        }
        if (!ok || v < 1 || (lua_Unsigned)v > limit)
            luaL_argerror(L, idx, lua_pushfstring(L, "index %d is not 1..%d", (int)k + 1,
                                                  (int)limit));
        out[k] = (size_t)(v - 1);
    }
    *n = len;
    return out;
}

/* rows(list) -> Indices: a list of 1-based indices (positive integers) converted once, for
 * the kernels that take a list of rows or columns many times (a comparator group's rows,
 * every KPI of a call). */
int pmf_grid_rows(lua_State *L) {
    size_t len, k;
    lindices *u;
    luaL_checktype(L, 1, LUA_TTABLE);
    len = (size_t)lua_rawlen(L, 1);
    u = lua_newuserdatauv(L, sizeof *u + (len ? len : 1) * sizeof u->v[0], 0);
    u->n = len;
    u->max = 0;
    for (k = 0; k < len; k++) {
        lua_Integer v;
        int ok;
        lua_rawgeti(L, 1, (lua_Integer)k + 1);
        v = lua_tointegerx(L, -1, &ok);
        lua_pop(L, 1);
        if (!ok || v < 1 || v > INT_MAX)
            luaL_argerror(L, 1, lua_pushfstring(L, "index %d is not a positive integer",
                                                (int)k + 1));
        u->v[k] = (size_t)(v - 1);
        if ((size_t)v > u->max) u->max = (size_t)v;
    }
    luaL_setmetatable(L, PMF_INDICES_MT);
    return 1;
}

static double opt_number(lua_State *L, int idx) {
    int ok;
    double x;
    if (lua_isnoneornil(L, idx)) return NAN;
    x = (double)lua_tonumberx(L, idx, &ok);
    if (!ok) luaL_typeerror(L, idx, "number or nil");
    return x;
}

void pmf_grid_push_number(lua_State *L, double x) {
    if (isnan(x)) lua_pushnil(L);
    else lua_pushnumber(L, (lua_Number)x);
}

int pmf_grid_push_stat(lua_State *L, pmf_engine_stat st) {
    lua_pushinteger(L, (lua_Integer)st.n);
    pmf_grid_push_number(L, st.median);
    pmf_grid_push_number(L, st.mean);
    pmf_grid_push_number(L, st.q1);
    pmf_grid_push_number(L, st.q3);
    return 5;
}

/* ---------------------------------------------------------------- Grid methods */

static int grid_dims(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    lua_pushinteger(L, (lua_Integer)u->g.na);
    lua_pushinteger(L, (lua_Integer)u->g.np);
    return 2;
}

static int grid_value(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    pmf_grid_push_number(L, u->g.value[check_cell(L, u, 2)]);
    return 1;
}

static int grid_set_value(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    double x = opt_number(L, 4);
    u->g.value[check_cell(L, u, 2)] = isfinite(x) ? x : NAN;
    return 0;
}

static int grid_rated(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    pmf_grid_push_number(L, u->g.rated[check_cell(L, u, 2)]);
    return 1;
}

/* source(i, j) -> start, len of the figures the cell came from (nothing when none) */
static int grid_source(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    pmf_engine_span sp = u->g.src[check_cell(L, u, 2)];
    if (sp.len <= 0) return 0;
    lua_pushinteger(L, sp.start);
    lua_pushinteger(L, sp.len);
    return 2;
}

static int grid_target(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    pmf_grid_push_number(L, u->g.target[check_cell(L, u, 2)]);
    return 1;
}

static int grid_set_target(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    double x = opt_number(L, 4);
    u->g.target[check_cell(L, u, 2)] = isfinite(x) ? x : NAN;
    return 0;
}

/* fill_target(j, v): every area's target for period j. */
static int grid_fill_target(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    lua_Integer j = luaL_checkinteger(L, 2);
    double x = opt_number(L, 3);
    size_t i;
    luaL_argcheck(L, j >= 1 && (lua_Unsigned)j <= u->g.np, 2, "period index out of range");
    if (!isfinite(x)) x = NAN;
    for (i = 0; i < u->g.na; i++) u->g.target[(size_t)(j - 1) * u->g.na + i] = x;
    return 0;
}

static int grid_status(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    lua_pushstring(L, pmf_grid_status_names[u->g.status[check_cell(L, u, 2)]]);
    return 1;
}

static int grid_set_status(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    size_t at = check_cell(L, u, 2);
    u->g.status[at] = (pmf_rag_status)luaL_checkoption(L, 4, NULL, pmf_grid_status_names);
    return 0;
}

static int grid_flags(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    lua_pushinteger(L, u->g.flags[check_cell(L, u, 2)]);
    return 1;
}

static int grid_rec(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    int64_t r = u->g.rec[check_cell(L, u, 2)];
    if (r > 0) lua_pushinteger(L, r);
    else lua_pushnil(L);
    return 1;
}

/* dot(i, j) -> dot_prev, dot_year (nil for none) */
static int grid_dot(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    size_t at = check_cell(L, u, 2);
    const char *p = pmf_rag_dot_name(u->g.dot_prev[at]), *y = pmf_rag_dot_name(u->g.dot_year[at]);
    if (p) lua_pushstring(L, p);
    else lua_pushnil(L);
    if (y) lua_pushstring(L, y);
    else lua_pushnil(L);
    return 2;
}

/* rank(i, j) -> rank, quartile (nil when unranked) */
static int grid_rank(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    size_t at = check_cell(L, u, 2);
    if (u->g.rank[at] <= 0) return 0;
    lua_pushinteger(L, u->g.rank[at]);
    lua_pushinteger(L, u->g.quartile[at]);
    return 2;
}

/* stat(j) -> n, median, mean, q1, q3 from engine.benchmark; nothing before it ran */
static int grid_stat(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    lua_Integer j = luaL_checkinteger(L, 2);
    luaL_argcheck(L, j >= 1 && (lua_Unsigned)j <= u->g.np, 2, "period index out of range");
    if (u->stat[j - 1].n == SIZE_MAX) return 0;
    return pmf_grid_push_stat(L, u->stat[j - 1]);
}

/* count(cols) -> {red = n, amber = n, ...} over every area of the columns */
static int grid_count(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    size_t n, k, i, count[PMF_RAG_NSTATUS] = { 0 }, *cols = pmf_grid_indices(L, 2, u->g.np, 0, &n);
    int s;
    for (k = 0; k < n; k++)
        for (i = 0; i < u->g.na; i++) count[u->g.status[cols[k] * u->g.na + i]]++;
    lua_createtable(L, 0, PMF_RAG_NSTATUS);
    for (s = 0; s < PMF_RAG_NSTATUS; s++) {
        lua_pushinteger(L, (lua_Integer)count[s]);
        lua_setfield(L, -2, pmf_grid_status_names[s]);
    }
    return 1;
}

/* cell(i, j) -> value, flags, target, status, dot_prev, dot_year, rank, quartile: what a
 * rating row reads of one cell, in one call (nil where absent, as the single getters) */
static int grid_cell(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 1);
    size_t at = check_cell(L, u, 2);
    const char *p = pmf_rag_dot_name(u->g.dot_prev[at]), *y = pmf_rag_dot_name(u->g.dot_year[at]);
    pmf_grid_push_number(L, u->g.value[at]);
    lua_pushinteger(L, u->g.flags[at]);
    pmf_grid_push_number(L, u->g.target[at]);
    lua_pushstring(L, pmf_grid_status_names[u->g.status[at]]);
    if (p) lua_pushstring(L, p);
    else lua_pushnil(L);
    if (y) lua_pushstring(L, y);
    else lua_pushnil(L);
    if (u->g.rank[at] > 0) {
        lua_pushinteger(L, u->g.rank[at]);
        lua_pushinteger(L, u->g.quartile[at]);
    } else {
        lua_pushnil(L);
        lua_pushnil(L);
    }
    return 8;
}

/* reset(): every cell as a new grid of the same shape has it (a rating call that is done
 * with one KPI's grid rates the next in it, rather than making one per KPI). */
static int grid_reset(lua_State *L) {
    grid_init(pmf_grid_check(L, 1, 0));
    return 0;
}

static int grid_tostring(lua_State *L) {
    lgrid *u = pmf_grid_check(L, 1, 0);
    lua_pushfstring(L, PMF_GRID_MT " (%d areas x %d periods)", (int)u->g.na, (int)u->g.np);
    return 1;
}

static const luaL_Reg grid_methods[] = {
    { "dims",        grid_dims        },
    { "value",       grid_value       },
    { "rated",       grid_rated       },
    { "source",      grid_source      },
    { "set_value",   grid_set_value   },
    { "target",      grid_target      },
    { "set_target",  grid_set_target  },
    { "fill_target", grid_fill_target },
    { "status",      grid_status      },
    { "set_status",  grid_set_status  },
    { "flags",       grid_flags       },
    { "rec",         grid_rec         },
    { "dot",         grid_dot         },
    { "rank",        grid_rank        },
    { "stat",        grid_stat        },
    { "count",       grid_count       },
    { "cell",        grid_cell        },
    { "reset",       grid_reset       },
    { NULL,          NULL             }
};

void pmf_grid_register(lua_State *L) {
    luaL_newmetatable(L, PMF_INDICES_MT);
    lua_pop(L, 1);
    if (luaL_newmetatable(L, PMF_GRID_MT)) {
        luaL_newlib(L, grid_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, grid_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
}
