/*
 * pmf_internal.h: what the engine's C files share and hosts do not see.
 */
#ifndef PMF_INTERNAL_H
#define PMF_INTERNAL_H

#include <lua.h>
#include <stddef.h>

/* "./pmf.db", or $PMF_DB when set. */
const char *pmf_default_db_path(void);

/* Write "<home>/<sub>" into buf and return buf, or NULL if the engine's home (the folder
 * holding lua/ and frameworks/) cannot be found.  The home is found once per state and kept
 * in the registry: $PMF_HOME, then beside the binary or shared object (build tree or
 * installed tree), then the source tree and PREFIX the library was built with. */
const char *pmf_home_dir(lua_State *L, char *buf, size_t n, const char *sub);

/* A message handler for lua_pcall that appends a traceback to string messages (as lua.c's
 * msghandler does). */
int pmf_traceback_handler(lua_State *L);

/* Nonzero when the active sandbox run (lsandbox.c) has reached a limit (its time, checked
 * now): long C loops call it every so often and stop; it has armed the run's hook so the
 * error cannot be swallowed.  0 outside any run. */
int pmf_sandbox_expired(lua_State *L);

/* The C modules' openers (each returns its module table), preloaded by pmf.c as
 * "pmf.core.<name>". */
int luaopen_pmf_store(lua_State *L);
int luaopen_pmf_period(lua_State *L);
int luaopen_pmf_rag(lua_State *L);
int luaopen_pmf_series(lua_State *L);
int luaopen_pmf_importer(lua_State *L);
int luaopen_pmf_sandbox(lua_State *L);
int luaopen_pmf_pattern(lua_State *L);   /* also installs itself in string */
int luaopen_pmf_xlsx(lua_State *L);
int luaopen_pmf_file(lua_State *L);
int luaopen_pmf_xlsxread(lua_State *L);
int luaopen_pmf_engine(lua_State *L);

#endif
