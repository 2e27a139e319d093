#!/usr/bin/env bash
# The README's tutorial, run as written: its Lua blocks become frameworks/coventry.lua,
# frameworks/coventry_test.lua and fill_returns.lua, which must check, pass their test, load,
# import and rate; then its sh blocks from step 6 (one quarterly round, from return workbooks
# to the published report) run line by line.
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
assert(blocks[4], "the tutorial has a fourth Lua block (fill_returns.lua)")
local fill = assert(io.open("fill_returns.lua", "w"))
fill:write(blocks[4])
fill:close()
-- step 6's shell lines, as commands (build/pmf becomes the binary under test)
local round = assert(io.open("round.txt", "w"))
local step6 = tut:match("%*%*6%..-%f[*]%*%*7%.") or tut:match("%*%*6%..-$")
for sh in step6:gmatch("```sh\n(.-)```") do
  for line in sh:gmatch("[^\n]+") do round:write((line:gsub("%s+#.*$", "")), "\n") end
end
round:close()
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

# step 6: the quarterly round, each line of the README's sh blocks as written
printf 'metric,area,period,value\nclaimants_16_64,E08000026,2025-09,12000\npopulation_16_64,E08000026,2025-09,230000\n' > coventry_q2.csv
mkdir -p back
n=0
while IFS= read -r line; do
  [ -z "$line" ] && continue
  n=$((n + 1))
  eval "set -- ${line#build/pmf }"
  pmf "$@"
  case "$line" in
    *"report returns"*)
      if [ "$n" -le 3 ]; then
        rc_is 0 "the chase report runs before the returns are back"
        out_has "skills .*outstanding|skills .*late" "and shows the skills owner's return outstanding"
        out_has "jobs_filled" "naming the figures missing"
      else
        rc_is 0 "the chase report runs after"
        out_has "skills .*complete" "and shows the return complete"
      fi ;;
    *"pmf returns"*) rc_is 0 "returns are written"; ok "one workbook per owner" test -f returns/coventry_2025-26-Q2_skills.xlsx ;;
    *"import back"*) rc_is 0 "the filled return is taken back"; out_has "return from skills" "recognised as a return" ;;
    *"--publish"*) rc_is 0 "the report is published"; err_has "published as publication" "and recorded" ;;
    *) rc_is 0 "tutorial: $line" ;;
  esac
done < round.txt
[ "$n" -ge 8 ] && pass || fail "the round's eight commands ran" "$n"
pmf report scorecard --framework coventry --period "2025/26 Q2" --format csv
out_has "CV01.*amber.*Whitley" "the scorecard shows the commentary from the return"
pmf import back/skills.xlsx
rc_is 1 "after sign-off the return is refused"
err_has "coventry 2025/26 Q2 is signed off: a return for it is refused" "saying why"

# The README's sh lines of a part (step 7, the worked recipe example), run as written from a
# folder that looks like the checkout (frameworks/, examples/ linked); `build/pmf` and `pmf`
# are the binary under test.  Nothing is supplied here that the README does not say.
mkdir checkout && cd checkout
ln -s "$ROOT/frameworks" frameworks
ln -s "$ROOT/examples" examples
cat > readme_part.lua <<'LUA'
-- readme_part.lua README START END: the part's files (its csv and lua blocks) and its
-- command lines (steps.txt)
local f = assert(io.open(arg[1]))
local text = f:read("a")
f:close()
local part = assert(text:match(arg[2] .. "(.-)" .. arg[3]), "the README has the part")
local function put(name, body) local o = assert(io.open(name, "w")); o:write(body); o:close() end
local csv = part:match("```csv\n(.-)```")
if csv then put("bins.csv", csv) end
for lua in part:gmatch("```lua\n(.-)```") do
  if lua:match("^recipe") then put("bins_recipe.lua", lua)
  elseif lua:match("^catalogue") then put("bins_metrics.lua", lua) end
end
local steps = {}
for sh in part:gmatch("```sh\n(.-)```") do
  for line in sh:gmatch("[^\n]+") do
    line = line:gsub("%s+#.*$", "")
    if line:match("^pmf ") or line:match("^build/pmf ") then steps[#steps + 1] = line end
  end
end
put("steps.txt", table.concat(steps, "\n") .. "\n")
LUA
run_steps() {   # each line of steps.txt; its output in $OUT, $ERR; all must succeed
  STEPS_OUT=""
  while IFS= read -r line; do
    line=${line#build/}
    eval "set -- ${line#pmf }"
    pmf "$@"
    rc_is 0 "README: $line"
    STEPS_OUT="$STEPS_OUT$OUT"$'\n'
  done < steps.txt
  OUT=$STEPS_OUT
}

# Step 7: a publisher's file through a shipped recipe, into a scratch store
rm -f flytipping.db
pmf --db :memory: readme_part.lua "$ROOT/README.md" "%*%*7%. A publisher's file" "## Reports"
rc_is 0 "step 7 is in the README"
PMF_DB="$WORK/untouched.db" run_steps
out_has "flytipping_coventry.csv: 10 rows: 10 new, 0 revised, 0 unchanged; 10 skipped as the recipe declares \(10 by skip_rows\)" "with the summary the README shows"
out_has "8473" "Coventry's 2021/22 incidents are stored"
ok "step 7 wrote to its scratch store" test -e flytipping.db
ok "and not to the default store" test ! -e "$WORK/untouched.db"
rm -f flytipping.db*

# The README's worked recipe example, run as written
pmf --db :memory: readme_part.lua "$ROOT/README.md" "%*%*A worked example%.%*%*" "%*%*The words%*%*"
rc_is 0 "the worked recipe example is in the README"
PMF_DB="$WORK/untouched.db" run_steps
out_has "bins_recipe.lua: ok \(recipe \"Contractor's quarterly waste return\", 2 measures\)" "the example recipe checks"
out_has "bins.csv: 2 rows: 2 new, 0 revised, 0 unchanged; 2 skipped as the recipe declares \(1 missing values, 1 areas of a skipped kind\) \(batch 3\)" "the file imports as the README says"
out_has "^1 +12 " "the missed bins figure is stored"
sed 's/n\/a,system/n.a.,system/' bins.csv > bins2.csv
pmf --db bins.db import --recipe bins_recipe.lua bins2.csv
err_has "bins2.csv:3:4: column 'Result': 'n.a.' is not a number, nor a missing-value marker recipe bins_recipe.lua declares \('n/a' \(missing\)\)" "an undeclared marker, as the README shows"
done_testing
