-- tests/lua/limits_test.lua: the sandbox's limits (pmf.sandbox: core/lsandbox.c) wherever user
-- code runs.
--
-- Part 1: pmf.sandbox.run itself: results, ordinary errors, each limit, pcall cannot swallow
--         a limit, nesting never loosens the outer run, limits{} and the defaults.
-- Part 2: time inside C functions: a catastrophic pattern in find, match, gmatch and gsub,
--         loops over string.rep, upper, table.concat, string.format and table.move, each
--         under pcall in the user code, stopped by the time limit, naming file and line.
-- Part 3: each place user code runs (framework files, `pmf test` files, custom formulas,
--         target functions, rag rules) x each bomb (memory, catastrophic pattern, C-heavy
--         loop), each under pcall in the user code: stopped, the error naming the file and
--         the bomb's line, the KPI reading `error` through pmf.kpi.rate and a report row.
-- Part 4: one budget per KPI (a target over several period columns); the size limit of
--         framework and test files; PMF_LIMIT_* honoured by the pmf binary.
-- Limits are set small (pmf.sandbox.limits) so the suite stays fast; no timing assertions:
-- each bomb would run for seconds to minutes (or eat gigabytes) without its limit, so the
-- "limit exceeded" message is the proof.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local sandbox = pmf.sandbox
local F = pmf.framework

T.ok(sandbox and sandbox.run and sandbox.env and sandbox.load, "pmf.sandbox has run and env: one module")
T.eq(require("pmf.sandbox"), sandbox, "require 'pmf.sandbox' is pmf.sandbox")
local HERE = "tests/lua/limits_test.lua"
local function line_of(fn) return debug.getinfo(fn, "S").linedefined end

-- ---------------------------------------------------------------- part 1: run()

T.eq({ sandbox.run(function(a, b) return a + b, "x" end, nil, 2, 3) }, { true, 5, "x" },
     "results come back like pcall's")
T.eq({ sandbox.run(function() error("plain", 0) end, { name = "kpi X" }) }, { false, "plain" },
     "an ordinary error comes back unchanged")

local ok, msg, fn
fn = function() while true do end end
ok, msg = sandbox.run(fn, { name = "kpi TH01", seconds = 0.2 })
T.eq(ok, false, "an infinite loop is stopped")
T.ok(msg:find(HERE .. ":" .. line_of(fn) .. ": time limit exceeded (limit 0.2 seconds)", 1, true),
     "naming the file and line it had reached: " .. msg)

