/*
 * lstore.h: the pmf.Store userdata, for other bindings (import, series) to use.
 */
#ifndef PMF_LSTORE_H
#define PMF_LSTORE_H

#include <lua.h>
#include <stdint.h>
#include "store.h"

#define PMF_STORE_MT "pmf.Store"

/* Check that argument idx is an open pmf.Store (or a view of one) and return its store;
 * raises "pmf.Store expected" or "attempt to use a closed pmf.Store".  *cutoff_ms, if not
 * NULL, receives the view's as-of cutoff (INT64_MAX for "as known now"). */
pmf_store *pmf_checkstore(lua_State *L, int idx, int64_t *cutoff_ms);

/* Raise unless the store at idx is writable (not an as-of view). */
void pmf_checkwritable(lua_State *L, int idx);

int luaopen_pmf_store(lua_State *L);

#endif
