-- tests/lua/recipe_test.lua: import recipes as a user sees them: the shipped recipes on small
-- cuts of each publisher's file (tests/fixtures/recipes/, made by its cut.py), the flags-only
-- recipes, XLSX through a recipe, and bad input (a recipe with an error, an unknown marker,
-- an ambiguous period, an unknown area name, a corrupt workbook) leaving the store unchanged.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local R = require "pmf.recipe"

local here = arg[0]:match("^(.-)[^/]*$")
local ROOT = here .. "../../"
local FIX = here .. "../fixtures/recipes/"
local XFIX = here .. "../fixtures/xlsx/"
local RECIPES = ROOT .. "frameworks/recipes/"

local fresh = T.public_store   -- the catalogue and the public recipes' metrics

local function count(s, where)   -- figures stored (where: a condition on them)
  return T.count(s, "observation" .. (where and (" WHERE " .. where) or ""))
end

local function lines(path)   -- data rows of a CSV cut (every line after the header)
  local n = -1
  for _ in io.lines(path) do n = n + 1 end
  return n
end

local write = T.write_tmp

local function import(s, recipe, file, opts)
  opts = opts or {}
  opts.recipe = recipe
  return s:import(file, opts)
end

-- Every row of a cut is accounted for: imported or skipped by a declared rule.
local function accounted(r, rows, what)
  T.eq(r.rows + r.skipped, rows, what .. ": every row imported or skipped as declared")
end

-- ---- the shipped recipes on their cuts ------------------------------------------------
do
  local s = fresh()
  local r, msg = import(s, "defra_recycling", FIX .. "recycling.csv")
  T.ok(r, "recycling imports: " .. tostring(msg))
  accounted(r, lines(FIX .. "recycling.csv"), "recycling")
  T.eq(r.skipped_by.missing, 1, "recycling: the NA row is skipped as missing")
  T.eq(s:get("household_waste_recycled_pct", "E07000223", "2015/16"), 32, "recycling: Adur 2015/16")
  -- Scotland's bare years are calendar years (the measure's year type), not financial years
  local sc = s:query("SELECT start, len FROM observation o JOIN area a ON a.id = o.area" ..
                     " WHERE a.code LIKE 'S12%' LIMIT 1")[1]
  T.ok(sc and sc.len == 12 and (sc.start % 12) == 0, "recycling: Scotland's years start in January")
end

do
  local s = fresh()
  local r, msg = import(s, "ons_population", FIX .. "population.csv")
  T.ok(r, "population imports: " .. tostring(msg))
  accounted(r, lines(FIX .. "population.csv"), "population")
  local o = s:query("SELECT start, len FROM observation LIMIT 1")[1]
  T.eq({ o.start % 12, o.len }, { 5, 1 }, "population: a mid-year figure is a June snapshot")
  T.eq(s:get("population_all", "E06000001", "1998-06"), 89753, "population: Hartlepool 1998")
end

do
  local s = fresh()
  local n = lines(FIX .. "LA_incidents.csv")
  local r, msg = import(s, "defra_flytipping", FIX .. "LA_incidents.csv")
  T.ok(r, "fly-tipping CSV imports: " .. tostring(msg))
  accounted(r, n, "fly-tipping")
  T.ok(r.skipped_by.rule > 0 and r.skipped_by.missing > 0, "fly-tipping: *Total rows and ':' skipped, counted")
  T.eq(count(s, "area IN (SELECT id FROM area WHERE code = 'E07000048')"), 1,
       "fly-tipping: an abolished district keeps its own code")
  -- the workbook through its recipe: the same figures as DEFRA's CSV of the same rows
  s = fresh()
  assert(import(s, "defra_flytipping", XFIX .. "Flytipping_cut_LA_incidents.csv"))
  local x, xmsg = import(s, "defra_flytipping_xlsx", XFIX .. "Flytipping_cut.xlsx")
  T.ok(x, "fly-tipping workbook imports: " .. tostring(xmsg))
  T.ok(x and x.rows > 0 and x.new == 0 and x.unchanged == x.rows,
       "fly-tipping workbook: the same figures as DEFRA's CSV (all unchanged)")
end

