/*
 * lgrid.h: the Grid userdata of module `pmf.engine`, shared by lengine.c (which makes and
 * fills Grids) and lgrid.c (their memory and methods).  Internal to the Lua binding.
 */
#ifndef PMF_LGRID_H
#define PMF_LGRID_H

#include <stddef.h>

#include <lua.h>
#include <lauxlib.h>

#include "engine.h"

#define PMF_GRID_MT "pmf.Grid"
#define PMF_INDICES_MT "pmf.Indices"
#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

typedef struct lgrid {
    pmf_engine_grid g;
    pmf_engine_stat *stat;      /* np, from engine.benchmark; n = SIZE_MAX until then */
} lgrid;

/* The status names by pmf_rag_status, NULL-terminated (luaL_checkoption's list). */
extern const char *const pmf_grid_status_names[];

/* A new Grid on the stack; `full` adds the rating arrays (targets, statuses, ranks...). */
lgrid *pmf_grid_new(lua_State *L, size_t na, size_t np, int full);
/* The Grid at idx (`full`: a rating grid); raises otherwise. */
lgrid *pmf_grid_check(lua_State *L, int idx, int full);
/* A Lua array of 1-based indices below `limit` (0 allowed when zero_ok: SIZE_MAX) at idx, as
 * a 0-based array in a GC-owned userdata pushed on the stack; or an Indices (engine.rows)
 * at idx, checked against `limit` (nothing pushed). */
size_t *pmf_grid_indices(lua_State *L, int idx, size_t limit, int zero_ok, size_t *n);
/* Scratch memory of at least `size` bytes for one call of a C function of module
 * pmf.engine, kept as that function's first upvalue and reused by its later calls (a rating
 * call benchmarks and fetches once per KPI: a fresh buffer each time would be an allocation
 * and more garbage).  GC-owned; valid until that function asks again. */
void *pmf_grid_scratch(lua_State *L, size_t size);
/* engine.rows(list) -> Indices: 1-based indices converted once. */
int pmf_grid_rows(lua_State *L);
/* x, or nil for NaN. */
void pmf_grid_push_number(lua_State *L, double x);
/* n, median, mean, q1, q3 (nil where NaN); returns 5. */
int pmf_grid_push_stat(lua_State *L, pmf_engine_stat st);
/* Create the Grid metatable (idempotent). */
void pmf_grid_register(lua_State *L);

#endif
