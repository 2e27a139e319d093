-- tests/lua/report_test.lua: pmf.report and pmf.render against the real DSL and KPI engine.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local cjson = require "cjson"

local s = assert(pmf.open(":memory:"))
pmf.store = s

local FW = [[
framework "rt" {
  title = "Report test council", council = "E08000027", year_start = "April",
  levels = { "priority", "outcome" }, comparator = "cipfa_2024:E08000027",
}
priority "p1" { title = "Priority one" }
outcome "o1" { title = "Outcome one", parent = "p1" }
priority "p2" { title = "Priority two" }
metric "recycled" { title = "Recycled", unit = "tonnes", aggregation = "sum" }
metric "waste" { title = "Waste", unit = "tonnes", aggregation = "sum" }
metric "placements" { title = "Placements", unit = "count", aggregation = "sum" }
metric "spend" { title = "Spend", unit = "£", aggregation = "sum" }
kpi "K1" { title = "Recycling rate", parent = "o1", formula = pct("recycled", "waste"),
  unit = "%", decimals = 1, polarity = "up", frequency = "quarterly", target = 50,
  tolerance = "5%", owner = "Head of Waste" }
kpi "K2" { title = "Waste collected", parent = "o1", formula = "waste", unit = "tonnes",
  decimals = 0, polarity = "down", frequency = "quarterly", target = 30000, tolerance = "5%",
  owner = "Head of Waste" }
kpi "K3" { title = "Rare placements", parent = "p2", formula = "placements", unit = "count",
  decimals = 0, polarity = "down", frequency = "quarterly", target = 90000,
  suppress_below = 50000, owner = "Director of Children's Services" }
kpi "K4" { title = "Budget variance", parent = "p2", formula = "spend", unit = "£",
  decimals = 0, polarity = "down", frequency = "quarterly", target = 1000, tolerance = 100,
  owner = "Chief Finance Officer" }
action "A1" { title = "Food waste", parent = "o1", owner = "Head of Waste", due = "2026-03-31" }
risk "R1" { title = "Contamination", parent = "o1", owner = "Head of Waste", likelihood = 4, impact = 4 }
board "cabinet" { title = "Cabinet", cadence = "quarterly", receives = { "scorecard", "exceptions" },
  after_days = 40 }
deadline "data_entry" { working_days = 10 }
rule "commentary_required" { statuses = { "red", "amber" } }
]]

local path = T.tmpname(".lua")
local f = assert(io.open(path, "w")); f:write(FW); f:close()
assert(pmf.framework.load(s, path, { at = "2025-10-01T08:00" }))
os.remove(path)

local Q = "2025/26 Q2"
local qs = pmf.period.range(pmf.period("2024/25 Q1"), pmf.period(Q))
local AT = "2025-10-05T09:00"
for i, q in ipairs(qs) do
  s:observe{ metric = "recycled", area = "E08000027", period = q, value = 4000 + 100 * i, at = AT }
  s:observe{ metric = "waste", area = "E08000027", period = q, value = 10000 + 10 * i, at = AT }
  s:observe{ metric = "placements", area = "E08000027", period = q, value = 43217, at = AT }
  s:observe{ metric = "spend", area = "E08000027", period = q, value = 900 + i, at = AT }
end
for j, code in ipairs(s:group_members("cipfa_2024:E08000027")) do
  if code ~= "E08000027" then
    s:observe{ metric = "recycled", area = code, period = Q, value = 3000 + 100 * j, at = AT }
    s:observe{ metric = "waste", area = code, period = Q, value = 10000, at = AT }
  end
end

local args = { framework = "rt", period = Q, as_of = "2025-10-20" }
local engine = pmf.kpi.rate{ store = s:as_of("2025-10-20"), framework = "rt", period = Q }
local by_kpi = {}
for _, r in ipairs(engine) do by_kpi[r.kpi] = r end
T.ok(by_kpi.K3.display == "suppressed", "the engine suppresses K3 (test premise)")

