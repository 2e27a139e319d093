#!/usr/bin/env bash
# `pmf check`, `pmf load`, `pmf frameworks` and `pmf test` as a user runs them.
. "$(dirname "$0")/lib.sh"
FIX="$ROOT/tests/fixtures/frameworks"

pmf check "$ROOT/frameworks/example.lua"
rc_is 0 "check of a valid framework"
out_has "example.lua: ok \(framework example, 3 KPIs, 2 nodes\)" "check says ok with counts"
pmf -e 'print(#store:query("SELECT id FROM framework"))'
eq "$OUT" "0" "check stores nothing"

pmf check "$FIX/bad_unknown_field.lua"
rc_is 1 "check of an invalid framework exits 1"
err_has "bad_unknown_field.lua:5: unknown field 'polartiy' in kpi 'X'" "names file, line and the typo"

pmf check "$FIX/bad_duplicate_id.lua" "$FIX/bad_cycle.lua" "$ROOT/frameworks/example.lua"
rc_is 1 "several files: exit 1 if any fails"
err_has "bad_duplicate_id.lua:6: duplicate kpi id 'k'" "first file's errors"
err_has "bad_duplicate_id.lua:7: duplicate node id 'p'" "all of them"
err_has "bad_cycle.lua:5: cycle in the hierarchy" "second file's error"
out_has "example.lua: ok" "the valid one still checked"

pmf check
rc_is 2 "check without a file is a usage error"

cp "$ROOT/frameworks/example.lua" ex.lua
PMF_NOW=2025-01-10T09:00:00Z pmf load ex.lua
rc_is 0 "load"
eq "$OUT" "loaded example v1 (3 KPIs, 2 nodes)" "load prints version and counts"
PMF_NOW=2025-01-11T09:00:00Z pmf load ex.lua
eq "$OUT" "example unchanged (v1)" "reloading an unchanged file"
pmf -e 'store:observe{metric = "population_all", area = "E08000027", period = "2025-04", value = 1}'
sed -i 's/target = 40, tolerance/target = 41, tolerance/' ex.lua
PMF_NOW=2025-06-01T09:00:00Z pmf load ex.lua
eq "$OUT" "loaded example v2 (3 KPIs, 2 nodes)" "a changed file is v2"
pmf -e 'print((store:get("population_all", "E08000027", "2025-04")))'
eq "$OUT" "1.0" "observations are kept"

pmf frameworks
rc_is 0 "frameworks"
out_has "^id +title +version +hash +loaded at +KPIs +nodes" "frameworks prints a header"
out_has "^example +Example: Dudley waste and recycling +v2 +[0-9a-f]{12} +2025-06-01T09:00:00.000Z +3 +2" "and a row"
pmf --as-of 2025-03-01 frameworks
out_has "^example .* v1 " "as of a past date: v1"
pmf --as-of 2025-03-01 -e 'print(pmf.framework.get(store, "example").kpis.EX01.versions[1].target.value)'
eq "$OUT" "40" "get as of a past date returns the old definition"
pmf -e 'print(pmf.framework.get(store, "example").kpis.EX01.versions[1].target.value)'
eq "$OUT" "41" "get now returns the new one"
pmf frameworks --versions example
out_has "^v1 " "versions lists v1"
out_has "^v2 " "and v2"

# The metric catalogue: one council file checks on its own (finding the catalogue beside it,
# or pmf's own when the file is elsewhere); redeclaring a catalogue metric differently is an
# error naming both files and lines.
pmf check "$ROOT/frameworks/walsall.lua" "$ROOT/frameworks/catalogue.lua"
rc_is 0 "a council file checks with the catalogue"
out_has "walsall.lua: ok \(framework walsall, 63 KPIs" "walsall checks"
out_has "catalogue.lua: ok \(catalogue national, [0-9]+ metrics\)" "the catalogue checks"
cp "$ROOT/frameworks/dudley.lua" dudley_copy.lua
pmf check dudley_copy.lua
rc_is 0 "a council file elsewhere finds pmf's catalogue"
line=$(grep -n '^metric "household_waste_total_tonnes"' "$ROOT/frameworks/catalogue.lua" | cut -d: -f1)
cat > redeclare.lua <<'LUA'
framework "redeclare" { title = "R", council = "E08000030", levels = { "p" } }
p "top" { title = "Top" }
metric "household_waste_total_tonnes" { title = "Household waste", unit = "tonnes", aggregation = "max" }
kpi "K" { title = "Waste", parent = "top", formula = "household_waste_total_tonnes" }
LUA
pmf check redeclare.lua
rc_is 1 "redeclaring a catalogue metric differently fails the check"
err_has "^redeclare.lua:3: metric 'household_waste_total_tonnes' is already declared differently in the catalogue at .*frameworks/catalogue.lua:$line \(.*aggregation \"max\" here, \"sum\" there" \
  "naming both files and lines"
pmf load redeclare.lua
rc_is 1 "and it does not load"
pmf metrics --format csv
out_has "^household_waste_total_tonnes,.*,sum,|^household_waste_total_tonnes,.*sum" "the stored rule is the catalogue's"

cp "$FIX/bad_polarity.lua" bad.lua
pmf load bad.lua
rc_is 1 "load of an invalid file exits 1"
err_has "bad.lua:5: kpi 'k': polarity must be one of up, down, band" "with the error"
pmf -e 'print(#store:query("SELECT * FROM framework WHERE id = ?", "t"))'
eq "$OUT" "0" "and stores nothing"

echo 'os.exit(3)' > evil.lua
pmf check evil.lua
rc_is 1 "a file using os is refused"
err_has "evil.lua:1: undeclared global 'os'" "naming the sandbox's refusal"

if [ -f "$ROOT/lua/pmf/kpi.lua" ]; then
  pmf test "$ROOT/frameworks/example_test.lua"
  rc_is 0 "pmf test of the example passes"
  out_has "^7 passed, 0 failed" "with a summary"
  cp "$ROOT/frameworks/example_test.lua" ex_test.lua
  sed -i 's/framework = "example.lua"/framework = "ex.lua"/; s/value = 38.75, rag = "amber", target = 40/value = 38.75, rag = "amber", target = 40.5/' ex_test.lua
  pmf test ex_test.lua
  rc_is 1 "a failing framework test exits 1"
  out_has "ex_test.lua:13: EX01 2025/26 Q1: .*target is 41, want 40.5" "naming the expectation's line"
  out_has "passed, 1 failed" "and counting it"
fi

done_testing
