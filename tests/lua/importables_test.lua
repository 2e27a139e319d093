-- tests/lua/importables_test.lua: importing targets, commentary, action updates and risk
-- assessments (pmf.import with their headers), --skip-bad for every kind, `pmf load --at`.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local import = require "pmf.import"

local here = arg[0]:match("^(.-)[^/]*$")
local FIX = here .. "../fixtures/import/"

local function fresh()
  local s = assert(pmf.open(":memory:"))
  assert(pmf.framework.load(s, FIX .. "importables_fw.lua"))
  return s
end

local count = T.count

local write = T.write_tmp

local function read(path)
  local f = assert(io.open(path, "rb"))
  local t = f:read("a")
  f:close()
  return t
end

-- Everything the importables write, and the batches: "the store is unchanged" compares these.
local function state(s)
  return { count(s, "target"), count(s, "commentary"), count(s, "action_update"),
           count(s, "risk_assessment"), count(s, "batch"), count(s, "audit") }
end

-- ---- each kind imports, recognised by its header ------------------------------------------
do
  local s = fresh()
  local r, msg = s:import(FIX .. "targets.csv", { by = "analyst" })
  T.ok(r, "targets import: " .. tostring(msg))
  T.eq({ r.kind, r.rows, r.new, r.revised, r.unchanged }, { "targets", 3, 3, 0, 0 }, "targets: counts")
  T.eq(s:stored_target("imp", "K1", "E08000027", "2025/26"), 46.5, "targets: the value is stored")
  T.eq(s:query("SELECT note FROM target WHERE area = ?", s:area_id("E08000030"))[1].note, nil,
       "targets: an empty note is no note")
  T.eq(s:query("SELECT kind, recorded_by FROM batch WHERE id = ?", r.batch)[1],
       { kind = "import", recorded_by = "analyst" }, "targets: one batch, by whom")
  T.ok(import.describe(r):match("targets%.csv: 3 targets: 3 new, 0 revised, 0 unchanged %(batch %d+%)$"),
       "targets: the summary line: " .. import.describe(r))

  r, msg = s:import(FIX .. "commentary.csv", { by = "analyst" })
  T.ok(r, "commentary imports: " .. tostring(msg))
  T.eq({ r.kind, r.new }, { "commentary", 2 }, "commentary: counts")
  local text, info = s:commentary("imp", "K1", "2025/26 Q1")
  T.eq({ text, info and info.by, info and info.recorded_by },
       { "Recycling fell after the bin strike, recovering in June.", "Jo Bloggs", "analyst" },
       "commentary: the text and its author (the batch keeps who imported it)")
  T.eq((s:commentary("imp", "K2", "2025/26 Q1", "E08000027")), "Ward-level dip in Bilston.",
       "commentary: for one area")

  r, msg = s:import(FIX .. "actions.csv")
  T.ok(r, "actions import: " .. tostring(msg))
  T.eq({ r.kind, r.new }, { "actions", 3 }, "actions: counts")
  local st = s:action_status("imp", "A1")
  T.eq({ st.status, st.progress, st.date, st.note }, { "at_risk", 40.0, "2025-09-30", "Supplier delay" },
       "actions: the latest update")
  T.eq(s:action_status("imp", "A1", "2025-07-01").status, "on_track", "actions: an earlier date's")
  T.eq(s:action_status("imp", "A1#1").status, "complete", "actions: a milestone named by title is A1#1")

  r, msg = s:import(FIX .. "risks.csv")
  T.ok(r, "risks import: " .. tostring(msg))
  T.eq({ r.kind, r.new }, { "risks", 2 }, "risks: counts")
  local rk = s:risk_status("imp", "R1")
  T.eq({ rk.likelihood, rk.impact, rk.score, rk.date }, { 4, 4, 16, "2025-09-30" }, "risks: the latest")

  -- every file again: nothing changes
  local before = state(s)
  for _, f in ipairs({ "targets.csv", "commentary.csv", "actions.csv", "risks.csv" }) do
    local again = assert(s:import(FIX .. f))
    T.eq({ again.new, again.revised, again.unchanged }, { 0, 0, again.rows }, f .. " again: all unchanged")
  end
  local after = state(s)
  T.eq({ after[1], after[2], after[3], after[4] }, { before[1], before[2], before[3], before[4] },
       "re-importing wrote no rows")

  -- a changed value is a revision; the old version is kept
  local p = write(".csv", "framework,kpi,area,period,value,note\nimp,K1,E08000027,2025/26,47,Cabinet March 2025\n")
  r = assert(s:import(p))
  T.eq({ r.new, r.revised }, { 0, 1 }, "targets: a different value is revised")
  T.eq(s:stored_target("imp", "K1", "E08000027", "2025/26"), 47, "targets: the new value is in force")
  T.eq(count(s, "target WHERE kpi = 'K1' AND area = " .. s:area_id("E08000027")), 2, "targets: the old one kept")

  -- JSON, recognised by its first item's fields
  r, msg = s:import(FIX .. "targets.json")
  T.ok(r and r.kind == "targets" and r.new == 2, "targets from JSON: " .. tostring(msg))
  T.eq(s:stored_target("imp", "K1", "E08000030", "2026/27"), 45.5, "JSON: the value is stored")

  -- dry run
  before = state(s)
  p = write(".csv", "framework,kpi,area,period,value\nimp,K2,E08000030,2026/27,50\n")
  r = assert(s:import(p, { dry_run = true }))
  T.eq({ r.new, r.dry_run, r.batch }, { 1, true, nil }, "dry run: counted")
  T.eq(state(s), before, "dry run: nothing written")
