#!/usr/bin/env bash
# Concurrent writers and readers on one store file.
#
# Four importers, each with its own file of the same metric (distinct areas, so distinct
# keys, R rows each), run at once with two readers: one long-lived `pmf` process looping a
# count query, and a shell loop starting a fresh `pmf sql` per query (so stores are opened
# while others write).  Every importer must succeed; the final count is the sum of the
# files (no lost rows); a reader only ever sees a multiple of R (never a partial import);
# and no "database is locked" / "busy" text reaches the user.
#
# Round 1 runs on a store made beforehand; round 2 starts with no store file at all, so
# the six processes race to create it, set up WAL and migrate it, and each importer defines
# the metric itself before importing.
. "$(dirname "$0")/lib.sh"

NIMP=4
MONTHS=${CONC_MONTHS:-480}
OPEN_ROUNDS=${CONC_OPEN_ROUNDS:-15}
# under valgrind: smaller files, fewer open races (the same checks)
if [ -n "${PMF_WRAP:-}" ]; then MONTHS=${CONC_MONTHS:-24}; OPEN_ROUNDS=${CONC_OPEN_ROUNDS:-2}; fi

# reader.lua: loop a count query until it sees TOTAL rows or DEADLINE seconds pass; print
# "reads N partial P last L" (P = counts that were not a multiple of R) and any error.
cat > reader.lua <<'LUA'
local R, TOTAL, SECONDS = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])
local t0 = os.time()
local reads, partial, last, errors = 0, 0, -1, 0
while os.time() - t0 < SECONDS do
  local ok, rows = pcall(store.query, store, [[SELECT count(*) AS n FROM observation
      WHERE metric = (SELECT id FROM metric WHERE code = 'conc_m')]])
  if ok then
    reads = reads + 1
    last = rows[1].n
    if last % R ~= 0 then
      partial = partial + 1
      io.stderr:write("partial count seen: ", last, "\n")
    end
    if last == TOTAL then break end
  else
    errors = errors + 1
    io.stderr:write("reader error: ", tostring(rows), "\n")
  end
end
print(string.format("reads %d partial %d last %d errors %d", reads, partial, last, errors))
LUA

# The files: the store's areas split into NIMP slices, MONTHS months each.
# Months as DHIS2 ids (198001): "2000-01" alone is ambiguous without a year type (README, Periods).
pmf --db "$WORK/areas.db" -e 'for _, a in ipairs(store:areas{}) do print(a.code) end'
echo "$OUT" | grep . > areas.txt
NAREAS=$(wc -l < areas.txt)
PER=$((NAREAS / NIMP))
for ((i = 0; i < NIMP; i++)); do
  awk -v from=$((i * PER + 1)) -v to=$(((i + 1) * PER)) -v months=$MONTHS -v f=$i '
    BEGIN { print "metric,area,period,value" }
    NR >= from && NR <= to { for (m = 0; m < months; m++)
      printf "conc_m,%s,%04d%02d,%d\n", $1, 1980 + int(m / 12), m % 12 + 1, (NR + m * f) % 1000 }' \
    areas.txt > "imp$i.csv"
done
R=$((PER * MONTHS))
TOTAL=$((R * NIMP))
echo "concurrency: $NIMP files of $R rows each"

DEFINE='store:metric{ id = "conc_m", title = "Concurrency metric", unit = "count", aggregation = "sum" }'

