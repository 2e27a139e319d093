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
eq "$OUT" "-: 1 row: 1 new, 0 revised, 0 unchanged (batch 7)" "stdin summary"

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
err_has "^utf16.csv: the file is UTF-16; save it as UTF-8 \(CSV UTF-8\)$" "saying it is UTF-16"
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
out_has "1 row: 0 new, 1 revised" "another spelling revises the same figure"
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

# ---- targets, commentary, action updates, risk assessments ----------------------------------
pmf load "$FIX/importables_fw.lua"
rc_is 0 "the importables' framework loads"
pmf import "$FIX/targets.csv" "$FIX/commentary.csv" "$FIX/actions.csv" "$FIX/risks.csv"
rc_is 0 "each kind imports, recognised by its header"
out_has "targets.csv: 3 targets: 3 new, 0 revised, 0 unchanged \(batch [0-9]+\)$" "targets: the summary"
out_has "commentary.csv: 2 comments: 2 new" "commentary: the summary"
out_has "actions.csv: 3 action updates: 3 new" "actions: the summary"
out_has "risks.csv: 2 risk assessments: 2 new" "risks: the summary"
pmf import "$FIX/targets.csv" "$FIX/commentary.csv" "$FIX/actions.csv" "$FIX/risks.csv"
rc_is 0 "importing them again succeeds"
out_has "3 targets: 0 new, 0 revised, 3 unchanged" "and changes no target"
out_has "2 risk assessments: 0 new, 0 revised, 2 unchanged" "nor any risk"

count_all='print(store:query("SELECT (SELECT count(*) FROM target) || \",\" || (SELECT count(*) FROM commentary) || \",\" || (SELECT count(*) FROM action_update) || \",\" || (SELECT count(*) FROM risk_assessment) AS n")[1].n)'
pmf -e "$count_all"
before=$OUT
pmf import "$FIX/targets_bad.csv"
rc_is 1 "a bad targets file exits 1"
err_has "targets_bad.csv:3:2: column 'kpi': framework imp has no KPI 'K9'" "an unknown KPI, with line, column number and name"
err_has "targets_bad.csv:5:3: column 'area': unknown area 'E99999999'" "an unknown area"
err_has "pmf import: .*targets_bad.csv: refused \(6 errors\); nothing was imported from it" "the verdict"
pmf import "$FIX/actions_bad.csv"
err_has "actions_bad.csv:4:3: column 'status': 'sideways' is not a status" "a bad action status"
pmf import "$FIX/risks_bad.csv"
err_has "risks_bad.csv:4:3: column 'likelihood': '6' is not a whole number 1-5" "a bad likelihood"
pmf -e "$count_all"
eq "$OUT" "$before" "the refused files wrote nothing"

pmf import "$FIX/targets_bad.csv" --skip-bad rejects.csv
rc_is 0 "--skip-bad imports the good rows"
out_has "7 targets: 1 imported \(0 new, 1 revised, 0 unchanged\), 6 refused \(see rejects.csv\)" "the summary counts both"
eq "$(head -1 rejects.csv)" "framework,kpi,area,period,value,note,line,reason" "the rejects file's header"
eq "$(sed -n 2p rejects.csv)" "imp,K9,E08000027,2025/26,46.5,no such KPI,3,$FIX/targets_bad.csv:3:2: column 'kpi': framework imp has no KPI 'K9'" "a refused row as given, with its line and reason"
eq "$(wc -l < rejects.csv | tr -d ' ')" "7" "every refused row"

printf 'framework,kpi,area,period,value\nimp,K2,E08000030,2026/27,50\n' > t_stdin.csv
pmf import - --kind targets < t_stdin.csv
rc_is 0 "targets from standard input with --kind"
out_has "<stdin>: 1 target: 1 new" "counted"
pmf import "$FIX/targets_bad.csv" --max-errors 2
err_has "^\.\.\. and 4 more errors$" "--max-errors for targets"

pmf signoff imp "2025/26 Q2"
printf 'framework,kpi,period,text\nimp,K1,2025/26 Q2,Too late\n' > late.csv
pmf import late.csv
rc_is 1 "commentary for a signed-off period is refused"
err_has "late.csv:2:3: column 'period': 2025/26 Q2 is signed off by framework imp" "saying so"

# ---- pmf comment ------------------------------------------------------------------------------
pmf comment --framework imp --kpi K2 --period "2025/26 Q3" --by alice "Better than forecast, recovering."
rc_is 0 "pmf comment records commentary"
out_has "commentary for imp K2 2025/26 Q3 recorded" "and says so"
pmf comment --framework imp --kpi K2 --period "2025/26 Q3"
rc_is 0 "pmf comment reads it back"
out_has "^Better than forecast, recovering\.$" "the text"
out_has "^-- alice, 2025-1[0-9]-" "its author and time"
pmf comment --framework imp --kpi K2 --period "2025/26 Q3" --by alice "Better than forecast, recovering."
out_has "unchanged" "the same text again changes nothing"
pmf comment --framework imp --kpi K9 --period "2025/26 Q3" "text"
rc_is 1 "an unknown KPI is refused"
err_has "^pmf comment: --kpi: framework imp has no KPI 'K9'$" "naming the option"
pmf comment --framework imp --kpi K2 --period "2025/26 Q2" "text"
rc_is 1 "a signed-off period is refused"
pmf comment --framework imp --kpi K2 --period "2024/25 Q1"
rc_is 1 "no commentary: exit 1"
err_has "no commentary for imp K2 2024/25 Q1" "saying so"

