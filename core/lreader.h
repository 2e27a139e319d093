/*
 * lreader.h: the Reader side of module `pmf.engine` (lreader.c), registered by lengine.c.
 * Internal to the Lua binding.
 */
#ifndef PMF_LREADER_H
#define PMF_LREADER_H

#include <lua.h>

/* engine.reader, engine.hold, engine.area_ids, engine.fetch (see lreader.c). */
int pmf_reader_open(lua_State *L);
int pmf_reader_hold(lua_State *L);
int pmf_reader_area_ids(lua_State *L);
int pmf_reader_fetch(lua_State *L);
/* Create the Reader, hold and AreaIds metatables (idempotent). */
void pmf_reader_register(lua_State *L);

#endif
