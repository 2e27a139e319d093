-- tests/lua/import_gaps_test.lua: what a new user hit importing real files (issue #12's
-- audit): an area name that only the row's period settles, the publishers' (Rev), (OT) and
-- (Final) suffixes, targets, commentary, actions and risks from a workbook, error messages
-- naming the file's own columns, every bad field of a row reported, and the small things
-- (a refused import creates no store, "1 row").
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local here = arg[0]:match("^(.-)[^/]*$")
local ROOT = here .. "../../"
local FIX = here .. "../fixtures/recipes/"
local RECIPES = ROOT .. "frameworks/recipes/"
local function write(text, suffix) return T.write_tmp(suffix, text) end

local fresh = T.public_store   -- the catalogue and the public recipes' metrics

local function count(s, where)   -- figures stored (where: a condition on them)
  return T.count(s, "observation" .. (where and (" WHERE " .. where) or ""))
end

local function code_of(s, metric)   -- the area codes a metric's figures are stored under
  local out = {}
  for _, r in ipairs(s:query("SELECT DISTINCT a.code AS code FROM observation o JOIN area a ON " ..
                             "a.id = o.area JOIN metric m ON m.id = o.metric WHERE m.code = ? " ..
                             "ORDER BY a.code", metric)) do
    out[#out + 1] = r.code
  end
  return out
end

-- ---- 1. an ambiguous name is resolved as at the row's period --------------------------
do
  local s = fresh()
  local recipe = write([[
recipe "Quarterly fly-tipping by name"
columns { area = "Authority", period = "Quarter", value = "Incidents" }
constant { metric = "fly_tipping_incidents" }
areas { by = "name" }
]], ".lua")
  local csv = write([[
Authority,Quarter,Incidents
Buckinghamshire,April to June 2019 (Q1),120
Buckinghamshire,April to June 2021 (Q1),140
Perth & Kinross,April to June 2023 (Q1),30
Perth & Kinross,April to June 2016 (Q1),25
]], ".csv")
  local r, msg, errs = s:import(csv, { recipe = recipe })
  T.ok(r, "names settled by the row's period import: " .. tostring(msg) .. " " ..
       table.concat(errs or {}, " / "))
  T.eq(code_of(s, "fly_tipping_incidents"), { "E06000060", "E10000002", "S12000024", "S12000048" },
       "each row under the area that existed during its period")
  T.eq(s:get("fly_tipping_incidents", "E10000002", "2019/20 Q1"), 120, "Buckinghamshire 2019: the county")
  T.eq(s:get("fly_tipping_incidents", "E06000060", "2021/22 Q1"), 140, "Buckinghamshire 2021: the unitary")
  T.eq(s:get("fly_tipping_incidents", "S12000048", "2023/24 Q1"), 30, "Perth & Kinross 2023: the new code")
  T.eq(s:get("fly_tipping_incidents", "S12000024", "2016/17 Q1"), 25, "Perth & Kinross 2016: the old code")

  -- a period both existed in does not settle it: an error naming both, the store unchanged
  local s2 = fresh()
  local csv2 = write("Authority,Quarter,Incidents\nBuckinghamshire,January to December 2020,9\n", ".csv")
  local r2, msg2 = s2:import(csv2, { recipe = recipe, period_type = "calendar" })
  T.ok(not r2, "a period spanning both areas is refused")
  T.ok(tostring(msg2):find("E10000002", 1, true) and tostring(msg2):find("E06000060", 1, true),
       "the error names both areas: " .. tostring(msg2))
  T.ok(tostring(msg2):find(":2:1: column 'Authority'", 1, true), "it names the line and the file's column: " .. tostring(msg2))
  T.eq(count(s2), 0, "nothing imported")

  -- the Lua API gives the same answers
  T.eq(s:resolve_area("Perth & Kinross", { at = "2023/24 Q1" }), "S12000048", "resolve_area: P&K 2023")
  T.eq(s:resolve_area("Buckinghamshire", { at = "2019/20" }), "E10000002", "resolve_area: the county in 2019/20")
end

-- ---- 2. (Rev) is stored as a revised figure; (OT) and (Final) are final ----------------
do
  local s = fresh()
  local csv = write([[
metric,area,period,value
fly_tipping_incidents,E08000027,2023 (Rev),10
fly_tipping_incidents,E08000028,2023 (OT),11
fly_tipping_incidents,E08000029,2023 (Final),12
fly_tipping_incidents,E08000030,2023 (prov),13
]], ".csv")
  local r, msg = s:import(csv, { period_type = "financial" })
  T.ok(r, "suffixed labels import: " .. tostring(msg))
  local h = s:history("fly_tipping_incidents", "E08000027", "2022/23")
  T.eq(h[1] and h[1].flags, { "revised" }, "(Rev): the figure is flagged revised")
  T.eq(s:history("fly_tipping_incidents", "E08000028", "2022/23")[1].flags, {}, "(OT): an outturn, no flag")
  T.eq(s:history("fly_tipping_incidents", "E08000029", "2022/23")[1].flags, {}, "(Final): final, no flag")
  T.eq(s:history("fly_tipping_incidents", "E08000030", "2022/23")[1].flags, { "provisional" }, "(prov) as before")
  -- the flag column takes the word too, and a final label contradicting 'provisional' is refused
  local csv2 = write("metric,area,period,value,flag\nfly_tipping_incidents,E08000031,2023/24,5,revised\n", ".csv")
  T.ok(s:import(csv2), "'revised' is a flag word")
  T.eq(s:history("fly_tipping_incidents", "E08000031", "2023/24")[1].flags, { "revised" }, "flag column: revised")
  local csv3 = write("metric,area,period,value,flag\nfly_tipping_incidents,E08000031,2024 (Final),5,provisional\n", ".csv")
  local r3, msg3 = s:import(csv3, { period_type = "financial" })
  T.ok(not r3 and tostring(msg3):find("final", 1, true), "(Final) with flag provisional is refused: " .. tostring(msg3))

  -- the LAIT recipe's (Rev) rows come in flagged revised
  local l = fresh()
  assert(pmf.framework.load(l, RECIPES .. "dfe_lait_metrics.lua"))
  local lr, lmsg = l:import(FIX .. "bds_long_westmids.csv", { recipe = "dfe_lait" })
  T.ok(lr, "LAIT imports: " .. tostring(lmsg))
  local nrev = 0
  for line in io.lines(FIX .. "bds_long_westmids.csv") do if line:find("(Rev)", 1, true) then nrev = nrev + 1 end end
  T.ok(nrev > 0, "the LAIT cut has (Rev) rows")
  T.eq(count(l, "flags & 256 = 256"), nrev, "LAIT: every (Rev) row is stored revised")
end

-- ---- 3. targets, commentary, actions and risks from a workbook ----------------------------
do
  local IFIX = here .. "../fixtures/import/"
  local function book(sheets)   -- sheets: { {name=, header={...}, rows={{...}}} }
    local p = T.tmpname(".xlsx")
    local spec = { sheets = {} }
    for _, sh in ipairs(sheets) do
      local cols = {}
      for i, h in ipairs(sh.header) do cols[i] = { title = h } end
      spec.sheets[#spec.sheets + 1] = { name = sh.name, rows = sh.rows, columns = cols }
    end
    assert(pmf.xlsx.write(p, spec))
    return p
  end
  local s = assert(pmf.open(":memory:"))
  assert(pmf.framework.load(s, IFIX .. "importables_fw.lua"))
  local t2 = book({ { name = "Targets", header = { "framework", "kpi", "area", "period", "value", "note" },
                      rows = { { "imp", "K1", "E08000027", "2025/26", 46.5, "Cabinet" },
                               { "imp", "K2", "E08000027", "2025/26 Q1", 40, "" } } } })
  local r, msg = s:import(t2)
  T.ok(r, "a workbook of targets imports, its kind from its header: " .. tostring(msg))
  T.eq(r and { r.kind, r.rows, r.new }, { "targets", 2, 2 }, "targets from xlsx: counts")
  T.eq(s:stored_target("imp", "K1", "E08000027", "2025/26"), 46.5, "targets from xlsx: the value")
  r, msg = s:import(t2, { kind = "targets" })
  T.ok(r and r.unchanged == 2, "--kind targets: the same workbook again changes nothing: " .. tostring(msg))

  local multi = book({
    { name = "Cover", header = { "about" }, rows = { { "Quarter 1 return" } } },
    { name = "Comments", header = { "framework", "kpi", "period", "text", "author" },
      rows = { { "imp", "K1", "2025/26 Q1", "Fell after the strike.", "Jo" } } },
    { name = "Actions", header = { "framework", "action", "status", "date", "progress" },
      rows = { { "imp", "A1", "on_track", "2025-06-30", 25 } } },
    { name = "Risks", header = { "framework", "risk", "likelihood", "impact", "date" },
      rows = { { "imp", "R1", 3, 4, "2025-06-30" } } } })
  r, msg = s:import(multi, { sheet = "Comments" })
  T.ok(r and r.kind == "commentary" and r.new == 1, "commentary from a named sheet: " .. tostring(msg))
  T.eq((s:commentary("imp", "K1", "2025/26 Q1")), "Fell after the strike.", "commentary from xlsx: the text")
  r, msg = s:import(multi, { sheet = "Actions" })
  T.ok(r and r.kind == "actions" and r.new == 1, "actions from xlsx: " .. tostring(msg))
  r, msg = s:import(multi, { sheet = "Risks" })
  T.ok(r and r.kind == "risks" and r.new == 1, "risks from xlsx: " .. tostring(msg))

  -- the same all-or-nothing rules and messages: sheet, row and column named
  local before = T.count(s, "target")
  local bad = book({ { name = "Targets", header = { "framework", "kpi", "area", "period", "value" },
                       rows = { { "imp", "K1", "E08000027", "2026/27", 50 },
                                { "imp", "NOPE", "E08000027", "2026/27", 50 } } } })
  local r2, msg2 = s:import(bad)
  T.ok(not r2, "a bad row refuses the workbook")
  T.ok(tostring(msg2):find("sheet 'Targets'", 1, true) and tostring(msg2):find(":3:2: column 'kpi'", 1, true),
       "the message names the sheet, row and column: " .. tostring(msg2))
  T.eq(T.count(s, "target"), before, "nothing imported from it")
end

-- ---- 4. errors name the file's own column (and its number) -----------------------------
do
  local s = fresh()
  local csv = write([[
LA Name,ONS Code,Year,Total Incidents
Dudley,E0800027,2023-24,10
Sandwell,E08000028,2023-2x,11
Walsall,E08000030,2023-24,
]], ".csv")
  local r, msg, errs = s:import(csv, { metric = "fly_tipping_incidents",
    map = { "ONS Code=area", "Year=period", "Total Incidents=value", "LA Name=ignore" },
    period_type = "financial" })
  T.ok(not r, "a mapped file with bad rows is refused")
  local all = table.concat(errs or {}, "\n")
  T.ok(all:find(":2:2: column 'ONS Code': unknown area 'E0800027'", 1, true), "an unknown code names 'ONS Code': " .. all)
  T.ok(all:find(":3:3: column 'Year': period \"2023-2x\"", 1, true), "a bad period names 'Year': " .. all)
  T.ok(all:find(":4:4: column 'Total Incidents' is empty", 1, true), "an empty value names 'Total Incidents': " .. all)
  T.ok(not all:find("column 'area'", 1, true) and not all:find("column 'period'", 1, true),
       "no message names pmf's field instead of the file's column")

  -- a wide file: the period is the header cell, and its column is named
  local recipe = write([[
recipe "wide"
columns { area = "code" }
constant { metric = "fly_tipping_incidents" }
layout "wide_periods"
]], ".lua")
  local wide = write("code,2009-10,2010-11\nE08000027,5,6\n", ".csv")
  local r2, _, errs2 = s:import(wide, { recipe = recipe })
  T.ok(not r2, "an ambiguous header period is refused")
  local all2 = table.concat(errs2 or {}, "\n")
  T.ok(all2:find(":2:3: column '2010-11': period \"2010-11\" is ambiguous", 1, true),
       "it names the header cell's column and number: " .. all2)
end

-- ---- 5. every bad field of a row is reported (one refused row) ---------------------------
do
  local s = fresh()
  local recipe = write([[
recipe "Contractor's quarterly waste return"
columns { area = "Authority", period = "Quarter", metric = "Measure", value = "Result" }
ignore { "Comment" }
measures { ["Kerbside recycling rate"] = "household_waste_recycled_pct" }
missing { ["n/a"] = "missing" }
value { percent = true }
areas { by = "name", skip = { "region" } }
]], ".lua")
  local csv = write([[
Authority,Quarter,Measure,Result,Comment
Coventy,April to June 2025 (Q1),Kerbside recycling rate,n.a.,
Coventry,Apri to June 2025,Bins emptied,x,
Coventry,April to June 2025 (Q1),Kerbside recycling rate,41.2%,
]], ".csv")
  local r, _, errs = s:import(csv, { recipe = recipe })
  T.ok(not r, "a file with bad rows is refused")
  local all = table.concat(errs or {}, "\n")
  T.ok(all:find(":2:1: column 'Authority': unknown area 'Coventy'", 1, true), "row 2: the area: " .. all)
  T.ok(all:find(":2:4: column 'Result': 'n.a.' is not a number", 1, true), "row 2: and the value: " .. all)
  T.ok(all:find(":3:2: column 'Quarter': period \"Apri to June 2025\"", 1, true), "row 3: the period: " .. all)
  T.ok(all:find(":3:3: column 'Measure': measure 'Bins emptied'", 1, true), "row 3: the measure: " .. all)
  T.ok(all:find(":3:4: column 'Result': 'x' is not a number", 1, true), "row 3: and the value: " .. all)
  T.eq(errs and errs.total, 5, "five errors counted")
  local r2, _, errs2 = s:import(csv, { recipe = recipe, max_errors = 2 })
  T.ok(not r2 and #errs2 == 2 and errs2.total == 5, "--max-errors keeps 2 and counts every error")
  -- --skip-bad: each bad row refused once, its reason naming every bad field
  local rej = T.tmpname(".csv")
  local r3, m3 = s:import(csv, { recipe = recipe, skip_bad = rej })
  T.ok(r3 and r3.refused == 2 and r3.new == 1, "--skip-bad: 2 rows refused, 1 imported: " .. tostring(m3))
  local f = io.open(rej, "rb")
  local text = f and f:read("a") or ""
  if f then f:close() end
  T.ok(text:find("unknown area 'Coventy'", 1, true) and text:find("'n.a.' is not a number", 1, true),
       "the rejects file's reason names both bad fields: " .. text)
  os.remove(rej)
end

T.done("import_gaps")
