/*
 * lsandbox.c: the C half of `pmf.sandbox` (preloaded as "pmf.core.sandbox"; only
 * lua/pmf/sandbox.lua requires it, and re-exports run, limits and memory): running user code
 * under a wall-clock budget, an instruction budget and a memory cap, so that an infinite
 * loop, a catastrophic pattern or a memory bomb in a framework file, a `pmf test` file, a
 * formula, a target or a rule is stopped with an error naming the file and line, and the
 * engine carries on.  The environment (which globals user code may see) is built in Lua by
 * allow-list, in lua/pmf/sandbox.lua.
 *
 *   run(fn, opts, ...) -> true, results... | false, message
 *       Calls fn(...) like pcall, under opts = {seconds =, instructions =, memory = (bytes),
 *       name = "what is running", chunk = "@path" (the user's source: whose line to name),
 *       budget = {seconds =, instructions =} (shared by several runs: each is limited by
 *       what is left and takes off what it used)}; missing limits take the defaults.  A limit
 *       reached gives false, "<file>:<line>: <limit> exceeded (limit ...)", the line being
 *       the user chunk's line where it tripped (else <name>).  A run inside a run is never
 *       looser than the outer one.
 *   limits([t]) -> the defaults {seconds =, instructions =, memory =}; t sets them.
 *   memory() -> bytes the Lua state holds now.
 *
 * How each limit is enforced, whatever the user code is doing:
 * - Instructions and time in Lua code: a count hook every PMF_HOOK_STEP instructions checks
 *   both.  Once a limit trips the hook is re-armed to fire on every instruction and keeps
 *   raising, so a pcall inside the user's code cannot swallow the error and carry on.
 * - Memory: the state's allocator is wrapped (lua_setallocf); while a run is active, an
 *   allocation that would take the run past its cap fails (Lua raises a memory error) and
 *   arms the hook.  The wrapper's context is a userdata in the registry whose __gc puts the
 *   original allocator back, so the state closes cleanly under the pmf binary and under the
 *   stock interpreter alike.
 * - Time inside C functions (the hook never fires during a C call):
 *   . the allocator also checks the clock, on every allocation of 64 KiB or more and every
 *     64th call, and once the deadline has passed refuses to grow anything (reported as the
 *     time limit, not memory): string.rep, table.concat, string.format, upper/lower, .. all
 *     allocate as they go;
 *   . pattern matching allocates nothing, so find, match, gmatch and gsub are our own
 *     (core/pattern.c, installed by core/lpattern.c), which ask pmf_sandbox_expired() every
 *     few thousand steps;
 *   . table.move, the one library loop that neither allocates nor calls Lua, is given to
 *     user code in slices by lua/pmf/sandbox.lua;
 *   . and a run that comes back after its deadline is a time-limit failure even if nothing
 *     caught it on the way (so a KPI is never rated on such a run).
 *   table.sort without a comparator is bounded by the memory cap (a few hundred ms).
 * - The line named: the hook and pmf_sandbox_expired note where the user chunk was (they run
 *   at safe points).  The allocator notes it too when Lua's stack is safe to read there (Lua
 *   5.4.4 and earlier keep real stack pointers while the stack is reallocated; later releases
 *   turn them into offsets, so there the hook's last note stands).
 * - Hooks are per coroutine: the sandbox environment offers no coroutine library.
 * - Defaults: 1 second, 200 million instructions, 64 MiB per run; PMF_LIMIT_SECONDS,
 *   PMF_LIMIT_INSTRUCTIONS and PMF_LIMIT_MEMORY_MB override them, as does limits{}.
 */
#include "pmf_internal.h"

#include <lauxlib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PMF_HOOK_STEP 1000
#define PMF_CLOCK_BYTES (64 * 1024)   /* allocations this large always check the clock */
#define PMF_CLOCK_CALLS 63            /* and every 64th allocation */
#define PMF_WHERE_STACK_SAFE (LUA_VERSION_RELEASE_NUM < 50405)

static const char CTX_KEY = 'k';   /* its address is the registry key of the context */

/* The limits of the active run: saved whole when a run starts inside another, and put
 * back when it ends.  Where it tripped is kept beside them (sandbox_ctx.where), saved and
 * put back only when it holds something, so that a call (one per imported row under a
 * recipe's row function) does not copy its 400 bytes four times. */
