/*
 * main.c: the `pmf` command: the CLI's front door and the interactive REPL.
 *
 * As lua.c does it: main() runs a protected pmain(); a message handler adds tracebacks;
 * SIGINT while a chunk runs only sets a hook that raises "interrupted!" at the next Lua
 * instruction, so Ctrl-C stops a runaway loop in the REPL without killing the session; the
 * REPL first tries `return <line>` (so an expression's values are printed), then the line as
 * a statement, and reads more lines while the chunk is incomplete.
 *
 *   pmf [options] [script [args]]     run a Lua script (arg as in lua5.4), then exit
 *   pmf [options] COMMAND [args]      a command of the CLI (import, load, report, ...),
 *                                     implemented in Lua by lua/pmf/cli.lua
 *   pmf                               the REPL (when stdin is a terminal)
 *
 * Everything else (commands, their options, help text) lives in Lua: this file only owns
 * the interpreter-like options and the terminal.
 */
#include "pmf.h"
#include "pmf_internal.h"

#include <lauxlib.h>
#include <lualib.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <readline/history.h>
#include <readline/readline.h>

static const char *const progname = "pmf";
/* At the REPL's prompt an error is printed without the "pmf: " prefix, as lua.c does. */
static int in_repl = 0;

/* The state being run, for the SIGINT handler (a program's global, never the library's). */
static lua_State *globalL = NULL;
static sigjmp_buf prompt_jmp;
static volatile sig_atomic_t at_prompt = 0;

static const char usage_text[] =
    "usage: pmf [options] [script [args] | command [args]]\n"
    "Options:\n"
    "  --db PATH       the store (default ./pmf.db, or $PMF_DB; ':memory:' works)\n"
    "  --as-of DATE    answer everything as it was known on DATE (YYYY-MM-DD[THH:MM])\n"
    "  -e CHUNK        run the Lua text CHUNK\n"
    "  -i              enter the REPL after running the script or -e chunks\n"
    "  -v, --version   print the version and exit\n"
    "  -h, --help      print this help (and `pmf help` lists the commands)\n"
    "  --              stop handling options\n"
    "  -               run standard input as a script\n"
    "With no script and no command: the REPL when standard input is a terminal, otherwise\n"
    "standard input is run as a script.\n";

static void lstop(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int sig) {
    if (at_prompt) {
        at_prompt = 0;
        siglongjmp(prompt_jmp, 1);
    }
    signal(sig, SIG_DFL);   /* a second Ctrl-C kills, as in lua.c */
    if (globalL) lua_sethook(globalL, lstop, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Every message to stderr goes through here: msg may be NULL (an error object that is not a
 * string), and nothing NULL ever reaches a %s. */
static void print_error(const char *msg) {
    if (!in_repl) fprintf(stderr, "%s: ", progname);
    fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
    fflush(stderr);
}

static int report(lua_State *L, int status) {
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        print_error(msg ? msg : "(error object is not a string)");
        lua_pop(L, 1);
    }
    return status;
}

/* Call the function below its nargs arguments with a traceback handler and SIGINT armed. */
static int docall(lua_State *L, int narg, int nres) {
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, pmf_traceback_handler);
    lua_insert(L, base);
    globalL = L;
    signal(SIGINT, on_sigint);
    int status = lua_pcall(L, narg, nres, base);
    signal(SIGINT, SIG_DFL);
    lua_remove(L, base);
    return status;
}

static int dochunk(lua_State *L, int status) {
    if (status == LUA_OK) status = docall(L, 0, 0);
    return report(L, status);
}

/* The script's `arg` table: arg[0] = script, arg[1..] its arguments, negative indices the
 * interpreter's own words. */
