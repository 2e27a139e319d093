/*
 * lsandbox.c: limits for user code (`pmf.sandbox`): an instruction budget, a wall-clock
 * budget and a memory cap per evaluation, so that an infinite loop or a memory bomb in a
 * framework's formula or rule is stopped with an error naming it, and the engine carries on.
 * The environment (which globals a framework file may use) is built in Lua by allow-list:
 * lua/pmf/sandbox.lua.  This file owns only what needs C.
 *
 *   pmf.sandbox.run(fn, opts, ...) -> true, results... | false, message
 *       Calls fn(...) like pcall, under opts = {instructions =, seconds =, memory = (bytes),
 *       name = "kpi TH01 (frameworks/walsall.lua:123)"}; missing limits take the defaults.
 *       A limit reached gives false, "<name>: <limit> exceeded (...)".
 *   pmf.sandbox.limits([t]) -> the defaults {instructions=, seconds=, memory=}; t sets them.
 *   pmf.sandbox.memory() -> bytes the Lua state holds now.
 *
 * How:
 * - Memory: the state's allocator is wrapped (lua_setallocf) by one that counts bytes; while a
 *   limited run is active, an allocation that would take the run beyond its cap fails, which
 *   Lua turns into a memory error after an emergency collection.  The wrapper's context is a
 *   userdata kept in the registry whose __gc puts the original allocator back, so the state
 *   closes cleanly (under the pmf binary and under the stock interpreter alike).
 * - Time and instructions: a count hook every PMF_HOOK_STEP instructions checks both budgets.
 *   Once a budget is exceeded the hook is re-armed to fire on every instruction and keeps
 *   raising, so a pcall inside the user's code cannot swallow the error and carry on.
 * - Hooks are per coroutine: the sandbox environment offers no coroutine library.
 * - Defaults: 1 second, 200 million instructions, 64 MiB per evaluation; PMF_LIMIT_SECONDS,
 *   PMF_LIMIT_INSTRUCTIONS and PMF_LIMIT_MEMORY_MB override them, as does limits{}.
 */
#include "pmf_internal.h"

#include <lauxlib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PMF_SANDBOX_KEY "pmf.sandbox.ctx"
#define PMF_HOOK_STEP 1000

/* The limits of the active run: saved whole when a run starts inside another, and put
 * back when it ends. */
typedef struct {
    int64_t cap;             /* allocation fails past this; INT64_MAX outside any run */
    int64_t steps, max_steps;
    double deadline;         /* CLOCK_MONOTONIC seconds */
    const char *tripped;     /* which limit was reached, or NULL */
    int mem_tripped;
    lua_State *running;      /* the thread of the run (hooks are per thread) */
} run_limits;

typedef struct {
    lua_Alloc inner;         /* the allocator we wrap */
    void *inner_ud;
    int64_t used;            /* bytes held (relative: blocks from before the wrap count as 0) */
    int active;              /* nesting depth of limited runs */
    run_limits run;
    /* defaults */
    double def_seconds;
    int64_t def_instructions, def_memory;
} sandbox_ctx;

static void hook(lua_State *L, lua_Debug *ar);

/* A refused allocation raises a memory error, which a pcall in user code could catch: so
 * the cap also arms the hook (lua_sethook is safe to call at any moment), which then raises
 * "memory limit exceeded" on every instruction until the run ends. */
static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    sandbox_ctx *c = ud;
    size_t old = ptr ? osize : 0;
    if (nsize > old && c->used + (int64_t)(nsize - old) > c->run.cap) {
        c->run.mem_tripped = 1;
        if (c->active && c->run.running) lua_sethook(c->run.running, hook, LUA_MASKCOUNT, 1);
        return NULL;
    }
    void *p = c->inner(c->inner_ud, ptr, osize, nsize);
    if (p || nsize == 0) c->used += (int64_t)nsize - (int64_t)old;
    return p;
}

static int ctx_gc(lua_State *L) {
    sandbox_ctx *c = lua_touserdata(L, 1);
    void *ud;
    if (lua_getallocf(L, &ud) == limited_alloc && ud == c) lua_setallocf(L, c->inner, c->inner_ud);
    return 0;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double env_number(const char *name, double dflt) {
    const char *v = getenv(name);
    char *end;
    if (!v || !*v) return dflt;
    double d = strtod(v, &end);
    return (*end == '\0' && d > 0) ? d : dflt;
}

static sandbox_ctx *get_ctx(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, PMF_SANDBOX_KEY);
    sandbox_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!c) luaL_error(L, "pmf.sandbox is not initialised");
    return c;
}

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_getfield(L, LUA_REGISTRYINDEX, PMF_SANDBOX_KEY);
    sandbox_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!c || !c->active) return;
    if (!c->run.tripped && c->run.mem_tripped) {
        c->run.tripped = "memory limit";
    } else if (!c->run.tripped) {
        c->run.steps += PMF_HOOK_STEP;
        if (c->run.steps > c->run.max_steps) c->run.tripped = "instruction limit";
        else if (now_seconds() > c->run.deadline) c->run.tripped = "time limit";
        if (!c->run.tripped) return;
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);   /* fire on every instruction from now on */
    }
    luaL_error(L, "%s exceeded", c->run.tripped);
}