typedef struct {
    int64_t cap;             /* allocation fails past this; INT64_MAX outside any run */
    int64_t steps, max_steps;
    double deadline;         /* CLOCK_MONOTONIC seconds */
    const char *tripped;     /* which limit was reached, or NULL */
    int mem_tripped;
    lua_State *running;      /* the thread of the run (hooks are per thread) */
    const char *chunk;       /* the user's chunkname, whose line to report */
} run_limits;

typedef struct {
    lua_Alloc inner;         /* the allocator we wrap */
    void *inner_ud;
    int64_t used;            /* bytes held (relative: blocks from before the wrap count as 0) */
    int active;              /* nesting depth of limited runs */
    unsigned calls;          /* allocations, for the clock check */
    run_limits run;
    char where[400];         /* the active run's "file:line" where a limit tripped, or "" */
    double def_seconds;      /* defaults */
    int64_t def_instructions, def_memory;
} sandbox_ctx;

static void hook(lua_State *L, lua_Debug *ar);

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Note in c->where the line the user chunk is at in thread L (the first note stands). */
static void note_where(sandbox_ctx *c, lua_State *L) {
    lua_Debug ar;
    if (c->where[0] || !L) return;
    for (int level = 0; level < 64 && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        if (c->run.chunk && strcmp(ar.source, c->run.chunk) != 0) continue;
        const char *src = (ar.source[0] == '@' || ar.source[0] == '=') ? ar.source + 1 : ar.short_src;
        snprintf(c->where, sizeof c->where, "%s:%d", src, ar.currentline);
        return;
    }
}

/* Trip a limit: remember which and where, and make the hook raise on every instruction. */
static void trip(sandbox_ctx *c, const char *what, int where_safe) {
    if (!c->run.tripped) c->run.tripped = what;
    if (where_safe) note_where(c, c->run.running);
    if (c->run.running) lua_sethook(c->run.running, hook, LUA_MASKCOUNT, 1);
}

/* The allocator: counts bytes; inside a run refuses growth past the cap or the deadline.
 * A refused allocation raises a memory error, which a pcall in user code could catch: so
 * the trip also arms the hook (lua_sethook is safe to call at any moment). */
static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    sandbox_ctx *c = ud;
    size_t old = ptr ? osize : 0;
    if (c->active && nsize > old) {
        if (c->used + (int64_t)(nsize - old) > c->run.cap) {
            c->run.mem_tripped = 1;
            trip(c, "memory limit", PMF_WHERE_STACK_SAFE);
            return NULL;
        }
        if (c->run.tripped ||
            ((nsize - old >= PMF_CLOCK_BYTES || (++c->calls & PMF_CLOCK_CALLS) == 0) &&
             now_seconds() > c->run.deadline)) {
            trip(c, "time limit", PMF_WHERE_STACK_SAFE);
            return NULL;
        }
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

static double env_number(const char *name, double dflt) {
    const char *v = getenv(name);
    char *end;
    if (!v || !*v) return dflt;
    double d = strtod(v, &end);
    return (*end == '\0' && d > 0) ? d : dflt;
}

static sandbox_ctx *find_ctx(lua_State *L) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
    sandbox_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return c;
}

static sandbox_ctx *get_ctx(lua_State *L) {
    sandbox_ctx *c = find_ctx(L);
    if (!c) luaL_error(L, "pmf.sandbox is not initialised");
    return c;
}

int pmf_sandbox_expired(lua_State *L) {
    sandbox_ctx *c = find_ctx(L);
    if (!c || !c->active) return 0;
    if (!c->run.tripped && !c->run.mem_tripped && now_seconds() <= c->run.deadline) return 0;
    trip(c, c->run.mem_tripped ? "memory limit" : "time limit", 1);
    return 1;
}

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    sandbox_ctx *c = find_ctx(L);
    if (!c || !c->active) return;
    if (!c->run.tripped) {
        c->run.steps += PMF_HOOK_STEP;
        if (c->run.steps > c->run.max_steps) c->run.tripped = "instruction limit";
        else if (now_seconds() > c->run.deadline) c->run.tripped = "time limit";
        if (!c->run.tripped) return;
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);   /* fire on every instruction from now on */
    }
    note_where(c, L);
    luaL_error(L, "%s exceeded", c->run.tripped);
}

