/* core/recipe_lua.h: the Lua side of a compiled recipe (core/recipe_lua.c). */
#ifndef PMF_RECIPE_LUA_H
#define PMF_RECIPE_LUA_H
#include <lua.h>
#include "recipe.h"
#include "pmf_internal.h"

/* The field names in PMF_IMPORT_* order, NULL-terminated (for luaL_checkoption). */
extern const char *const pmf_lrecipe_fields[PMF_IMPORT_NCOLS + 1];

/* importer.recipe(spec) -> Recipe: compile the checked spec (lua/pmf/recipe.lua) once. */
int pmf_lrecipe_new(lua_State *L);
/* The recipe at idx, or NULL when idx is nil; raises on another value. */
pmf_recipe *pmf_lrecipe_opt(lua_State *L, int idx);
/* Recipe:skipped() -> {rule=, missing=, not_applicable=, area_kind=, measure=, row_function=} */
void pmf_lrecipe_push_skipped(lua_State *L, const pmf_recipe *r);

/* A recipe's Lua row function (core/recipe_rowfn.c), held in the recipe's userdata: its
 * registry references, the sandbox limits read once per import, and the row's state. */
typedef struct {
    lua_State *L;                          /* the importing state (set by pmf_lrecipe_opt) */
    int fn, opts, cellref, proxyref, last; /* registry refs (LUA_NOREF: none) */
    pmf_sandbox_call call;                 /* the limits, read once per import */
    struct rowcell *cell;                  /* the proxy's state (anchored by cellref) */
    const void *proxy;                     /* the proxy table (anchored by proxyref) */
} pmf_lrowfn;
void pmf_lrowfn_init(pmf_lrowfn *w);   /* none yet */
/* Take spec.row and spec.row_opts from the spec table at index spec; hook them on r. */
void pmf_lrowfn_bind(lua_State *L, pmf_lrowfn *w, int spec, pmf_recipe *r);
void pmf_lrowfn_release(lua_State *L, pmf_lrowfn *w);   /* idempotent */
#endif