end

-- ---- bad rows: the file refused whole, every error named, the store unchanged -------------
do
  local s = fresh()
  local before = state(s)
  local function refused(file, want, descr)
    local r, msg, errs = s:import(FIX .. file)
    T.ok(not r, descr .. ": refused")
    errs = errs or {}
    T.eq(errs.total, #want, descr .. ": every error counted")
    for i, w in ipairs(want) do
      T.ok((errs[i] or ""):find(w, 1, true), descr .. ": " .. w .. " (got " .. tostring(errs[i]) .. ")")
    end
    T.eq(state(s), before, descr .. ": the store is unchanged")
    return msg
  end
  local F = FIX
  refused("targets_bad.csv", {
    F .. "targets_bad.csv:3:2: column 'kpi': framework imp has no KPI 'K9'",
    F .. "targets_bad.csv:4:1: column 'framework': unknown framework 'nope'",
    F .. "targets_bad.csv:5:3: column 'area': unknown area 'E99999999'",
    F .. "targets_bad.csv:6:4: column 'period': period \"2025/13\"",
    F .. "targets_bad.csv:7:5: column 'value': 'n/a' is not a number",
    F .. "targets_bad.csv:8: duplicate: the target for imp K1, area E08000027, period 2025/26 is also on line 2",
  }, "targets")
  refused("commentary_bad.csv", {
    F .. "commentary_bad.csv:3:3: column 'period': period \"2025/26 Q5\"",
    F .. "commentary_bad.csv:4:4: column 'text': the commentary text is required",
    F .. "commentary_bad.csv:5:6: column 'area': unknown area 'E99999999'",
  }, "commentary")
  refused("actions_bad.csv", {
    F .. "actions_bad.csv:3:2: column 'action': framework imp has no action 'A9'",
    F .. "actions_bad.csv:4:3: column 'status': 'sideways' is not a status",
    F .. "actions_bad.csv:5:4: column 'progress': '250' is not a percentage 0-100",
    F .. "actions_bad.csv:6:5: column 'date': '2025-02-30' is not a date YYYY-MM-DD",
    F .. "actions_bad.csv:7:7: column 'milestone': action A1 has no milestone 'Launch party'",
  }, "actions")
  refused("risks_bad.csv", {
    F .. "risks_bad.csv:3:2: column 'risk': framework imp has no risk 'R9'",
    F .. "risks_bad.csv:4:3: column 'likelihood': '6' is not a whole number 1-5",
    F .. "risks_bad.csv:5:4: column 'impact': '2.5' is not a whole number 1-5",
  }, "risks")

  -- --max-errors: so many messages kept, all counted
  local r0, _, e0 = s:import(FIX .. "targets_bad.csv", { max_errors = 2 })
  T.eq({ r0, #e0, e0.total }, { nil, 2, 6 }, "max_errors: 2 messages kept, 6 counted")

  -- JSON items: named by number
  local j = write(".json", '[{"framework":"imp","kpi":"K1","area":"E08000027","period":"2025/26","value":"x"}]')
  local rj, _, ej = s:import(j)
  T.ok(not rj and (ej[1] or ""):find(j .. ": item 1: field 'value': 'x' is not a number", 1, true),
       "JSON: the item and field named: " .. tostring(ej and ej[1]))

  -- text: NUL bytes and invalid UTF-8, by the C check, named by column
  local p = write(".csv", "framework,kpi,period,text\nimp,K1,2025/26 Q1,bad\0text\nimp,K1,2025/26 Q2,caf\xe9\n")
  local r, _, errs = s:import(p)
  T.ok(not r, "text: refused")
  T.ok((errs[1] or ""):find(p .. ":2:4: column 'text': 'bad\\x00text' contains a NUL byte (byte 4)", 1, true),
       "text: a NUL byte, shown as \\x00: " .. tostring(errs[1]))
  T.ok((errs[2] or ""):find(p .. ":3:4: column 'text': 'caf\\xE9' contains", 1, true),
       "text: invalid UTF-8, shown as \\xNN: " .. tostring(errs[2]))
  T.eq(state(s), before, "text: the store is unchanged")

  -- the header: an unknown column, a missing one; --kind that does not fit
  p = write(".csv", "framework,kpi,area,period,value,colour\nimp,K1,E08000027,2025/26,1,red\n")
  r, _, errs = s:import(p)
  T.ok(not r and (errs[1] or ""):find(p .. ":1:6: unknown column 'colour' for targets", 1, true),
       "an unknown column is named with its number: " .. tostring(errs and errs[1]))
  r, _, errs = s:import(FIX .. "commentary.csv", { kind = "targets" })
  T.ok(not r and table.concat(errs, "\n"):find(":1: missing column 'value' for targets", 1, true),
       "--kind targets on a commentary file: the missing columns: " .. table.concat(errs or {}, " | "))
  T.err(function() s:import(FIX .. "targets.csv", { kind = "budgets" }) end, "kind must be",
        "an unknown kind is misuse")
  T.eq(state(s), before, "header errors: the store is unchanged")
end

-- ---- signed-off periods refuse targets and commentary ----------------------------------------
do
  local s = fresh()
  s:signoff("imp", "2025/26 Q1", { by = "chief" })
  local before = state(s)
  local r, _, errs = s:import(FIX .. "commentary.csv")
  T.ok(not r, "commentary for a signed-off quarter is refused")
  T.ok((errs[1] or ""):find(":2:3: column 'period': 2025/26 Q1 is signed off by framework imp", 1, true),
       "naming the period and the framework: " .. tostring(errs and errs[1]))
  local p = write(".csv", "framework,kpi,area,period,value\nimp,K1,E08000027,2025-05,40\n")
  r, _, errs = s:import(p)
  T.ok(not r and (errs[1] or ""):find("2025-05 is signed off by framework imp (2025/26 Q1)", 1, true),
       "a target for a month inside a signed-off quarter is refused: " .. tostring(errs and errs[1]))
  T.eq(state(s), before, "signed off: the store is unchanged")
  s:reopen("imp", "2025/26 Q1", { reason = "late return" })
  T.ok(s:import(p), "after reopening, the target imports")
end

-- ---- any grid of text is a row source (as an XLSX sheet's reader will be) ----------------------
do
  local s = fresh()
  local grid = { { "Framework", "KPI", "Area", "Period", "Value" },
                 { "imp", "K1", "E08000027", "2025/26", "44" },
                 { "imp", "K1", "E08000030", "2025/26", "lots" } }
  local function rows()
    local i = 0
    return { next = function() i = i + 1; if grid[i] then return i, grid[i] end end, close = function() end }
  end
  local r, _, errs = import.import_grid(s, "sheet1", rows(), "targets")
  T.ok(not r and (errs[1] or ""):find("sheet1:3:5: column 'value': 'lots' is not a number", 1, true),
       "a grid's bad cell is named like a CSV's: " .. tostring(errs and errs[1]))
  T.eq(count(s, "target"), 0, "and nothing is written")
  grid[3][5] = "43"
  r = assert(import.import_grid(s, "sheet1", rows(), "targets"))
  T.eq({ r.new, s:stored_target("imp", "K1", "E08000030", "2025/26") }, { 2, 43 }, "a good grid imports")
end

-- ---- periods are read with the framework's year start -----------------------------------------
do
  local s = fresh()
  local src = read(FIX .. "importables_fw.lua")
  local cal = write(".lua", (src:gsub('framework "imp"', 'framework "cal"'):gsub('year_start = "April"', 'year_start = "January"')))
  assert(pmf.framework.load(s, cal))
  local p = write(".csv", "framework,kpi,area,period,value\ncal,K1,E08000027,2025 Q1,40\nimp,K1,E08000027,2025/26 Q1,41\n")
  local r, msg = s:import(p)
  T.ok(r and r.new == 2, "a calendar-year and a financial-year framework in one file: " .. tostring(msg))
  T.eq(s:query("SELECT start FROM target WHERE framework = 'cal'")[1].start, pmf.period.parse("2025-01").start,
       "the January framework's 2025 Q1 starts in January")
  T.eq(s:query("SELECT start FROM target WHERE framework = 'imp'")[1].start, pmf.period.parse("2025-04").start,
       "the April framework's 2025/26 Q1 starts in April")
  local bad = write(".csv", "framework,kpi,area,period,value\ncal,K1,E08000027,2025/26 Q1,40\n")
  local r2, _, errs = s:import(bad)
  T.ok(not r2 and (errs[1] or ""):find(":2:4: column 'period': period \"2025/26 Q1\": a year starting in January", 1, true),
       "a financial label for a calendar-year framework is refused: " .. tostring(errs and errs[1]))
end

-- ---- --skip-bad: the good rows in, the bad ones in the rejects file ---------------------------
do
  local s = fresh()
  local rej = T.tmpname(".csv")
  local r, msg = s:import(FIX .. "targets_bad.csv", { skip_bad = rej })
  T.ok(r, "skip-bad: the file imports: " .. tostring(msg))
  T.eq({ r.rows, r.new, r.refused }, { 7, 1, 6 }, "skip-bad: 1 imported, 6 refused")
  T.eq(s:stored_target("imp", "K1", "E08000027", "2025/26"), 46.5, "skip-bad: the good row is stored")
  T.ok(import.describe(r):find("1 imported (1 new, 0 revised, 0 unchanged), 6 refused (see " .. rej .. ")", 1, true),
       "skip-bad: the summary counts both: " .. import.describe(r))
  local lines = {}
  for l in read(rej):gmatch("[^\n]+") do lines[#lines + 1] = l end
  T.eq(lines[1], "framework,kpi,area,period,value,note,line,reason", "rejects: the header, then line and reason")
  T.eq(#lines, 7, "rejects: one line per refused row")
  T.eq(lines[2], "imp,K9,E08000027,2025/26,46.5,no such KPI,3," .. FIX ..
       "targets_bad.csv:3:2: column 'kpi': framework imp has no KPI 'K9'", "rejects: the row as given, its line, the reason")
  T.ok(lines[7]:match("^imp,K1,E08000027,2025/26,47,duplicate of line 2,8,\".*is also on line 2"),
       "rejects: of a duplicate key, the later row is refused: " .. lines[7])

  -- observations: a bad cell refuses its whole wide line; the other lines are imported
  s:metric{ id = "children_in_care", title = "CiC", aggregation = "last" }
  local p = write(".csv", "metric,area,2025-04,2025-05\nwaste_recycled,E08000027,40,41\n" ..
                          "waste_recycled,E08000030,39,n/a\n")
  r, msg = s:import(p, { skip_bad = rej })
  T.ok(r, "skip-bad, wide form: " .. tostring(msg))
  T.eq({ r.new, r.refused }, { 2, 1 }, "wide: the good line's two cells in, the bad line refused")
  T.eq(s:get("waste_recycled", "E08000030", "2025-04"), nil, "wide: the bad line's good cell was undone")
  T.ok(read(rej):find("waste_recycled,E08000030,39,n/a,3," .. p .. ":3:4: column '2025-05': 'n/a' is not a number", 1, true),
       "wide: the rejects file has the line as given: " .. read(rej))

  r = assert(s:import(FIX .. "bad.csv", { skip_bad = rej }))
  T.eq(r.refused, 6, "long form: every bad row refused")
  T.ok(read(rej):find("\nwaste_recycled,E08000027,2025-06,,8," .. FIX .. "bad.csv:8: 3 fields where the header has 4\n", 1, true),
       "long form: a short row padded, with its reason")

  -- without --skip-bad the same file is refused whole
  local before = state(s)
  T.ok(not s:import(FIX .. "targets_bad.csv"), "without skip-bad: refused whole")
  T.eq(state(s), before, "without skip-bad: the store is unchanged")

  -- a bad header refuses the file even with skip-bad
  p = write(".csv", "framework,kpi,area,period,value,colour\nimp,K1,E08000027,2025/26,1,red\n")
  T.ok(not s:import(p, { skip_bad = rej }), "skip-bad: a bad header still refuses the file")
  -- the rejects file never replaces the file being imported or something that is not one
  local r2, m2 = s:import(p, { skip_bad = p })
  T.ok(not r2 and m2:find("cannot be the file being imported", 1, true), "the rejects file is not the input")
  local keep = write(".txt", "precious\n")
  r2, m2 = s:import(FIX .. "targets.csv", { skip_bad = keep })
  T.ok(not r2 and m2:find("exists and is not a pmf csv report: give the rejects file a new name", 1, true),
       "an unrelated file is not replaced: " .. tostring(m2))
  T.eq(read(keep), "precious\n", "and is left as it was")
  os.remove(rej)
  os.remove(keep)
end

-- ---- pmf load --at: back-filled history seen by an as-of view -----------------------------------
do
  local s = assert(pmf.open(":memory:"))
  local src = read(FIX .. "importables_fw.lua")
  local old = write(".lua", (src:gsub('title = "Import test framework"', 'title = "Old title"')))
  local info = assert(pmf.framework.load(s, old, { at = "2024-04-01" }))
  T.eq(info.version, 1, "back-filled: v1")
  assert(pmf.framework.load(s, FIX .. "importables_fw.lua"))
  T.eq(pmf.framework.get(s:as_of("2024-06-01"), "imp").title, "Old title", "as of 2024-06: the back-filled version")
  T.eq(pmf.framework.get(s, "imp").title, "Import test framework", "now: the latest")
  T.ok(not pmf.framework.get(s:as_of("2024-03-01"), "imp"), "before the back-filled date: not loaded yet")
  local older = write(".lua", (src:gsub('title = "Import test framework"', 'title = "Older"')))
  local bad, msg = pmf.framework.load(s, older, { at = "2023-01-01" })
  T.ok(not bad and msg:find("--at 2023-01-01 is before v2 of imp", 1, true),
       "a version dated before the latest is refused: " .. tostring(msg))
  T.eq(count(s, "framework_version"), 2, "and nothing is stored")
end

T.done()
