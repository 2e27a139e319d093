/*
 * lstore.h: the pmf.Store userdata, for other bindings (import, series) to use.
 */
#ifndef PMF_LSTORE_H
#define PMF_LSTORE_H

#include <lua.h>
#include <stdint.h>
#include "store.h"
#include "store_area.h"

#define PMF_STORE_MT "pmf.Store"

/* Check that argument idx is an open pmf.Store (or a view of one) and return its store;
 * raises "pmf.Store expected" or "attempt to use a closed pmf.Store".  *cutoff_ms, if not
 * NULL, receives the view's as-of cutoff (INT64_MAX for "as known now"). */
pmf_store *pmf_checkstore(lua_State *L, int idx, int64_t *cutoff_ms);

/* Raise unless the store at idx is writable (not an as-of view). */
void pmf_checkwritable(lua_State *L, int idx);

/* A root store's area snapshot for store:resolve_area (lstore_area.c): reloaded when another
 * connection has committed since (PRAGMA data_version) or after pmf_lareas_forget. */
typedef struct pmf_lareas {
    pmf_areas *areas;
    int64_t stamp;                  /* PRAGMA data_version when loaded */
    sqlite3_stmt *data_version;     /* finalised by pmf_lareas_close, before the store closes */
} pmf_lareas;

int pmf_lareas_resolve(lua_State *L, pmf_store *s, pmf_lareas *c);  /* the method's body */
void pmf_lareas_forget(pmf_lareas *c);
void pmf_lareas_close(pmf_lareas *c);
int pmf_lareas_key(lua_State *L);   /* pmf.core.store.area_key(text) -> key */

/* For the Store's own files (lstore.c, lstore_sql.c, lstore_area.c). */
/* Raise unless st may run on the store at idx (on an as-of view, read-only statements only). */
void pmf_lstore_checkstatement(lua_State *L, int idx, sqlite3_stmt *st);
/* Raise "store error: <SQLite's message>". */
int pmf_lstore_error(lua_State *L, sqlite3 *db);
/* store:query, store:columns, store:exec (lstore_sql.c), registered by lstore.c. */
int store_query(lua_State *L);
int store_columns(lua_State *L);
int store_exec(lua_State *L);

#endif
