#!/usr/bin/env bash
# Crash safety: `pmf import` of a large file killed with SIGKILL at random moments.
#
# A store is made with one metric; a ~300k-row long-form CSV of that metric (every area of
# the store x 720 months) is generated.  Then, many times over, a fresh copy of the store is
# imported into in the background and the process is killed with `kill -9` after a random
# delay spanning the import's measured duration (and a few delays past its end).  After each
# kill the store must pass `PRAGMA integrity_check` and hold all of the file's rows or none:
# 0 observations and no import batch, or exactly the file's rows in exactly one batch.
#
# Under $PMF_WRAP (valgrind) the kills are skipped: the timing is meaningless there and
# valgrind's own process would be what is killed.
. "$(dirname "$0")/lib.sh"

if [ -n "${PMF_WRAP:-}" ]; then
  skip 1 "the kill test needs the bare binary, not one under $PMF_WRAP"
  done_testing
  exit $?
fi

KILLS=${CRASH_KILLS:-24}     # kills during the import
AFTER=3                      # kills after it has finished
MONTHS=720

# ---- the store and the file --------------------------------------------------------------
pmf --db "$WORK/template.db" -e 'store:metric{ id = "crash_m", title = "Crash test metric",
                                               unit = "count", aggregation = "sum" }'
rc_is 0 "the metric is defined"
pmf --db "$WORK/template.db" -e 'for _, a in ipairs(store:areas{}) do print(a.code) end'
echo "$OUT" > areas.txt
# Months as DHIS2 ids (196001): "2000-01" alone is ambiguous without a year type (README, Periods).
awk -v months=$MONTHS 'BEGIN { print "metric,area,period,value" }
  NF { for (i = 0; i < months; i++)
         printf "crash_m,%s,%04d%02d,%d\n", $1, 1960 + int(i / 12), i % 12 + 1, (NR * 31 + i) % 997 }' \
  areas.txt > big.csv
ROWS=$(($(wc -l < big.csv) - 1))
echo "crash: file has $ROWS rows ($(wc -l < areas.txt) areas x $MONTHS months)"
if [ "$ROWS" -ge 100000 ]; then pass; else fail "the generated file is large" "$ROWS rows"; fi

# check DB LABEL: integrity ok, and all of the file's rows or none, batches consistent.
# Sets STATE to "none" or "all" (or "bad").
check() {
  pmf --db "$1" -e '
    local ic = store:query("PRAGMA integrity_check")
    local n = store:query([[SELECT count(*) AS n, count(DISTINCT batch) AS b FROM observation
                             WHERE metric = (SELECT id FROM metric WHERE code = ?)]], "crash_m")[1]
    local ib = store:query("SELECT count(*) AS n FROM batch WHERE kind = ?", "import")[1].n
    print(#ic == 1 and ic[1].integrity_check or "not ok", n.n, n.b, ib)'
  local ic rows batches imports
  read -r ic rows batches imports <<<"$OUT"
  STATE=bad
  if [ "$RC" -ne 0 ]; then fail "$2: the store opens after the kill" "$ERR"; return; fi
  eq "$ic" "ok" "$2: PRAGMA integrity_check"
  if [ "$rows" = 0 ] && [ "$batches" = 0 ] && [ "$imports" = 0 ]; then
    STATE=none; pass
  elif [ "$rows" = "$ROWS" ] && [ "$batches" = 1 ] && [ "$imports" = "${3:-1}" ]; then
    STATE=all; pass
  else
    fail "$2: all rows or none" "rows $rows (file $ROWS), batches $batches, import batches $imports"
  fi
}

# fresh DB: a copy of the template (no WAL left over).
fresh() { rm -f "$1" "$1-wal" "$1-shm"; cp "$WORK/template.db" "$1"; }

# ---- how long an import takes ------------------------------------------------------------
fresh "$WORK/timed.db"
t0=$(date +%s%N)
pmf --db "$WORK/timed.db" import big.csv
t1=$(date +%s%N)
rc_is 0 "an uninterrupted import succeeds"
DUR_MS=$(((t1 - t0) / 1000000))
echo "crash: an uninterrupted import takes ${DUR_MS} ms"
check "$WORK/timed.db" "the uninterrupted import"
eq "$STATE" "all" "the uninterrupted import stores every row"

# ---- kill -9 at random moments -----------------------------------------------------------
# Delays spread evenly over [0, 1.1 x duration] with random jitter inside each slot, so
# that the start (opening, reading), the middle (inserting) and the end (commit) are hit.
killed=0 finished=0 finished_all=0 none=0 all=0
db="$WORK/kill.db"
for ((k = 0; k < KILLS + AFTER; k++)); do
  if [ $k -lt "$KILLS" ]; then
    slot=$((DUR_MS * 11 / 10 / KILLS + 1))
    delay_ms=$((k * slot + RANDOM % slot))
  else
    delay_ms=$((DUR_MS + 300 + RANDOM % 300))
  fi
  fresh "$db"
  "$PMF_BIN" --db "$db" import big.csv >"$WORK/.kout" 2>"$WORK/.kerr" &
  pid=$!
  if [ $k -lt "$KILLS" ]; then
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=$?
  else
    # the kill comes after the import has finished, however long that took on this
    # machine: the store must hold every row
    wait "$pid" 2>/dev/null
    status=$?
    kill -9 "$pid" 2>/dev/null
    delay_ms=finished
  fi
  # finished: the import printed its summary (it had committed), whether the kill then
  # came before the process exited (137) or after (0)
  if [ -s "$WORK/.kout" ] && { [ "$status" -eq 0 ] || [ "$status" -eq 137 ]; }; then
    finished=$((finished + 1))
  elif [ "$status" -eq 137 ]; then killed=$((killed + 1))
  else fail "kill $k: the import failed by itself (status $status)" "$(cat "$WORK/.kerr")"
  fi
  check "$db" "kill $k after ${delay_ms} ms"
  case $STATE in none) none=$((none + 1)) ;; all) all=$((all + 1)) ;; esac
  [ -s "$WORK/.kout" ] && [ "$STATE" = all ] && finished_all=$((finished_all + 1))
  # a killed import leaves the store usable: importing again completes it
  if [ $((k % 8)) -eq 3 ]; then
    before=$STATE
    pmf --db "$db" import big.csv
    rc_is 0 "kill $k: a second import after the kill succeeds"
    # after a kill that came too late, the rows were all in: the second import finds them
    # unchanged and records an empty batch of its own
    if [ "$before" = all ]; then check "$db" "kill $k: the second import" 2
    else check "$db" "kill $k: the second import"; fi
    eq "$STATE" "all" "kill $k: the second import stores every row"
  fi
done
echo "crash: $((KILLS + AFTER)) kills: $killed while importing, $finished after it finished;" \
     "stores left with none of the rows: $none, with all: $all"
if [ "$killed" -ge 10 ]; then pass; else fail "most kills land while the import runs" "$killed killed"; fi
if [ "$finished" -ge "$AFTER" ] && [ "$finished_all" -eq "$finished" ]; then pass
else fail "imports that finished kept their rows" "$finished finished, $finished_all with every row"; fi

done_testing
