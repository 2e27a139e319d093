/*
 * pmf.h: the public C API of pmf, the embeddable performance-management engine.
 *
 * A host program opens an engine on a store (an SQLite file, or ":memory:"), runs Lua
 * files or strings in it, reaches the lua_State for anything more, and closes it.  The
 * engine is a Lua 5.4 state with the `pmf` and `cjson` modules loaded and the store opened
 * as `pmf.store`; everything the CLI and the REPL do goes through the same Lua API.
 *
 * Error contract, as SQLite's: every call returns PMF_OK or an error code, and the message
 * of the last failure is kept in the handle (pmf_errmsg).  The library never prints and
 * never exits.  pmf_open always gives a handle unless memory is exhausted, so the message of
 * a failed open can be read; pmf_close(NULL) is a no-op.
 *
 * Several engines may live in one process: the library keeps no mutable globals.
 */
#ifndef PMF_H
#define PMF_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lua.h>

/* The mark of a public name.  The library is built with -fvisibility=hidden, so pmf.so and
 * libpmf.a export these eight functions and nothing else (tests/e2e/symbols.sh checks). */
#if defined(__GNUC__) || defined(__clang__)
#define PMF_API __attribute__((visibility("default")))
#else
#define PMF_API
#endif

#define PMF_VERSION "0.1.0"

#define PMF_OK      0   /* success */
#define PMF_ERROR   1   /* a Lua error: syntax, runtime, or a failed pmf call */
#define PMF_NOMEM   2   /* out of memory */
#define PMF_CANTOPEN 3  /* the store could not be opened or migrated */

typedef struct pmf pmf;

/* Open an engine on the store at `db_path` (NULL means "./pmf.db" or $PMF_DB).  On success
 * *out is the engine and PMF_OK is returned; on failure *out is still a handle whose
 * pmf_errmsg says why (or NULL on PMF_NOMEM), and must be closed. */
PMF_API int pmf_open(const char *db_path, pmf **out);

/* Run a chunk of Lua text / a Lua file in the engine's global environment.  `name` is the
 * chunk's name in error messages (e.g. "=host").  On error the message, with a traceback,
 * is kept for pmf_errmsg. */
PMF_API int pmf_run_string(pmf *e, const char *chunk, const char *name);
PMF_API int pmf_run_file(pmf *e, const char *path);

/* The engine's Lua state, for anything the two calls above do not cover.  It stays owned by
 * the engine: do not lua_close it. */
PMF_API lua_State *pmf_lua(pmf *e);

/* The message of the last failed call on this engine, or "" if none.  Valid until the next
 * call on the engine. */
PMF_API const char *pmf_errmsg(const pmf *e);

/* Close the store and the Lua state and free the engine.  NULL is a no-op. */
PMF_API void pmf_close(pmf *e);

/* "0.1.0" */
PMF_API const char *pmf_version(void);

/* Open the pmf module into a Lua state made by someone else (what `require "pmf"` calls from
 * the stock interpreter).  Leaves the module table on the stack. */
PMF_API int luaopen_pmf(lua_State *L);

#ifdef __cplusplus
}
#endif

#endif