-- (an instruction budget out of reach, so the time limit trips whatever the machine's speed)
ok, msg = sandbox.run(function() while true do end end,
                      { name = "kpi TH01", chunk = "@elsewhere.lua", seconds = 0.3, instructions = 1e12 })
T.ok(not ok and msg:find("^kpi TH01: time limit exceeded"), "when the chunk is not on the stack, the name: " .. msg)

fn = function() for _ = 1, 1e9 do end end
ok, msg = sandbox.run(fn, { name = "rule R", instructions = 1e5 })
T.ok(not ok and msg:find(":" .. line_of(fn) .. ": instruction limit exceeded (limit 100000 instructions)", 1, true),
     "instruction budget: " .. tostring(msg))

ok, msg = sandbox.run(function()
  for _ = 1, 100 do pcall(function() while true do end end) end
  return "escaped"
end, { name = "sneaky", seconds = 0.2 })
T.eq(ok, false, "a pcall inside user code does not swallow the limit")
T.ok(tostring(msg):find("time limit exceeded", 1, true), "and the message says which: " .. tostring(msg))

-- a memory bomb is stopped by the cap, at its line, and the state stays usable
local before = collectgarbage("count")
fn = function()
  local t = {}
  for i = 1, 1e8 do t[i] = ("x"):rep(100) .. i end
end
ok, msg = sandbox.run(fn, { name = "kpi BOMB", memory = 16 * 1024 * 1024, seconds = 30 })
T.eq(ok, false, "a memory bomb is stopped")
T.ok(tostring(msg):find(HERE .. ":" .. (line_of(fn) + 2) .. ": memory limit exceeded (limit 16 MiB)", 1, true),
     "naming the file and the line (not line 0): " .. tostring(msg))
collectgarbage()
T.ok(collectgarbage("count") < before + 4096, "its memory is given back")
local big = {}
for i = 1, 1e5 do big[i] = i end
T.eq(#big, 100000, "the engine carries on allocating afterwards")

-- a single huge allocation is refused outright
ok, msg = sandbox.run(function() return #string.rep("x", 1 << 30) end, { memory = 16 * 1024 * 1024, seconds = 30 })
T.ok(not ok and msg:find("memory limit exceeded", 1, true), "a 1 GiB string.rep is refused: " .. tostring(msg))

-- limits are configurable
local old = sandbox.limits()
T.eq(type(old.seconds), "number", "limits() reports the defaults")
sandbox.limits{ seconds = 0.1 }
T.near(sandbox.limits().seconds, 0.1, "limits{} sets them")
ok, msg = sandbox.run(function() while true do end end)
T.ok(not ok and msg:find("(limit 0.1 seconds)", 1, true), "the new default applies: " .. tostring(msg))
sandbox.limits(old)
T.err(function() sandbox.limits{ seconds = -1 } end, "positive", "limits must be positive")

-- nesting: an inner run cannot extend the outer budget
local inner_ok, inner_msg
ok, msg = sandbox.run(function()
  inner_ok, inner_msg = sandbox.run(function() while true do end end, { seconds = 100, name = "inner" })
  return "outer went on"
end, { seconds = 0.2, name = "outer" })
T.eq(inner_ok, false, "the inner run is stopped by the outer run's deadline, not its own 100 s")
T.ok(tostring(inner_msg):find("time limit exceeded", 1, true), "as a time limit: " .. tostring(inner_msg))
T.eq(ok, false, "and the outer run, past its deadline, fails too")
ok, inner_ok, inner_msg = sandbox.run(function()
  return sandbox.run(function() return #string.rep("x", 8 * 1024 * 1024) end, { memory = 1 << 30, seconds = 30 })
end, { memory = 4 * 1024 * 1024, seconds = 30 })
T.eq({ ok, inner_ok }, { true, false }, "an inner run cannot raise the outer memory cap")
T.ok(tostring(inner_msg):find("memory limit exceeded", 1, true), "as the memory limit: " .. tostring(inner_msg))

-- a run that comes back after its deadline is a failure even if nothing stopped it
ok, msg = sandbox.run(function() local t0 = os.clock() while os.clock() - t0 < 0.05 do end return 1 end,
                      { seconds = 0.01, instructions = 1e12 })
T.ok(ok == false and msg:find("time limit exceeded", 1, true), "late is a failure: " .. tostring(msg))

T.ok(sandbox.memory() > 0, "memory() reports the state's bytes")

-- ---------------------------------------------------------------- part 2: time inside C functions

sandbox.limits{ seconds = 0.2, instructions = 1e12, memory = 64 * 1024 * 1024 }
local CATASTROPHE = '("a"):rep(150)'
local c_heavy = {
  { "find",          CATASTROPHE .. ':find(".-.-.-.-b")' },
  { "match",         CATASTROPHE .. ':match(".-.-.-.-b")' },
  { "gmatch",        'for x in ' .. CATASTROPHE .. ':gmatch(".-.-.-.-b") do end' },
  { "gsub",          CATASTROPHE .. ':gsub(".-.-.-.-b", "")' },
  { "string.find",   'string.find(("a"):rep(150), ".-.-.-.-b")' },
  { "string.rep",    'for i = 1, 1e6 do local s = string.rep("ab", 5e5) end' },
  { "upper",         'for i = 1, 1e6 do local s = string.rep("ab", 5e5):upper() end' },
  { "table.concat",  'local t = {} for i = 1, 100 do t[i] = ("x"):rep(1e4) end for i = 1, 1e6 do local s = table.concat(t) end' },
  { "string.format", 'local b = ("x"):rep(1e6) for i = 1, 1e6 do local s = string.format("%s%s", b, b) end' },
  { "table.move",    'table.move({}, 1, 1e14, 1, {})' },
}
for _, c in ipairs(c_heavy) do
  local src = "local ok, e = pcall(function() " .. c[2] .. " end)\nreturn 'carried on'\n"
  local f = assert(sandbox.load(src, "@heavy_" .. c[1] .. ".lua", sandbox.env()))
  local rok, rmsg = sandbox.run(f, { name = c[1] })
  T.eq(rok, false, c[1] .. ": stopped, under pcall in the user code")
  T.ok(tostring(rmsg):find("^heavy_" .. c[1]:gsub("%.", "%%.") .. "%.lua:1: time limit exceeded"),
       c[1] .. ": by the time limit, naming file and line: " .. tostring(rmsg))
end
sandbox.limits(old)

-- ---------------------------------------------------------------- part 3: every place user code runs

local dir = T.tmpname("_limits")
os.execute("mkdir -p " .. dir)
local function write(name, text)
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  return path
end

-- each bomb is one line, wrapped in pcall by the user code itself
-- (a memory bomb gets a generous time limit: the machine may be busy, and it is the cap
-- that must stop it)
local MEM_LIMITS = { seconds = 30, instructions = 1e12, memory = 16 * 1024 * 1024 }
local TIME_LIMITS = { seconds = 0.2, instructions = 1e12, memory = 64 * 1024 * 1024 }
local BOMBS = {
  { "memory",  'local t = {} for i = 1, 40000 do t[i] = string.rep("x", 4096) .. i end',
               "memory limit exceeded (limit 16 MiB)", MEM_LIMITS },
  { "pattern", 'local r = ("a"):rep(150):find(".-.-.-.-b")', "time limit exceeded", TIME_LIMITS },
  { "cloop",   'for i = 1, 3000 do local u = string.rep("ab", 5e5):upper() end', "time limit exceeded",
               TIME_LIMITS },
}
local function guarded_bomb(b) return "local ok, e = pcall(function() " .. b[2] .. " end)" end

-- framework files: pmf check / pmf load / a stored source run again all go through compile
for _, b in ipairs(BOMBS) do
  sandbox.limits(b[4])
  local path = write("fw_" .. b[1] .. ".lua",
    'framework "lim_' .. b[1] .. '" { title = "L", levels = { "p" } }\n' ..
    guarded_bomb(b) .. '\n' ..
    'p "x" { title = "X" }\n')
  local fw, errors = F.check(path, false)
  local text = F.format_errors(errors or {})
  T.eq(fw, nil, "framework file, " .. b[1] .. ": refused")
  T.ok(text:find(path .. ":2: " .. b[3], 1, true),
       "framework file, " .. b[1] .. ": the error names file and line: " .. text)
  local src = assert(io.open(path)):read("a")
  local fw2, errors2 = F.compile(src, path, {})
  T.ok(fw2 == nil and F.format_errors(errors2):find(path .. ":2: " .. b[3], 1, true),
       "a stored source run again, " .. b[1] .. ": " .. F.format_errors(errors2 or {}))
  sandbox.limits(old)
end

-- `pmf test` files
local runner = require "pmf.cmd.test"
local sink = { write = function() end }
write("fw_ok.lua", 'framework "lim_ok" { title = "L", council = "E08000030", levels = { "p" } }\n' ..
                   'p "x" { title = "X" }\n')
for _, b in ipairs(BOMBS) do
  sandbox.limits(b[4])
  local path = write("t_" .. b[1] .. "_test.lua",
    '-- a test file that misbehaves\n' .. guarded_bomb(b) .. '\n' ..
    'test "t" { framework = "fw_ok.lua", expect = {} }\n')
  local passed, failed, failures = runner.run_file(path, sink)
  T.eq({ passed, failed }, { 0, 1 }, "test file, " .. b[1] .. ": one failure")
  local f1 = failures[1] or {}
  T.eq(f1.line, 2, "test file, " .. b[1] .. ": at the bomb's line")
  T.ok(tostring(f1.msg):find(b[3], 1, true), "test file, " .. b[1] .. ": says which limit: " .. tostring(f1.msg))
  sandbox.limits(old)
end

-- formulas, targets and rag rules: a framework per bomb, rated under that bomb's limits
local COUNCIL = "E08000030"
local MONTHS = { "2024-04", "2024-07", "2024-10", "2025-01", "2025-04", "2025-07", "2025-08", "2025-09" }
local s = assert(pmf.open(":memory:"))
for _, b in ipairs(BOMBS) do
  local lines = {
    'framework "lim_' .. b[1] .. '" { title = "Limits", council = "E08000030", year_start = "April",',
    '  levels = { "priority" } }',
    'priority "p" { title = "All" }',
    'metric "lim_a" { title = "A", unit = "count", aggregation = "sum" }',
    'kpi "OK" { title = "Ordinary", parent = "p", formula = "lim_a", polarity = "up",',
    '  frequency = "quarterly", target = 100, tolerance = "5%" }',
  }
  local bomb_line = {}
  local function add(l) lines[#lines + 1] = l return #lines end
  add('kpi "F" { title = "Formula", parent = "p", polarity = "up", target = 1,')
  add('  frequency = "quarterly", formula = custom { inputs = { a = "lim_a" }, fn = function(m)')
  bomb_line.F = add('    ' .. guarded_bomb(b))
  add('    return 1 end } }')
  add('kpi "T" { title = "Target", parent = "p", polarity = "up", formula = "lim_a",')
  add('  frequency = "quarterly", target = function(ctx)')
  bomb_line.T = add('    ' .. guarded_bomb(b))
  add('    return 1 end }')
  add('kpi "R" { title = "Rule", parent = "p", polarity = "up", formula = "lim_a",')
  add('  frequency = "quarterly", target = 1, rag = function(r)')
  bomb_line.R = add('    ' .. guarded_bomb(b))
  add('    return "green" end }')
  local path = write("kpis_" .. b[1] .. ".lua", table.concat(lines, "\n") .. "\n")
  local info, lerr = F.load(s, path, { by = "tester" })
  T.ok(info, b[1] .. ": the KPI framework loads: " .. tostring(lerr))
  for _, m in ipairs(MONTHS) do s:observe{ metric = "lim_a", area = COUNCIL, period = m, value = 120 } end
  local fw = assert(F.get(s, "lim_" .. b[1]))

  sandbox.limits(b[4])
  local by, rep_by = {}, {}
  for _, r in ipairs(pmf.kpi.rate{ store = s, framework = fw, period = "2025/26 Q2", benchmark = false }) do
    by[r.kpi] = r
  end
  local report = pmf.report.scorecard{ store = s, framework = "lim_" .. b[1], period = "2025/26 Q2" }
  for _, r in ipairs(report.rows) do rep_by[r.kpi] = r end
  sandbox.limits(old)

  T.eq(by.OK and by.OK.rag, "green", b[1] .. ": the ordinary KPI beside them is rated")
  for _, kind in ipairs({ { "F", "formula" }, { "T", "target" }, { "R", "rag rule" } }) do
    local id = kind[1]
    local row = by[id] or {}
    local what = kind[2] .. ", " .. b[1]
    T.eq(row.rag, "error", what .. ": the KPI reads error through pmf.kpi.rate")
    local e = tostring(row.error)
    T.ok(e:find(path .. ":" .. bomb_line[id] .. ": " .. b[3], 1, true),
         what .. ": the error names file, line and limit: " .. e)
    T.ok(e:find("KPI " .. id, 1, true), what .. ": and the KPI: " .. e)
    T.eq(rep_by[id] and rep_by[id].rag, "error", what .. ": the report row reads error")
  end
end

-- ---------------------------------------------------------------- part 4

-- one budget per KPI: a target costing 300,000 instructions per period column, under a
-- budget of 1,000,000, is rated for the first three quarters and is an error after that
-- (a fresh budget per column would rate all eight)
sandbox.limits{ seconds = 10, instructions = 1000000, memory = 64 * 1024 * 1024 }
local STEPS = write("steps.lua", table.concat({
  'framework "lim_steps" { title = "Steps", council = "E08000030", year_start = "April", levels = { "p" } }',
  'p "p" { title = "All" }',
  'metric "lim_a" { title = "A", unit = "count", aggregation = "sum" }',
  'kpi "T_STEPS" { title = "Target that counts", parent = "p", polarity = "up", formula = "lim_a",',
  '  frequency = "quarterly", target = function(ctx) for i = 1, 300000 do end return 1 end }',
}, "\n") .. "\n")
assert(F.load(s, STEPS, { by = "tester" }))
local hist = pmf.kpi.history(s, assert(F.get(s, "lim_steps")), "T_STEPS", COUNCIL, "2024/25 Q1", "2025/26 Q2")
sandbox.limits(old)
local rags = {}
for i, r in ipairs(hist) do rags[i] = r.rag end
T.eq(#rags, 6, "six quarters rated")
T.eq(rags[1], "green", "the first quarter's target ran")
T.eq(rags[6], "error", "the budget is the KPI's, not the column's: the last quarter is an error")
T.ok(tostring(hist[6] and hist[6].error):find("instruction limit exceeded", 1, true),
     "as the instruction limit: " .. tostring(hist[6] and hist[6].error))

-- the file size limit: /dev/zero is refused at once, having read at most the limit + 1
local _, zerr = F.check("/dev/zero", false)
T.ok(F.format_errors(zerr or {}):find("/dev/zero:0: cannot read: larger than 4 MiB", 1, true),
     "pmf check /dev/zero fails with a clear message: " .. F.format_errors(zerr or {}))
local _, zfail, zf = runner.run_file("/dev/zero", sink)
T.ok(zfail == 1 and tostring(zf[1] and zf[1].msg):find("larger than 4 MiB", 1, true),
     "pmf test /dev/zero too: " .. tostring(zf[1] and zf[1].msg))
local exact = write("exact.lua", ("-"):rep(sandbox.MAX_FILE_BYTES))
T.eq(#assert(sandbox.read_file(exact)), sandbox.MAX_FILE_BYTES, "a file of exactly the limit is read")
local over = write("over.lua", ("-"):rep(sandbox.MAX_FILE_BYTES + 1))
T.eq(sandbox.read_file(over), nil, "one byte more is refused")

-- PMF_LIMIT_* are honoured by the binary, for pmf check
local bin = os.getenv("PMF_BIN") or "build/pmf"
local p = io.popen("PMF_DB=:memory: PMF_LIMIT_MEMORY_MB=16 PMF_LIMIT_SECONDS=30 " .. bin ..
                   " check " .. dir .. "/fw_memory.lua 2>&1; echo status=$?")
local out = p:read("a")
p:close()
T.ok(out:find(dir .. "/fw_memory.lua:2: memory limit exceeded (limit 16 MiB)", 1, true) and
     out:find("status=1", 1, true), "PMF_LIMIT_MEMORY_MB applies to pmf check: " .. out)
p = io.popen("PMF_DB=:memory: PMF_LIMIT_SECONDS=0.2 " .. bin .. " check " .. dir ..
             "/fw_pattern.lua 2>&1; echo status=$?")
out = p:read("a")
p:close()
T.ok(out:find(dir .. "/fw_pattern.lua:2: time limit exceeded (limit 0.2 seconds)", 1, true),
     "PMF_LIMIT_SECONDS applies to pmf check: " .. out)

os.execute("rm -rf " .. dir)
T.done()
