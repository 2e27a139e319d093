/*
 * pmf_internal.h: what the engine's C files share and hosts do not see.
 */
#ifndef PMF_INTERNAL_H
#define PMF_INTERNAL_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

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

/* A sandboxed call made many times under one set of limits (a recipe's row function, once
 * per figure): the options are read once by pmf_sandbox_prepare, and each pmf_sandbox_pcall
 * is as limited as one pmf.sandbox.run(fn, opts, ...) with the same opts (time, instructions,
 * memory per call; the budget shared by all the calls), without re-reading them.  The name
 * and chunk strings must stay alive (anchored by the caller, e.g. in the opts table). */
typedef struct {
    double seconds;              /* per call */
    int64_t instructions, memory;
    int budgeted;                /* a shared budget: what is left of it below */
    double budget_seconds;
    double budget_instructions;
    const char *name, *chunk;    /* for messages: what runs, the chunk whose line to name */
    int tripped;                 /* the last call reached a limit */
} pmf_sandbox_call;

/* Read opts (the table at index opts, or none: the defaults), as pmf.sandbox.run does, into
 * *k; chunk defaults to the source of the function at index fn.  Raises on misuse. */
void pmf_sandbox_prepare(lua_State *L, int fn, int opts, pmf_sandbox_call *k);
/* lua_pcall(L, nargs, nresults, 0) under k's limits, taking what it used off k's budget.
 * LUA_OK with the results; else the error object on top, k->tripped set when a limit was
 * reached, the message then "<file>:<line>: <limit> exceeded (limit ...)". */
int pmf_sandbox_pcall(lua_State *L, pmf_sandbox_call *k, int nargs, int nresults);

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