static lua_Integer opt_int_field(lua_State *L, int t, const char *k, lua_Integer dflt) {
    if (lua_isnoneornil(L, t)) return dflt;
    lua_getfield(L, t, k);
    lua_Integer v = lua_isnil(L, -1) ? dflt : (lua_Integer)luaL_checknumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static double opt_num_field(lua_State *L, int t, const char *k, double dflt) {
    if (lua_isnoneornil(L, t)) return dflt;
    lua_getfield(L, t, k);
    double v = lua_isnil(L, -1) ? dflt : luaL_checknumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* pmf.sandbox.run(fn, opts, ...) */
static int sandbox_run(lua_State *L) {
    sandbox_ctx *c = get_ctx(L);
    luaL_checktype(L, 1, LUA_TFUNCTION);
    if (lua_gettop(L) < 2) lua_settop(L, 2);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    int64_t max_steps = opt_int_field(L, 2, "instructions", c->def_instructions);
    double seconds = opt_num_field(L, 2, "seconds", c->def_seconds);
    int64_t memory = opt_int_field(L, 2, "memory", c->def_memory);
    const char *name = "user code";
    if (!lua_isnoneornil(L, 2)) {
        lua_getfield(L, 2, "name");
        if (lua_isstring(L, -1)) name = lua_tostring(L, -1);
        lua_replace(L, 2);   /* keep the name string alive in slot 2 */
    }
    /* save the outer run's limits (nesting), set ours: never looser than the outer's */
    run_limits outer = c->run;
    lua_Hook o_hook = lua_gethook(L);
    int o_mask = lua_gethookmask(L), o_count = lua_gethookcount(L);
    int64_t cap = memory > 0 ? c->used + memory : INT64_MAX;
    c->run = (run_limits){
        .cap = cap < outer.cap ? cap : outer.cap,
        .steps = 0,
        .max_steps = max_steps > 0 ? max_steps : INT64_MAX,
        .deadline = now_seconds() + (seconds > 0 ? seconds : 1e9),
        .tripped = NULL,
        .mem_tripped = 0,
        .running = L,
    };
    c->active++;
    lua_sethook(L, hook, LUA_MASKCOUNT, PMF_HOOK_STEP);

    int nargs = lua_gettop(L) - 2;
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 1);   /* fn, then its arguments, at 3.. */
    int status = lua_pcall(L, nargs, LUA_MULTRET, 0);

    run_limits inner = c->run;
    const char *tripped = inner.tripped;
    int mem = inner.mem_tripped;
    c->active--;
    c->run = outer;
    c->run.steps += inner.steps;   /* the inner run's work counts against the outer budget */
    lua_sethook(L, o_hook, o_mask, o_count);

    if (status == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_replace(L, 2);   /* true in place of the name: results follow */
        return lua_gettop(L) - 1;
    }
    lua_pushboolean(L, 0);
    if ((tripped && tripped[0] == 'm') || (!tripped && status == LUA_ERRMEM && mem)) {
        lua_pushfstring(L, "%s: memory limit exceeded (limit %I bytes)", name, (lua_Integer)memory);
    } else if (tripped) {
        lua_pushfstring(L, "%s: %s exceeded (limit %s)", name, tripped,
                        tripped[0] == 'i' ? lua_pushfstring(L, "%I instructions", (lua_Integer)max_steps)
                                          : lua_pushfstring(L, "%f seconds", seconds));
        lua_remove(L, -2);
    } else {
        lua_pushvalue(L, -2);   /* the error object as it is */
    }
    return 2;
}

/* pmf.sandbox.limits([t]) -> {instructions=, seconds=, memory=} */
static int sandbox_limits(lua_State *L) {
    sandbox_ctx *c = get_ctx(L);
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        c->def_instructions = opt_int_field(L, 1, "instructions", c->def_instructions);
        c->def_seconds = opt_num_field(L, 1, "seconds", c->def_seconds);
        c->def_memory = opt_int_field(L, 1, "memory", c->def_memory);
        luaL_argcheck(L, c->def_instructions > 0 && c->def_seconds > 0 && c->def_memory > 0, 1,
                      "limits must be positive");
    }
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, c->def_instructions);
    lua_setfield(L, -2, "instructions");
    lua_pushnumber(L, c->def_seconds);
    lua_setfield(L, -2, "seconds");
    lua_pushinteger(L, c->def_memory);
    lua_setfield(L, -2, "memory");
    return 1;
}

static int sandbox_memory(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + lua_gc(L, LUA_GCCOUNTB, 0));
    return 1;
}

static const luaL_Reg sandbox_funcs[] = {
    {"run",    sandbox_run},
    {"limits", sandbox_limits},
    {"memory", sandbox_memory},
    {NULL, NULL}
};

int luaopen_pmf_sandbox(lua_State *L) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, PMF_SANDBOX_KEY) == LUA_TNIL) {
        sandbox_ctx *c = lua_newuserdatauv(L, sizeof *c, 0);
        memset(c, 0, sizeof *c);
        c->inner = lua_getallocf(L, &c->inner_ud);
        c->run.cap = INT64_MAX;
        c->def_seconds = env_number("PMF_LIMIT_SECONDS", 1.0);
        c->def_instructions = (int64_t)env_number("PMF_LIMIT_INSTRUCTIONS", 2e8);
        c->def_memory = (int64_t)(env_number("PMF_LIMIT_MEMORY_MB", 64) * 1024 * 1024);
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, ctx_gc);
        lua_setfield(L, -2, "__gc");
        lua_setmetatable(L, -2);
        lua_setfield(L, LUA_REGISTRYINDEX, PMF_SANDBOX_KEY);
        lua_setallocf(L, limited_alloc, c);
    }
    lua_pop(L, 1);
    luaL_newlib(L, sandbox_funcs);
    return 1;
}
