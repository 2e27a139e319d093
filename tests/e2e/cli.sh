#!/usr/bin/env bash
# The `pmf` command as a user runs it: options, scripts, errors, the REPL, the store file.
. "$(dirname "$0")/lib.sh"

pmf --version
rc_is 0 "--version succeeds"
out_has '^pmf [0-9]+\.[0-9]+\.[0-9]+' "--version prints the version"

pmf --help
rc_is 0 "--help succeeds"
out_has '--db PATH' "--help lists --db"
out_has '--as-of DATE' "--help lists --as-of"

pmf --no-such-option
rc_is 1 "an unknown option fails"
err_has "unrecognised option '--no-such-option'" "and says which"

pmf -e 'print(1 + 1, pmf.version == "'"$($PMF_BIN --version | awk '{print $2}')"'")'
rc_is 0 "-e runs a chunk"
eq "$OUT" $'2\ttrue' "-e prints what the chunk prints"

pmf -e 'print(type(pmf), type(cjson), type(store), tostring(store))'
out_has "^table	table	userdata	pmf.Store \($WORK/pmf.db\)$" "pmf, cjson and the store are loaded"
ok "the store file is created at \$PMF_DB" test -f "$WORK/pmf.db"

pmf --db "$WORK/other.db" -e 'print(store:path())'
eq "$OUT" "$WORK/other.db" "--db chooses the store"
ok "--db creates the file" test -f "$WORK/other.db"

pmf --db :memory: -e 'print(store:path())'
eq "$OUT" ":memory:" "--db :memory: works"

( unset PMF_DB; cd "$WORK" && mkdir -p d && cd d && ${PMF_WRAP:-} "$PMF_BIN" -e 'print(store:path())' >out 2>&1 )
ok "the default store is ./pmf.db" test -f "$WORK/d/pmf.db"

