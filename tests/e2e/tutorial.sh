#!/usr/bin/env bash
# The README's tutorial, run as written: its Lua blocks become frameworks/coventry.lua and
# frameworks/coventry_test.lua, which must check, pass their test, load, import and rate.
# (If the README changes, this test keeps it honest.)
. "$(dirname "$0")/lib.sh"
mkdir -p frameworks
cat > extract.lua <<'LUA'
local f = assert(io.open(arg[1]))
local text = f:read("a")
f:close()
local tut = text:match("## Tutorial.-\n(.-)\n## Reports")
local blocks = {}
for code in tut:gmatch("```lua\n(.-)```") do blocks[#blocks + 1] = code end
assert(#blocks >= 3, "the tutorial has three Lua blocks")
local fw = assert(io.open("frameworks/coventry.lua", "w"))
fw:write(blocks[1], "\n", blocks[2])
fw:close()
local t = assert(io.open("frameworks/coventry_test.lua", "w"))
t:write(blocks[3])
t:close()
LUA
pmf extract.lua "$ROOT/README.md"
rc_is 0 "the tutorial's code blocks are there"

pmf check frameworks/coventry.lua
rc_is 0 "the tutorial's framework checks"
out_has "ok \(framework coventry, 2 KPIs" "with its two KPIs"
pmf test frameworks/coventry_test.lua
rc_is 0 "the tutorial's test file passes"
out_has "^[1-9][0-9]* passed, 0 failed" "every expectation"
pmf load frameworks/coventry.lua
rc_is 0 "it loads"
printf 'metric,area,period,value\nclaimants_16_64,E08000026,2025-06,12000\npopulation_16_64,E08000026,2025-06,230000\njobs_filled,E08000026,2025-04,10\njob_referrals,E08000026,2025-04,100\n' > coventry_q1.csv
pmf import coventry_q1.csv
rc_is 0 "figures import"
pmf report scorecard --framework coventry --period "2025/26 Q1" --format csv
rc_is 0 "and it rates"
out_has "CV01.*amber" "the claimant rate is amber (5.2% against 5.0% + 10%)"
out_has "CV02.*green|CV02.*10" "the custom indicator is rated"
# Step 6: a publisher's file through a shipped recipe, as the README writes it
pmf load "$ROOT/frameworks/catalogue.lua"
pmf import --recipe defra_flytipping "$ROOT/examples/data/flytipping_coventry.csv"
rc_is 0 "the tutorial's publisher file imports through its recipe"
out_has "flytipping_coventry.csv: 10 rows: 10 new, 0 revised, 0 unchanged; 10 skipped as the recipe declares \(10 by skip_rows\)" "with the summary the README shows"
pmf history fly_tipping_incidents E08000026 2021/22
out_has "8473" "Coventry's 2021/22 incidents are stored"

# The README's worked recipe example, run as written
cat > recipe_example.lua <<'LUA'
local f = assert(io.open(arg[1]))
local text = f:read("a")
f:close()
local ex = text:match("%*%*A worked example%.%*%*(.-)%*%*The words%*%*")
local csv = ex:match("```csv\n(.-)```")
local recipe = ex:match("```lua\n(.-)```")
local a = assert(io.open("bins.csv", "w")); a:write(csv); a:close()
local b = assert(io.open("bins_recipe.lua", "w")); b:write(recipe); b:close()
LUA
pmf recipe_example.lua "$ROOT/README.md"
rc_is 0 "the worked recipe example is in the README"
pmf load "$ROOT/frameworks/recipes/public_metrics.lua"
pmf -e 'store:metric{id="missed_bins_per_100k", title="Missed bins per 100,000 collections"}'
pmf check bins_recipe.lua
out_has "bins_recipe.lua: ok \(recipe \"Contractor's quarterly waste return\", 2 measures\)" "the example recipe checks"
pmf import --recipe bins_recipe.lua bins.csv
rc_is 0 "the example file imports through it"
out_has "bins.csv: 2 rows: 2 new, 0 revised, 0 unchanged; 2 skipped as the recipe declares \(1 missing values, 1 areas of a skipped kind\)" "as the README says"
sed 's/n\/a,system/n.a.,system/' bins.csv > bins2.csv
pmf import --recipe bins_recipe.lua bins2.csv
err_has "bins2.csv:3:4: column 'Result': 'n.a.' is not a number, nor a missing-value marker recipe bins_recipe.lua declares \('n/a' \(missing\)\)" "an undeclared marker, as the README shows"
done_testing
