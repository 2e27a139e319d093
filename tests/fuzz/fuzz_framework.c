/*
 * tests/fuzz/fuzz_framework.c: libFuzzer target for the framework DSL's loader: arbitrary
 * bytes as the text of a framework file, through pmf.framework.compile (what `pmf check`
 * and `pmf load` run), inside pmf.sandbox.run with small limits.
 *
 * One Lua state with the standard libraries and the pmf module (PMF_HOME set to the source
 * tree, from this file's path, unless already set) serves every input; a driver chunk kept
 * in the registry runs one input and checks the loader's promises:
 *   - compile returns (fw, errors): fw a table and no errors, or fw nil and a non-empty
 *     list of {file = "fuzz.lua", line = integer >= 0, msg = non-empty string};
 *   - format_errors makes text of the errors, and every KPI of a compiled framework has a
 *     version in force for a period (kpi_version).
 * A Lua error raised out of compile (against its contract: it returns errors, it does not
 * raise) or a limit reached is not a crash: the first few distinct ones are printed to
 * stderr as findings and the run goes on.  A broken promise aborts; so does anything ASan
 * or UBSan sees.  Every 64 inputs a full collection keeps the state's memory flat.
 *
 *   make BUILD=build-x fuzz FUZZ_SECONDS=30      (builds every target, corpus in
 *                                                 tests/fuzz/corpus/framework)
 * Built with -DPMF_FUZZ_MAIN instead of -fsanitize=fuzzer, it is a plain program that runs
 * the files named on its command line once each.
 */
// sources: CORE
// (CORE: every engine source, the Makefile's CORE_SRC, so the list cannot drift)

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "../../core/pmf.h"

#define DRIVER_KEY "fuzz_framework.driver"

/* The driver: driver(src) runs one input; raises only when a promise is broken (the C side
 * then aborts).  Limits: 0.5 s, 2 million instructions, 16 MiB for the whole compile; the
 * file's own run gets 200,000 instructions (compile's max_instructions). */
static const char driver_src[] =
    "local pmf = require 'pmf'\n"
    "local F = pmf.framework\n"
    "local run = pmf.sandbox.run\n"
    "local LIMITS = { seconds = 0.5, instructions = 2000000, memory = 16 * 1024 * 1024,\n"
    "                 name = 'fuzz.lua' }\n"
    "local OPTS = { max_instructions = 200000, print = function() end }\n"
    "local seen, nseen = {}, 0\n"
    "local function finding(kind, msg)\n"
    "  msg = tostring(msg):gsub('\\n.*', '')\n"
    "  local key = kind .. msg:gsub('%d+', 'N')\n"
    "  if not seen[key] and nseen < 20 then\n"
    "    seen[key] = true; nseen = nseen + 1\n"
    "    io.stderr:write('fuzz_framework: ', kind, ': ', msg, '\\n')\n"
    "  end\n"
    "end\n"
    "local function promise(cond, what) if not cond then error('broken promise: ' .. what, 0) end end\n"
    "local function one(src)\n"
    "  local fw, errors = F.compile(src, 'fuzz.lua', OPTS)\n"
    "  promise(type(errors) == 'table', 'errors is a table')\n"
    "  if fw then\n"
    "    promise(type(fw) == 'table' and #errors == 0, 'a framework comes with no errors')\n"
    "    promise(type(fw.kpis) == 'table' and type(fw.nodes) == 'table', 'fw has kpis and nodes')\n"
    "    for id, k in pairs(fw.kpis) do\n"
    "      promise(type(k.versions) == 'table' and #k.versions >= 1, 'kpi ' .. tostring(id) .. ' has a version')\n"
    "      local p = pmf.period.parse('2025/26 Q2', 4)\n"
    "      promise(F.kpi_version(k, p) ~= nil, 'kpi_version finds a version')\n"
    "    end\n"
    "  else\n"
    "    promise(#errors > 0, 'no framework means errors')\n"
    "    for _, e in ipairs(errors) do\n"
    "      promise(e.file == 'fuzz.lua', 'an error names the file')\n"
    "      promise(math.type(e.line) == 'integer' and e.line >= 0, 'an error has a line')\n"
    "      promise(type(e.msg) == 'string' and e.msg ~= '', 'an error has a message')\n"
    "    end\n"
    "    promise(type(F.format_errors(errors)) == 'string', 'format_errors gives text')\n"
    "  end\n"
    "end\n"
    "return function(src)\n"
    "  local ok, err = run(one, LIMITS, src)\n"
    "  if not ok then\n"
    "    if type(err) == 'string' and err:find('broken promise', 1, true) then error(err, 0) end\n"
    "    finding(type(err) == 'string' and err:find('exceeded', 1, true) and 'limit' or 'raised', err)\n"
    "  end\n"
    "end\n";

static lua_State *state;   /* one state for every input (a fuzz harness, not the library) */
static unsigned long runs;

static void die(const char *what, lua_State *L) {
    fprintf(stderr, "fuzz_framework: %s: %s\n", what, lua_tostring(L, -1));
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    if (!getenv("PMF_HOME")) {
        /* tests/fuzz/fuzz_framework.c -> the source tree */
        char home[4096];
        snprintf(home, sizeof home, "%s", __FILE__);
        char *cut = strstr(home, "tests/fuzz/fuzz_framework.c");
        if (cut == home) snprintf(home, sizeof home, ".");
        else if (cut) cut[-1] = '\0';
        setenv("PMF_HOME", home, 1);
    }
    lua_State *L = luaL_newstate();
    if (!L) abort();
    luaL_openlibs(L);
    luaL_requiref(L, "pmf", luaopen_pmf, 0);
    lua_pop(L, 1);
    if (luaL_loadbuffer(L, driver_src, sizeof driver_src - 1, "=fuzz_driver") != LUA_OK ||
        lua_pcall(L, 0, 1, 0) != LUA_OK)
        die("driver", L);
    lua_setfield(L, LUA_REGISTRYINDEX, DRIVER_KEY);
    state = L;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lua_State *L = state;
    if (!L) {
        LLVMFuzzerInitialize(NULL, NULL);
        L = state;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, DRIVER_KEY);
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) die("input", L);
    if (++runs % 64 == 0) lua_gc(L, LUA_GCCOLLECT);
    lua_settop(L, 0);
    return 0;
}

#ifdef PMF_FUZZ_MAIN
int main(int argc, char **argv) {
    static uint8_t buf[1 << 16];
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            return 1;
        }
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    lua_close(state);
    printf("fuzz_framework: %d inputs ran\n", argc - 1);
    return 0;
}
#endif