cat > script.lua <<'LUA'
print("args", #arg, arg[0], arg[1], arg[2], ...)
LUA
pmf script.lua one two
rc_is 0 "a script runs"
eq "$OUT" $'args\t2\tscript.lua\tone\ttwo\tone\ttwo' "arg and ... as in lua5.4"

cat > bad.lua <<'LUA'
local function inner() error("something broke") end
local function outer() inner() end
outer()
LUA
pmf bad.lua
rc_is 1 "a failing script exits non-zero"
err_has "bad.lua:1: something broke" "the error names file and line"
err_has "stack traceback" "with a traceback"
err_has "in (local|upvalue) 'inner'|in function 'inner'|inner" "the traceback names the function"

echo 'syntax error here(' > syntax.lua
pmf syntax.lua
rc_is 1 "a syntax error exits non-zero"
err_has "syntax.lua:1:" "and names the line"

pmf nonexistent.lua
rc_is 1 "a missing script exits non-zero"
err_has "cannot open nonexistent.lua" "and says so"

pmf -e 'error("from -e")'
rc_is 1 "an error in -e exits non-zero"
err_has "from -e" "with its message"

# stdin as a script when it is not a terminal
OUT=$(echo 'print("from stdin", 6 * 7)' | ${PMF_WRAP:-} "$PMF_BIN" 2>&1); RC=$?
eq "$OUT" $'from stdin\t42' "stdin runs as a script when not a terminal"

# -i: run, then the REPL (readline reading a pipe); expressions print as lua does
printf 'x + 1\nt = {}\nfor i = 1, 3 do\n t[i] = i * i\nend\nprint(t[3])\nreturn "a", nil, 3\n' > input.txt
echo 'x = 41' > pre.lua
OUT=$(${PMF_WRAP:-} "$PMF_BIN" -i pre.lua < input.txt 2>&1); RC=$?
rc_is 0 "-i then end of input exits 0"
out_has '^(pmf> )?42$|pmf> x \+ 1.*42|42' "the REPL prints an expression's value"
out_has '^(pmf> )?9$' "multi-line input continues until complete"
out_has 'a	nil	3' "several values print tab-separated, nil included"

# errors at the prompt: the message alone (as lua.c), whatever the error object is
printf 'error("boom")\nerror({})\nprint = function() error({}) end\nreturn 1\n' > errors.txt
OUT=$(${PMF_WRAP:-} "$PMF_BIN" -i < errors.txt 2>&1); RC=$?
rc_is 0 "the REPL carries on after errors"
out_has '^(pmf> )*[^ ]*boom' "an error at the prompt prints its message"
out_has 'error object is a table value' "a non-string error object is named, not printed as (null)"
out_has "error calling 'print' \(table\)" "a failing print names what it raised"
out_lacks 'null' "no NULL string reaches the terminal"

# history is saved to ~/.pmf_history
HOME="$WORK/home"; mkdir -p "$HOME"
OUT=$(HOME="$WORK/home" ${PMF_WRAP:-} "$PMF_BIN" -i < input.txt 2>&1)
ok "REPL history is kept in ~/.pmf_history" grep -q 'x + 1' "$WORK/home/.pmf_history"

# the REPL in a real terminal: Ctrl-C interrupts a running chunk without killing the session
# (tmux is a test dependency; under valgrind the timing-driven terminal test is not run; a
# machine with no pseudo-terminals, such as a chroot without /dev/pts, cannot run it at all)
if [ -z "${PMF_WRAP:-}" ] && ! command -v tmux >/dev/null; then
  fail "tmux is not installed (make test-deps installs it)"
elif [ -n "${PMF_WRAP:-}" ]; then
  skip 3 "the REPL in a terminal: its timing means nothing under $PMF_WRAP"
elif ! script -qec true /dev/null >/dev/null 2>&1; then
  skip 3 "the REPL in a terminal: this machine has no pseudo-terminals (/dev/pts)"
else
  sock="$WORK/tmux.sock"
  tmux -S "$sock" new-session -d -x 120 -y 30 "HOME=$WORK/home PMF_DB=$WORK/pmf.db $PMF_BIN"
  sleep 0.5
  tmux -S "$sock" send-keys 'while true do end' Enter
  sleep 0.7
  tmux -S "$sock" send-keys C-c
  sleep 0.5
  tmux -S "$sock" send-keys 'print("still " .. "here")' Enter
  sleep 0.5
  screen=$(tmux -S "$sock" capture-pane -p)
  tmux -S "$sock" send-keys C-d
  sleep 0.3
  tmux -S "$sock" kill-server 2>/dev/null
  if grep -q 'interrupted!' <<<"$screen"; then pass; else fail "Ctrl-C interrupts a running chunk" "$screen"; fi
  if grep -q '^still here' <<<"$screen"; then pass; else fail "the REPL survives Ctrl-C" "$screen"; fi
  if grep -q '^pmf> ' <<<"$screen"; then pass; else fail "the REPL shows its prompt" "$screen"; fi
fi

# --as-of makes the store a read-only view
pmf --as-of 2025-10-15 -e 'print(store:as_of())'
eq "$OUT" "2025-10-15T23:59:59.999Z" "--as-of sets the view's date"
pmf --as-of 2025-10-15 -e 'store:metric{id = "x", title = "x"}'
rc_is 1 "writes through an as-of view are refused"
err_has "read-only view as of 2025-10-15" "and the error says why"
# ... exec and query included: a statement that would write is refused, the store unchanged
pmf -e 'store:metric{ id = "waste", title = "Waste", aggregation = "sum" }'
cp "$PMF_DB" ro.before
pmf --as-of 2025-10-15 -e 'store:exec("UPDATE metric SET aggregation = ? WHERE code = ?", "max", "waste")'
rc_is 1 "exec with a write through --as-of is refused"
err_has 'read-only view as of 2025-10-15.*UPDATE metric' "and says why, naming the statement"
pmf --as-of 2025-10-15 -e 'store:exec("SELECT 1; UPDATE metric SET aggregation = \"max\"; DELETE FROM metric")'
rc_is 1 "a write in a several-statement exec is refused"
err_has 'read-only view as of 2025-10-15' "and says why"
pmf --as-of 2025-10-15 -e 'store:query("DELETE FROM metric RETURNING code")'
rc_is 1 "query with a write is refused"
err_has 'read-only view as of 2025-10-15' "and says why"
pmf --as-of 2025-10-15 -e 'print(store:query("SELECT aggregation FROM metric WHERE code = ?", "waste")[1].aggregation, store:exec("SELECT 1; SELECT 2"))'
rc_is 0 "reads through the view still work"
eq "$OUT" $'sum\t0' "and see the store"
ok "the store file is unchanged" cmp -s "$PMF_DB" ro.before
pmf -e 'print(store:query("SELECT aggregation FROM metric WHERE code = ?", "waste")[1].aggregation, #store:query("SELECT * FROM metric"))'
eq "$OUT" $'sum\t1' "and so is what it holds"
pmf --as-of last-tuesday -e '1'
rc_is 1 "a bad --as-of date is refused"
err_has "last-tuesday" "naming it"

# a store that is not a database
echo "not a database at all, just some text......................................." > notdb.db
pmf --db notdb.db -e '1'
rc_is 1 "a file that is not a store is refused"
err_has "notdb.db" "naming the file"

# pmf help lists commands; the man page and the README's command table list the same ones
pmf help
rc_is 0 "pmf help"
out_has "sql" "lists the sql command"
help_cmds=$(sed -n 's/^  \([a-z_]*\)  .*/\1/p' <<<"$OUT" | sort)
man_cmds=$(awk '/^\.SH COMMANDS/{on=1; next} /^\.SH/{on=0} on && prev == ".TP" {print $2} {prev=$1}' \
  "$ROOT/core/pmf.1" | tr -d '"' | sort)
readme_cmds=$(sed -n 's/^| `pmf \([a-z_]*\).*/\1/p' "$ROOT/README.md" | sort -u)
[ "$(wc -l <<<"$help_cmds")" -ge 13 ] && pass || fail "pmf help lists the commands" "$help_cmds"
eq "$man_cmds" "$help_cmds" "the man page's COMMANDS are pmf help's"
eq "$readme_cmds" "$help_cmds" "the README's command table is pmf help's"

# only commands that write create a store (pmf help, pmf check do not make ./pmf.db)
mkdir nostore && cd nostore
PMF_DB=pmf.db pmf help
PMF_DB=pmf.db pmf check "$ROOT/frameworks/example.lua"
rc_is 0 "pmf check runs with no store"
PMF_DB=pmf.db pmf areas --groups all:
rc_is 0 "pmf areas lists reference data with no store"
out_has "All counties" "with plural titles written properly"
PMF_DB=pmf.db pmf metrics
rc_is 1 "pmf metrics with no store fails"
err_has "no store at pmf.db" "saying there is no store"
ok "none of them created ./pmf.db" test ! -e pmf.db
cd "$WORK"
pmf report benchmark --framework x
rc_is 2 "a report about one KPI without --kpi is a usage error"
err_has "needs --kpi ID" "naming the missing argument"

# the embedding example host
OUT=$(${PMF_WRAP:-} "$PMF_BUILD/embed-host" "$WORK/host.db" 2>&1); RC=$?
rc_is 0 "the example C host runs"
out_has "visits in Dudley, September 2025: 1234" "and reads a value back through the Lua state"
out_has "expected error: .*unknown metric 'no.such.metric'" "errors are returned to the host"
echo 'print("host ran a file")' > hostfile.lua
OUT=$(${PMF_WRAP:-} "$PMF_BUILD/embed-host" :memory: hostfile.lua 2>&1)
out_has "host ran a file" "the host runs a Lua file through pmf_run_file"

done_testing
