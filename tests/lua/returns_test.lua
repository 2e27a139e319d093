-- tests/lua/returns_test.lua: the quarterly round (pmf.returns, pmf.chase): owners in the DSL,
-- return workbooks written, filled by a script (pmf.returns.fill, through libxlsxwriter) and
-- taken back; every bad return refused with the store unchanged; re-importing changes
-- nothing; the chase report in every format; sign-off's list of missing returns.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local returns = require "pmf.returns"
local report = require "pmf.report"

local here = arg[0]:match("^(.-)[^/]*$")
local EXAMPLE = here .. "../../frameworks/example.lua"
local Q2 = "2025/26 Q2"
local AREA = "E08000027"

local function fresh()
  local s = assert(pmf.open(":memory:"))
  assert(pmf.framework.load(s, EXAMPLE))
  for i, q in ipairs({ "2024/25 Q3", "2024/25 Q4", "2025/26 Q1" }) do
    s:observe{ metric = "household_waste_total_tonnes", area = AREA, period = q, value = 30000 + i }
    s:observe{ metric = "household_waste_recycled_tonnes", area = AREA, period = q, value = 12000 + i }
  end
  return s
end

-- What the store holds: any write shows here.
local function snapshot(s)
  local out = {}
  for _, t in ipairs({ "observation", "commentary", "batch", "audit", "return_issue", "return_receipt", "signoff" }) do
    out[t] = s:query("SELECT count(*) AS n FROM " .. t)[1].n
  end
  return out
end

local function dir()
  local d = T.tmpname("returns")
  os.execute("mkdir -p '" .. d .. "'")
  return d
end

local FILLED = { household_waste_total_tonnes = 31000, household_waste_recycled_tonnes = 11000 }

-- ---- owners in the DSL ---------------------------------------------------------------------