# round DB LABEL DEFINE_FIRST: run the importers and readers at once; check the outcome.
round() {
  local db=$1 label=$2 define=$3 pids=() i
  for ((i = 0; i < NIMP; i++)); do
    (
      if [ "$define" = 1 ]; then
        ${PMF_WRAP:-} "$PMF_BIN" --db "$db" -e "$DEFINE" || exit 3
      fi
      ${PMF_WRAP:-} "$PMF_BIN" --db "$db" import "imp$i.csv"
    ) >"$WORK/imp$i.out" 2>"$WORK/imp$i.err" &
    pids+=($!)
  done
  ${PMF_WRAP:-} "$PMF_BIN" --db "$db" reader.lua "$R" "$TOTAL" 60 \
    >"$WORK/r1.out" 2>"$WORK/r1.err" &
  local r1=$!
  (
    reads=0 partial=0 errors=0 t0=$SECONDS
    while [ $((SECONDS - t0)) -lt 60 ]; do
      out=$(${PMF_WRAP:-} "$PMF_BIN" --db "$db" sql --format csv \
            "SELECT count(*) AS n FROM observation WHERE metric = (SELECT id FROM metric WHERE code = 'conc_m')" 2>&1)
      if [ $? -ne 0 ]; then
        # before any importer has created the file, `pmf sql` (a reader) says there is no
        # store, and creates none: wait for it.  Any other failure is an error.
        if grep -q "^pmf sql: no store at " <<<"$out" && [ ! -e "$db" ]; then sleep 0.05; continue; fi
        errors=$((errors + 1)); echo "sql reader error: $out" >&2; continue
      fi
      n=$(tail -n 1 <<<"$out")
      reads=$((reads + 1))
      [ $((n % R)) -ne 0 ] && { partial=$((partial + 1)); echo "partial count seen: $n" >&2; }
      [ "$n" -eq "$TOTAL" ] && break
    done
    echo "reads $reads partial $partial last $n errors $errors"
  ) >"$WORK/r2.out" 2>"$WORK/r2.err" &
  local r2=$!

  for ((i = 0; i < NIMP; i++)); do
    wait "${pids[$i]}"
    local st=$?
    if [ "$st" -eq 0 ]; then pass
    else fail "$label: importer $i succeeds (status $st)" "$(cat "$WORK/imp$i.err")"; fi
    if grep -q "^imp$i.csv: $R rows: $R new" "$WORK/imp$i.out"; then pass
    else fail "$label: importer $i reports its rows" "$(cat "$WORK/imp$i.out" "$WORK/imp$i.err")"; fi
  done
  wait "$r1"; local s1=$?
  wait "$r2"
  eq "$s1" 0 "$label: the looping reader exits 0"

  pmf --db "$db" sql --format csv \
    "SELECT count(*) AS n FROM observation WHERE metric = (SELECT id FROM metric WHERE code = 'conc_m')"
  eq "$(tail -n 1 <<<"$OUT")" "$TOTAL" "$label: no lost rows (final count = sum of the files)"
  pmf --db "$db" sql --format csv "SELECT count(*) AS n FROM batch WHERE kind = 'import'"
  eq "$(tail -n 1 <<<"$OUT")" "$NIMP" "$label: one batch per file"
  pmf --db "$db" sql --format csv "PRAGMA integrity_check"
  eq "$(tail -n 1 <<<"$OUT")" "ok" "$label: integrity_check"

  local r
  for r in r1 r2; do
    local line
    line=$(cat "$WORK/$r.out")
    echo "concurrency: $label: reader $r: $line"
    if grep -q "partial 0 " <<<"$line"; then pass
    else fail "$label: reader $r never sees a partial import" "$line $(cat "$WORK/$r.err")"; fi
    if grep -q "errors 0$" <<<"$line"; then pass
    else fail "$label: reader $r's queries all succeed" "$(head -n 5 "$WORK/$r.err")"; fi
  done
  # what reached the user: nothing about locks
  local all_text
  all_text=$(cat "$WORK"/imp*.out "$WORK"/imp*.err "$WORK"/r1.* "$WORK"/r2.*)
  if grep -Eiq "locked|busy" <<<"$all_text"; then
    fail "$label: no 'database is locked' or 'busy' text reaches the user" \
         "$(grep -Ei "locked|busy" <<<"$all_text" | head -n 5)"
  else pass; fi
}

# Round 1: a store made beforehand.
pmf --db "$WORK/one.db" -e "$DEFINE"
rc_is 0 "round 1: the metric is defined"
round "$WORK/one.db" "round 1 (existing store)" 0

# Round 2: no store yet: creation, WAL set-up and migration race too.
round "$WORK/two.db" "round 2 (new store)" 1

# Round 3: several rounds of round 2's race on tiny stores, to catch a locked open.
locked=0 failed=0
for ((k = 0; k < OPEN_ROUNDS; k++)); do
  db="$WORK/race$k.db"
  pids=()
  for ((i = 0; i < 6; i++)); do
    ${PMF_WRAP:-} "$PMF_BIN" --db "$db" -e "$DEFINE; print(#store:areas{})" \
      >"$WORK/race$i.out" 2>"$WORK/race$i.err" &
    pids+=($!)
  done
  for ((i = 0; i < 6; i++)); do
    wait "${pids[$i]}" || failed=$((failed + 1))
    grep -Eiq "locked|busy" "$WORK/race$i.err" && locked=$((locked + 1))
  done
done
eq "$failed" 0 "round 3: six processes opening a new store at once all succeed"
eq "$locked" 0 "round 3: none of them reports 'locked' or 'busy'"

done_testing