do
  local s = fresh()
  local r, msg = import(s, "dluhc_ct_receipts", FIX .. "ct_receipts_westmids.csv")
  T.ok(r, "council tax CSV imports: " .. tostring(msg))
  accounted(r, lines(FIX .. "ct_receipts_westmids.csv"), "council tax")
  T.eq(r.skipped_by.area_kind, 4, "council tax: England and region rows skipped as declared")
  T.eq(s:get("council_tax_receipts", "E08000027", "2010/11 Q1"), 29756000, "council tax: £000 x 1000")
  local x, xmsg = import(s, "dluhc_ct_receipts_xlsx", XFIX .. "CT_Receipts_Live_Table_Q4_2022-23.xlsx")
  T.ok(x, "council tax workbook imports: " .. tostring(xmsg))
  T.ok(x and x.skipped_by.not_applicable > 0, "council tax workbook: [z] is not applicable")
  T.eq(s:get("council_tax_receipts", "E08000027", "2010/11 Q1"), 29756000,
       "council tax workbook: Dudley's first quarter agrees with the CSV")
end

do
  local s = fresh()
  local r, msg = import(s, "dluhc_ta1", FIX .. "TA1_2023-03-31.csv")
  T.ok(r, "TA1 imports: " .. tostring(msg))
  -- two measures a row; a row skipped by a rule counts once, for both
  T.eq(r.rows + r.skipped + r.skipped_by.rule, 2 * lines(FIX .. "TA1_2023-03-31.csv"),
       "TA1: both measures of every row accounted for")
  T.ok(r.skipped_by.missing > 0 and r.skipped_by.rule == 1, "TA1: '..' missing, 'Rest of England' skipped")
  local t, tmsg = import(s, "dluhc_ta_long", FIX .. "ta_long.csv")
  T.ok(t, "TA snapshots import: " .. tostring(tmsg))
  accounted(t, lines(FIX .. "ta_long.csv"), "TA snapshots")
  T.ok(s:get("households_temporary_accommodation", "E08000027", "2015-09") ~= nil,
       "TA: '31 September 2015' is the declared fix-up, September 2015")
end

do
  local s = fresh()
  local r, msg = import(s, "fingertips", FIX .. "fingertips_westmids.csv")
  T.ok(r, "Fingertips imports: " .. tostring(msg))
  accounted(r, lines(FIX .. "fingertips_westmids.csv"), "Fingertips")
  T.ok(count(s, "breakdown LIKE 'imd_quintile=%'") > 0, "Fingertips: deprivation quintiles are a breakdown")
  local h, hmsg = import(s, "fingertips_health_checks", FIX .. "nhs_health_checks.csv")
  T.ok(h, "health checks import: " .. tostring(hmsg))
  local o = s:query("SELECT max(len) AS len FROM observation o JOIN metric m ON m.id = o.metric" ..
                    " WHERE m.code = 'nhs_health_checks_cumulative_pct'")[1]
  T.ok(o.len and o.len > 3, "health checks: cumulative quarters span from the first quarter")
end

do
  local s = fresh()
  assert(pmf.framework.load(s, RECIPES .. "dfe_lait_metrics.lua"))
  local r, msg = import(s, "dfe_lait", FIX .. "bds_long_westmids.csv")
  T.ok(r, "LAIT imports: " .. tostring(msg))
  accounted(r, lines(FIX .. "bds_long_westmids.csv"), "LAIT")
  T.ok(count(s, "area IN (SELECT id FROM area WHERE kind IN ('country', 'region'))") > 0,
       "LAIT: England and the region are kept")
  T.ok(count(s, "flags & 1 = 1") > 0, "LAIT: '(prov)' labels become provisional figures")
end

-- ---- flags-only recipes ----------------------------------------------------------------
do
  local s = fresh()
  local p = write("flags.csv", "area_code,name,year,rate\nE08000027,Dudley,2023/24,41.5\n" ..
                               "E08000028,Sandwell,2023/24,NA\nE08000029,Solihull,2023/24,c\n")
  local r, msg = s:import(p, { metric = "household_waste_recycled_pct",
                               map = { "area_code=area", "year=period", "rate=value", "name=ignore" },
                               missing = { "NA", "c=suppressed" } })
  T.ok(r, "flags: --metric/--map/--missing import: " .. tostring(msg))
  T.eq({ r and r.rows, r and r.skipped }, { 2, 1 }, "flags: NA skipped, c a suppressed row")
  T.eq(count(s, "value IS NULL AND flags & 8 = 8"), 1, "flags: the suppressed figure has no value")
  -- a year label read by the declared year type; undeclared, an ambiguous one is an error
  local q = write("ambig.csv", "metric,area,period,value\nhousehold_waste_recycled_pct,E08000027,2011-12,3\n")
  local bad, bmsg = s:import(q)
  T.ok(not bad and bmsg:find("2011%-12") and bmsg:find("financial") and bmsg:find("December"),
       "periods: '2011-12' without a year type names both readings: " .. tostring(bmsg))
  local ok2 = s:import(q, { period_type = "financial" })
  T.ok(ok2 and s:get("household_waste_recycled_pct", "E08000027", "2011/12") == 3,
       "periods: --period-type financial reads 2011-12 as the financial year")
