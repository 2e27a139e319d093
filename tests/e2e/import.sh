#!/usr/bin/env bash
# `pmf import` as a user runs it: summaries, refused files, exit codes, dry runs, stdin.
. "$(dirname "$0")/lib.sh"
FIX="$ROOT/tests/fixtures/import"
export PMF_NOW=2025-10-01T09:00   # the first imports are "now"; --at below is later

pmf -e 'store:metric{id="waste_recycled", title="Waste"}; store:metric{id="children_in_care", title="CiC"}'
rc_is 0 "metrics defined"

pmf import "$FIX/long.csv"
rc_is 0 "a good file imports"
out_has "long.csv: 5 rows: 5 new, 0 revised, 0 unchanged \(batch [0-9]+\)$" "the summary line"

pmf import "$FIX/long.csv"
rc_is 0 "importing it again succeeds"
out_has "5 rows: 0 new, 0 revised, 5 unchanged" "and changes nothing"

pmf import "$FIX/bad.csv"
rc_is 1 "a bad file exits 1"
err_has "bad.csv:3: column 'metric': unknown metric 'nonesuch'" "unknown metric, with line and column"
err_has "bad.csv:6: column 'value': 'n/a' is not a number" "a value that is not a number"
err_has "bad.csv:8: 3 fields where the header has 4" "a short row"
err_has "pmf import: .*bad.csv: refused \(6 errors\); nothing was imported from it" "the verdict"
out_lacks "rows" "no summary for a refused file"

pmf -e 'print(store:query("SELECT count(*) AS n FROM observation")[1].n, store:query("SELECT count(*) AS n FROM batch")[1].n)'
eq "$OUT" $'5\t2' "the refused file wrote nothing, not even a batch"

pmf import "$FIX/bad.csv" --max-errors 2
err_has "^\.\.\. and 4 more errors$" "--max-errors shows 2 and counts the rest"

printf 'metric,area,period,value\nwaste_recycled,E08000027,2025-04,99\nwaste_recycled,E08000027,2026-01,1\n' > rev.csv
pmf import rev.csv --dry-run
rc_is 0 "a dry run succeeds"
out_has "rev.csv: 2 rows: 1 new, 1 revised, 0 unchanged \(dry run: nothing written\)" "and says so"
pmf -e 'print((store:get("waste_recycled", "E08000027", "2025-04")))'
eq "$OUT" "41.5" "the dry run changed nothing"

pmf import rev.csv --by alice --at 2025-11-01T10:00 --source "returns"
rc_is 0 "a revision imports"
out_has "1 new, 1 revised, 0 unchanged" "new and revised counted"
pmf -e 'local v, r = store:get("waste_recycled", "E08000027", "2025-04"); print(v, r.recorded_by, r.source)'
eq "$OUT" $'99.0\talice\treturns' "--by and --source are recorded"
pmf --as-of 2025-10-31 -e 'print((store:get("waste_recycled", "E08000027", "2025-04")))'
eq "$OUT" "41.5" "--at back-dates the batch: as of the day before, the old figure"

pmf import "$FIX/wide.csv" "$FIX/data.json"
rc_is 0 "several files, wide CSV and JSON"
out_has "wide.csv: 5 rows" "wide summary"
out_has "data.json: 3 rows" "JSON summary"

pmf import "$FIX/bad.csv" "$FIX/wide.csv"
rc_is 1 "one bad file among several exits 1"
out_has "wide.csv: 5 rows: 0 new, [0-9]+ revised" "the other files are still imported"

printf 'metric,area,period,value\nwaste_recycled,E08000027,2024-04,5\n' | "$PMF_BIN" import - >"$WORK/.out" 2>&1
RC=$?; OUT=$(cat "$WORK/.out")
rc_is 0 "'-' reads standard input"
eq "$OUT" "-: 1 rows: 1 new, 0 revised, 0 unchanged (batch 7)" "stdin summary"

printf 'metric,area,period,value\nwaste_recycled,E08000027,2024/25 Q1,5\n' > fy.csv
pmf import fy.csv --year-start January
rc_is 1 "--year-start January refuses a two-year label"
err_has "fy.csv:2: column 'period'" "naming the period column"

pmf import
rc_is 2 "no file is a usage error"
pmf import rev.csv --format xml
rc_is 2 "a bad --format is a usage error"
pmf import rev.csv --at yesterday
rc_is 2 "a bad --at is a usage error"
pmf import missing.csv
rc_is 1 "a missing file exits 1"
err_has "missing.csv" "and is named"

pmf help import
out_has "usage: .*import FILE" "help import shows the usage"

done_testing