static double opt_num_field(lua_State *L, int t, const char *k, double dflt) {
    if (lua_isnoneornil(L, t)) return dflt;
    lua_getfield(L, t, k);
    double v = lua_isnil(L, -1) ? dflt : luaL_checknumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static const char *opt_str_field(lua_State *L, int t, const char *k) {
    if (lua_isnoneornil(L, t)) return NULL;
    lua_getfield(L, t, k);
    const char *v = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);   /* the string stays alive in the table at t */
    return v;
}

/* Push the message for a tripped limit. */
static void push_limit_message(lua_State *L, const run_limits *r, const char *at,
                               const char *name, double seconds, int64_t instructions,
                               int64_t memory) {
    const char *where = at[0] ? at : name ? name : "user code";
    char limit[64];
    if (r->tripped[0] == 'm') {
        if (memory % (1024 * 1024) == 0)
            snprintf(limit, sizeof limit, "%lld MiB", (long long)(memory / (1024 * 1024)));
        else
            snprintf(limit, sizeof limit, "%lld bytes", (long long)memory);
    } else if (r->tripped[0] == 'i') {
        snprintf(limit, sizeof limit, "%lld instructions", (long long)instructions);
    } else {
        snprintf(limit, sizeof limit, "%g seconds", seconds);
    }
    lua_pushfstring(L, "%s: %s exceeded (limit %s)", where, r->tripped, limit);
}

/* Read a run's options (the table at index opts, or nil) into *k, the defaults for what is
 * missing; the chunk defaults to the source of the function at index fn. */
static void read_opts(lua_State *L, const sandbox_ctx *c, int fn, int opts, pmf_sandbox_call *k) {
    opts = lua_absindex(L, opts);
    memset(k, 0, sizeof *k);
    k->seconds = opt_num_field(L, opts, "seconds", c->def_seconds);
    k->instructions = (int64_t)opt_num_field(L, opts, "instructions", (double)c->def_instructions);
    k->memory = (int64_t)opt_num_field(L, opts, "memory", (double)c->def_memory);
    k->name = opt_str_field(L, opts, "name");
    k->chunk = opt_str_field(L, opts, "chunk");
    if (!lua_isnoneornil(L, opts)) {
        lua_getfield(L, opts, "budget");
        if (!lua_isnil(L, -1)) {
            luaL_checktype(L, -1, LUA_TTABLE);
            int b = lua_gettop(L);
            k->budgeted = 1;
            k->budget_seconds = opt_num_field(L, b, "seconds", k->seconds);
            k->budget_instructions = opt_num_field(L, b, "instructions", (double)k->instructions);
        }
        lua_pop(L, 1);
    }
    if (!k->chunk) {   /* default: the function's own source */
        lua_Debug ar;
        lua_pushvalue(L, fn);
        lua_getinfo(L, ">S", &ar);
        k->chunk = ar.source;   /* alive while fn is */
    }
}

/* The one limited call (run and pmf_sandbox_pcall): fn and its nargs arguments on top.
 * Limits per call, never looser than what is left of the budget nor than an outer run's;
 * the outer run's limits and hook are put back after.  LUA_OK with the results, else the
 * error object on top (the limit's message when one was reached: k->tripped). */