end

-- ---- a workbook in pmf's own columns, no recipe: --sheet --------------------------------
do
  local s = fresh()
  local xp = T.tmpname("own.xlsx")
  assert(pmf.xlsx.write(xp, { sheets = {
    { name = "Cover", rows = { { "About this workbook" } }, columns = { { title = "note" } } },
    { name = "Data", rows = { { "fly_tipping_incidents", "E08000026", "2024-04", 12 },
                              { "fly_tipping_incidents", "E08000027", "2024-04", 13 } },
      columns = { { title = "metric" }, { title = "area" }, { title = "period" }, { title = "value" } } } } }))
  local r, msg = s:import(xp, { sheet = "Data" })
  T.ok(r and r.new == 2, "a sheet in pmf's columns imports with --sheet: " .. tostring(msg))
  T.eq(s:get("fly_tipping_incidents", "E08000027", "2024-04"), 13, "its figures are stored")
  local r2, msg2 = s:import(xp)
  T.ok(not r2 and msg2:find("column 'note' %(column 1%) is not named"), "the first sheet, a cover, is refused: " .. tostring(msg2))
  local r3, msg3 = s:import(xp, { sheet = "Nope" })
  T.ok(not r3 and msg3:find("no sheet 'Nope' %(the sheets are 'Cover', 'Data'%)"), "an unknown sheet names the sheets")
end

-- ---- bad input: clear errors, the store unchanged ---------------------------------------
do
  local s = fresh()
  local before = count(s)
  -- a recipe with an error: FILE:LINE
  local rp = write("bad_recipe.lua", 'recipe "bad"\ncolumns { area = "a" }\nmissing { NA = "gone" }\n')
  local r, msg = import(s, rp, FIX .. "recycling.csv")
  T.ok(not r and msg:find("bad_recipe%.lua:3: missing: 'NA' must be one of"), "a recipe's error names FILE:LINE: " .. tostring(msg))
  -- a marker the recipe does not know: file:line:column, and the markers it does
  local p = write("marker.csv", "area_code,area_name,period,indicator,measure,unit,value\n" ..
                  "E07000223,Adur,2015/16,Waste Reused/Recycled/Composted,Proportion,Percent,[c]\n")
  local r2, msg2 = import(s, "defra_recycling", p)
  T.ok(not r2 and msg2:find("marker%.csv:2:7: column 'value': '%[c%]' is not a number, nor a missing%-value marker")
       and msg2:find("'NA' %(missing%)"), "unknown marker: file:line:column and the known ones: " .. tostring(msg2))
  -- an unknown area name: did you mean
  local rp2 = write("names.lua", 'recipe "names"\ncolumns { area = "name", period = "year", value = "v" }\n' ..
                    'constant { metric = "population_all" }\nareas { by = "name" }\n')
  local p2 = write("names.csv", "name,year,v\nDudly,2023,5\n")
  local r3, msg3 = import(s, rp2, p2, { period_type = "calendar" })
  T.ok(not r3 and msg3:find("names%.csv:2:1:") and msg3:find("did you mean 'Dudley'"), "unknown area: did you mean: " .. tostring(msg3))
  -- a corrupt workbook
  local xp = write("corrupt.xlsx", "PK\3\4 this is not a zip")
  local r4, msg4 = import(s, "defra_flytipping_xlsx", xp)
  T.ok(not r4 and msg4:find("corrupt%.xlsx") and msg4:find("not an xlsx workbook"), "corrupt xlsx: " .. tostring(msg4))
  -- a file with one bad row among good ones is refused whole
  local p3 = write("half.csv", "area_code,area_name,period,indicator,measure,unit,value\n" ..
                   "E07000223,Adur,2015/16,Waste Reused/Recycled/Composted,Proportion,Percent,32\n" ..
                   "E07000223,Adur,2016/17,Waste Reused/Recycled/Composted,Proportion,Percent,x\n")
  T.ok(not import(s, "defra_recycling", p3), "a bad row refuses the file")
  T.eq(count(s), before, "bad input leaves the store unchanged")
  -- an unknown recipe name lists the shipped ones
  local r5, msg5 = import(s, "no_such_recipe", p3)
  T.ok(not r5 and msg5:find("no recipe 'no_such_recipe'") and msg5:find("defra_recycling"), "unknown recipe: " .. tostring(msg5))
