/*
 * core/store_internal.h: what the store's C files (store.c, store_schema.c, store_ref.c)
 * share and nothing else includes.  Pure C over SQLite, no Lua.
 */
#ifndef PMF_STORE_INTERNAL_H
#define PMF_STORE_INTERNAL_H

#include "store.h"

/* The schema: migration i takes a store from version i to i + 1 (store_schema.c). */
extern const char *const pmf_store_migrations[];
extern const int pmf_store_nmigrations;

/* Load a new store's reference data from refdir (store_ref.c); -1 with the reason, naming
 * the file and line, in err.  pmf_store_load_area_links is the part an upgraded store gains
 * when its area_alias table is new. */
int pmf_store_load_reference(sqlite3 *db, const char *refdir, char *err, size_t errlen);
int pmf_store_load_area_links(sqlite3 *db, const char *refdir, char *err, size_t errlen);

/* printf into the caller's error buffer (truncating; nothing when err is NULL). */
void pmf_store_errorf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
