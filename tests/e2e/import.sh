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
err_has "bad.csv:3:1: column 'metric': unknown metric 'nonesuch'" "unknown metric, with line, column number and name"
err_has "bad.csv:6:4: column 'value': 'n/a' is not a number" "a value that is not a number"
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
err_has "fy.csv:2:3: column 'period'" "naming the period column"

pmf import
rc_is 2 "no file is a usage error"
pmf import rev.csv --format xml
rc_is 2 "a bad --format is a usage error"
pmf import rev.csv --at yesterday
rc_is 2 "a bad --at is a usage error"
pmf import missing.csv
rc_is 1 "a missing file exits 1"
err_has "missing.csv" "and is named"

# bad text: refused with file:line:column, the store unchanged
pmf -e 'print(store:query("SELECT count(*) AS n FROM observation")[1].n, store:query("SELECT count(*) AS n FROM batch")[1].n)'
BEFORE=$OUT
printf 'metric,area,period,value,breakdown
waste_recycled,E08000027,2023-04,1,not a breakdown
waste_recycled,E08000027,2023-05,1,sex=F\000
waste_recycled,E08000027,2023-06,1,sex=\377
waste_recycled,E08000027\000,2023-07,1,
' > badtext.csv
pmf import badtext.csv
rc_is 1 "bad breakdowns and bytes are refused"
err_has "^badtext.csv:2:5: column 'breakdown': 'not a breakdown' is not key=value \(e.g. sex=F\)$" "not a breakdown"
err_has "^badtext.csv:3:5: column 'breakdown': 'sex=F.x00' contains a NUL byte \(byte 6\)$" "a NUL byte"
err_has "^badtext.csv:4:5: column 'breakdown': 'sex=.xFF' contains invalid UTF-8 \(byte 5\)$" "invalid UTF-8"
err_has "^badtext.csv:5:2: column 'area': 'E08000027.x00' contains a NUL byte \(byte 10\)$" "a NUL in another field"
printf '\377\376m\000e\000t\000r\000i\000c\000\n\000' > utf16.csv
pmf import utf16.csv
rc_is 1 "a UTF-16 file is refused"
err_has "^utf16.csv is UTF-16; save it as UTF-8 \(CSV UTF-8\)$" "saying it is UTF-16"
printf '[{"metric": "waste_recycled",\n  "area": "E08000027", ]' > broken.json
pmf import broken.json
rc_is 1 "malformed JSON is refused"
err_has "^broken.json:2:24: not valid JSON" "with line and column"
pmf -e 'print(store:query("SELECT count(*) AS n FROM observation")[1].n, store:query("SELECT count(*) AS n FROM batch")[1].n)'
eq "$OUT" "$BEFORE" "the refused files changed nothing"

# one breakdown, however it is typed
printf 'metric,area,period,value,breakdown
waste_recycled,E08000027,2023-04,7, Sex = F 
' > bd1.csv
pmf import bd1.csv
rc_is 0 "a breakdown with spaces and a capital key imports"
printf 'metric,area,period,value,breakdown
waste_recycled,E08000027,2023-04,8,sex=f
' > bd2.csv
pmf import bd2.csv
out_has "1 rows: 0 new, 1 revised" "another spelling revises the same figure"
pmf history waste_recycled E08000027 2023-04 --breakdown "SEX = f"
rc_is 0 "history finds it however it is typed"
out_has "^1 +7 " "the first version"
out_has "^2 +8 .* yes$" "the second version, current"
pmf history waste_recycled E08000027 2023-04 --breakdown "sex"
rc_is 1 "a malformed breakdown is refused"
err_has "^pmf history: breakdown 'sex' is not key=value \(e.g. sex=F\)$" "saying why"
pmf -e 'print(table.concat(store:breakdowns("waste_recycled", "E08000027"), ";"))'
eq "$OUT" ";sex=F" "one spelling stored, the first"

pmf help import
out_has "usage: .*import FILE" "help import shows the usage"

done_testing
