-- tests/lua/framework_test.lua: the framework DSL (pmf.framework), its sandbox (pmf.sandbox),
-- validation with file:line errors, loading and versions in the store, and `pmf test`.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local F = pmf.framework
local sandbox = require "pmf.sandbox"

local root = (arg[0]:match("^(.-)tests/lua/[^/]*$") or "./")
if root == "" then root = "./" end
local FIX = root .. "tests/fixtures/frameworks/"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local function errtext(errors) return F.format_errors(errors or {}) end

-- ---------------------------------------------------------------- SHA-256
T.eq(F.sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of ''")
T.eq(F.sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of 'abc'")
T.eq(F.sha256(string.rep("a", 1000)),
     "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", "sha256 over several blocks")

-- ---------------------------------------------------------------- every DSL feature
local store = assert(pmf.open(":memory:"))
local fw, errors = F.check(FIX .. "valid_full.lua", store)
T.ok(fw, "valid_full.lua validates: " .. errtext(errors))
if fw then
  T.eq(fw.id, "full", "framework id")
  T.eq(fw.year_start, 4, "year_start 'April' -> 4")
  T.eq(fw.levels, { "vision", "ambition", "priority", "service" }, "levels kept top-down")
  T.eq(fw.comparator, "cipfa_2024:E08000030", "a store group id as comparator")
  T.eq(fw.roots, { "v" }, "roots")
  T.eq(fw.nodes.p1.parents, { "a1", "a2" }, "many-to-many parents")
  T.eq(fw.nodes.a1.children, { "p1" }, "children of a1")
  T.eq(fw.nodes.a2.children, { "p1", "p2" }, "children of a2")
  T.eq(fw.nodes.s1.level, "service", "node \"id\" { level = } works for any level")
  T.eq(fw.nodes.p2.level, "priority", "generic node at a named level")
  T.eq(fw.nodes.s1.parents, { "p1" }, "four levels deep")
  T.eq(fw.nodes.p1.kpis, { "K1", "K2", "K7" }, "KPIs hang on p1 (K7 via a helper function)")
  T.eq(fw.nodes.p1.actions, { "A1" }, "actions hang on nodes")
  T.eq(fw.nodes.p1.risks, { "R1" }, "risks hang on nodes")
  T.eq(fw.kpi_order, { "K1", "K2", "K3", "K4", "K5", "K6", "K7" }, "KPIs in file order")
  T.eq(fw.node_order, { "v", "a1", "a2", "p1", "s1", "p2" }, "nodes in file order")
  T.eq(fw.groups.near.id, "full:near", "groups are stored as <fw>:<name>")
  T.eq(fw.groups.near.members, { "E08000027", "E08000028", "E08000030" }, "group members")
  T.eq(fw.metrics.things.aggregation, "last", "metric aggregation")
  T.eq(fw.metrics.done.title, "Done", "metric title")

  local K1 = fw.kpis.K1
  T.eq(K1.parents, { "p1" }, "a KPI declared before its parent")
  T.eq(K1.line, 7, "a KPI records its line")
  T.ok(K1.file:match("valid_full%.lua$"), "and its file")
  T.eq(K1.versions[1].formula, { kind = "ratio", num = "things", den = "people", scale = 10000 },
       "rate(num, den, 10000) -> ratio with scale 10000")
  T.eq(K1.versions[1].target, { kind = "value", value = 70 }, "a number target")
  T.eq(K1.versions[1].tolerance, "5%", "tolerance kept as written")
  T.eq(K1.versions[1].blue, "10%", "blue kept")
  T.eq(K1.versions[1].dot_threshold, "1%", "dot_threshold kept")
  T.eq(K1.versions[1].polarity, "down", "polarity")
  T.eq(K1.versions[1].comparator, "full:near", "a KPI's comparator names a local group")
  T.eq(K1.replaces, "K1_old", "lineage: replaces kept")
  T.eq(K1.breakdowns, { "sex", "ward" }, "breakdowns")
  T.eq(K1.suppress_below, 5, "suppress_below")
  T.eq({ K1.unit, K1.decimals, K1.frequency, K1.owner, K1.national, K1.type, K1.illustrative },
       { "per 10,000", 1, "quarterly", "Director", true, "outcome", true }, "descriptive fields")
  T.eq(fw.kpis.K6.split_into, { "K6a", "K6b" }, "lineage: split_into kept")

  -- effective-dated changes: sorted by from, each inheriting the one before
  T.eq(#K1.versions, 3, "two changes -> three versions")
  T.eq(tostring(K1.versions[2].from), "2025/26 Q3", "changes sorted by from (declared out of order)")
  T.eq(K1.versions[2].formula.scale, 1000, "the first change replaces the formula")
  T.eq(K1.versions[2].target.value, 70, "and inherits the target")
  T.eq(K1.versions[3].target.value, 65, "the second change sets the target")
  T.eq(K1.versions[3].formula.scale, 1000, "and inherits the formula of the change before")
  T.eq(K1.versions[3].tolerance, "3%", "and the tolerance")
  T.eq(F.kpi_version(K1, "2025/26 Q2").formula.scale, 10000, "Q2 2025/26 keeps the first definition")
  T.eq(F.kpi_version(K1, "2025/26 Q3").formula.scale, 1000, "from Q3 the change applies")
  T.eq(F.kpi_version(K1, "2026-05").target.value, 65, "a month inside 2026/27 Q1: the later change")
  T.eq(F.kpi_version(K1, pmf.period("2024/25")).target.value, 70, "a Period works too")
  T.err(function() F.kpi_version(K1, "not a period") end, "not a period", "a bad label raises")

  local K2, K3, K4, K5, K6 = fw.kpis.K2, fw.kpis.K3, fw.kpis.K4, fw.kpis.K5, fw.kpis.K6
  T.eq(K2.parents, { "p1", "p2" }, "a KPI with parents = {...}")
  T.eq(K2.versions[1].formula, { kind = "ratio", num = "done", den = "asked", scale = 100 }, "pct -> ratio x100")
  T.eq(K2.versions[1].target.kind, "periods", "a table keyed by FY")
  T.eq(K2.versions[1].target.values, { ["2025/26"] = 80, ["2026/27"] = 85 }, "its values by label")
  T.eq(F.target_value(K2.versions[1].target, pmf.period("2025/26 Q2")), 80, "an FY target applies to its quarters")
  T.eq(F.target_value(K2.versions[1].target, pmf.period("2026/27")), 85, "and to the year")
  T.eq(F.target_value(K2.versions[1].target, pmf.period("2027/28")), nil, "no target outside")
  T.eq(K2.versions[1].tolerance, 2, "an absolute tolerance")
  T.eq(K2.versions[1].comparator, "cipfa_2024:E08000030", "a KPI inherits the framework's comparator")
  T.eq(K3.versions[1].formula.scale, 1, "ratio -> scale 1")
  T.eq(K3.versions[1].band, { lo = 0.4, hi = 0.6 }, "band {lo, hi} normalised")
  T.eq(K3.versions[1].target.values, { ["2025/26 Q1"] = 0.5, ["2025/26 Q2"] = 0.55 }, "profile by quarter")
  T.eq(F.target_value(K3.versions[1].target, pmf.period("2025/26 Q2")), 0.55, "profile value")
  T.eq(K4.versions[1].formula, { kind = "diff", a = "done", b = "asked" }, "diff")
  T.eq(K4.versions[1].target.kind, "baseline", "baseline target")
  T.eq(tostring(K4.versions[1].target.period), "2024/25", "baseline period")
  T.eq(K4.versions[1].target.change, { pct = -5 }, "baseline change -5%")
  T.eq(K5.versions[1].formula.kind, "custom", "custom formula")
  T.eq(K5.versions[1].formula.inputs, { d = "done", p = "people" }, "custom inputs")
  T.eq(K5.versions[1].formula.fn({ d = 6, p = 3 }), 2, "custom fn is callable")
  T.eq(K5.versions[1].target, { kind = "benchmark", group = "full:near", stat = "top_quartile" },
       "benchmark target, group resolved")
  T.eq(K6.versions[1].formula, { kind = "metric", metric = "things" }, "a metric id formula")
  T.eq(K6.versions[1].target.kind, "function", "a function target")
  T.eq(K6.versions[1].target.fn(), 10, "the function is kept")
  T.eq(type(K6.versions[1].rag), "function", "a rag override")
  T.eq(fw.actions.A1.milestones, { { title = "Start", due = "2025-12-31" } }, "action milestones")
  T.eq(fw.actions.A1.due, "2026-03-31", "action due")
  T.eq(fw.actions.A1.kpis, { "K1" }, "action kpis")
  T.eq({ fw.risks.R1.likelihood, fw.risks.R1.impact }, { 3, 4 }, "risk scores")
  T.eq(fw.board_order, { "cabinet", "clt" }, "boards in order")
  T.eq(fw.boards.cabinet.receives, { "scorecard", "exceptions" }, "board receives")
  T.eq(fw.boards.cabinet.after_days, 40, "board after_days")
  T.eq(fw.boards.clt.cadence, "monthly", "board cadence")
  T.eq(fw.deadlines.data_entry.working_days, 10, "deadline")
  T.eq(fw.commentary_statuses, { red = true }, "rule commentary_required")
  T.eq(#fw.hash, 64, "hash is SHA-256 hex")
  T.eq(fw.hash, F.sha256(read(FIX .. "valid_full.lua")), "of the file's bytes")
end

-- ---------------------------------------------------------------- validation errors
-- Each bad_*.lua fixture marks the lines that must have an error with "--! PATTERN".
local bad = {
  "bad_unknown_parent", "bad_unknown_metric", "bad_duplicate_id", "bad_polarity", "bad_band",
  "bad_period", "bad_cycle", "bad_hangs_nowhere", "bad_unknown_level", "bad_unknown_field",
  "bad_target_type", "bad_tolerance_type", "bad_undeclared_global",
}
for _, name in ipairs(bad) do
  local path = FIX .. name .. ".lua"
  local want = {}
  local n = 0
  for line in (read(path) .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local pat = line:match("%-%-! (.*)$")
    if pat then want[#want + 1] = { line = n, pat = pat } end
  end
  local got, errs = F.check(path, store)
  T.ok(got == nil, name .. ": check fails")
  T.eq(#errs, #want, name .. ": one error per marked line, all of them (" .. errtext(errs) .. ")")
  for _, w in ipairs(want) do
    local found = false
    for _, e in ipairs(errs) do
      local text = e.file .. ":" .. e.line .. ": " .. e.msg
      if e.line == w.line and text:find("^" .. path:gsub("%p", "%%%0") .. ":" .. w.line .. ": .*" .. w.pat) then
        found = true
      end
    end
    T.ok(found, name .. ": line " .. w.line .. " has /" .. w.pat .. "/ in " .. errtext(errs))
  end
end

-- The exact text of one, as users see it.
local _, errs = F.check(FIX .. "bad_unknown_field.lua", store)
T.eq(errtext(errs), FIX .. "bad_unknown_field.lua:5: unknown field 'polartiy' in kpi 'X'",
     "the typo error, exactly")

-- Metrics: in the file, or already in the store; not otherwise.
local src_store_metric = [[
framework "t" { title = "T", levels = { "priority" } }
priority "p" { title = "P" }
kpi "k" { title = "K", parent = "p", formula = "stored_metric", polarity = "up" }
]]
T.ok(not F.compile(src_store_metric, "sm.lua", { store = store }), "a metric in neither file nor store fails")
store:metric{ id = "stored_metric", title = "Stored" }
T.ok(F.compile(src_store_metric, "sm.lua", { store = store }), "a metric already in the store is fine")

-- More checks, inline: each source and the error it must give at its line.
local head = 'framework "t" { title = "T", council = "E08000030", levels = { "ambition", "priority" } }\n' ..
             'ambition "a" { title = "A" }\nmetric "m" { title = "M" }\n'
local cases = {
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up", tolerance = {} }',
    4, "tolerance must be a number" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up", target = { ["2025/26 Q1"] = 5 } }',
    4, "'2025/26 Q1' is not a year: use profile" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up", target = { ["2025/26"] = "x" } }',
    4, "target for '2025/26' must be a number" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", target = 5 }', 4, "needs a polarity" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up", band = {1, 2} }',
    4, "band given but polarity is up" },
  { 'kpi "k" { title = "K", parent = "a", formula = function() return 1 end, polarity = "up" }',
    4, "use custom" },
  { 'kpi "k" { title = "K", parent = "a", formula = rate("m", "m"), polarity = "up" }',
    4, "rate: the third argument" },
  { 'kpi "k" { title = "K", parent = "a", formula = custom { inputs = { x = "m" } }, polarity = "up" }',
    4, "custom: fn must be a function" },
  { 'kpi "k" { title = "K", parent = "a", polarity = "up" }', 4, "kpi 'k' has no formula" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up", comparator = "nope" }',
    4, "unknown comparator group 'nope'" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up", comparator = "cipfa_2024:E99999999" }',
    4, "unknown comparator group 'cipfa_2024:E99999999'" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up", replaces = "not an id!" }',
    4, "replaces names 'not an id!', not a KPI id" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up",\n frequency = "weekly" }',
    4, "frequency must be one of monthly, quarterly, half%-yearly, annual" },
  { 'change "zz" { from = "2026/27" }', 4, "change names unknown kpi 'zz'" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up" }\nchange "k" { from = "2026/27", taget = 1 }',
    5, "unknown field 'taget' in change 'k'" },
  { 'kpi "k" { title = "K", parent = "a", formula = "m", polarity = "up" }\nchange "k" { target = 1 }',
    5, "change 'k' from: a period label is required" },
  { 'group "g" { title = "G", members = { "E08000030", "X00000000" } }', 4, "group 'g': unknown area 'X00000000'" },
  { 'group "g" { title = "G" }', 4, "group 'g' needs members" },
  { 'action "x" { title = "X", parent = "a", due = "31/03/2026" }', 4, "due must be a date YYYY%-MM%-DD" },
  { 'risk "r" { title = "R", parent = "a", likelihood = 7, impact = 1 }', 4, "likelihood must be a whole number 1%-5" },
  { 'risk "r" { title = "R", likelihood = 1, impact = 1 }', 4, "risk 'r' hangs nowhere" },
  { 'board "b" { title = "B", cadence = "fortnightly" }', 4, "cadence must be one of" },
  { 'deadline "data_entry" { }', 4, "needs working_days" },
  { 'rule "commentary_required" { statuses = { "purple" } }', 4, "unknown status 'purple'" },
  { 'rule "everything" { statuses = { "red" } }', 4, "unknown rule 'everything'" },
  { 'metric "m2" { title = "M2", aggregation = "median" }', 4, "aggregation must be one of" },
  { 'kpi "k" { title = "K", parent = "m", formula = "m", polarity = "up" }', 4, "unknown parent 'm'" },
  { 'kpi "k"', 4, "kpi 'k' has no body" },
  { 'framework "t2" { title = "again", levels = { "x" } }', 4, "a file declares one framework" },
  { 'kpi(42)', 4, "kpi needs an id" },
  { 'x = 1', 4, "undeclared global 'x'" },
  { 'for i = 1, 2 do\n  local y = z\nend', 5, "undeclared global 'z'" },
  { 'kpi "k" { title = "K", parent = "a" ', 5, "expected" },   -- a syntax error (at <eof>)
}
for i, c in ipairs(cases) do
  local ok, es = F.compile(head .. c[1] .. "\n", "case" .. i .. ".lua", { store = store })
  local hit = false
  for _, e in ipairs(es or {}) do
    if e.line == c[2] and e.file == "case" .. i .. ".lua" and e.msg:find(c[3]) then hit = true end
  end
  T.ok(not ok and hit, "case " .. i .. ": line " .. c[2] .. " /" .. c[3] .. "/, got: " .. errtext(es))
end

-- Declarations before the framework, and level words that clash.
local ok1, es1 = F.compile('kpi "k" { }\n', "early.lua")
T.ok(not ok1 and errtext(es1):find("early.lua:1: declare the framework first"), "a DSL word before the framework")
local ok2, es2 = F.compile('framework "t" { title = "T", levels = { "group", "x y" } }\n', "clash.lua")
T.ok(not ok2 and errtext(es2):find("clash.lua:1: level 'group' cannot be a DSL word"), "a level named like a DSL word")
T.ok(not ok2 and errtext(es2):find("level 'x y' cannot be"), "a level that is not a Lua name")
local ok3, es3 = F.compile('-- nothing\n', "empty.lua")
T.ok(not ok3 and errtext(es3):find("no framework declared"), "a file with no framework")
local _, es4 = F.check(FIX .. "no_such_file.lua")
T.ok(errtext(es4):find("no_such_file.lua:0: cannot read"), "a missing file is an error")

-- Errors are sorted by line and all are reported (several in one file).
local _, dup = F.check(FIX .. "bad_duplicate_id.lua", store)
T.eq(#dup, 2, "both duplicates reported")
T.ok(dup[1].line < dup[2].line, "errors sorted by line")

-- ---------------------------------------------------------------- the sandbox
local ok_head = 'framework "t" { title = "T", levels = { "p" } }\n'
local refusals = {
  { "os.exit(1)", "undeclared global 'os'" },
  { "io.open('/etc/passwd')", "undeclared global 'io'" },
  { "require('os')", "undeclared global 'require'" },
  { "package.loaded.os.exit()", "undeclared global 'package'" },
  { "load('return 1')", "undeclared global 'load'" },
  { "loadstring('return 1')", "undeclared global 'loadstring'" },
  { "dofile('/etc/passwd')", "undeclared global 'dofile'" },
  { "loadfile('/etc/passwd')", "undeclared global 'loadfile'" },
  { "debug.getinfo(1)", "undeclared global 'debug'" },
  { "collectgarbage()", "undeclared global 'collectgarbage'" },
  { "rawset(_ENV, 'x', 1)", "undeclared global 'rawset'" },
  { "rawget(_ENV, 'x')", "undeclared global 'rawget'" },
  { "setmetatable({}, {})", "undeclared global 'setmetatable'" },
  { "getmetatable('')", "undeclared global 'getmetatable'" },
  { "_G.x = 1", "undeclared global '_G'" },
  { "string.dump(print)", "attempt to call a nil value %(field 'dump'%)" },
  { "sneaky = true", "undeclared global 'sneaky'" },
  { "_ENV.os = 1", "undeclared global 'os'" },
  { "while true do end", "instruction limit exceeded" },
  { "while true do pcall(function() while true do end end) end", "instruction limit exceeded" },
}
for _, r in ipairs(refusals) do
  local ok, es = F.compile(ok_head .. r[1] .. "\n", "sb.lua", { max_instructions = 200000 })
  local text = errtext(es)
  T.ok(not ok and text:find("^sb.lua:2: .*" .. r[2]), "sandbox refuses " .. r[1] .. ": " .. text)
end
-- bytecode is refused by the loader
local bytecode = string.dump(function() return 1 end)
local okb, esb = F.compile(bytecode, "bin.lua")
T.ok(not okb and errtext(esb):find("binary chunk"), "a precompiled chunk is refused: " .. errtext(esb))
-- the library copies are the file's own
local before = string.format
local okc = F.compile(ok_head .. "string.format = nil; math.pi = 3\np \"x\" { title = string.upper('x') }\n", "copy.lua")
T.ok(okc, "a file may change its own copies of the libraries")
T.ok(string.format == before and math.pi > 3.14, "the host's string and math are untouched")
-- the environment builder on its own
local env = sandbox.env({ words = { answer = 42 } })
T.eq(env.answer, 42, "sandbox.env adds words")
T.eq(rawget(env, "os"), nil, "no os in an env")
T.err(function() return env.nope end, "undeclared global 'nope'", "reading an unknown global raises")
T.err(function() env.nope = 1 end, "undeclared global 'nope'", "writing one raises")
sandbox.declare(env, "later", 1)
T.eq(env.later, 1, "sandbox.declare adds a word afterwards")
local fn = assert(sandbox.load("return answer + 1", "=x", env))
T.eq(select(2, sandbox.run(fn)), 43, "sandbox.run runs a chunk")
T.eq(sandbox.load("\27Lua", "=x", env), nil, "sandbox.load refuses binary")
local okr, er = sandbox.run(assert(sandbox.load("while true do end", "=loop", env)), { instructions = 10000 })
T.ok(not okr and tostring(er):find("^loop:1: instruction limit exceeded"), "an instruction budget stops a loop: " .. tostring(er))
T.eq(sandbox, pmf.sandbox, "one sandbox module: require 'pmf.sandbox' is pmf.sandbox")
T.eq(env.string.find, string.find, "the environment's string.find is the engine's stoppable one")

-- ---------------------------------------------------------------- load, versions, get as of
local dir = T.tmpname("_fw")
os.execute("mkdir -p " .. dir)
local path = dir .. "/mini.lua"
local v1 = [[
framework "mini" { title = "Mini v1", council = "E08000030", levels = { "priority" } }
priority "p" { title = "P" }
metric "mini_count" { title = "Count", aggregation = "sum" }
group "pair" { title = "Pair", members = { "E08000030", "E08000027" } }
kpi "M1" { title = "Count", parent = "p", formula = "mini_count", polarity = "up", target = 10 }
]]
write(path, v1)
local s = assert(pmf.open(":memory:"))
local info = assert(F.load(s, path, { at = "2025-01-10T12:00:00Z", by = "alice" }))
T.eq(info.message, "loaded mini v1 (1 KPIs, 1 nodes)", "first load message")
T.eq(info.version, 1, "v1")
T.ok(info.changed, "changed")
T.eq(s:query("SELECT title, year_start, version FROM framework WHERE id = 'mini'")[1],
     { title = "Mini v1", year_start = 4, version = 1 }, "framework row")
local vrow = s:query("SELECT hash, path, loaded_by, loaded_at FROM framework_version WHERE framework = 'mini'")[1]
T.eq(vrow.hash, F.sha256(v1), "version hash is the SHA-256 of the file")
T.eq(vrow.loaded_by, "alice", "loaded_by")
T.eq(vrow.loaded_at, "2025-01-10T12:00:00.000Z", "loaded_at")
T.eq(s:metric_info("mini_count").title, "Count", "metrics upserted")
T.eq(s:group_members("mini:pair"), { "E08000030", "E08000027" }, "groups stored as <fw>:<name>")
T.eq(s:query("SELECT count(*) AS n FROM framework_metric WHERE framework = 'mini'")[1].n, 1, "framework_metric")
s:observe{ metric = "mini_count", area = "E08000030", period = "2025-04", value = 7, at = "2025-02-01T00:00:00Z" }

local again = assert(F.load(s, path, { at = "2025-02-15T00:00:00Z" }))
T.eq(again.message, "mini unchanged (v1)", "an unchanged file adds no version")
T.eq(s:query("SELECT count(*) AS n FROM framework_version")[1].n, 1, "still one version row")

write(path, (v1:gsub("Mini v1", "Mini v2"):gsub("target = 10", "target = 12")) ..
      'metric "mini_other" { title = "Other" }\n')
local info2 = assert(F.load(s, path, { at = "2025-06-01T00:00:00Z" }))
T.eq(info2.message, "loaded mini v2 (1 KPIs, 1 nodes)", "a changed file -> v2")
T.eq(s:query("SELECT version FROM framework WHERE id = 'mini'")[1].version, 2, "framework row at v2")
T.eq(s:get("mini_count", "E08000030", "2025-04"), 7, "observations kept across reloads")
T.eq(s:query("SELECT count(*) AS n FROM framework_metric WHERE framework = 'mini'")[1].n, 2, "framework_metric rebuilt")

local now = assert(F.get(s, "mini"))
T.eq({ now.title, now.version, now.kpis.M1.versions[1].target.value }, { "Mini v2", 2, 12 }, "get: the latest version")
T.ok(F.get(s, "mini") == now, "get is cached per version")
local past = assert(s:as_of("2025-03-01"))
local old = assert(F.get(past, "mini"))
T.eq({ old.title, old.version, old.kpis.M1.versions[1].target.value }, { "Mini v1", 1, 10 }, "get as of a past date: the old version")
T.eq(old.loaded_at, "2025-01-10T12:00:00.000Z", "with its loaded_at")
local before_any = assert(s:as_of("2024-12-31"))
local none, why = F.get(before_any, "mini")
T.ok(none == nil and why:find("not loaded yet"), "get before the first load: nil, message")
local nf, nwhy = F.get(s, "nope")
T.ok(nf == nil and nwhy:find("unknown framework 'nope'"), "get of an unknown framework")
local list = F.list(s)
T.eq(#list, 1, "list: one framework")
T.eq({ list[1].id, list[1].version, list[1].kpis, list[1].nodes, list[1].title },
     { "mini", 2, 1, 1, "Mini v2" }, "list row")
T.eq(F.list(past)[1].version, 1, "list as of a past date")
T.eq(#F.versions(s, "mini"), 2, "versions")

-- an invalid file stores nothing
write(path, v1:gsub('polarity = "up"', 'polarity = "sideways"'))
local bad_info, bad_err = F.load(s, path)
T.ok(bad_info == nil and bad_err:find("mini.lua:5: kpi 'M1': polarity must be one of"), "an invalid file is refused: " .. tostring(bad_err))
T.eq(s:query("SELECT count(*) AS n FROM framework_version")[1].n, 2, "and no version is added")
T.err(function() F.load(past, path) end, "read%-only view", "loading into an as-of view raises")

-- the example framework checks against a fresh store
T.ok(F.check(root .. "frameworks/example.lua", store), "frameworks/example.lua validates")

-- ---------------------------------------------------------------- the metric catalogue
local CAT = root .. "frameworks/catalogue.lua"
local cat, cat_errors = F.catalogue(CAT)
T.ok(cat, "frameworks/catalogue.lua compiles: " .. errtext(cat_errors))
local COUNCILS = { "dudley", "walsall", "sandwell", "south_staffordshire", "wolverhampton", "example" }
if cat then
  T.eq(cat.kind, "catalogue", "a catalogue file compiles to a catalogue")
  T.ok(#cat.metric_order >= 59, "the catalogue holds the shared metrics (" .. #cat.metric_order .. ")")
  -- The shared metrics are declared once: no council file declares a catalogue metric, and
  -- every catalogue metric is read by at least two councils.
  local readers = {}
  for _, c in ipairs(COUNCILS) do
    local cfw, cerr = F.check(root .. "frameworks/" .. c .. ".lua", false)
    T.ok(cfw, c .. ".lua checks on its own (finding the catalogue beside it): " .. errtext(cerr))
    if cfw then
      T.eq(cfw.catalogue and cfw.catalogue.path, root .. "frameworks/catalogue.lua", c .. " found the catalogue")
      local own = {}
      for _, id in ipairs(cfw.metric_order) do if cat.metrics[id] then own[#own + 1] = id end end
      T.eq(own, {}, c .. ".lua declares no catalogue metric itself")
      for _, id in ipairs(cfw.catalogue_used) do readers[id] = (readers[id] or 0) + 1 end
    end
  end
  local lonely = {}
  for _, id in ipairs(cat.metric_order) do if (readers[id] or 0) < 2 then lonely[#lonely + 1] = id end end
  T.eq(lonely, {}, "every catalogue metric is read by two or more frameworks")
end

-- A file in a folder of its own still finds a catalogue (pmf's), as `pmf check FILE` does.
local cdir = T.tmpname("_cat")
os.execute("mkdir -p " .. cdir)
write(cdir .. "/walsall.lua", read(root .. "frameworks/walsall.lua"))
local wfw, werr = F.check(cdir .. "/walsall.lua", false)
T.ok(wfw and #wfw.catalogue_used > 0, "a council file copied elsewhere checks against pmf's catalogue: " .. errtext(werr))

-- Redeclaring a catalogue metric: the same definition is fine, another one is an error
-- naming both files and lines.
local hw = cat and cat.metrics.household_waste_total_tonnes
local function council_file(name, metric_decl)
  local p = cdir .. "/" .. name .. ".lua"
  write(p, 'framework "' .. name .. '" { title = "T", council = "E08000030", levels = { "p" } }\n' ..
           'p "top" { title = "Top" }\n' .. metric_decl ..
           'kpi "K1" { title = "Waste", parent = "top", formula = "household_waste_total_tonnes" }\n')
  return p
end
if hw then
  local same = string.format('metric "household_waste_total_tonnes" { title = %q, unit = %q, ' ..
                             'aggregation = %q, decimals = %d, definition = %q, source = %q }\n',
                             hw.title, hw.unit, hw.aggregation, hw.decimals, hw.definition, hw.source)
  local okfw, okerr = F.check(council_file("same", same), false)
  T.ok(okfw, "the catalogue's definition declared again is fine: " .. errtext(okerr))
  local maxed = same:gsub('aggregation = "sum"', 'aggregation = "max"')
  local bad, berr = F.check(council_file("maxed", maxed), false)
  T.ok(bad == nil, "a different definition of a catalogue metric is refused")
  T.eq(berr and berr[1] and (berr[1].file .. ":" .. berr[1].line), cdir .. "/maxed.lua:3", "the error is at the redeclaration")
  T.ok(berr and berr[1] and berr[1].msg:find("metric 'household_waste_total_tonnes' is already declared differently in the catalogue at " ..
                                            "[^ ]*frameworks/catalogue%.lua:" .. hw.line .. " %(aggregation \"max\" here, \"sum\" there%)"),
       "and names the catalogue's file and line and what differs: " .. errtext(berr))
end

-- Conflicts in a store: a second framework may not change a metric another one uses; the
-- same definition is shared; a later version of the same file may change its own.
local cs = assert(pmf.open(":memory:"))
local a_path = council_file("council_a", 'metric "local_count" { title = "Visits", aggregation = "sum" }\n')
write(a_path, read(a_path):gsub('formula = "household_waste_total_tonnes"', 'formula = "local_count"'))
assert(F.load(cs, a_path, { at = "2025-01-10T12:00:00Z" }))
local b_path = council_file("council_b", 'metric "local_count" { title = "Visits", aggregation = "max" }\n')
write(b_path, read(b_path):gsub('formula = "household_waste_total_tonnes"', 'formula = "local_count"'))
local b_info, b_err = F.load(cs, b_path, { at = "2025-02-10T12:00:00Z" })
T.ok(b_info == nil, "a second framework redeclaring a stored metric differently is refused")
T.ok(b_err and b_err:find("council_b.lua:3: metric 'local_count' is already declared differently at " ..
                           (cdir .. "/council_a.lua"):gsub("%p", "%%%0") .. ":3 %(framework 'council_a'; used by council_a%): aggregation \"max\" here, \"sum\" there"),
     "naming both files and lines: " .. tostring(b_err))
T.eq({ cs:metric_info("local_count").aggregation, cs:metric_info("local_count").version }, { "sum", 1 },
     "and the first framework's rule is unchanged")
T.eq(cs:query("SELECT count(*) AS n FROM framework WHERE id = 'council_b'")[1].n, 0, "nothing of it is stored")
write(b_path, read(b_path):gsub('aggregation = "max"', 'aggregation = "sum"'))
T.ok(F.load(cs, b_path, { at = "2025-02-11T12:00:00Z" }), "the same definition in a second framework is fine")
T.eq(cs:metric_info("local_count").version, 1, "and records no new version")
local chk, chk_err = F.check(council_file("council_c", 'metric "local_count" { title = "Visits!", aggregation = "sum" }\n' ..
                                                       'kpi "K2" { title = "V", parent = "top", formula = "local_count" }\n'), cs)
T.ok(chk == nil and errtext(chk_err):find("council_c.lua:3: metric 'local_count' is already declared differently at .*council_a.lua:3"),
     "pmf check against a store reports the conflict too: " .. errtext(chk_err))

-- All five councils (and the example) in one store with one catalogue: each shared metric
-- is stored once, owned by the catalogue, at version 1, whatever order they load in.
local all = assert(pmf.open(":memory:"))
for _, c in ipairs(COUNCILS) do
  local info, err = F.load(all, root .. "frameworks/" .. c .. ".lua", { at = "2025-01-10T12:00:00Z" })
  T.ok(info, c .. " loads into the shared store: " .. tostring(err))
end
T.eq(#F.list(all), #COUNCILS, "every framework is in the store")
if cat then
  local wrong = {}
  for _, id in ipairs(cat.metric_order) do
    local d = all:metric_info(id)
    if not (d and d.owner == "catalogue" and d.version == 1 and d.aggregation == cat.metrics[id].aggregation) then
      wrong[#wrong + 1] = id
    end
  end
  T.eq(wrong, {}, "each catalogue metric stored once, as the catalogue defines it")
  T.eq(all:metric_users("household_waste_total_tonnes"),
       { "dudley", "example", "sandwell", "south_staffordshire", "walsall", "wolverhampton" },
       "and read by every council that uses it")
end
local n_defs = all:query("SELECT count(*) AS n FROM metric_version")[1].n
local n_metrics = all:query("SELECT count(*) AS n FROM metric")[1].n
T.eq(n_defs, n_metrics, "one definition per metric: no council changed another's rule")

-- ---------------------------------------------------------------- as-of reproducibility
-- A later version of a framework changes its own metric's rule; a second council tries to;
-- the catalogue changes a metric.  Ratings and report bytes as of the earlier date stay.
local rs = assert(pmf.open(":memory:"))
local r_path = cdir .. "/asof.lua"
local r_src = [[
framework "asof" { title = "As of", council = "E08000030", levels = { "p" } }
p "top" { title = "Top" }
metric "asof_m" { title = "Things", aggregation = "sum" }
kpi "A1" { title = "Things", parent = "top", formula = "asof_m", polarity = "up", target = 50,
           tolerance = "10%", frequency = "quarterly" }
kpi "A2" { title = "Catalogue things", parent = "top", formula = "cat_m", polarity = "up",
           target = 50, tolerance = "10%", frequency = "quarterly" }
]]
local c_path = cdir .. "/mini_catalogue.lua"
local c_src = 'catalogue "mini" { title = "Mini" }\nmetric "cat_m" { title = "Cat", aggregation = "sum" }\n'
write(r_path, r_src)
write(c_path, c_src)
assert(F.load(rs, r_path, { at = "2025-01-10T12:00:00Z", catalogue = c_path }))
for i, month in ipairs({ "2025-04", "2025-05", "2025-06" }) do
  for _, m in ipairs({ "asof_m", "cat_m" }) do
    rs:observe{ metric = m, area = "E08000030", period = month, value = 10 * i, at = "2025-02-01T00:00:00Z" }
  end
end
local EARLY = "2025-03-01"
local function rated(store, kpi)
  return pmf.kpi.value(store, "asof", kpi, "E08000030", "2025/26 Q1")
end
local function report_bytes()
  return pmf.report.scorecard{ store = rs, framework = "asof", period = "2025/26 Q1", as_of = EARLY }:render("csv")
end
T.eq({ rated(rs, "A1"), rated(rs, "A2") }, { 60, 60 }, "sum: 10 + 20 + 30")
local before = report_bytes()
T.ok(before:find("A1") and before:find("60"), "the report as of the early date rates 60")

write(r_path, (r_src:gsub('metric "asof_m" { title = "Things", aggregation = "sum" }',
                          'metric "asof_m" { title = "Things", aggregation = "mean" }')))
local v2 = assert(F.load(rs, r_path, { at = "2025-06-01T00:00:00Z", catalogue = c_path }))
T.eq(v2.metric_versions, { "asof_m v2" }, "a later version of the file records the metric's new rule")
T.eq(rated(rs, "A1"), 20, "now: mean")
T.eq(rated(rs:as_of(EARLY), "A1"), 60, "as of the early date: still the sum")
T.eq(pmf.series.value(rs:as_of(EARLY), "asof_m", "E08000030", "2025/26 Q1"), 60, "pmf.series as of the early date: the sum")
T.eq(pmf.series.value(rs, "asof_m", "E08000030", "2025/26 Q1"), 20, "pmf.series now: the mean")
T.eq(rs:as_of(EARLY):metric_info("asof_m").aggregation, "sum", "metric_info as of the early date")
T.eq(#rs:metric_versions("asof_m"), 2, "both versions kept")

local second = cdir .. "/asof_two.lua"
write(second, 'framework "asof_two" { title = "Two", council = "E08000027", levels = { "p" } }\n' ..
              'p "top" { title = "Top" }\nmetric "asof_m" { title = "Things", aggregation = "max" }\n' ..
              'kpi "B1" { title = "T", parent = "top", formula = "asof_m" }\n')
T.ok(F.load(rs, second, { at = "2025-07-01T00:00:00Z", catalogue = c_path }) == nil,
     "a second council cannot change the metric")
T.eq(rated(rs, "A1"), 20, "so the first council's rating is unchanged")

write(c_path, (c_src:gsub('aggregation = "sum"', 'aggregation = "max"')))
local v3 = assert(F.load(rs, r_path, { at = "2025-08-01T00:00:00Z", catalogue = c_path }))
T.eq(v3.message, "asof unchanged (v2; 1 metric definition recorded)", "a catalogue change is recorded on the next load")
T.eq(rated(rs, "A2"), 30, "now: the catalogue's new rule (max)")
T.eq(rated(rs:as_of("2025-07-15"), "A2"), 60, "as of before the catalogue change: the sum")
T.eq(report_bytes(), before, "the report as of the early date is byte for byte the same")
os.execute("rm -rf " .. cdir)

-- ---------------------------------------------------------------- pmf test
local runner = require "pmf.cmd.test"
local src_lines = "test \"x\" {\n  expect = {\n    { kpi = \"a\", period = \"p\" },  -- }\n    -- {\n    { kpi = \"b\",\n      period = \"q\" },\n    { exceptions = { \"a\" }, period = \"p\" },\n  },\n}\n"
T.eq(runner.expectation_lines(src_lines, 1), { 3, 5, 7 }, "each expectation's line in the test file")
if package.searchpath("pmf.kpi", package.path) then
  local devnull = { write = function() end }
  local p, f = runner.run_file(root .. "frameworks/example_test.lua", devnull)
  T.eq({ p, f }, { 7, 0 }, "frameworks/example_test.lua passes")
  write(dir .. "/mini_test.lua", [[
test "mini" {
  framework = "mini.lua",
  series = { mini_count = { ["2025-04"] = 5 } },
  expect = {
    { kpi = "M1", period = "2025-04", value = 5 },
    { kpi = "M1", period = "2025-04",
      value = 6 },
    { kpi = "M1", period = "2025-04", value = 6, tolerance = 1 },
    { kpi = "M1", period = "2025-04", dot_prev = none },
  },
}
]])
  write(path, v1)
  local lines = {}
  p, f = runner.run_file(dir .. "/mini_test.lua", { write = function(_, ...) lines[#lines + 1] = table.concat({ ... }) end })
  T.eq({ p, f }, { 3, 1 }, "a failing expectation counts as failed")
  T.ok(lines[1] and lines[1]:find("mini_test.lua:6: M1 2025%-04: value is 5, want 6"), "and names its line: " .. tostring(lines[1]))
end

os.execute("rm -rf " .. dir)
T.done()
