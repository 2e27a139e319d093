# tests/e2e/lib.sh: the end-to-end tests' harness.  Each test script sources it, runs the
# real `pmf` binary ($PMF, wrapped by $PMF_WRAP, e.g. valgrind) in a fresh temporary folder,
# and ends with `done_testing`, which prints "NAME: N passed, N failed".
set -u
E2E_NAME=$(basename "$0" .sh)
E2E_PASS=0
E2E_FAIL=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT=${PMF_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PMF_BIN=${PMF_BIN:-$ROOT/build/pmf}
cd "$WORK"
export PMF_DB="$WORK/pmf.db"

# pmf ARGS...: run the binary (under $PMF_WRAP if set); output in $OUT, $ERR, status in $RC.
pmf() {
  ${PMF_WRAP:-} "$PMF_BIN" "$@" >"$WORK/.out" 2>"$WORK/.err"
  RC=$?
  OUT=$(cat "$WORK/.out")
  ERR=$(cat "$WORK/.err")
  return 0
}

E2E_SKIP=0
pass() { E2E_PASS=$((E2E_PASS + 1)); }
# skip N REASON: N checks that cannot run on this machine (not the project's fault, e.g. no
# pseudo-terminals in a chroot).  Counted and printed as skipped, never as passed.
skip() { E2E_SKIP=$((E2E_SKIP + $1)); echo "SKIP $E2E_NAME: $1 checks: $2" >&2; }
fail() {
  E2E_FAIL=$((E2E_FAIL + 1))
  echo "FAIL $E2E_NAME: $1" >&2
  [ -n "${2:-}" ] && printf '  %s\n' "$2" | head -n 20 >&2
  return 0
}

# ok DESCRIPTION COMMAND...: the command succeeds.
ok() { local d=$1; shift; if "$@"; then pass; else fail "$d"; fi; }
# rc_is N DESCRIPTION: the last pmf's status.
rc_is() { if [ "$RC" -eq "$1" ]; then pass; else fail "$2 (status $RC, want $1)" "$ERR"; fi; }
rc_nonzero() { if [ "$RC" -ne 0 ]; then pass; else fail "$1 (status 0, want non-zero)" "$OUT"; fi; }
# out_has / err_has PATTERN DESCRIPTION: the last pmf's stdout / stderr matches (grep -E).
out_has() { if grep -Eq -- "$1" <<<"$OUT"; then pass; else fail "$2: stdout lacks /$1/" "$OUT$ERR"; fi; }
err_has() { if grep -Eq -- "$1" <<<"$ERR"; then pass; else fail "$2: stderr lacks /$1/" "$ERR"; fi; }
out_lacks() { if grep -Eq -- "$1" <<<"$OUT"; then fail "$2: stdout has /$1/" "$OUT"; else pass; fi; }
eq() { if [ "$1" = "$2" ]; then pass; else fail "$3" "got [$1] want [$2]"; fi; }

done_testing() {
  if [ "$E2E_SKIP" -gt 0 ]; then
    echo "$E2E_NAME: $E2E_PASS passed, $E2E_FAIL failed, $E2E_SKIP skipped"
  else
    echo "$E2E_NAME: $E2E_PASS passed, $E2E_FAIL failed"
  fi
  [ "$E2E_FAIL" -eq 0 ]
}