# ---- pmf load --at: back-filled history --------------------------------------------------------
sed 's/title = "Import test framework"/title = "Backfilled title"/' "$FIX/importables_fw.lua" > fw_old.lua
sed 's/framework "imp"/framework "hist"/' fw_old.lua > hist_v1.lua
sed 's/framework "imp"/framework "hist"/' "$FIX/importables_fw.lua" > hist_v2.lua
pmf load --at 2024-04-01 hist_v1.lua
rc_is 0 "load --at back-fills a version"
pmf load hist_v2.lua
out_has "loaded hist v2" "a later version"
pmf -e 'print(pmf.framework.get(store:as_of("2024-06-30"), "hist").title)'
eq "$OUT" "Backfilled title" "a view as of 2024 sees the back-filled version"
pmf -e 'print(pmf.framework.get(store, "hist").title)'
eq "$OUT" "Import test framework" "now, the latest"
sed 's/Backfilled title/Older still/' hist_v1.lua > hist_v0.lua
pmf load --at 2023-01-01 hist_v0.lua
rc_is 1 "a version dated before the latest is refused"
err_has "--at 2023-01-01 is before v2 of hist" "saying why"
pmf load --at yesterday hist_v0.lua
rc_is 2 "a malformed --at is a usage error"

# ---- recipes: publishers' files as published ---------------------------------------------------
RFIX="$ROOT/tests/fixtures/recipes"
pmf load "$ROOT/frameworks/catalogue.lua"
pmf load "$ROOT/frameworks/recipes/public_metrics.lua"
rc_is 0 "the recipes' metrics load"
pmf import --recipes
out_has "^defra_recycling +DEFRA household waste recycling rate" "--recipes lists the shipped recipes"
pmf import --recipe defra_flytipping "$RFIX/LA_incidents.csv"
rc_is 0 "a shipped recipe by name imports its publisher's file"
out_has "LA_incidents.csv: 5 rows: 5 new, 0 revised, 0 unchanged; 29 skipped as the recipe declares \(10 by skip_rows, 19 missing values\)" "the summary counts the skipped rows by reason"
pmf import --recipe defra_flytipping_xlsx "$ROOT/tests/fixtures/xlsx/Flytipping_cut.xlsx" --dry-run
rc_is 0 "the workbook through its recipe"
pmf import --recipe "$ROOT/frameworks/recipes/dluhc_ct_receipts.lua" "$RFIX/ct_receipts_westmids.csv"
rc_is 0 "a recipe by path"
printf 'code,yr,v\nE08000027,2023/24,41.5\nE08000028,2023/24,[c]\n' > flags.csv
pmf import flags.csv --metric household_waste_recycled_pct --map code=area --map yr=period --map v=value --missing ':'
rc_is 1 "flags: a marker not declared is refused"
err_has "flags.csv:3:3: column 'v': '\\[c\\]' is not a number, nor a missing-value marker .* declares \\(':' \\(missing\\)\\)" "naming file, line, column and the markers declared"
printf 'code,yr,v\nE08000027,2023/24,41.5\nE08000028,2023/24,:\n' > flags.csv
pmf -e 'print(#store:query([[SELECT 1 FROM observation o JOIN metric m ON m.id = o.metric WHERE m.code = "household_waste_recycled_pct"]]))'
eq "$OUT" "0" "the refused file left the store unchanged"
pmf import flags.csv --metric household_waste_recycled_pct --map code=area --map yr=period --map v=value --missing ':'
rc_is 0 "flags: --metric, --map and --missing import a simple file"
out_has "1 row: 1 new.*1 skipped as the recipe declares \(1 missing values\)" "the marker's row skipped and counted"
printf 'metric,area,period,value\nhousehold_waste_recycled_pct,E08000027,2011-12,4\n' > ambig.csv
pmf import ambig.csv
rc_is 1 "an ambiguous period label is refused"
err_has "2011-12" "naming the label"
pmf import ambig.csv --period-type financial
rc_is 0 "--period-type financial reads it"
printf 'recipe "broken"\ncolumns { area = "a", colour = "c" }\n' > broken.lua
pmf check broken.lua
rc_is 1 "pmf check refuses a broken recipe"
err_has "^broken.lua:2: columns: unknown field 'colour'" "FILE:LINE"
pmf check "$ROOT/frameworks/recipes/defra_recycling.lua"
out_has "defra_recycling.lua: ok \(recipe" "pmf check passes a shipped recipe"
pmf import --recipe broken.lua "$RFIX/recycling.csv"
rc_is 1 "importing with a broken recipe is refused"
err_has "broken.lua:2:" "naming the recipe's line"
printf 'PK\003\004garbage' > corrupt.xlsx
pmf import --recipe defra_flytipping_xlsx corrupt.xlsx
rc_is 1 "a corrupt workbook is refused"
err_has "corrupt.xlsx: not an xlsx workbook" "saying so"

done_testing
