/* core/recipe_lua.h: the Lua side of a compiled recipe (core/recipe_lua.c). */
#ifndef PMF_RECIPE_LUA_H
#define PMF_RECIPE_LUA_H
#include <lua.h>
#include "recipe.h"

/* importer.recipe(spec) -> Recipe: compile the checked spec (lua/pmf/recipe.lua) once. */
int pmf_lrecipe_new(lua_State *L);
/* The recipe at idx, or NULL when idx is nil; raises on another value. */
pmf_recipe *pmf_lrecipe_opt(lua_State *L, int idx);
/* Recipe:skipped() -> {rule=, missing=, not_applicable=, area_kind=, measure=, row_function=} */
void pmf_lrecipe_push_skipped(lua_State *L, const pmf_recipe *r);
#endif