local sc = pmf.report.scorecard(args)
T.eq(#sc.rows, 4, "the scorecard has a row per KPI")
T.eq(tostring(sc), sc:render("text"), "tostring renders text")
T.eq(sc.as_of, "2025-10-20", "the report carries the as-of date")

-- JSON matches the engine
local doc = cjson.decode(sc:render("json"))
T.eq(doc.report, "scorecard", "json names the report")
T.eq(doc.period, Q, "json names the period")
local function unnull(v) if v == cjson.null then return nil end return v end
for _, row in ipairs(doc.rows) do
  for k, v in pairs(row) do row[k] = unnull(v) end
  local e = by_kpi[row.kpi]
  T.eq(row.rag, e.rag, "json rag of " .. row.kpi .. " is the engine's")
  T.eq(row.display, e.display, "json display of " .. row.kpi .. " is the engine's")
  if e.value then T.near(row.value, e.value, "json value of " .. row.kpi .. " is the engine's number") end
  T.eq(row.target, e.target, "json target of " .. row.kpi)
  T.eq(row.dot_prev, e.dot_prev, "json dot_prev of " .. row.kpi)
end
T.eq(math.type(doc.rows[1].trend.values[8]) ~= nil, true, "the trend is numbers")
T.eq(#doc.rows[1].trend.periods, 8, "the trend covers 8 periods")

-- CSV matches the engine
local csv = sc:render("csv")
local lines = {}
for l in csv:gmatch("[^\n]+") do lines[#lines + 1] = l end
T.eq(lines[1], "kpi,title,period,value,display,target,target_display,rag,dot_prev,dot_year,trend,rank,n,quartile,flags,carried_from,commentary,commentary_required,owner",
     "csv header has stable field names")
local cols = {}
for w in lines[1]:gmatch("[^,]+") do cols[#cols + 1] = w end
local function csv_split(l)
  local out, i = {}, 1
  while i <= #l + 1 do
    if l:sub(i, i) == '"' then
      local j, buf = i + 1, {}
      while true do
        local c = l:sub(j, j)
        if c == '"' and l:sub(j + 1, j + 1) == '"' then buf[#buf + 1] = '"'; j = j + 2
        elseif c == '"' then break
        else buf[#buf + 1] = c; j = j + 1 end
      end
      out[#out + 1] = table.concat(buf); i = j + 2
    else
      local j = l:find(",", i, true) or (#l + 1)
      out[#out + 1] = l:sub(i, j - 1); i = j + 1
    end
  end
  return out
end
for k = 2, #lines do
  local fields = csv_split(lines[k])
  local r = {}
  for c, name in ipairs(cols) do r[name] = fields[c] end
  local e = by_kpi[r.kpi]
  T.eq(r.rag, e.rag, "csv rag of " .. r.kpi)
  if e.value then T.near(tonumber(r.value), e.value, "csv value of " .. r.kpi, 1e-9) end
  T.eq(r.display, e.display, "csv display of " .. r.kpi)
end

-- each renderer
local txt = sc:render("text")
T.ok(txt:find("R Red", 1, true) or txt:find("A Amber", 1, true) or txt:find("G Green", 1, true),
     "text shows RAG as a symbol and a word")
T.ok(not txt:find("\27[", 1, true), "text has no colour unless asked")
T.ok(sc:render("text", { color = true }):find("\27[", 1, true), "colour when asked")
T.ok(txt:find("Period " .. Q, 1, true) and txt:find("As of 2025-10-20", 1, true), "text header")
local md = sc:render("md")
T.ok(md:find("^# Scorecard"), "md title")
T.ok(md:find("| KPI | Measure | Value |", 1, true), "md table header")
local html = sc:render("html")
T.ok(html:find("^<!DOCTYPE html>"), "html is a document")
T.ok(html:find('class="rag rag-', 1, true), "html has RAG badges")
T.ok(html:find("<svg class=\"spark\"", 1, true), "html has SVG sparklines")
T.ok(html:find("@media print", 1, true) and html:find("@page", 1, true), "html has print CSS")
T.ok(not html:find("src=", 1, true) and not html:find("href=", 1, true) and not html:find("http", 1, true),
     "html refers to nothing outside itself")
-- the Makefile requires libxlsxwriter: a build without it is a failure here, not a skip
T.ok(pmf.render.has_xlsx(), "pmf is built with xlsx output")
if pmf.render.has_xlsx() then
  local x = sc:render("xlsx")
  T.eq(x:sub(1, 2), "PK", "xlsx is a zip")
  T.ok(#x > 3000, "xlsx is not empty")
  local p = T.tmpname(".xlsx")
  T.eq(sc:write(p), p, "write(path) picks xlsx from the extension")
  local g = io.open(p, "rb"); T.eq(g:read("a"), x, "written xlsx equals rendered xlsx"); g:close()
  os.remove(p)
end
T.err(function() sc:render("docx") end, "unknown format", "an unknown format raises")

-- suppression: never the number, in any format
for _, fmt in ipairs({ "text", "md", "csv", "json", "html", "xlsx" }) do
  if fmt ~= "xlsx" or pmf.render.has_xlsx() then
    local out = sc:render(fmt)
    T.ok(not out:find("43217", 1, true) and not out:find("43,217", 1, true),
         "the suppressed number does not appear in " .. fmt)
  end
end
T.ok(sc:render("text"):find("suppressed", 1, true), "text says suppressed")
local k3 = doc.rows[3]
T.eq(k3.kpi, "K3", "K3 row")
T.eq(k3.value, nil, "json has no value for a suppressed row")
local raw3 = cjson.decode(sc:render("json")).rows[3]
T.eq(raw3.value, cjson.null, "... a null, so the row still has the column")

-- as-of: identical bytes after later revisions
local before = {}
for _, fmt in ipairs({ "text", "md", "csv", "json", "html", "xlsx" }) do
  if fmt ~= "xlsx" or pmf.render.has_xlsx() then before[fmt] = sc:render(fmt) end
end
s:observe{ metric = "recycled", area = "E08000027", period = Q, value = 9999 }
local again = pmf.report.scorecard(args)
for fmt, bytes in pairs(before) do
  T.eq(again:render(fmt) == bytes, true, "as-of rebuild gives the same " .. fmt .. " bytes")
end
local live = pmf.report.scorecard{ framework = "rt", period = Q }
T.ok(live:render("json") ~= before.json, "without as-of the revision shows")

-- exceptions
local ex = pmf.report.exceptions(args)
local exk = {}
for _, r in ipairs(ex.rows) do exk[r.kpi] = r end
for _, e in ipairs(engine) do
  if e.rag == "red" or e.rag == "amber" then T.ok(exk[e.kpi], "exceptions list " .. e.kpi) end
end
T.ok(#ex.rows > 0, "some exceptions (test premise)")
T.ok(ex:render("text"):find("COMMENTARY REQUIRED", 1, true), "missing commentary is flagged")
T.ok(ex:render("html"):find('class="required"', 1, true), "and in html")

-- golden thread
local gt = pmf.report.golden_thread(args)
local p1 = gt.rows[1]
T.eq(p1.id, "p1", "the tree starts at the first root")
local want = {}
for _, e in ipairs(engine) do if e.kpi == "K1" or e.kpi == "K2" then want[e.rag] = (want[e.rag] or 0) + 1 end end
T.eq(p1.total, 2, "p1 rolls up its two KPIs")
for st, n in pairs(want) do T.eq(p1[st], n, "p1 counts " .. st) end
T.eq(gt.tree[1].children[1].id, "o1", "tree: o1 under p1")
T.eq(#gt.tree, 2, "two roots")

-- node scope
local n1 = pmf.report.scorecard{ framework = "rt", period = Q, as_of = "2025-10-20", node = "p2" }
T.eq(#n1.rows, 2, "--node p2 picks its KPIs")
T.ok(n1.title:find("Priority two", 1, true), "and names the node")
local bad, msg = pmf.report.run("scorecard", { framework = "rt", period = Q, node = "nope" })
T.eq(bad, nil, "an unknown node fails")
T.ok(msg and msg:find("unknown node", 1, true), "and says so")
local bad2, msg2 = pmf.report.run("scorecard", { framework = "rt", period = "2025/26 Q9" })
T.eq(bad2, nil, "a bad period fails")
T.ok(msg2, "with a message")
T.err(function() pmf.report.run("nonesuch", { framework = "rt" }) end, "unknown report", "unknown report raises")

-- the other reports build and render in every text format
for _, name in ipairs({ "kpi", "data_quality", "calendar", "benchmark", "integrated" }) do
  local r, err = pmf.report.run(name, { framework = "rt", period = Q, kpi = "K1", as_of = "2025-10-20" })
  T.ok(r, name .. " builds " .. tostring(err))
  if r then
    for _, fmt in ipairs({ "text", "md", "csv", "json", "html" }) do
      T.ok(#r:render(fmt) > 0, name .. " renders " .. fmt)
    end
  end
end
local bm = pmf.report.benchmark{ framework = "rt", period = Q, kpi = "K1", as_of = "2025-10-20" }
local hl
for _, r in ipairs(bm.rows) do if r.highlight then hl = r end end
T.eq(hl and hl.area, "E08000027", "the council is highlighted in the league table")
T.eq(hl and hl.rank, by_kpi.K1.rank, "its rank is the engine's")
local cal = pmf.report.calendar{ framework = "rt", period = Q, as_of = "2025-10-20" }
T.eq(cal.rows[1].what, "data entry", "calendar: data entry first")
T.eq(cal.rows[1].due, pmf.period(Q):deadline(10), "due 10 working days after the quarter")
local integ = pmf.report.integrated(args)
T.eq(integ.sections[1].rows[1] and integ.sections[1].rows[1].kpi, "K4", "money KPIs go to finance")
T.eq(integ.sections[2].rows[1].score, 16, "risk score from the definition")
local dq = pmf.report.data_quality(args)
T.eq(dq.rows[1].status, "on time", "recorded before the deadline is on time")
local kd = pmf.report.kpi{ framework = "rt", period = Q, kpi = "K1", as_of = "2025-10-20" }
T.ok(kd:render("html"):find('<svg class="trend"', 1, true), "kpi detail has a trend chart")
local kd2 = pmf.report.kpi{ framework = "rt", period = Q, kpi = "K2", as_of = "2025-10-20" }
T.eq(type(kd2.projection), "number", "a one-metric KPI is projected to the year end")
T.ok(kd2:render("text"):find("Projected year end", 1, true), "and the projection is shown")
local kd3 = pmf.report.kpi{ framework = "rt", period = Q, kpi = "K3", as_of = "2025-10-20" }
T.eq(kd3.projection, nil, "a suppressed KPI is not projected")

-- publish gate
local blockers = pmf.report.blockers(sc)
local joined = table.concat(blockers, "\n")
T.ok(joined:find("not signed off", 1, true), "blocked: not signed off")
T.ok(joined:find("has no commentary", 1, true), "blocked: red/amber without commentary")
local id, list = pmf.report.publish(sc, { format = "json" })
T.eq(id, nil, "publish refuses while blocked")
T.eq(#list, #blockers, "and lists the blockers")
-- fix them: commentary for every exception, then sign off
for _, r in ipairs(ex.rows) do
  s:comment{ framework = "rt", kpi = r.kpi, period = Q, text = "Explained " .. r.kpi, at = "2025-10-10T10:00" }
end
s:signoff("rt", Q, { by = "chief", at = "2025-10-11T10:00" })
local ready = pmf.report.scorecard(args)
T.eq(#pmf.report.blockers(ready), 0, "no blockers once explained and signed off")
local pid, out = pmf.report.publish(ready, { format = "html" })
T.ok(pid, "publish succeeds")
local pub = s:query("SELECT * FROM publication WHERE id = ?", pid)[1]
T.eq(pub.report, "scorecard", "publication records the report")
T.eq(pub.framework, "rt", "and the framework")
T.eq(pub.as_of, "2025-10-20", "and the as-of date")
T.eq(cjson.decode(pub.params).period, Q, "and the params as JSON")
T.eq(pub.output_hash, pmf.report.hash(out), "and the output hash")
T.ok(out:find("Status: Published (publication " .. pid .. ")", 1, true), "a published report says so, with its id")
T.ok(ready:render("text"):find("Published (publication " .. pid .. ")", 1, true), "and the report object knows it")
local rep2, fmt2 = pmf.report.republish(s, pid)
T.eq(fmt2, "html", "republish knows the format")
T.eq(pmf.report.hash(rep2:render(fmt2)), pub.output_hash, "republish rebuilds the same bytes")

-- rows() for pmf sql
local rtxt = pmf.render.rows({ { a = 1, b = "x" }, { a = 22, b = "yy" } }, "text")
T.ok(rtxt:find("^a%s+b\n"), "rows: header")
T.eq(pmf.render.rows({ { a = 1, b = "x,y" } }, "csv"), 'a,b\n1,"x,y"\n', "rows: csv")
T.eq(pmf.render.rows({ { b = 2, a = 1 } }, "json"), '[\n  {"a":1,"b":2}\n]\n', "rows: json sorted keys")
T.eq(pmf.render.rows({ { b = 2, a = 1 }, { a = 3 } }, "json", { "b", "a" }),
     '[\n  {"b":2,"a":1},\n  {"b":null,"a":3}\n]\n', "rows: json in the given order, every column")
T.eq(pmf.render.rows({ { b = 2, a = 1 }, { a = 3 } }, "csv", { "b", "a" }), "b,a\n2,1\n,3\n",
     "rows: csv in the given order, every column")
T.eq(pmf.render.rows({ { c = 1 } }, "csv", { "c", "absent" }), "c,absent\n1,\n",
     "rows: a column no row has is still there")
T.eq(pmf.render.rows({}, "json"), "[]\n", "rows: no rows is an empty array")
-- pmf sql's order comes from the store
local cols = s:columns("SELECT 1 AS zeta, 2 AS alpha, NULL AS mid")
T.eq(cols, { "zeta", "alpha", "mid" }, "store:columns gives the SELECT's order")
local qrows = s:query("SELECT 1 AS zeta, 2 AS alpha, NULL AS mid")
T.eq(pmf.render.rows(qrows, "csv", cols), "zeta,alpha,mid\n1,2,\n", "a query rendered in its order")

-- write_all
local dir = T.tmpname("dir")
os.execute("mkdir -p " .. dir)
local paths = pmf.report.write_all(s, "rt", Q, dir, { as_of = "2025-10-20" })
local NPDF = pmf.render.chromium() and 3 or 0
T.eq(#paths, (pmf.render.has_xlsx() and 18 or 15) + NPDF, "write_all: 3 reports x every format")
for _, p in ipairs(paths) do
  local h = io.open(p, "rb"); T.ok(h and #h:read("a") > 0, "written " .. p); if h then h:close() end
end
os.execute("rm -rf " .. dir)

-- write_all with no formats runs the reports and writes nothing; write_reports then writes
-- them under the names write_all gave them (a triple's own file name, else framework-name)
os.execute("mkdir -p " .. dir)
local none, reps = pmf.report.write_all(s, "rt", Q, dir, { as_of = "2025-10-20", formats = {},
  reports = { "scorecard", { "exceptions", {}, "rt-exc-own" } } })
T.eq(#none, 0, "write_all with formats = {} writes nothing")
T.eq(#reps, 2, "and returns the reports it ran")
local h = io.open(dir .. "/rt-scorecard.md", "rb")
T.eq(h, nil, "no file yet")
local wrote = pmf.report.write_reports(reps, dir, { formats = { "md", "csv" } })
T.eq(table.concat(wrote, " "), dir .. "/rt-scorecard.md " .. dir .. "/rt-scorecard.csv " ..
     dir .. "/rt-exc-own.md " .. dir .. "/rt-exc-own.csv", "write_reports: each report by its name")
h = io.open(dir .. "/rt-scorecard.md", "rb")
T.eq(h and h:read("a"), reps[1]:render("md"), "the file is the report's rendering")
if h then h:close() end
T.err(function() pmf.report.write_reports({ {} }, dir, { formats = { "md" } }) end,
      "without its file name", "a report without a file name is refused")
os.execute("rm -rf " .. dir)

-- pmf.xlsx directly: expected failures return nil, message; malformed books raise
if pmf.render.has_xlsx() then
  local ok, err = pmf.xlsx.write("/nonexistent-dir/x.xlsx", { sheets = { { name = "A", columns = {}, rows = {} } } })
  T.eq(ok, nil, "xlsx: an unwritable path fails")
  T.ok(err and err:find("nonexistent", 1, true), "and names the path")
  T.err(function() pmf.xlsx.write(T.tmpname(".xlsx"), { sheets = { { name = "A", columns = { { title = "x" } },
    rows = { { function() end } } } } }) end, "cell must be", "xlsx: a bad cell raises")
  T.err(function() pmf.xlsx.write(T.tmpname(".xlsx"), { sheets = { { name = "A", columns = { { title = "x" } },
    rows = { { { value = 1, fill = "red" } } } } } }) end, "colour", "xlsx: a bad colour raises")
  local p = T.tmpname(".xlsx")
  T.eq(pmf.xlsx.write(p, { created = 0, sheets = { { name = "A", columns = { { title = "n", width = 9 } },
    rows = { { 1.5 }, { { value = "R Red", fill = "#FF0000", bold = true } } } } } }), true, "xlsx: writes a book")
  os.remove(p)
end

-- ---- output fidelity: numbers round-trip exactly (number_text, used by csv and json) ----
for _, v in ipairs({ 0.1, 0.1 + 0.2, 1 / 3, 2 / 3, math.pi, 1e300, -1e-300, 5e-324, 2^53 + 2.0,
                     123456789.123456789, -1234.5, 1e21, 0.5, 100.0, 59.98, 1.7976931348623157e308 }) do
  local t = pmf.render.number_text(v)
  T.eq(tonumber(t), v, "number_text(" .. string.format("%.17g", v) .. ") reads back the same")
  local shorter = #t > 1 and (function()
    for _, f in ipairs({ "%.15g", "%.16g" }) do
      local c = string.format(f, v)
      if #c < #t and tonumber(c) == v then return c end
    end
  end)()
  T.eq(shorter, nil, "and is the shortest such text (" .. t .. ")")
  T.eq(cjson.decode(pmf.render.json_encode({ v }))[1], v, "json carries " .. t .. " exactly")
end
T.eq(pmf.render.number_text(0.1 + 0.2), "0.30000000000000004", "0.1 + 0.2 is not 0.3")
T.eq(pmf.render.number_text(42), "42", "integers as integers")
T.eq(pmf.render.number_text(0 / 0), "", "NaN is empty")

-- ---- user text made harmless; every column; the rated period ------------------------------
local evil = {
  name = "evil", title = "Evil <b>title</b>", period = Q, as_of = "2025-10-20",
  columns = {
    pmf.report.col("kpi", "KPI"), pmf.report.col("title", "Measure"),
    pmf.report.col("period", "Period", "period"), pmf.report.col("value", "Value", "value"),
    pmf.report.col("commentary", "Commentary", "commentary") },
  rows = {
    { kpi = "E1", title = "=HYPERLINK(\"http://x\",\"y\")", period = Q, value = -5, display = "-5.0%",
      commentary = "+cmd|' /C calc'!A0" },
    { kpi = "E2", title = "@SUM(1)", period = "2024/25", requested_period = Q, value = 0.1 + 0.2,
      display = "-£1,234", commentary = "\t-1" },
    { kpi = "E3", title = "-1+1 <script>alert(1)</script> a|b", period = Q, value = nil,
      display = "no data", commentary = "\rx \27[31mred\27]0;title\7 \194\155 2J" },
  },
}
setmetatable(evil, pmf.report.Report)
local ecsv = evil:render("csv")
local erows = {}
for l in ecsv:gmatch("[^\n]+") do erows[#erows + 1] = csv_split(l) end
T.eq(erows[1], { "kpi", "title", "period", "value", "display", "commentary", "commentary_required" },
     "csv: every column, the period included")
T.eq(erows[2][2], "'=HYPERLINK(\"http://x\",\"y\")", "csv: = is neutralised")
T.eq(erows[2][4], "-5", "csv: a negative number stays a number")
T.eq(erows[2][5], "-5.0%", "csv: text that is only a number is left alone")
T.eq(erows[2][6], "'+cmd|' /C calc'!A0", "csv: + is neutralised")
T.eq(erows[3][2], "'@SUM(1)", "csv: @ is neutralised")
T.eq(erows[3][3], "2024/25", "csv: the rated period")
T.eq(erows[3][4], "0.30000000000000004", "csv: the number exactly")
T.eq(erows[3][5], "-£1,234", "csv: a money figure is left alone")
T.eq(erows[3][6], "'\t-1", "csv: a tab is neutralised")
T.eq(erows[4][2]:sub(1, 5), "'-1+1", "csv: - before a formula is neutralised")
T.eq(erows[4][6]:sub(1, 2), "'\r", "csv: a carriage return is neutralised")
local rawcsv = evil:render("csv", { raw = true })
T.ok(rawcsv:find('\nE1,"=HYPERLINK', 1, true) and rawcsv:find("\nE2,@SUM(1)", 1, true),
     "csv: opts.raw leaves text as it is")
local emd = evil:render("md")
T.ok(not emd:find("<script>", 1, true) and not emd:find("<b>", 1, true), "md: no raw HTML from user text")
T.ok(emd:find("&lt;script&gt;alert(1)&lt;/script&gt; a\\|b", 1, true), "md: HTML and | escaped")
T.ok(emd:find("^# Evil &lt;b&gt;title&lt;/b&gt;"), "md: the title too")
local etxt = evil:render("text")
T.ok(not etxt:find("[\0-\8\11-\31\127]") and not etxt:find("\194\155", 1, true),
     "text: no control characters from user text")
T.ok(etxt:find("red", 1, true) and etxt:find("2J", 1, true), "text: the words stay")
local ejson = cjson.decode(evil:render("json"))
local function keyset(r) local t = {} for k in pairs(r) do t[#t + 1] = k end table.sort(t) return table.concat(t, ",") end
T.eq(keyset(ejson.rows[1]), keyset(ejson.rows[3]), "json: every row has the same keys")
T.eq(ejson.rows[3].value, cjson.null, "json: an absent value is null")
T.eq(ejson.rows[1].requested_period, cjson.null, "json: a field only one row has is null in the others")
T.eq(ejson.rows[2].value, 0.1 + 0.2, "json: the number exactly")
T.eq(ejson.generator, "pmf", "json: marked as pmf's")
-- the Period column: shown to people only where a row was rated for another period
T.ok(etxt:find("Period", 1, true) and etxt:find("E2 .* 2024/25"), "text: the rated period of E2")
local e1line = etxt:match("\n(E1 [^\n]*)")
T.ok(e1line and not e1line:find(Q, 1, true), "text: nothing in the Period column where it is the one asked")
T.ok(evil:render("md"):find("| Period |", 1, true), "md: the Period column")
T.ok(evil:render("html"):find(">2024/25<", 1, true), "html: the rated period")
local same = setmetatable({ name = "same", title = "Same", period = Q, columns = evil.columns,
  rows = { { kpi = "E1", title = "x", period = Q, value = 1 } } }, pmf.report.Report)
T.ok(not same:render("text"):find("Period  ", 1, true) and not same:render("md"):find("| Period |", 1, true)
     and not same:render("html"):find(">Period<", 1, true),
     "no Period column when every row is rated for the period asked")
T.ok(same:render("csv"):find("^kpi,title,period,value"), "csv always has the period")
local ann = pmf.report.scorecard{ framework = "rt", period = Q, as_of = "2025-10-20" }
for _, r in ipairs(ann.rows) do
  T.eq(r.period, Q, "scorecard rows carry the period rated (" .. r.kpi .. ")")
end

-- xlsx: user text goes in as text cells (never a formula), the rated period on every row
do
  local xp = T.tmpname(".xlsx")
  T.eq(evil:write(xp, "xlsx"), xp, "xlsx: the evil report is written")
  local sheet = pmf.xlsx.member(xp, "xl/worksheets/sheet1.xml") or ""
  local strings = pmf.xlsx.member(xp, "xl/sharedStrings.xml") or ""
  T.ok(#sheet > 0 and not sheet:find("<f>", 1, true), "xlsx: no formula cells")
  T.ok(strings:find("<t>=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</t>", 1, true)
       or strings:find('<t>=HYPERLINK("http://x","y")</t>', 1, true), "xlsx: = text is a string")
  T.ok(strings:find("<t>@SUM(1)</t>", 1, true), "xlsx: @ text is a string")
  T.ok(strings:find("<t>Period</t>", 1, true) and strings:find("<t>2024/25</t>", 1, true),
       "xlsx: the Period column with the rated period")
  local _, nq = strings:gsub("<t>" .. Q:gsub("%p", "%%%0") .. "</t>", "")
  T.eq(nq, 1, "xlsx: the period asked is there too, on the rows rated for it")
  os.remove(xp)
end

-- ---- writing outputs -------------------------------------------------------------------

-- A workbook-shaped zip (one stored member, docProps/core.xml) whose creator is `who`.
local function zip_of_creator(who)
  local name = "docProps/core.xml"
  local data = "<cp:coreProperties><dc:creator>" .. who .. "</dc:creator></cp:coreProperties>"
  local lh = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, 0, 0, 0, 0, 0, #data, #data, #name, 0) .. name
  local cd = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4", 0x02014b50, 20, 20, 0, 0, 0, 0, 0,
                         #data, #data, #name, 0, 0, 0, 0, 0, 0) .. name
  local eocd = string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, 1, 1, #cd, #lh + #data, 0)
  return lh .. data .. cd .. eocd
end
do
  local zp = T.tmpname(".xlsx")
  local h = io.open(zp, "wb"); h:write(zip_of_creator("Alice")); h:close()
  local function creator(p)
    local core = pmf.xlsx.member(p, "docProps/core.xml")
    return core and core:match("<dc:creator>(.-)</dc:creator>")
  end
  T.eq(creator(zp), "Alice", "xlsx.member reads a stored member")
  T.eq(sc:write(zp, "xlsx"), nil, "a workbook somebody else wrote is not replaced")
  h = io.open(zp, "wb"); h:write("not a zip"); h:close()
  T.eq(pmf.xlsx.member(zp, "docProps/core.xml"), nil, "and nil for what is not a zip")
  T.eq(sc:write(zp, "xlsx", { force = true }), zp, "(a report written there)")
  T.eq(creator(zp), "pmf", "pmf's workbooks say pmf (a deflated member read back)")
  T.eq(pmf.xlsx.member(zp, "no/such.xml"), nil, "no such member: nil")
  os.remove(zp)
end
local wdir = T.tmpname("dir")
os.execute("mkdir -p " .. wdir)
local fs = assert(pmf.open(wdir .. "/store.db"))
fs:exec("CREATE TABLE keep(x)")
local function slurp(p) local h = io.open(p, "rb"); if not h then return nil end local d = h:read("a"); h:close(); return d end
local store_bytes = slurp(wdir .. "/store.db")
for _, target in ipairs({ wdir .. "/store.db", wdir .. "/./store.db", wdir .. "/store.db-wal",
                          wdir .. "/store.db-shm", wdir .. "/store.db-journal" }) do
  local ok, err = sc:write(target, "html", { store = fs, force = true })
  T.eq(ok, nil, "write refuses the store: " .. target)
  T.ok(err and err:find("is the store", 1, true), "and says so: " .. tostring(err))
end
T.eq(slurp(wdir .. "/store.db"), store_bytes, "the store file is untouched")
T.eq(#fs:query("SELECT * FROM sqlite_master WHERE name = 'keep'"), 1, "and still a store")
fs:close()
for _, fmt in ipairs({ "text", "md", "csv", "json", "html", "xlsx" }) do
  local p = wdir .. "/r." .. fmt
  T.eq(sc:write(p, fmt), p, fmt .. ": a new file is written")
  T.eq(sc:write(p, fmt), p, fmt .. ": and replaced: it is a pmf " .. fmt .. " report")
  T.eq(slurp(p), sc:render(fmt), fmt .. ": with the rendered bytes")
  local foreign = wdir .. "/foreign." .. fmt
  local h = io.open(foreign, "wb"); h:write(fmt == "xlsx" and zip_of_creator("Alice") or "somebody's file\n"); h:close()
  local before = slurp(foreign)
  local ok, err = sc:write(foreign, fmt)
  T.eq(ok, nil, fmt .. ": a file pmf did not write is refused")
  T.ok(err and err:find("is not a pmf " .. fmt .. " report", 1, true), fmt .. ": and says so: " .. tostring(err))
  T.eq(slurp(foreign), before, fmt .. ": and left as it was")
  T.eq(sc:write(foreign, fmt, { force = true }), foreign, fmt .. ": force replaces it")
end
local jp = wdir .. "/r.json"
T.eq(pmf.report.exceptions(args):write(wdir .. "/r.csv", "csv"), nil,
     "csv: a different report's CSV is not replaced")
T.eq(pmf.report.exceptions(args):write(jp, "json"), jp, "json: any pmf json report is")
for _, fmt in ipairs({ "html", "xlsx", "csv" }) do
  local ok, err = sc:write("/dev/full", fmt)
  T.eq(ok, nil, fmt .. ": a full device fails")
  T.ok(err and err:find("/dev/full: No space left on device", 1, true), fmt .. ": path and reason: " .. tostring(err))
end
local ok, err = sc:write(wdir .. "/missing/x.html", "html")
T.ok(not ok and err:find("missing/x.html", 1, true), "a missing folder: the path in the error")
local leftovers = io.popen("ls -A " .. wdir .. " | grep -c '\\.pmf-'"):read("a")
T.eq(tonumber(leftovers), 0, "no temporary files are left behind")
local h = io.open(wdir .. "/rt-scorecard.html", "wb"); h:write("<p>mine</p>"); h:close()
T.err(function() pmf.report.write_all(s, "rt", Q, wdir, { as_of = "2025-10-20" }) end,
      "rt%-scorecard.html: exists and is not a pmf html report", "write_all refuses a file pmf did not write")
T.eq(slurp(wdir .. "/rt-scorecard.html"), "<p>mine</p>", "and leaves it")
T.eq(#pmf.report.write_all(s, "rt", Q, wdir, { as_of = "2025-10-20", force = true, formats = { "text", "md", "csv", "json", "html", "xlsx" } }), 18, "unless forced")
os.execute("rm -rf " .. wdir)

-- number formatting
T.eq(pmf.render.number(110000), "110,000", "thousands separators")
T.eq(pmf.render.number(12.3456), "12.346", "up to 3 decimals")
T.eq(pmf.render.number(3, 1), "3.0", "fixed decimals")
T.eq(pmf.render.number(nil), "", "nil is empty")

-- ---- issue 13: reports a Cabinet would publish ------------------------------------------
local function has(text, needle, descr) T.ok(text:find(needle, 1, true) ~= nil, descr .. " (" .. needle .. ")") end
local function hasnt(text, needle, descr) T.ok(text:find(needle, 1, true) == nil, descr .. " (no " .. needle .. ")") end

-- default period: the latest with figures (Q), not the latest quarter ended by the as-of date
local dflt = assert(pmf.report.run("scorecard", { framework = "rt", as_of = "2026-11-01" }))
T.eq(dflt.period, Q, "no period: the latest period with figures")
local dtext = dflt:render("text")
has(dtext, "latest period with figures", "the heading says the period was chosen")
local asked = assert(pmf.report.run("scorecard", { framework = "rt", period = Q, as_of = "2026-11-01" }))
hasnt(asked:render("text"), "latest period with figures", "a period asked for is not labelled as defaulted")

-- the cover block, in every format
local cov = assert(pmf.report.run("scorecard", { framework = "rt", period = Q, as_of = "2025-10-20" }))
local fwh = pmf.framework.get(s, "rt").hash
for _, fmt in ipairs({ "text", "md", "html" }) do
  local out = cov:render(fmt)
  has(out, "Dudley", fmt .. ": the council's name from its code")
  has(out, "Report test council", fmt .. ": the framework's title")
  has(out, "Quarter 2 2025/26: July to September 2025", fmt .. ": the period in words")
  has(out, "1 July 2025 to 30 September 2025", fmt .. ": and its dates")
  has(out, "As of 2025-10-20", fmt .. ": the as-of date")
  has(out, "Status: Draft", fmt .. ": the publication status")
  has(out, "v1 · " .. fwh:sub(1, 8), fmt .. ": the framework version as a short id")
  hasnt(fmt == "html" and out:gsub("^.-</head>", "") or out, fwh, fmt .. ": never the full hash on the page")
  has(out, "Ratings use the published (rounded) figure", fmt .. ": the key says what is rated")
  has(out, "tolerance (100, 5%)", fmt .. ": the key states this framework's tolerances")
  has(out, "▲ better, ▼ worse", fmt .. ": the key gives the DoT symbols")
end
local chtml = cov:render("html")
has(chtml, '<meta name="pmf-framework-hash" content="' .. fwh .. '">', "html: the full hash in the metadata")
local cdoc = cjson.decode(cov:render("json"))
T.eq(cdoc.framework_hash, fwh, "json: the full hash")
T.eq(cdoc.period_words, "Quarter 2 2025/26: July to September 2025", "json: the period in words")
T.eq(cdoc.council_name, "Dudley", "json: the council")

-- units on every figure, the target included
local ctext = cov:render("text")
T.ok(ctext:find("K1[^\n]*%d%.%d%%[^\n]*50%.0%%") ~= nil, "text: value and target both carry the unit (50.0%)")
has(cov:render("csv"), "target_display", "csv: the target as published")

-- grouped under the golden thread's levels, with a roll-up at each node
T.ok(#cov.groups >= 3, "scorecard groups: one per node with KPIs under it")
local titles = {}
for _, g in ipairs(cov.groups) do titles[#titles + 1] = g.level_title .. ": " .. g.title end
T.eq(titles, { "Priority: Priority one", "Outcome: Outcome one", "Priority: Priority two" },
     "groups in the thread's order, headed by the council's level words")
for _, fmt in ipairs({ "text", "md", "html" }) do
  local out = cov:render(fmt)
  has(out, "Outcome: Outcome one", fmt .. ": a heading per node")
  has(out, "Roll-up", fmt .. ": the roll-up rule is stated")
end
local g1 = cov.groups[1]
T.eq(g1.counts.total, 2, "the roll-up counts the KPIs under a node")
T.ok(g1.status == pmf.report.rollup_rules.worst(g1.counts), "the default roll-up is the worst status")
T.eq(pmf.report.rollup_rules.worst({ green = 3, red = 1 }), "red", "worst: any red is red")
T.eq(pmf.report.rollup_rules.majority({ green = 3, red = 1 }), "green", "majority: most KPIs win")
T.eq(pmf.report.rollup_rules.majority({ green = 1, red = 1 }), "red", "majority: a tie goes to the worse")
local own = assert(pmf.report.run("scorecard", { framework = "rt", period = Q, as_of = "2025-10-20",
  rollup = function(c) return "blue" end }))
T.eq(own.groups[1].status, "blue", "a report can give its own roll-up function")
local maj = assert(pmf.report.run("golden_thread", { framework = "rt", period = Q, rollup = "majority" }))
has(maj:render("text"), "status most of its KPIs have", "golden thread: the rule it used")
local ex = assert(pmf.report.run("exceptions", { framework = "rt", period = Q }))
T.ok(ex.groups ~= nil, "exceptions are grouped too")

-- the dashboard
T.eq(select(2, pmf.report.run("dashboard", { framework = "rt", period = Q })),
     "the dashboard report is about one node of the golden thread: give its id (node = ID, --node ID)",
     "dashboard without a node: says what it needs")
local db = assert(pmf.report.run("dashboard", { framework = "rt", node = "p1", period = Q }))
T.eq(db.headline.total, 2, "dashboard: headline counts the node's KPIs")
local dhtml = db:render("html")
local _, ntiles = dhtml:gsub('<section class="tile ', "")
T.eq(ntiles, 2, "dashboard: a tile per KPI")
has(dhtml, "Target: 50.0%", "a tile shows the target with its unit")
has(dhtml, 'class="tile-trend" role="img"', "a tile has a trend chart")
has(dhtml, "<title>Trend (%)", "the trend chart has a text alternative")
has(db:render("text"), "Headline:", "text: the headline counts")

-- flags as footnotes in every format: `late` too
s:reopen("rt", Q, { reason = "report_test: an estimated figure" })
s:observe{ metric = "placements", area = "E08000027", period = Q, value = 60001,
           flags = { "estimated", "revised" }, at = "2025-10-06T09:00" }
local fl = assert(pmf.report.run("scorecard", { framework = "rt", period = Q }))
local k3
for _, r in ipairs(fl.rows) do if r.kpi == "K3" then k3 = r end end
T.ok(k3 and k3.flag_marks and k3.flag_marks:find("e", 1, true), "an estimated figure is marked e")
T.ok(k3 and k3.flag_marks and k3.flag_marks:find("r", 1, true), "a revised figure (a '(Rev)' label) is marked r")
for _, fmt in ipairs({ "text", "md", "html" }) do
  has(fl:render(fmt), "estimated", fmt .. ": the flag is explained in a note")
  has(fl:render(fmt), "revised by the publisher", fmt .. ": revised is explained in a note")
end
has(fl:render("csv"), "estimated", "csv: the flags column")
has(fl:render("csv"), "revised", "csv: the flags column names revised")
has(fl:render("json"), '"revised"', "json: the flags list names revised")
local late = { kpi = "KX", title = "Late one", value = 1, display = "1", rag = "green", flags = { "late" } }
local lrep = setmetatable({ title = "T", columns = fl.columns, rows = { late } }, pmf.report.Report)
for _, fmt in ipairs({ "csv", "json" }) do has(lrep:render(fmt), "late", fmt .. ": late shown") end

-- no data draws no sparkline stub
local nd = { kpi = "KN", title = "No data", rag = "no_data", display = "no data", trend = { 1, 2, n = 2 } }
local nrep = setmetatable({ title = "T", columns = fl.columns, rows = { nd } }, pmf.report.Report)
hasnt(nrep:render("html"), "<svg", "a no-data row draws no sparkline")
-- a sparkline's text alternative gives the values and the scale
has(cov:render("html"), "; scale ", "sparklines carry their scale as text")

-- benchmark: the same facts in every format
local bm = assert(pmf.report.run("benchmark", { framework = "rt", kpi = "K1", period = Q }))
for _, fmt in ipairs({ "text", "md", "html" }) do
  local out = bm:render(fmt)
  has(out, "this council", fmt .. ": the council marked")
  has(out, "Group median", fmt .. ": the median")
  has(out, "England", fmt .. ": England")
  hasnt(out, "Comparator group cipfa_2024:E08000027", fmt .. ": the group by its title, not its id")
end
local bhtml = bm:render("html")
has(bhtml, '<svg class="bench" role="img"', "html: the comparator group as a bar chart")
has(bhtml, 'class="bar own"', "the council's bar is drawn differently (hatched)")
has(bhtml, "(this council)</text>", "and labelled, not by colour alone")
has(bhtml, 'class="median"', "the median line")
has(bhtml, 'class="band"', "the quartile band")
T.ok(bm.benchmark.n >= 1 and bm.benchmark.median ~= nil, "benchmark stats: n and median")
local bdoc = cjson.decode(bm:render("json"))
T.ok(bdoc.benchmark and bdoc.benchmark.group_title ~= nil, "json: the group's title")

-- too few areas with figures: no ranks, and the note says why
local FW2 = [[
framework "rt2" { title = "Small group", council = "E08000027", year_start = "April",
  levels = { "priority" }, comparator = "cipfa_2024:E08000027", min_group = 99 }
priority "q1" { title = "Only" }
metric "recycled" { title = "Recycled", unit = "tonnes", aggregation = "sum" }
metric "waste" { title = "Waste", unit = "tonnes", aggregation = "sum" }
kpi "R1" { title = "Recycling rate", parent = "q1", formula = pct("recycled", "waste"),
  unit = "%", decimals = 1, polarity = "up", frequency = "quarterly", target = 50 }
]]
local p2 = T.tmpname(".lua")
local f2 = assert(io.open(p2, "w")); f2:write(FW2); f2:close()
assert(pmf.framework.load(s, p2, { at = "2025-10-01T08:00" }))
os.remove(p2)
local small = assert(pmf.report.run("benchmark", { framework = "rt2", kpi = "R1", period = Q }))
local ranked = 0
for _, r in ipairs(small.rows) do if r.rank then ranked = ranked + 1 end end
T.eq(ranked, 0, "too few areas: no ranks")
T.ok(small.benchmark.note ~= nil, "and the report says why: " .. tostring(small.benchmark.note))
for _, fmt in ipairs({ "text", "md", "html" }) do has(small:render(fmt), "No ranks: ", fmt .. ": no ranks, said") end

-- html: accessible structure (the axe-core run is tests/e2e/a11y.sh)
for _, rep in ipairs({ cov, db, bm, ex }) do
  local h = rep:render("html")
  has(h, '<html lang="en-GB">', rep.name .. ": language set")
  hasnt(h, "<th class", rep.name .. ": every header cell has a scope")
  local svgs = select(2, h:gsub("<svg", ""))
  local titled = select(2, h:gsub('<svg[^>]*role="img"[^>]*><title>', ""))
  T.eq(titled, svgs, rep.name .. ": every svg has a title")
  has(h, "<main>", rep.name .. ": landmarks")
  local last = 1
  local inorder = true
  for lvl in h:gmatch("<h(%d)") do
    lvl = tonumber(lvl)
    if lvl > last + 1 then inorder = false end
    last = lvl
  end
  T.ok(inorder, rep.name .. ": headings in order (no level skipped)")
end

-- xlsx as analysts want it
if pmf.render.has_xlsx() then
  local xp = T.tmpname(".xlsx")
  assert(cov:write(xp))
  local names = pmf.xlsxread.sheets(xp)
  T.eq(names, { "Outcome one", "Priority two", "Key and notes" }, "xlsx: a sheet per node with KPIs, and the key")
  local rows = {}
  pmf.xlsxread.read(xp, { sheet = 1 }, function(r) rows[#rows + 1] = r end)
  T.eq(rows[1][1], "Scorecard | Dudley", "xlsx: the title block")
  has(table.concat(rows[2], " "), "Outcome one", "xlsx: the section's heading")
  local hdr
  for i, r in ipairs(rows) do if r[1] == "KPI" then hdr = i end end
  T.ok(hdr and rows[hdr + 1][1] == "K1", "xlsx: the header then the rows")
  T.ok(tonumber(rows[hdr + 1][4] or rows[hdr + 1][3]) ~= nil, "xlsx: values are numbers")
  local styles = pmf.xlsx.member(xp, "xl/styles.xml")
  has(styles, 'formatCode="#,##0.0&quot;%&quot;"', "xlsx: number format from decimals and unit")
  local sheet = pmf.xlsx.member(xp, "xl/worksheets/sheet1.xml")
  has(sheet, "<autoFilter", "xlsx: an autofilter")
  has(sheet, 'state="frozen"', "xlsx: a frozen header")
  has(pmf.xlsx.member(xp, "docProps/core.xml"), fwh, "xlsx: the full hash in the properties")
  has(pmf.xlsx.member(xp, "docProps/core.xml"), "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2025-10-20T00:00:00Z<",
      "xlsx: created at midnight UTC of the as-of date")
  local bp = T.tmpname(".xlsx")
  assert(bm:write(bp))
  T.ok(pmf.xlsx.member(bp, "xl/chartsheets/sheet1.xml") ~= nil, "xlsx: the benchmark has a chart sheet")
  has(pmf.xlsx.member(bp, "xl/charts/chart1.xml") or "", "<c:barChart>", "a bar chart")
  os.remove(xp); os.remove(bp)
end

-- pdf
if pmf.render.chromium() and os.execute("command -v pdftotext >/dev/null") then
  local pp = T.tmpname(".pdf")
  T.eq(cov:write(pp), pp, "pdf: written")
  local txt = io.popen("pdftotext -layout " .. pp .. " -"):read("a")
  has(txt, "Page 1 of", "pdf: page numbers")
  has(txt, "Scorecard | Dudley | 2025/26 Q2", "pdf: the title in the footer")
  T.eq(cov:write(pp), pp, "pdf: its own pdf is replaced")
  os.remove(pp)
else
  T.ok(false, "pdf needs chromium and pdftotext on this machine")
end

-- a report of one's own: registered as the engine's own reports are, run, covered and drawn
-- like them
do
  local n = #pmf.report.order
  pmf.report.register("owners", "each KPI's owner", function(ctx)
    local rows = {}
    for _, id in ipairs(ctx.fw.kpi_order) do rows[#rows + 1] = { kpi = id, owner = ctx.fw.kpis[id].owner } end
    return { title = "Owners", rows = rows,
             columns = { pmf.report.col("kpi", "KPI"), pmf.report.col("owner", "Owner") } }
  end)
  T.eq(pmf.report.order[n + 1], "owners", "register: the report joins the list of reports")
  local own = pmf.report.owners(args)
  T.eq(own.rows[4], { kpi = "K4", owner = "Chief Finance Officer" }, "register: its rows, in declaration order")
  T.eq({ own.name, own.framework, own.period, own.as_of }, { "owners", "rt", Q, "2025-10-20" },
       "register: run() gives it the report's name, framework, period and as-of date")
  has(own:render("csv"), "K4,Chief Finance Officer", "register: drawn by the renderers")
  has(own:render("text"), "Owners", "register: its title in the text")
  T.err(function() pmf.report.register("scorecard", "again", function() end) end,
        "the name 'scorecard' is taken", "register: a second report of one name is refused")
  T.err(function() pmf.report.register("run", "shadow", function() end) end,
        "the name 'run' is taken", "register: a name of the module's own functions is refused")
  pmf.report.register("one_kpi", "one KPI", function(ctx)
    return { title = "KPI " .. ctx.args.kpi, columns = {}, rows = {} }
  end, "kpi")
  local none, why = pmf.report.run("one_kpi", args)
  T.ok(none == nil and why:find("about one KPI", 1, true), "register: needs = \"kpi\" asks for the KPI: " .. tostring(why))
  T.err(function() pmf.report.one_kpi(args) end, "about one KPI", "register: the convenience function raises")
end

-- the REPL's tables
local rated = pmf.kpi.rate{ framework = "rt", period = Q }
T.ok(pmf.render.is_rows(rated), "rating rows are a list of rows")
has(pmf.render.show_text(rated, nil, 120), "Green", "show: RAG as a word")
local shown = pmf.render.show_text(rated, nil, 70)
for line in shown:gmatch("[^\n]+") do T.ok(utf8.len(line) <= 70, "show fits the width: " .. line) end
T.eq(pmf.render.show_text({ { a = 1, b = "x" } }, { "b" }, 80), "b\n-\nx\n", "show: the columns asked for")

T.done("report_test")
