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
for _, row in ipairs(doc.rows) do
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
T.eq(lines[1], "kpi,title,value,display,target,rag,dot_prev,dot_year,trend,rank,n,quartile,commentary,commentary_required,owner",
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
if pmf.render.has_xlsx() then
  local x = sc:render("xlsx")
  T.eq(x:sub(1, 2), "PK", "xlsx is a zip")
  T.ok(#x > 3000, "xlsx is not empty")
  local p = T.tmpname(".xlsx")
  T.eq(sc:write(p), p, "write(path) picks xlsx from the extension")
  local g = io.open(p, "rb"); T.eq(g:read("a"), x, "written xlsx equals rendered xlsx"); g:close()
  os.remove(p)
else
  T.ok(true, "xlsx skipped: no pmf.xlsx")
end
T.err(function() sc:render("pdf") end, "unknown format", "an unknown format raises")

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
local rep2, fmt2 = pmf.report.republish(s, pid)
T.eq(fmt2, "html", "republish knows the format")
T.eq(pmf.report.hash(rep2:render(fmt2)), pub.output_hash, "republish rebuilds the same bytes")

-- rows() for pmf sql
local rtxt = pmf.render.rows({ { a = 1, b = "x" }, { a = 22, b = "yy" } }, "text")
T.ok(rtxt:find("^a%s+b\n"), "rows: header")
T.eq(pmf.render.rows({ { a = 1, b = "x,y" } }, "csv"), 'a,b\n1,"x,y"\n', "rows: csv")
T.eq(pmf.render.rows({ { b = 2, a = 1 } }, "json"), '[\n  {"a":1,"b":2}\n]\n', "rows: json sorted keys")

-- write_all
local dir = T.tmpname("dir")
os.execute("mkdir -p " .. dir)
local paths = pmf.report.write_all(s, "rt", Q, dir, { as_of = "2025-10-20" })
T.eq(#paths, pmf.render.has_xlsx() and 18 or 15, "write_all: 3 reports x every format")
for _, p in ipairs(paths) do
  local h = io.open(p, "rb"); T.ok(h and #h:read("a") > 0, "written " .. p); if h then h:close() end
end
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

-- number formatting
T.eq(pmf.render.number(110000), "110,000", "thousands separators")
T.eq(pmf.render.number(12.3456), "12.346", "up to 3 decimals")
T.eq(pmf.render.number(3, 1), "3.0", "fixed decimals")
T.eq(pmf.render.number(nil), "", "nil is empty")

T.done("report_test")
