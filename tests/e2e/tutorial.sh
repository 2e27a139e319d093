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
done_testing
