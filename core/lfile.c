/*
 * core/lfile.c: the pmf.file Lua module: what pmf's outputs need to know about a path that
 * stock Lua cannot tell them (lua/pmf/render/output.lua writes every output through it).
 *
 *   pmf.file.stat(path)     -> {type = "file"|"directory"|"other", dev =, ino =, size =}
 *                              | nil, message, errno      (follows symbolic links)
 *   pmf.file.realpath(path) -> absolute path with no symbolic links | nil, message, errno
 *   pmf.file.temp(path)     -> name of a new empty file beside path (same folder, so a
 *                              rename onto path is atomic) | nil, message, errno
 *
 * Design decisions:
 * - Identity is (device, inode), never the spelling of a path: "./pmf.db", "pmf.db" and a
 *   symbolic link to it are one file.
 * - temp() creates the file exclusively (mkstemp: O_EXCL, so a name planted by someone else
 *   is never reused) and gives it the mode an ordinary new file would have (0666 less the
 *   umask) rather than mkstemp's 0600, since a report is meant to be read.
 * - Error contract: misuse raises; a path that cannot be examined or created returns
 *   nil, "path: system message", errno (as luaL_fileresult does).
 */
#define _XOPEN_SOURCE 700   /* realpath, mkstemp, fchmod */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>

/* pmf.file.stat(path) */
static int file_stat(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (stat(path, &st) != 0) return luaL_fileresult(L, 0, path);
    lua_createtable(L, 0, 4);
    lua_pushstring(L, S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : "other");
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, (lua_Integer)st.st_dev);
    lua_setfield(L, -2, "dev");
    lua_pushinteger(L, (lua_Integer)st.st_ino);
    lua_setfield(L, -2, "ino");
    lua_pushinteger(L, (lua_Integer)st.st_size);
    lua_setfield(L, -2, "size");
    return 1;
}

/* pmf.file.realpath(path) */
static int file_realpath(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    char buf[PATH_MAX];
    if (!realpath(path, buf)) return luaL_fileresult(L, 0, path);
    lua_pushstring(L, buf);
    return 1;
}

/* pmf.file.temp(path): "<folder>/.<name>.pmf-XXXXXX", created empty. */
static int file_temp(lua_State *L) {
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, path, dirlen);
    luaL_addchar(&b, '.');
    luaL_addstring(&b, path + dirlen);
    luaL_addstring(&b, ".pmf-XXXXXX");
    luaL_pushresult(&b);
    /* mkstemp rewrites the template in place: work on a GC-owned copy */
    size_t n;
    const char *tmpl = lua_tolstring(L, -1, &n);
    char *name = lua_newuserdatauv(L, n + 1, 0);
    memcpy(name, tmpl, n + 1);
    int fd = mkstemp(name);
    if (fd < 0) return luaL_fileresult(L, 0, path);
    mode_t mask = umask(0);
    umask(mask);
    int ok = fchmod(fd, 0666 & ~mask) == 0;
    int en = errno;
    close(fd);
    if (!ok) {
        unlink(name);
        errno = en;
        return luaL_fileresult(L, 0, path);
    }
    lua_pushstring(L, name);
    return 1;
}

static const luaL_Reg file_funcs[] = {
    {"stat",     file_stat},
    {"realpath", file_realpath},
    {"temp",     file_temp},
    {NULL, NULL}
};

int luaopen_pmf_file(lua_State *L) {
    luaL_newlib(L, file_funcs);
    return 1;
}