end

-- ---- value transforms: the figure read once, as written -------------------------------------
do
  local s = fresh()
  local rp = write("tx.lua", 'recipe "transforms"\ncolumns { area = "area_code", period = "period", value = "rate" }\n' ..
                   'constant { metric = "household_waste_recycled_pct" }\nmissing { ["n/a"] = "missing" }\n' ..
                   'value { thousands = true, percent = true }\nyear_type "financial"\n')
  local cp = write("tx.csv", 'area_code,period,rate\nE08000027,2021/22,"1,234.5%"\nE08000028,2021/22,-2000.25\n' ..
                   'E08000029,2021/22,38.125%\nE08000030,2021/22,n/a\nE08000031,2021/22,"12,345,678"\n')
  local r, msg = import(s, rp, cp)
  T.ok(r and r.new == 4 and r.skipped_by.missing == 1, "transforms: four figures, one missing: " .. tostring(msg))
  T.eq({ s:get("household_waste_recycled_pct", "E08000027", "2021/22"),
         s:get("household_waste_recycled_pct", "E08000028", "2021/22"),
         s:get("household_waste_recycled_pct", "E08000029", "2021/22"),
         (s:get("household_waste_recycled_pct", "E08000031", "2021/22")) },
       { 1234.5, -2000.25, 38.125, 12345678 }, "transforms: separators and % stripped, each figure exact")
  local bp = write("txbad.csv", 'area_code,period,rate\nE08000027,2021/22,"1,23x"\n')
  local before = count(s)
  local r2, msg2 = import(s, rp, bp)
  T.ok(not r2 and msg2:find("txbad%.csv:2:3: column 'rate': '1,23x' is not a number, nor a missing%-value marker"),
       "transforms: a value that is not a number names the file, line and column: " .. tostring(msg2))
  T.eq(count(s), before, "transforms: the bad file leaves the store unchanged")
end

