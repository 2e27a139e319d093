#!/usr/bin/env bash
# The quarterly round from the command line: `pmf returns` for the example framework, the
# returns filled by a script (pmf.returns.fill, through libxlsxwriter), `pmf import` taking
# them back, the chase report in every format, bad returns refused with the store unchanged,
# and `pmf signoff` refusing while returns are missing unless --despite says why.
. "$(dirname "$0")/lib.sh"
export PMF_TODAY=2025-10-20

# what the store holds: any write changes it
state() { pmf sql "SELECT (SELECT count(*) FROM observation) || '/' || (SELECT count(*) FROM commentary) || '/' || (SELECT count(*) FROM batch) || '/' || (SELECT count(*) FROM return_receipt) AS s" --format csv; echo "$OUT"; }

pmf load "$ROOT/frameworks/example.lua"
rc_is 0 "the example framework loads"
printf 'metric,area,period,value\nhousehold_waste_total_tonnes,E08000027,2025/26 Q1,30000\nhousehold_waste_recycled_tonnes,E08000027,2025/26 Q1,12000\n' > q1.csv
pmf import q1.csv
rc_is 0 "last quarter's figures import"

pmf returns --framework example
rc_is 2 "--period is required"
pmf returns --framework nosuch --period "2025/26 Q2"
rc_is 1 "an unknown framework fails"
err_has "unknown framework 'nosuch'|nosuch" "naming it"
pmf returns --framework example --period "2025/26 Q2" -o returns
rc_is 0 "pmf returns writes the workbooks"
out_has "^waste: returns/example_2025-26-Q2_waste.xlsx \(2 figures, 2 KPIs" "one per owner, saying what is due"
ok "the workbook is there" test -f returns/example_2025-26-Q2_waste.xlsx

pmf report returns --framework example --period "2025/26 Q2" --format csv
rc_is 0 "the chase report runs"
out_has "^waste,.*,late,4 working days past the deadline,\"household_waste_recycled_tonnes, household_waste_total_tonnes\"" \
  "the waste owner is 4 working days late with both figures"
pmf signoff example "2025/26 Q2"
rc_is 1 "sign-off is refused while returns are missing"
err_has "household_waste_total_tonnes" "listing what is missing"
err_has "despite" "and how to sign off anyway"

cat > fill.lua <<'LUA'
local returns = require "pmf.returns"
local values = { household_waste_total_tonnes = tonumber(arg[3]) or arg[3], household_waste_recycled_tonnes = 11000 }
local cells = {}
if arg[4] then cells[1] = { sheet = arg[4], row = tonumber(arg[5]), col = tonumber(arg[6]), value = arg[7] } end
assert(returns.fill(arg[1], arg[2], { values = values, cells = cells,
  commentary = { EX01 = "Contamination at the materials recovery facility" } }))
LUA
mkdir -p back bad
W=returns/example_2025-26-Q2_waste.xlsx
pmf fill.lua $W bad/text.xlsx "lots"
pmf fill.lua $W bad/locked.xlsx 31000 Figures 2 3 "a better definition"
pmf fill.lua $W bad/period.xlsx 31000 pmf 6 2 "2025/26 Q1"
pmf fill.lua $W bad/framework.xlsx 31000 pmf 4 2 "walsall"
printf 'PK\003\004garbage' > bad/corrupt.xlsx
before=$(state)
for f in text locked period framework corrupt; do
  pmf import bad/$f.xlsx
  rc_is 1 "a bad return ($f) is refused"
  case $f in
    text) err_has "sheet 'Figures' cell J3 \(value\): 'lots' is not a number" "text in a number cell: sheet, cell and field" ;;
    locked) err_has "sheet 'Figures' row 2 \(household_waste_recycled_tonnes\): a locked cell was changed" "an edited locked cell" ;;
    period) err_has "'2025/26 Q1' is not the period this workbook was issued for \(2025/26 Q2\)" "the wrong period" ;;
    framework) err_has "'walsall' is not the framework this workbook was issued for" "another framework" ;;
    corrupt) err_has "bad/corrupt.xlsx" "a corrupt file is named" ;;
  esac
  eq "$(state)" "$before" "the store is unchanged after the $f return"
done

pmf fill.lua $W back/waste.xlsx 31000
rc_is 0 "a script fills the return"
pmf import back/waste.xlsx q1.csv
rc_is 0 "pmf import takes the return back with a CSV beside it"
out_has "back/waste.xlsx: return from waste for example 2025/26 Q2: 2 figures: 2 new" "recognised as a return"
after=$(state)
pmf import back/waste.xlsx
rc_is 0 "re-importing the same return succeeds"
out_has "nothing changed" "and says nothing changed"
eq "$(state)" "$after" "and the store is unchanged"

pmf report scorecard --framework example --period "2025/26 Q2" --format csv
out_has "^EX01,.*red.*Contamination at the materials recovery facility" "the scorecard shows the return's commentary"
pmf report exceptions --framework example --period "2025/26 Q2" --format csv
out_has "^EX01,.*Head of Waste Services,Contamination" "the exceptions list owner and commentary"
pmf comment --framework example --kpi EX01 --period "2025/26 Q2" "Revised: contamination fell in September"
pmf report exceptions --framework example --period "2025/26 Q2" --format md
out_has "Revised: contamination fell in September" "commentary from pmf comment shows too"

for fmt in text md csv json html; do
  pmf report returns --framework example --period "2025/26 Q2" --format $fmt
  rc_is 0 "the chase report as $fmt"
  out_has "complete" "$fmt: the waste return is complete"
  # CSV is the main table only (as for every report with sections)
  [ $fmt = csv ] || out_has "not signed off" "$fmt: readiness names what blocks publishing"
done
pmf report returns --framework example --period "2025/26 Q2" -o chase.xlsx
rc_is 0 "and as xlsx"
ok "the xlsx is written" test -s chase.xlsx

pmf signoff example "2025/26 Q2"
rc_is 0 "with every return in, sign-off goes through"
pmf reopen example "2025/26 Q2" --reason "a late correction"
pmf import bad/../back/waste.xlsx
pmf returns --framework example --period "2025/26 Q3" -o returns
pmf signoff example "2025/26 Q3" --despite "DEFRA figures delayed nationally"
rc_is 0 "--despite signs off with returns missing"
pmf sql "SELECT detail FROM audit WHERE what = 'signoff' ORDER BY rowid DESC LIMIT 1"
out_has "despite missing returns .*household_waste_total_tonnes.*DEFRA figures delayed nationally" \
  "the reason and what was missing are in the audit trail"
pmf import back/waste.xlsx
rc_is 0 "a Q2 return is still taken for the reopened Q2"

pmf help returns
rc_is 0 "pmf help returns"
out_has "usage: .*returns --framework ID --period LABEL" "gives its usage"
done_testing
