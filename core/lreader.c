/*
 * lreader.c: the Reader side of module `pmf.engine` (lengine.c registers these; reads go
 * through series.h's cache over store_read.c: no SQL here):
 *
 *   engine.reader(store)                           -> Reader (figures as of the store's view)
 *   engine.hold(reader)                            -> a to-be-closed handle, generation:
 *                                                  one snapshot and one freshness check for
 *                                                  the fetches until it is closed
 *   engine.area_ids(list)                          -> AreaIds: store area ids converted once
 *   engine.fetch(reader, metric, area_ids, periods [, carry [, part, nrows [, into]]])
 *                                                  -> Grid (value/flags/rec/src)
 *
 * Design decisions:
 * - A Reader is one series handle with its cache (series.h pmf_series_cache) as of the
 *   store's view, kept by lua/pmf/kpi/matrix.lua per view, so rating period after period
 *   reads each row once.  Its cache is dropped by series.c when the store's data change.
 * - A rating call fetches once per KPI over the same rows and columns: what can be is
 *   converted once per call (AreaIds, engine.rows for `part`), checked once per call
 *   (engine.hold: one snapshot, one freshness check) and reused across fetches (a scratch
 *   buffer kept with the Reader), and a metric read by one KPI alone is read straight into
 *   that KPI's grid (`into`).
 * - Misuse raises; a store error raises with SQLite's message (never "no data").
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
#include "lreader.h"
#include "lstore.h"
#include "series.h"

#define PMF_READER_MT  "pmf.Reader"
#define PMF_HOLD_MT    "pmf.ReaderHold"
#define PMF_AREAIDS_MT "pmf.AreaIds"

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
int pmf_reader_open(lua_State *L) {
    int64_t cutoff;
    pmf_store *s = pmf_checkstore(L, 1, &cutoff);
    lreader *r = lua_newuserdatauv(L, sizeof *r, 1);
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
int pmf_reader_hold(lua_State *L) {
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

/* Entry i (0-based) of the list at idx as an area id: -1 for an unknown area. */
static int64_t area_id_at(lua_State *L, int idx, size_t i) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    int64_t id = lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0
                 ? (int64_t)lua_tointeger(L, -1) : -1;
    lua_pop(L, 1);
    return id;
}

int pmf_reader_area_ids(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n = (size_t)lua_rawlen(L, 1);
    lareaids *u = lua_newuserdatauv(L, sizeof *u + (n ? n : 1) * sizeof u->id[0], 0);
    u->n = n;
    for (size_t i = 0; i < n; i++) u->id[i] = area_id_at(L, 1, i);
    luaL_setmetatable(L, PMF_AREAIDS_MT);
    return 1;
}

/* Read the metric for areas known[0..nk) over periods per[0..np) (res: nk x np of room)
 * into the grid's rows row[0..nk) and columns col[0..np); raises on a store error. */
static void read_into(lua_State *L, lreader *rd, int64_t metric, const pmf_read_rule *rule,
                      const int64_t *known, const size_t *row, size_t nk,
                      const pmf_period *per, const size_t *col, size_t np,
                      pmf_agg_result *res, pmf_engine_grid *g) {
    if (nk == 0 || np == 0) return;
    if (pmf_series_matrix(rd->x, metric, rule, known, nk, "", per, np, res) != 0)
        luaL_error(L, "store error: %s", pmf_series_error(rd->x));
    pmf_engine_fill_at(g, res, row, nk, col, np);
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
int pmf_reader_fetch(lua_State *L) {
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
        unsigned char *base = pmf_grid_scratch(L, o_res + na * np * sizeof *res);
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
        int64_t id = ids ? ids->id[i] : area_id_at(L, 3, i);
        if (id >= 0) {
            row[nk] = i;
            known[nk++] = id;
        }
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
    read_into(L, rd, metric, &rule, known, row, nk, fper, fcol, nf, res, &u->g);
    read_into(L, rd, metric, &rule, known, row, nk2, pper, pcol, np2, res, &u->g);
    return 1;                           /* (cells are a figure or NaN, as engine.combine
                                         * "copy" leaves them: pmf_engine_fill_at) */
}

/* The metatable `name`, closed by `close` when collected or leaving a <close> scope. */
static void closable_type(lua_State *L, const char *name, lua_CFunction close) {
    if (luaL_newmetatable(L, name)) {
        lua_pushcfunction(L, close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
}

void pmf_reader_register(lua_State *L) {
    closable_type(L, PMF_READER_MT, reader_close);
    closable_type(L, PMF_HOLD_MT, hold_close);
    luaL_newmetatable(L, PMF_AREAIDS_MT);
    lua_pop(L, 1);
}