static int limited_pcall(lua_State *L, sandbox_ctx *c, pmf_sandbox_call *k, int nargs,
                         int nresults) {
    int base = lua_gettop(L) - nargs - 1;
    double seconds = k->seconds;
    int64_t max_steps = k->instructions;
    if (k->budgeted) {
        if (k->budget_seconds < seconds) seconds = k->budget_seconds > 0 ? k->budget_seconds : 1e-9;
        if (k->budget_instructions < (double)max_steps)
            max_steps = k->budget_instructions >= 1 ? (int64_t)k->budget_instructions : 1;
    }
    /* save the outer run's limits (nesting), set ours: never looser than the outer's */
    run_limits outer = c->run;
    char outer_where[sizeof c->where];
    int had_where = c->where[0] != '\0';   /* rarely: the outer run has tripped already */
    if (had_where) memcpy(outer_where, c->where, sizeof outer_where);
    c->where[0] = '\0';
    lua_Hook o_hook = lua_gethook(L);
    int o_mask = lua_gethookmask(L), o_count = lua_gethookcount(L);
    int64_t cap = k->memory > 0 ? c->used + k->memory : INT64_MAX;
    double start = now_seconds();
    double deadline = start + (seconds > 0 ? seconds : 1e9);
    c->run = (run_limits){
        .cap = cap < outer.cap ? cap : outer.cap,
        .max_steps = max_steps > 0 ? max_steps : INT64_MAX,
        .deadline = c->active && outer.deadline < deadline ? outer.deadline : deadline,
        .running = L,
        .chunk = k->chunk,
    };
    c->active++;
    lua_sethook(L, hook, LUA_MASKCOUNT, PMF_HOOK_STEP);

    int status = lua_pcall(L, nargs, nresults, 0);

    double end = now_seconds();
    if (!c->run.tripped && c->run.mem_tripped) c->run.tripped = "memory limit";
    if (!c->run.tripped && end > c->run.deadline) c->run.tripped = "time limit";   /* came back late */
    run_limits inner = c->run;
    char at[sizeof c->where];
    if (inner.tripped) memcpy(at, c->where, sizeof at);
    if (had_where) memcpy(c->where, outer_where, sizeof c->where);
    else c->where[0] = '\0';
    c->active--;
    c->run = outer;
    c->run.steps += inner.steps;   /* the inner run's work counts against the outer budget */
    lua_sethook(L, o_hook, o_mask, o_count);
    if (k->budgeted) {
        k->budget_seconds -= end - start;
        k->budget_instructions -= (double)inner.steps;
    }
    k->tripped = inner.tripped != NULL;
    if (!inner.tripped) return status;
    lua_settop(L, base);
    push_limit_message(L, &inner, at, k->name, seconds, max_steps, k->memory);
    return status == LUA_OK ? LUA_ERRRUN : status;
}

void pmf_sandbox_prepare(lua_State *L, int fn, int opts, pmf_sandbox_call *k) {
    if (!lua_isnoneornil(L, opts)) luaL_checktype(L, opts, LUA_TTABLE);
    read_opts(L, get_ctx(L), fn, opts, k);
}

int pmf_sandbox_pcall(lua_State *L, pmf_sandbox_call *k, int nargs, int nresults) {
    return limited_pcall(L, get_ctx(L), k, nargs, nresults);
}

/* run(fn, opts, ...) */
static int sandbox_run(lua_State *L) {
    sandbox_ctx *c = get_ctx(L);
    luaL_checktype(L, 1, LUA_TFUNCTION);
    if (lua_gettop(L) < 2) lua_settop(L, 2);
    if (!lua_isnil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    pmf_sandbox_call k;
    read_opts(L, c, 1, 2, &k);
    int nargs = lua_gettop(L) - 2;
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 1);   /* fn, then its arguments */
    int status = limited_pcall(L, c, &k, nargs, LUA_MULTRET);
    if (k.budgeted) {   /* what is left, for the next run sharing the budget */
        luaL_checkstack(L, 3, NULL);
        lua_getfield(L, 2, "budget");
        lua_pushnumber(L, k.budget_seconds);
        lua_setfield(L, -2, "seconds");
        lua_pushnumber(L, k.budget_instructions);
        lua_setfield(L, -2, "instructions");
        lua_pop(L, 1);
    }
    if (status == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_replace(L, 2);   /* true just below the results */
        return lua_gettop(L) - 1;
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);       /* false, then the message or the error object as it is */
    return 2;
}

/* limits([t]) -> {instructions=, seconds=, memory=} */
static int sandbox_limits(lua_State *L) {
    sandbox_ctx *c = get_ctx(L);
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        double i = opt_num_field(L, 1, "instructions", (double)c->def_instructions);
        double s = opt_num_field(L, 1, "seconds", c->def_seconds);
        double m = opt_num_field(L, 1, "memory", (double)c->def_memory);
        luaL_argcheck(L, i >= 1 && s > 0 && m >= 1, 1, "limits must be positive");
        c->def_instructions = (int64_t)i;
        c->def_seconds = s;
        c->def_memory = (int64_t)m;
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

/* The first call wraps the state's allocator (the context lives in the registry). */
int luaopen_pmf_sandbox(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &CTX_KEY) == LUA_TNIL) {
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
        lua_rawsetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
        lua_setallocf(L, limited_alloc, c);
    }
    lua_pop(L, 1);
    luaL_newlib(L, sandbox_funcs);
    return 1;
}
