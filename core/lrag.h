/*
 * core/lrag.h: the pmf.rag Lua binding's helpers for other bindings (defined in lrag.c), as
 * lperiod.h and lstore.h are for theirs; rag.h stays pure C.
 *
 * Both raise with luaL_argerror on argument `arg` and a message naming the field
 * ("rule.tolerance must not be negative (got -5.0)"), so neither may be called while
 * malloc'd memory is held.
 */
#ifndef PMF_LRAG_H
#define PMF_LRAG_H

#include <lua.h>

#include "rag.h"

/* Read the rule table at stack index `arg` ({target=, polarity=, tolerance=, band={lo, hi},
 * blue=}; other fields are ignored) into *rule, and its target into *target (NaN if nil;
 * NULL to skip). */
void pmf_rag_checkrule(lua_State *L, int arg, pmf_rag_rule *rule, double *target);

/* Read the margin at stack index `idx`: a number, a string "2" or "10%", {pct = 10} or
 * {abs = 2}; nil gives `dflt`; negative or non-finite raises. */
pmf_rag_margin pmf_rag_checkmargin(lua_State *L, int idx, int arg, const char *what,
                                   pmf_rag_margin dflt);

#endif
