/*
 * pmf.c: the engine: the `pmf` module's opener (one code path for the pmf binary, pmf.so
 * under stock lua5.4, and C hosts) and the public API of pmf.h.
 *
 * luaopen_pmf makes the module table, registers it in package.loaded before anything else
 * runs (so the Lua library can `require "pmf"` while it is being built), puts the C modules
 * (pmf.core.period, pmf.core.store, ...) and cjson in package.preload, puts the engine's Lua
 * folder first on package.path and then runs the Lua library (lua/pmf/lib.lua), which
 * requires the C modules into the table (pmf.period, pmf.rag, pmf.series, the Store type,
 * ...) and adds everything written in Lua: the framework DSL, KPIs, reports, the CLI.
 * Changing Lua never needs a rebuild.
 *
 * The engine's home (the folder with lua/ and frameworks/) is found at run time, not baked in
 * alone: $PMF_HOME; beside the binary or shared object that holds this code (build/pmf ->
 * ./lua; PREFIX/bin/pmf or PREFIX/lib/lua/5.4/pmf.so -> PREFIX/share/pmf); then the source
 * tree and the PREFIX it was built with.  So a build works in place, installed, and moved.
 */
#define _GNU_SOURCE   /* dladdr */
#include "pmf.h"
#include "pmf_internal.h"

#include <dlfcn.h>
#include <lauxlib.h>
#include <lualib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lua-cjson.h>
int luaopen_cjson_safe(lua_State *L);   /* also in liblua5.4-cjson, not in its header */

#ifndef PMF_SRCDIR
#define PMF_SRCDIR "."
#endif
#ifndef PMF_DATADIR
#define PMF_DATADIR "/usr/local/share/pmf"
#endif

/* The C modules, in package.preload (as linit.c registers the standard libraries): each
 * file core/l<name>.c ends in one luaL_Reg table and its opener.  lua/pmf/lib.lua requires
 * them and makes the public fields (pmf.period, pmf.rag, pmf.series, ...).  "pmf.core.*"
 * names are not the Lua library's own (lua/pmf/store/ is "pmf.store"), so a C module and
 * a Lua module never share a name.  cjson is linked in: preloading it makes `require
 * "cjson"` find this copy. */
static const luaL_Reg cmodules[] = {
    {"pmf.core.pattern",  luaopen_pmf_pattern},
    {"pmf.core.sandbox",  luaopen_pmf_sandbox},
    {"pmf.core.store",    luaopen_pmf_store},
    {"pmf.core.period",   luaopen_pmf_period},
    {"pmf.core.rag",      luaopen_pmf_rag},
    {"pmf.core.series",   luaopen_pmf_series},
    {"pmf.core.importer", luaopen_pmf_importer},
    {"pmf.core.xlsx",     luaopen_pmf_xlsx},
    {"pmf.core.file",     luaopen_pmf_file},
    {"pmf.core.xlsxread", luaopen_pmf_xlsxread},
    {"pmf.core.engine",   luaopen_pmf_engine},
    {"cjson",             luaopen_cjson},
    {"cjson.safe",        luaopen_cjson_safe},
    {NULL, NULL}
};

const char *pmf_version(void) { return PMF_VERSION; }

const char *pmf_default_db_path(void) {
    const char *db = getenv("PMF_DB");
    return db && *db ? db : "pmf.db";
}

int pmf_traceback_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static int is_home(const char *dir) {
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/lua/pmf/lib.lua", dir) >= (int)sizeof path) return 0;
    return stat(path, &st) == 0;
}

/* Find the home into buf; 0 on success. */
static int find_home(char *buf, size_t n) {
    const char *env = getenv("PMF_HOME");
    if (env && *env && is_home(env)) return snprintf(buf, n, "%s", env) >= (int)n;
    char self[PATH_MAX] = "";
    Dl_info info;
    if (dladdr((void *)luaopen_pmf, &info) && info.dli_fname && realpath(info.dli_fname, self)) {
        /* ok */
    } else {
        ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
        self[k > 0 ? k : 0] = '\0';
    }
    char *slash = strrchr(self, '/');
    if (slash) {
        *slash = '\0';
        static const char *const rel[] = {"/..", "/../share/pmf", "/../../../share/pmf"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char cand[PATH_MAX], real[PATH_MAX];
            snprintf(cand, sizeof cand, "%s%s", self, rel[i]);
            if (is_home(cand) && realpath(cand, real)) return snprintf(buf, n, "%s", real) >= (int)n;
        }
    }
    if (is_home(PMF_SRCDIR)) return snprintf(buf, n, "%s", PMF_SRCDIR) >= (int)n;
    if (is_home(PMF_DATADIR)) return snprintf(buf, n, "%s", PMF_DATADIR) >= (int)n;
    return -1;
}