-- ---- the row function (the odd case) ----------------------------------------------------
do
  local s = fresh()
  local r, msg = import(s, FIX .. "rowfn.lua", FIX .. "rowfn.csv")
  T.ok(r, "row function: the file imports: " .. tostring(msg))
  T.eq({ r and r.rows, r and r.skipped, r and r.skipped_by.row_function }, { 4, 1, 1 },
       "row function: 4 figures, the withdrawn one skipped by the row function")
  T.near(s:get("household_waste_recycled_pct", "E08000028", "2023/24"), 38.5,
         "row function: the fraction is fixed to a percent")
  T.eq(s:get("household_waste_recycled_pct", "E08000027", "2023/24"), 41.5, "row function: other rows as given")
  T.eq(s:get("household_waste_recycled_pct", "E08000027", "2022/23"), nil, "row function: the skipped row is not stored")
  T.ok(require("pmf.import").describe(r):find("1 by the row function", 1, true),
       "row function: the summary counts what it skipped: " .. require("pmf.import").describe(r))

  local function recipe_with(name, body)
    return write(name, 'recipe "odd"\ncolumns { area = "area_code", period = "period", value = "rate" }\n' ..
                 'constant { metric = "household_waste_recycled_pct" }\nignore "*"\nyear_type "financial"\n' .. body)
  end
  local before = count(s)
  -- an error raised refuses the row: the data file:line:column and the recipe's file:line
  local rp = recipe_with("raises.lua", 'row(function(r)\n  if r.note == "fraction" then error("a fraction: " .. r.rate) end\n  return r\nend)\n')
  local r2, msg2 = import(s, rp, FIX .. "rowfn.csv")
  T.ok(not r2 and msg2:find("rowfn%.csv:3:4: column 'rate': [^\n]*raises%.lua:7: a fraction: 0%.385"),
       "row function raises: the row refused with file:line:column and the recipe's line: " .. tostring(msg2))
  T.eq(count(s), before, "row function raises: the store unchanged")
  -- with --skip-bad the row goes to the rejects file, the others in
  local rej = T.tmpname("rejects.csv")
  local r3, msg3 = import(fresh(), rp, FIX .. "rowfn.csv", { skip_bad = rej })
  T.ok(r3 and r3.refused == 1 and r3.new == 4 and not r3.rejects_error, "row function raises, --skip-bad: one row refused: " .. tostring(msg3))
  local f = io.open(rej, "rb")
  local rtext = f and f:read("a") or ""
  if f then f:close() end
  T.ok(rtext:find("raises.lua:7: a fraction", 1, true), "row function raises, --skip-bad: the reason in the rejects file")
  -- a row that is not a function: the recipe's own line
  local spec, serr = R.read(recipe_with("notfn.lua", "row(42)\n"))
  T.ok(not spec and serr:find("notfn%.lua:6: row%(function%(r%) ... return r end%) expected"),
       "row(42) is an error at the recipe's line: " .. tostring(serr))
  -- a bad return
  local rp4 = recipe_with("returns.lua", 'row(function(r) return 42 end)\n')
  local r4, msg4 = import(s, rp4, FIX .. "rowfn.csv")
  T.ok(not r4 and msg4:find("must return the row %(a table%) or nil, not number"), "row function returns a number: " .. tostring(msg4))

  -- a runaway function stops the import (the store unchanged), a pcall inside it or not
  local s2 = fresh()
  local lim = pmf.sandbox.limits()
  pmf.sandbox.limits { instructions = 200000, seconds = 5 }
  local before2 = count(s2)
  local loops = {
    { "loop.lua", "row(function(r)\n  while true do end\nend)\n" },
    { "pcall_loop.lua", "row(function(r)\n  while true do pcall(function() while true do end end) end\nend)\n" },
  }
  for _, l in ipairs(loops) do
    local lp = recipe_with(l[1], l[2])
    local r5, msg5 = import(s2, lp, FIX .. "rowfn.csv", { skip_bad = T.tmpname("rej2.csv") })
    T.ok(not r5 and msg5:find("row function was stopped: [^\n]*" .. l[1]:gsub("%.", "%%.") .. ":%d+: instruction limit exceeded"),
         l[1] .. ": stopped by the limit, naming the recipe file and line: " .. tostring(msg5))
    T.eq(count(s2), before2, l[1] .. ": the store unchanged")
  end
  -- every per-call limit holds on the row function's lean entry: memory and time too
  local other = {
    { "mem.lua", "row(function(r)\n  local t = {}\n  for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end\nend)\n",
      { memory = 4 * 1024 * 1024, instructions = 1e12, seconds = 30 }, "memory limit exceeded" },
    { "pcall_mem.lua", "row(function(r)\n  local t = {}\n  while true do pcall(function() t[#t + 1] = string.rep('y', 4096) end) end\nend)\n",
      { memory = 4 * 1024 * 1024, instructions = 1e12, seconds = 30 }, "memory limit exceeded" },
    { "slow.lua", "row(function(r)\n  while true do end\nend)\n",
      { seconds = 0.2, instructions = 1e15 }, "time limit exceeded" },
  }
  for _, l in ipairs(other) do
    pmf.sandbox.limits(l[3])
    local lp = recipe_with(l[1], l[2])
    local r5, msg5 = import(s2, lp, FIX .. "rowfn.csv")
    T.ok(not r5 and msg5:find("row function was stopped: [^\n]*" .. l[1]:gsub("%.", "%%.") .. ":%d+: " .. l[4]),
         l[1] .. ": stopped by the " .. l[4]:match("^%a+") .. " limit, naming the recipe file and line: " .. tostring(msg5))
    T.eq(count(s2), before2, l[1] .. ": the store unchanged")
  end
  pmf.sandbox.limits { instructions = 200000, seconds = 5 }
  -- ONE budget for the whole import: each row's work (some 8,000 instructions) is far below
  -- the limit, the total is not
  local many = { "area_code,period,rate" }
  for i = 1, 400 do many[#many + 1] = string.format("E08000027,%d/%02d,%d", 1600 + i, (i + 1) % 100, i % 90) end
  local mp = write("many.csv", table.concat(many, "\n") .. "\n")
  local bp = recipe_with("busy.lua", "row(function(r)\n  local n = 0\n  for i = 1, 2000 do n = n + i end\n  return r\nend)\n")
  local r6, msg6 = import(s2, bp, mp)
  T.ok(not r6 and msg6:find("busy%.lua:%d+: instruction limit exceeded"),
       "row function: one budget for the whole import, not one per row: " .. tostring(msg6))
  T.eq(count(s2), before2, "row function: the budget spent, the store unchanged")
  pmf.sandbox.limits(lim)
  local r7 = import(s2, bp, FIX .. "rowfn.csv")
  T.ok(r7 and r7.new == 5, "row function: a fresh budget for the next import")
end

-- every shipped recipe checks
for _, n in ipairs(R.list()) do
  local spec, err = R.read(RECIPES .. n .. ".lua")
  T.ok(spec, "shipped recipe " .. n .. " checks: " .. tostring(err))
end
T.ok(#R.list() >= 11, "the shipped recipes are listed")

T.done("recipe_test")