static void create_arg_table(lua_State *L, char **argv, int argc, int script) {
    lua_createtable(L, argc - script - 1, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int push_args(lua_State *L) {
    lua_getglobal(L, "arg");
    if (!lua_istable(L, -1)) luaL_error(L, "'arg' is not a table");
    int n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (int i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
    lua_remove(L, -n - 1);
    return n;
}

static int handle_script(lua_State *L, const char *fname) {
    if (strcmp(fname, "-") == 0) fname = NULL;
    int status = luaL_loadfilex(L, fname, "t");
    if (status == LUA_OK) {
        int n = push_args(L);
        status = docall(L, n, LUA_MULTRET);
    }
    return report(L, status);
}

/* ---------------------------------------------------------------------------------------
 * The REPL.
 * ------------------------------------------------------------------------------------- */

static char history_path[4096];

static int read_line(lua_State *L, int first) {
    const char *prompt = first ? "pmf> " : "...> ";
    char *line;
    if (sigsetjmp(prompt_jmp, 1)) {
        /* Ctrl-C at the prompt: drop what was typed and prompt again. */
        rl_free_line_state();
        rl_cleanup_after_signal();
        fputs("^C\n", stdout);
        return 2;
    }
    at_prompt = 1;
    signal(SIGINT, on_sigint);
    line = readline(prompt);
    at_prompt = 0;
    signal(SIGINT, SIG_DFL);
    if (!line) return 0;
    lua_pushstring(L, line);
    free(line);
    return 1;
}

static int incomplete(lua_State *L, int status) {
    if (status == LUA_ERRSYNTAX) {
        size_t lmsg;
        const char *msg = lua_tolstring(L, -1, &lmsg);
        static const char eof[] = "<eof>";
        if (lmsg >= sizeof eof - 1 && strcmp(msg + lmsg - (sizeof eof - 1), eof) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

static int try_return(lua_State *L) {
    const char *line = lua_tostring(L, -1);
    const char *ret = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbufferx(L, ret, strlen(ret), "=stdin", "t");
    if (status == LUA_OK) {
        lua_remove(L, -2);
        if (line[0] != '\0') add_history(line);
    } else {
        lua_pop(L, 2);
    }
    return status;
}

static int multiline(lua_State *L) {
    for (;;) {
        size_t len;
        const char *line = lua_tolstring(L, 1, &len);
        int status = luaL_loadbufferx(L, line, len, "=stdin", "t");
        if (!incomplete(L, status)) {
            if (line[0] != '\0') add_history(line);
            return status;
        }
        int r = read_line(L, 0);
        if (r != 1) {
            if (r == 2) {   /* Ctrl-C abandons the incomplete chunk */
                lua_settop(L, 0);
                lua_pushliteral(L, "");
                return luaL_loadbufferx(L, "", 0, "=stdin", "t");
            }
            return status;
        }
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
}

static int load_line(lua_State *L) {
    lua_settop(L, 0);
    int r;
    while ((r = read_line(L, 1)) == 2) {}
    if (r == 0) return -1;
    int status = try_return(L);
    if (status != LUA_OK) status = multiline(L);
    lua_remove(L, 1);
    return status;
}

/* Each result goes through pmf.render.repl_value first, so a list of rows (what
 * pmf.kpi.rate returns, a query's rows) prints as an aligned table, not `table: 0x...`;
 * anything else, or a failure there, prints as Lua would. */
static int repl_value(lua_State *L) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "pmf.render");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "repl_value");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

static void print_results(lua_State *L) {
    int n = lua_gettop(L);
    if (n > 0) {
        luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
        for (int i = 1; i <= n; i++) {
            if (lua_type(L, i) != LUA_TTABLE) continue;
            lua_pushcfunction(L, repl_value);
            lua_pushvalue(L, i);
            if (lua_pcall(L, 1, 1, 0) == LUA_OK) lua_replace(L, i);
            else lua_pop(L, 1);
        }
        lua_getglobal(L, "print");
        lua_insert(L, 1);
        if (lua_pcall(L, n, 0, 0) != LUA_OK) {
            const char *msg = lua_tostring(L, -1);
            print_error(lua_pushfstring(L, "error calling 'print' (%s)",
                                        msg ? msg : luaL_typename(L, -1)));
        }
    }
}

static void repl(lua_State *L) {
    const char *home = getenv("HOME");
    if (home && *home) {
        snprintf(history_path, sizeof history_path, "%s/.pmf_history", home);
        read_history(history_path);
    }
    rl_readline_name = "pmf";
    int status;
    in_repl = 1;
    while ((status = load_line(L)) != -1) {
        if (status == LUA_OK) status = docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK) print_results(L);
        else {
            print_error(lua_tostring(L, -1));
            lua_settop(L, 0);
        }
    }
    lua_settop(L, 0);
    fputc('\n', stdout);
    fflush(stdout);
    if (history_path[0]) {
        write_history(history_path);
        history_truncate_file(history_path, 1000);
    }
    in_repl = 0;
}

/* ---------------------------------------------------------------------------------------
 * pmain.
 * ------------------------------------------------------------------------------------- */

/* Is `word` one of the CLI's commands (pmf.cli.commands)? */
static int is_command(lua_State *L, const char *word) {
    if (strchr(word, '.') || strchr(word, '/')) return 0;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "pmf.cli");
    if (docall(L, 1, 1) != LUA_OK) {
        report(L, LUA_ERRRUN);
        return 0;
    }
    lua_getfield(L, -1, "commands");
    int found = lua_istable(L, -1) && lua_getfield(L, -1, word) != LUA_TNIL;
    lua_settop(L, 0);
    return found;
}

static int pmain(lua_State *L) {
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    const char *db = NULL, *as_of = NULL;
    int interactive = 0, script = 0, has_e = 0, i;
    lua_settop(L, 0);

    /* First pass: options that must be known before the store opens. */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0) { script = i; break; }
        if (strcmp(a, "--") == 0) { if (i + 1 < argc) script = i + 1; break; }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            lua_pushboolean(L, 1);
            return 1;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
            printf("pmf %s (%s, SQLite %s)\n", PMF_VERSION, LUA_RELEASE, sqlite3_libversion());
            lua_pushboolean(L, 1);
            return 1;
        }
        if (strcmp(a, "-i") == 0) { interactive = 1; continue; }
        if (strcmp(a, "-e") == 0 || strcmp(a, "--db") == 0 || strcmp(a, "--as-of") == 0) {
            if (i + 1 >= argc) {
                print_error(lua_pushfstring(L, "'%s' needs an argument", a));
                fputs(usage_text, stderr);
                return 0;
            }
            if (a[1] == 'e') has_e = 1;
            else if (a[2] == 'd') db = argv[i + 1];
            else as_of = argv[i + 1];
            i++;
            continue;
        }
        if (strncmp(a, "--db=", 5) == 0) { db = a + 5; continue; }
        if (strncmp(a, "--as-of=", 8) == 0) { as_of = a + 8; continue; }
        print_error(lua_pushfstring(L, "unrecognised option '%s'", a));
        fputs(usage_text, stderr);
        return 0;
    }

    luaL_openlibs(L);
    luaL_requiref(L, "pmf", luaopen_pmf, 1);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "cjson");
    lua_call(L, 1, 1);
    lua_setglobal(L, "cjson");
    create_arg_table(L, argv, argc, script);   /* no script: arg[0] is pmf, as in lua.c */

    /* Open the store: pmf.open_default(db, as_of) sets pmf.store and the global `store`.
     * A command (pmf import, pmf help ...) opens it itself, and only if it needs one, so
     * that `pmf help` or `pmf check FILE` never creates ./pmf.db: pmf.cli.run gets the path.
     * Scripts, -e chunks and the REPL get `store` open from the start. */
    lua_settop(L, 0);
    const char *db_path = db ? db : pmf_default_db_path();
    int command = script && is_command(L, argv[script]);
    if (!command || has_e) {
        lua_getglobal(L, "pmf");
        lua_getfield(L, -1, "open_default");
        lua_pushstring(L, db_path);
        lua_pushstring(L, as_of);
        if (report(L, docall(L, 2, 0)) != LUA_OK) return 0;
        lua_settop(L, 0);
    }

    /* Second pass: run -e chunks in order. */
    for (i = 1; i < (script ? script : argc); i++) {
        if (strcmp(argv[i], "-e") == 0) {
            const char *chunk = argv[++i];
            if (dochunk(L, luaL_loadbufferx(L, chunk, strlen(chunk), "=(command line)", "t")))
                return 0;
        } else if (strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--as-of") == 0) {
            i++;
        }
    }

    if (script) {
        const char *word = argv[script];
        if (command) {
            lua_getglobal(L, "require");
            lua_pushliteral(L, "pmf.cli");
            lua_call(L, 1, 1);
            lua_getfield(L, -1, "run");
            lua_createtable(L, argc - script, 0);
            for (i = script; i < argc; i++) {
                lua_pushstring(L, argv[i]);
                lua_rawseti(L, -2, i - script + 1);
            }
            lua_pushstring(L, db_path);
            lua_pushstring(L, as_of);
            if (report(L, docall(L, 3, 1)) != LUA_OK) return 0;
            int code = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
            lua_pushinteger(L, code);
            return 1;
        }
        if (handle_script(L, word) != LUA_OK) return 0;
    }
    if (interactive || (!script && !has_e && isatty(STDIN_FILENO))) {
        printf("pmf %s  (%s)  store: %s\n", PMF_VERSION, LUA_RELEASE,
               db ? db : pmf_default_db_path());
        repl(L);
    } else if (!script && !has_e) {
        if (handle_script(L, "-") != LUA_OK) return 0;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* Standard output is checked once, at exit: everything printed (a report, a script's
 * print) is flushed and closed here, and a failure (a full disk, a closed file) is an error
 * with the system's reason, never a silent exit 0.  An earlier failed write leaves only the
 * stream's error flag (its errno is gone): that is reported without a reason, and not at
 * all when the command already failed (it has said why).  Returns the exit code. */
static int close_stdout(int code) {
    int err = 0, sticky = ferror(stdout);
    if (fflush(stdout) != 0) err = errno;
    if (fclose(stdout) != 0 && !err) err = errno;
    if (err) {
        fprintf(stderr, "%s: standard output: %s\n", progname, strerror(err));
        return code == EXIT_SUCCESS ? EXIT_FAILURE : code;
    }
    if (sticky && code == EXIT_SUCCESS) {
        fprintf(stderr, "%s: standard output: a write failed\n", progname);
        return EXIT_FAILURE;
    }
    return code;
}

int main(int argc, char **argv) {
    lua_State *L = luaL_newstate();
    if (!L) {
        print_error("cannot create state: not enough memory");
        return EXIT_FAILURE;
    }
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int status = lua_pcall(L, 2, 1, 0);
    int code;
    if (status != LUA_OK) {
        report(L, status);
        code = EXIT_FAILURE;
    } else if (lua_isinteger(L, -1)) {
        code = (int)lua_tointeger(L, -1);
    } else {
        code = lua_toboolean(L, -1) ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    lua_close(L);
    return close_stdout(code);
}