do
  local fw = assert(pmf.framework.compile(io.open(EXAMPLE):read("a"), EXAMPLE))
  T.eq(fw.owner_order, { "waste", "performance" }, "the example declares two owners")
  T.eq(fw.owners.waste.email, "waste.performance@example.gov.uk", "with name, role, team and email")
  T.eq(fw.suppliers.household_waste_total_tonnes, "waste", "and who supplies each metric")
  T.eq(fw.kpis.EX01.owner_id, "waste", "a KPI's owner (by role) is linked to the declared owner")
  T.eq(fw.kpis.EX01.owner, "Head of Waste Services", "and kept as written")
  T.eq(fw.risks["EX-R1"].owner_id, "performance", "a risk's too")

  local function errors_of(src)
    local f, errs = pmf.framework.compile(src, "t.lua")
    return f and pmf.framework.format_errors(errs or {}) or pmf.framework.format_errors(errs)
  end
  local head = [[framework "t" { title = "T", levels = { "p" } }
p "a" { title = "A" }
metric "m" { title = "M", unit = "count" }
kpi "K" { title = "K", parent = "a", formula = "m", owner = "Nobody" }
]]
  T.ok(errors_of(head .. 'owner "x" { name = "X" }'):match("t.lua:4: kpi 'K': owner 'Nobody' is not a declared owner"),
       "an owner that names no declared owner is an error at the KPI's line")
  T.ok(errors_of(head:gsub("Nobody", "X") .. 'owner "x" { name = "X", supplies = { "zz" } }'):match(
       "t.lua:5: owner 'x' supplies 'zz', a metric the framework does not use"),
       "supplying an unknown metric is an error at the owner's line")
  T.ok(errors_of(head:gsub("Nobody", "X") .. 'owner "x" { name = "X", supplies = { "m" } }\nowner "y" { role = "Y", supplies = { "m" } }'):match(
       "t.lua:6: metric 'm' is supplied by owner 'x' already"), "one owner supplies each metric")
  T.ok(errors_of(head:gsub("Nobody", "X") .. 'owner "x" { name = "X", email = "not an address" }'):match(
       "email 'not an address' is not an address"), "an email is checked")
  T.ok(errors_of(head:gsub("Nobody", "X") .. 'owner "x" { name = "X", phone = "1" }'):match("unknown field 'phone'"),
       "unknown owner fields are errors")
  local f = pmf.framework.compile(head:gsub(', owner = "Nobody"', ""), "t.lua")
  T.ok(f and #f.owner_order == 0, "a framework without owners still compiles")
  local f2, e2 = pmf.framework.compile(head, "t.lua")
  T.ok(f2 and #e2 == 0, "and without owner declarations a KPI's owner stays free text")
end

-- ---- writing the workbooks -----------------------------------------------------------------

local s = fresh()
local d = dir()
local out = assert(returns.generate(s, { framework = "example", period = Q2, dir = d }))
T.eq(#out, 1, "one workbook: the waste owner supplies figures and owns KPIs; performance neither")
local w = out[1]
T.eq({ w.owner, w.figures, w.kpis }, { "waste", 2, 2 }, "two figures and two KPIs' commentary")
T.ok(w.path:match("example_2025%-26%-Q2_waste%.xlsx$"), "named by framework, period and owner")
T.ok(returns.is_return(w.path), "a return workbook is recognised")
T.eq(pmf.xlsxread.sheets(w.path), { "Cover", "Figures", "Commentary", "pmf" }, "its sheets")
local wbxml = pmf.xlsx.member(w.path, "xl/workbook.xml")
T.ok(wbxml:match('name="pmf"[^>]*state="hidden"') or wbxml:match('state="hidden"[^>]*name="pmf"'),
     "the identifying sheet is hidden")
local figxml = pmf.xlsx.member(w.path, "xl/worksheets/sheet2.xml")
T.ok(figxml:match("<sheetProtection"), "the Figures sheet is protected")
T.ok(figxml:match('<dataValidation type="decimal"'), "value cells take numbers only")
T.ok(figxml:match('type="list"'), "the flag cell a list")
local styles = pmf.xlsx.member(w.path, "xl/styles.xml")
T.ok(styles:match('locked="0"'), "the input cells are unlocked")

local rows = {}
pmf.xlsxread.read(w.path, { sheet = "Figures" }, function(r, n) rows[n] = r end)
T.eq({ rows[1][5], rows[1][8], rows[1][10] }, { "2024/25 Q2", "2025/26 Q1", "Value" },
     "the last four periods head the history columns")
T.eq({ rows[2][1], rows[2][7], rows[2][8] }, { "household_waste_recycled_tonnes", "12002", "12003" },
     "one row per figure due, with its history")
T.ok(rows[2][9]:match("EX01 40"), "and the targets that use it")
local cover = {}
pmf.xlsxread.read(w.path, { sheet = "Cover" }, function(r) cover[r[1]] = r[2] end)
T.ok(cover.Period:match("1 July 2025 to 30 September 2025"), "the cover gives the period in words")
T.ok(cover["Return by"]:match("^14 October 2025 %(10 working days"), "and the deadline as a working day")

local before = snapshot(s)
local again = assert(returns.generate(s, { framework = "example", period = Q2, dir = d }))
T.eq(again[1].id, w.id, "issuing the same workbook again gives the same id")
T.eq(snapshot(s).return_issue, before.return_issue, "and records no new issue")
T.ok(not returns.is_return(here .. "../fixtures/import/importables_fw.lua"), "a Lua file is not a return")

-- ---- the chase report before anything came back --------------------------------------------

local function chase(st, today)
  local r = returns.round(st, pmf.framework.get(st, "example"), pmf.period.parse(Q2, 4), today)
  return r
end
local r0 = chase(s, "2025-10-08")
T.eq(#r0.missing, 2, "both figures are missing")
T.eq(r0.owners[1].status, "outstanding", "the owner is outstanding before the deadline")
T.eq(r0.owners[1].working_days, 4, "4 working days to 14 October")
local r1 = chase(s, "2025-10-20")
T.eq(r1.owners[1].status, "late", "and late after it")
T.eq(r1.owners[1].working_days, -4, "4 working days past")
T.eq(#returns.missing(s, "example", Q2), 2, "sign-off's list of missing returns")

-- ---- filling it in and taking it back --------------------------------------------------------

local filled = T.tmpname("filled.xlsx")
assert(returns.fill(w.path, filled, { values = FILLED, commentary = { EX01 = "Contamination at the MRF" } }))
local res, msg = returns.import(s, filled, { by = "perf team" })
T.ok(res, "a filled return is taken back: " .. tostring(msg))
res = res or {}
T.eq({ res.new, res.revised, res.comments }, { 2, 0, 1 }, "two new figures and one commentary")
T.eq(s:get("household_waste_total_tonnes", AREA, Q2), 31000, "the figures are stored")
local text, info = s:commentary("example", "EX01", Q2)
T.eq(text, "Contamination at the MRF", "the commentary is stored")
T.eq(info and info.by, "Sam Ashford, Head of Waste Services", "written by the owner")
T.eq(info and info.recorded_by, "perf team", "recorded by whoever imported it")
local _, row = s:get("household_waste_total_tonnes", AREA, Q2)
T.ok(row.source:match("^return "), "the figure's source names the return")
T.eq(#returns.missing(s, "example", Q2), 0, "nothing is missing now")

local after = snapshot(s)
local res2 = assert(returns.import(s, filled))
T.eq(snapshot(s), after, "re-importing the same workbook changes nothing")
T.eq({ res2.unchanged, res2.changed }, { 2, false }, "and says so")

-- commentary, scorecard, exceptions
local sc = report.run("scorecard", { store = s, framework = "example", period = Q2 })
T.ok(sc:render("csv"):match("EX01,[^\n]*red[^\n]*Contamination at the MRF"), "the scorecard shows the return's commentary")
local ex = report.run("exceptions", { store = s, framework = "example", period = Q2 })
T.ok(ex:render("csv"):match("EX01,[^\n]*Head of Waste Services,Contamination at the MRF"),
     "the exceptions list the owner and the commentary")

-- the chase report after
local rr = assert(report.run("returns", { store = s, framework = "example", period = Q2, as_of = nil }))
local csv = rr:render("csv")
T.ok(csv:match("waste,[^\n]*,2,2,1,1,complete"), "the chase report: figures and commentary in, complete")
for _, fmt in ipairs({ "text", "md", "json", "html" }) do
  local data = rr:render(fmt)
  T.ok(data:match("household_waste_total_tonnes") and data:match("not signed off"),
       "the chase report renders as " .. fmt .. " with its items and readiness")
end
local xl = T.tmpname("chase.xlsx")
T.ok(rr:write(xl, "xlsx"), "and as xlsx")

-- ---- bad returns: each refused, the store unchanged ------------------------------------------

local function refused(path, pattern, what, st)
  st = st or s
  local snap = snapshot(st)
  local r, m, errs = returns.import(st, path)
  T.ok(r == nil, what .. ": refused")
  local all = table.concat(errs or { m or "" }, "\n")
  T.ok(all:match(pattern), what .. ": the message says /" .. pattern .. "/ (got: " .. all .. ")")
  T.eq(snapshot(st), snap, what .. ": the store is unchanged")
end

local function bad(opts)
  local p = T.tmpname("bad.xlsx")
  assert(returns.fill(w.path, p, opts))
  return p
end

refused(bad({ values = { household_waste_total_tonnes = "twelve" } }),
        "sheet 'Figures' cell J3 %(value%): 'twelve' is not a number", "text in a number cell")
refused(bad({ values = { household_waste_total_tonnes = -5 } }),
        "cell J3 %(value%): %-5 is outside 0 to", "a number out of range")
refused(bad({ values = { household_waste_total_tonnes = 1 }, cells = { { sheet = "Figures", row = 3, col = 3, value = "edited" } } }),
        "sheet 'Figures' row 3 %(household_waste_total_tonnes%): a locked cell was changed", "an edited locked cell")
refused(bad({ cells = { { sheet = "Figures", row = 2, col = 7, value = 99 } } }),
        "a locked cell was changed", "an edited history figure")
refused(bad({ values = FILLED, cells = { { sheet = "pmf", row = 6, col = 2, value = "2025/26 Q1" } } }),
        "sheet 'pmf' cell B6 %(period%): '2025/26 Q1' is not the period this workbook was issued for %(2025/26 Q2%)",
        "the wrong period")
refused(bad({ values = FILLED, cells = { { sheet = "pmf", row = 4, col = 2, value = "walsall" } } }),
        "'walsall' is not the framework this workbook was issued for", "another framework named")
refused(bad({ values = { household_waste_total_tonnes = 1 }, cells = { { sheet = "Figures", row = 3, col = 13, value = "guessed" } } }),
        "cell M3 %(flag%): 'guessed' is not provisional or estimated", "a bad flag")

local corrupt = T.tmpname("corrupt.xlsx")
local f = io.open(corrupt, "wb"); f:write("PK\3\4 this is not a workbook"); f:close()
local snap = snapshot(s)
local rc, cm = returns.import(s, corrupt)
T.ok(rc == nil and cm:match("corrupt%.xlsx: not a readable workbook"), "a corrupt file: " .. tostring(cm))
T.eq(snapshot(s), snap, "a corrupt file: the store is unchanged")
T.ok(not returns.is_return(corrupt), "a corrupt file is not taken for a return")

-- a workbook from another framework (another store's issue)
do
  local other = assert(pmf.open(":memory:"))
  local tmpfw = T.tmpname("other.lua")
  local src = io.open(EXAMPLE):read("a"):gsub('framework "example"', 'framework "other"')
  local fo = io.open(tmpfw, "w"); fo:write(src); fo:close()
  os.execute("cp '" .. here .. "../../frameworks/catalogue.lua' '" .. tmpfw:match("^(.*)/") .. "/catalogue.lua' 2>/dev/null")
  assert(pmf.framework.load(other, tmpfw))
  local o = assert(returns.generate(other, { framework = "other", period = Q2, dir = dir() }))
  local p = T.tmpname("other_filled.xlsx")
  assert(returns.fill(o[1].path, p, { values = FILLED }))
  refused(p, "workbook '%x+' %(framework 'other', 2025/26 Q2%) was not issued by this store", "a workbook from another framework")
  T.ok(returns.import(other, p), "it is taken by the store that issued it")
end

-- a stale version: the history behind a workbook was revised and the returns issued again
do
  local st = fresh()
  local first = assert(returns.generate(st, { framework = "example", period = Q2, dir = dir() }))[1]
  st:observe{ metric = "household_waste_total_tonnes", area = AREA, period = "2025/26 Q1", value = 30500 }
  local second = assert(returns.generate(st, { framework = "example", period = Q2, dir = dir() }))[1]
  T.ok(second.id ~= first.id, "a revised history makes a new workbook")
  local p = T.tmpname("stale.xlsx")
  assert(returns.fill(first.path, p, { values = FILLED }))
  refused(p, "stale workbook: " .. first.id .. " was replaced by workbook " .. second.id, "a stale version", st)
  local p2 = T.tmpname("fresh.xlsx")
  assert(returns.fill(second.path, p2, { values = FILLED }))
  T.ok(returns.import(st, p2), "the new one is taken")
end

-- a stale version: the framework changed since the workbook was issued
do
  local st = fresh()
  local wb = assert(returns.generate(st, { framework = "example", period = Q2, dir = dir() }))[1]
  local tmpfw = T.tmpname("example.lua")
  local src = io.open(EXAMPLE):read("a"):gsub('target = 40, tolerance = "5%%"', 'target = 42, tolerance = "5%%"')
  local fo = io.open(tmpfw, "w"); fo:write(src); fo:close()
  os.execute("cp '" .. here .. "../../frameworks/catalogue.lua' '" .. tmpfw:match("^(.*)/") .. "/catalogue.lua' 2>/dev/null")
  assert(pmf.framework.load(st, tmpfw))
  local p = T.tmpname("oldfw.xlsx")
  assert(returns.fill(wb.path, p, { values = FILLED }))
  refused(p, "stale workbook: issued .* for an earlier version of framework 'example'", "a workbook for an earlier framework version", st)
end

-- a signed-off quarter
do
  local st = fresh()
  local wb = assert(returns.generate(st, { framework = "example", period = Q2, dir = dir() }))[1]
  st:signoff("example", Q2, { by = "x" })
  local p = T.tmpname("signed.xlsx")
  assert(returns.fill(wb.path, p, { values = FILLED }))
  refused(p, "example 2025/26 Q2 is signed off: a return for it is refused", "a signed-off quarter", st)
end

T.done("returns")
