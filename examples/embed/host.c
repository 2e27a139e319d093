/*
 * examples/embed/host.c: a small C program that embeds pmf.
 *
 *   cc host.c -o host -I<prefix>/include $(pkg-config --cflags lua5.4) <prefix>/lib/libpmf.a \
 *      $(pkg-config --libs sqlite3 lua5.4-cjson lua5.4 xlsxwriter libzip expat) -lm
 *   ./host store.db [script.lua]
 *
 * It opens an engine on a store, runs Lua through the public API, reads a result back through
 * the lua_State, shows how an error comes back (returned, never printed or exit()ed by the
 * library), and closes.  `make` builds it as build/embed-host; the tests run it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lua.h>
#include "pmf.h"

int main(int argc, char **argv) {
    const char *db = argc > 1 ? argv[1] : ":memory:";
    pmf *engine;
    if (pmf_open(db, &engine) != PMF_OK) {
        fprintf(stderr, "host: %s\n", pmf_errmsg(engine));
        pmf_close(engine);
        return 1;
    }

    /* Define a metric and record a figure: the same Lua API as scripts and the REPL use. */
    if (pmf_run_string(engine,
            "store:metric{id = 'host.visits', title = 'Library visits', aggregation = 'sum'}\n"
            "store:observe{metric = 'host.visits', area = 'E08000027', period = '2025-09',"
            "              value = 1234, by = 'host'}\n"
            "host_answer = store:get('host.visits', 'E08000027', '2025-09')\n",
            "=host") != PMF_OK) {
        fprintf(stderr, "host: %s\n", pmf_errmsg(engine));
        pmf_close(engine);
        return 1;
    }

    /* Read a value back through the Lua state. */
    lua_State *L = pmf_lua(engine);
    lua_getglobal(L, "host_answer");
    printf("visits in Dudley, September 2025: %g\n", lua_tonumber(L, -1));
    lua_pop(L, 1);

    /* Errors come back as a status and a message with a traceback. */
    if (pmf_run_string(engine, "store:observe{metric = 'no.such.metric', area = 'E08000027',"
                               " period = '2025-09', value = 1}", "=host") != PMF_OK)
        printf("expected error: %.60s\n", pmf_errmsg(engine));

    /* Optionally run a script file given on the command line. */
    int status = 0;
    if (argc > 2 && pmf_run_file(engine, argv[2]) != PMF_OK) {
        fprintf(stderr, "host: %s\n", pmf_errmsg(engine));
        status = 1;
    }
    pmf_close(engine);
    return status;
}
