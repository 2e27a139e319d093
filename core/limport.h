/*
 * core/limport.h: what core/limport.c (pmf.importer: the importer) and
 * core/limport_tools.c (its other functions) share; not a public header.
 */
#ifndef PMF_LIMPORT_H
#define PMF_LIMPORT_H

#include <lua.h>
#include <stddef.h>

#include "csv.h"

#define PMF_ROWS_MT "pmf.CsvRows"   /* importer.rows' handle */

/* limport.c */
double pmf_limport_now(void);   /* seconds on the monotonic clock */
void pmf_limport_push_fields(lua_State *L, const pmf_csv_field *row, size_t n);   /* a list */

/* limport_tools.c: Lua functions of pmf.importer (registered by limport.c) */
int importer_breakdown(lua_State *L);
int importer_parse_flags(lua_State *L);
int importer_peak_rss(lua_State *L);
int importer_raw_insert(lua_State *L);
int importer_rows(lua_State *L);
int importer_text_check(lua_State *L);
int rows_next(lua_State *L);
int rows_close(lua_State *L);

#endif
