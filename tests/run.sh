#!/usr/bin/env bash
# tests/run.sh: run every test suite and add up their counts.
#
#   tests/run.sh [unit|lua|stock|frameworks|e2e ...]     (default: all of them)
#
# Each suite prints lines "NAME: N passed, N failed[, N skipped]"; a suite that exits non-zero
# without reporting a failure (a crash, a sanitizer report) counts as one failure more.  The
# last line is the total, "N passed, N failed" (", N skipped" when a check could not run on
# this machine: skips are never counted as passes), and the exit status is non-zero on any
# failure.
# $BUILD is the build folder (build/), $PMF_WRAP a command to run pmf under (valgrind).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export PMF_BIN="$PWD/$BUILD/pmf"
export PMF_ROOT="$PWD"
export PMF_BUILD="$PWD/$BUILD"
export PMF_DB=":memory:"
export PMF_USER="tester"
export LC_ALL=C
unset PMF_NOW PMF_TODAY
# Leaks in a sanitizer build are errors; the readline library's own allocations are not ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit lua stock frameworks e2e)

total_pass=0
total_fail=0
total_skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME CMD...: run one test program, echo its output, add its counts.
run() {
  local name=$1; shift
  local out="$tmp/out" status
  "$@" >"$out" 2>&1
  status=$?
  cat "$out"
  local p f k line
  line=$(grep -E '^[A-Za-z0-9_./-]*:? ?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
  p=$(sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/' <<<"$line")
  f=$(sed -E 's/.*[^0-9]([0-9]+) failed.*/\1/' <<<"$line")
  p=${p:-0}; f=${f:-0}
  k=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line"); k=${k:-0}
  if [ -z "$line" ] || { [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; }; then
    echo "$name: exited with status $status without reporting a failure: counted as failed"
    f=$((f + 1))
  fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  total_skip=$((total_skip + k))
}

for suite in "${suites[@]}"; do
  case $suite in
  unit)
    for t in "$BUILD"/tests/test_*; do
      [ -x "$t" ] && run "$(basename "$t")" "$t"
    done ;;
  lua)
    for t in tests/lua/*_test.lua; do
      run "$(basename "$t" .lua)" ${PMF_WRAP:-} "$PMF_BIN" "$t"
    done ;;
  stock)
    # The module under the stock interpreter (not in a sanitizer build: lua5.4 is not one).
    if [ -z "${SAN:-}" ]; then
      run stock_lua env LUA_CPATH="$PMF_BUILD/?.so" lua5.4 tests/lua/stock/stock_lua.lua
    fi ;;
  frameworks)
    # Each council's framework ships its own test file (`pmf test`).
    for t in frameworks/*_test.lua; do
      run "$(basename "$t" .lua)" ${PMF_WRAP:-} "$PMF_BIN" test "$t"
    done ;;
  e2e)
    for t in tests/e2e/*.sh; do
      [ "$(basename "$t")" = lib.sh ] && continue
      run "$(basename "$t" .sh)" bash "$t"
    done ;;
  *) echo "unknown suite $suite"; total_fail=$((total_fail + 1)) ;;
  esac
done

if [ "$total_skip" -gt 0 ]; then
  echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
  echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