const char *pmf_home_dir(lua_State *L, char *buf, size_t n, const char *sub) {
    char home[PATH_MAX];
    if (lua_getfield(L, LUA_REGISTRYINDEX, "pmf.home") == LUA_TSTRING) {
        snprintf(home, sizeof home, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
        if (find_home(home, sizeof home) != 0) return NULL;
        lua_pushstring(L, home);
        lua_setfield(L, LUA_REGISTRYINDEX, "pmf.home");
    }
    if (snprintf(buf, n, "%s%s%s", home, sub && *sub ? "/" : "", sub ? sub : "") >= (int)n)
        return NULL;
    return buf;
}

/* Prepend "<home>/lua/?.lua;<home>/lua/?/init.lua;" to package.path. */
static void set_path(lua_State *L, const char *home) {
    lua_getglobal(L, "package");
    if (!lua_istable(L, -1)) luaL_error(L, "pmf needs the package library");
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua;%s", home, home,
                    lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    lua_setfield(L, -3, "path");
    lua_pop(L, 2);
}

int luaopen_pmf(lua_State *L) {
    lua_newtable(L);
    int M = lua_gettop(L);
    lua_pushvalue(L, M);
    lua_setfield(L, LUA_REGISTRYINDEX, "pmf.module");
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, M);
    lua_setfield(L, -2, "pmf");
    lua_pop(L, 1);

    lua_pushliteral(L, PMF_VERSION);
    lua_setfield(L, M, "version");
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    for (const luaL_Reg *m = cmodules; m->name; m++) {
        lua_pushcfunction(L, m->func);
        lua_setfield(L, -2, m->name);
    }
    lua_pop(L, 1);

    char home[PATH_MAX];
    if (!pmf_home_dir(L, home, sizeof home, NULL))
        return luaL_error(L, "pmf: cannot find the engine's Lua library (lua/pmf/lib.lua); "
                             "set PMF_HOME to the folder that holds lua/ and frameworks/");
    lua_pushstring(L, home);
    lua_setfield(L, M, "home");
    set_path(L, home);

    /* The Lua library completes the module table in place. */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "pmf.lib");
    lua_call(L, 1, 0);
    lua_settop(L, M);
    return 1;
}

/* ---------------------------------------------------------------------------------------
 * The embedding API.
 * ------------------------------------------------------------------------------------- */

struct pmf {
    lua_State *L;
    char *errmsg;
};

static void set_errmsg(pmf *e, const char *msg) {
    free(e->errmsg);
    e->errmsg = msg ? strdup(msg) : NULL;
}

/* Run in protected mode: open the libraries, the pmf module, and the store (at upvalue). */
static int engine_init(lua_State *L) {
    const char *db = lua_tostring(L, 1);
    luaL_openlibs(L);
    luaL_requiref(L, "pmf", luaopen_pmf, 1);
    lua_getfield(L, -1, "open_default");
    if (!lua_isfunction(L, -1)) return luaL_error(L, "pmf.open_default is missing");
    lua_pushstring(L, db);
    lua_call(L, 1, 0);
    return 0;
}

int pmf_open(const char *db_path, pmf **out) {
    pmf *e = calloc(1, sizeof *e);
    *out = e;
    if (!e) return PMF_NOMEM;
    e->L = luaL_newstate();
    if (!e->L) {
        set_errmsg(e, "out of memory");
        return PMF_NOMEM;
    }
    lua_pushcfunction(e->L, pmf_traceback_handler);
    lua_pushcfunction(e->L, engine_init);
    lua_pushstring(e->L, db_path ? db_path : pmf_default_db_path());
    if (lua_pcall(e->L, 1, 0, 1) != LUA_OK) {
        set_errmsg(e, lua_tostring(e->L, -1));
        lua_settop(e->L, 0);
        return PMF_CANTOPEN;
    }
    lua_settop(e->L, 0);
    return PMF_OK;
}

static int finish(pmf *e, int status) {
    if (status == LUA_OK) {
        set_errmsg(e, NULL);
        lua_settop(e->L, 0);
        return PMF_OK;
    }
    set_errmsg(e, lua_tostring(e->L, -1));
    lua_settop(e->L, 0);
    return status == LUA_ERRMEM ? PMF_NOMEM : PMF_ERROR;
}

int pmf_run_string(pmf *e, const char *chunk, const char *name) {
    lua_settop(e->L, 0);
    lua_pushcfunction(e->L, pmf_traceback_handler);
    int status = luaL_loadbufferx(e->L, chunk, strlen(chunk), name ? name : "=(pmf)", "t");
    if (status == LUA_OK) status = lua_pcall(e->L, 0, 0, 1);
    return finish(e, status);
}

int pmf_run_file(pmf *e, const char *path) {
    lua_settop(e->L, 0);
    lua_pushcfunction(e->L, pmf_traceback_handler);
    int status = luaL_loadfilex(e->L, path, "t");
    if (status == LUA_OK) status = lua_pcall(e->L, 0, 0, 1);
    return finish(e, status);
}

lua_State *pmf_lua(pmf *e) { return e->L; }

const char *pmf_errmsg(const pmf *e) { return e && e->errmsg ? e->errmsg : ""; }

void pmf_close(pmf *e) {
    if (!e) return;
    if (e->L) lua_close(e->L);
    free(e->errmsg);
    free(e);
}
