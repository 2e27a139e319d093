-- tests/lua/sandbox_test.lua: what the sandbox refuses, and that user code cannot hang,
-- exhaust or escape the engine.
--
-- Part 1: a framework file (pmf.framework.compile) that reaches for anything outside the
--         allow-list is refused with "FILE:LINE: undeclared global 'x'" (or an equally
--         clear message), and the host is untouched.
-- Part 2: the same refusals from user functions (custom formulas, rag rules) when the KPI
--         engine runs them: the KPI's row is rag "error" with a message naming the file.
-- Part 3: an infinite loop, a pcall-swallowed loop and a memory bomb in a formula or a rag
--         rule (tests/fixtures/robust/limits.lua) give that KPI's row rag "error" naming the
--         KPI and the file, while the other KPIs of the same call are rated normally.
-- The limits under test are the engine's own (pmf.sandbox's defaults, set small here); a
-- rating call is wrapped in a generous outer run only so that a missing limit fails a test
-- instead of hanging the suite.  (tests/lua/limits_test.lua pins each limit everywhere.)
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local F = pmf.framework
local SB = require "pmf.sandbox"

local FILE = "frameworks/evil.lua"
local HEAD = 'framework "evil" { title = "Evil", levels = { "priority" } }\n'

-- compile(body) -> ok, text of all errors.  The body starts on line 2.
local function compile(body)
  local fw, errors = F.compile(HEAD .. body, FILE, { print = function() end })
  return fw ~= nil, F.format_errors(errors or {})
end

-- ---------------------------------------------------------------- part 1: framework files

local refusals = {
  { "os.execute",        'os.execute("touch /tmp/pmf_sandbox_escaped")', "undeclared global 'os'" },
  { "io.open",           'local f = io.open("/etc/passwd")',             "undeclared global 'io'" },
  { "io.popen",          'local f = io.popen("id")',                     "undeclared global 'io'" },
  { "package.loadlib",   'package.loadlib("libc.so.6", "system")',       "undeclared global 'package'" },
  { "require of a C module", 'local m = require("lsqlite3")',            "undeclared global 'require'" },
  { "require of pmf",    'local p = require("pmf")',                     "undeclared global 'require'" },
  { "dofile",            'dofile("/etc/passwd")',                        "undeclared global 'dofile'" },
  { "loadfile",          'loadfile("/etc/passwd")',                      "undeclared global 'loadfile'" },
  { "load",              'load("return 1")',                             "undeclared global 'load'" },
  { "string.dump",       'local b = string.dump(function() end)',        "dump" },
  { "load of bytecode",  'local b = load(string.dump(function() return 1 end), "x", "b")',
                         "undeclared global 'load'" },
  { "debug.getinfo",     'local i = debug.getinfo(1)',                   "undeclared global 'debug'" },
  { "debug.sethook",     'debug.sethook()',                              "undeclared global 'debug'" },
  { "_G",                'local g = _G.os',                              "undeclared global '_G'" },
  { "the host's store",  'store:exec("DELETE FROM area")',               "undeclared global 'store'" },
  { "the pmf module",    'local p = pmf.store',                          "undeclared global 'pmf'" },
  { "cjson",             'local c = cjson.encode({})',                   "undeclared global 'cjson'" },
  { "setmetatable on the env", 'setmetatable(_ENV, nil)',                "undeclared global 'setmetatable'" },
  { "getmetatable of a string", 'local mt = getmetatable("")',           "undeclared global 'getmetatable'" },
  { "rawset on the env", 'rawset(_ENV, "os", 1)',                        "undeclared global 'rawset'" },
  { "rawget",            'local x = rawget(_ENV, "x")',                  "undeclared global 'rawget'" },
  { "collectgarbage",    'collectgarbage("collect")',                    "undeclared global 'collectgarbage'" },
  { "coroutine",         'local co = coroutine.create(print)',           "undeclared global 'coroutine'" },
  { "writing a global",  'x = 1',                                        "undeclared global 'x'" },
  { "reading a global",  'local y = undefined_thing',                    "undeclared global 'undefined_thing'" },
}
for _, c in ipairs(refusals) do
  local ok, text = compile(c[2] .. "\n")
  T.ok(not ok, c[1] .. " is refused")
  T.ok(text:find(FILE .. ":2: ", 1, true) and text:find(c[3], 1, true),
       c[1] .. ": the error names file, line and what: " .. text)
end
local f = io.open("/tmp/pmf_sandbox_escaped")
T.ok(f == nil, "os.execute really did not run")
if f then f:close() end

-- A binary chunk is refused by the loader itself, whatever the environment offers.
local fn, err = SB.load(string.dump(function() return 1 end), "=bin", SB.env())
T.ok(fn == nil and tostring(err):find("binary chunk"), "sandbox.load refuses bytecode: " .. tostring(err))
local ok, text = compile("\27Lua junk\n")
T.ok(not ok and text:find(FILE, 1, true), "a framework file of bytecode is refused: " .. text)

-- The string metatable: ("").method reaches the real string library, which must not hand
-- out what the copy in the environment leaves out.
ok, text = compile('local d = ("").dump\nassert(d == nil, "string.dump reachable through (\\"\\").dump")\n')
T.ok(ok, "(\"\").dump is not reachable from a framework file: " .. text)
ok, text = compile('local b = ("").dump(function() return 1 end)\n')
T.ok(not ok, "(\"\").dump cannot make bytecode: " .. text)
-- ... and it cannot be changed from inside, for the host or other files.
ok, text = compile('("").rep = nil\n')
T.ok(not ok, "the string metatable's methods cannot be assigned: " .. text)
ok, text = compile('string.rep = nil\nstring.format = function() return "pwned" end\n')
T.ok(ok, "a file may change its own copy of string: " .. text)
T.eq(string.format("%d", 7), "7", "the host's string.format is untouched")
T.eq(("ab"):rep(2), "abab", "the host's string methods are untouched")
-- pcall cannot reach the host through error objects or tracebacks
ok, text = compile('local ok, e = pcall(error, setmetatable)\n')
T.ok(not ok and text:find("undeclared global 'setmetatable'", 1, true), "no setmetatable through pcall either")
-- the environment's own metatable is hidden and fixed
ok, text = compile('local t = getmetatable\n')
T.ok(not ok, "getmetatable is not offered")

-- A framework file that loops, eats memory or swallows the limit is stopped by the loader's
-- own limits (the sandbox's defaults, made small here), not by anything this test wraps
-- around it; the error names the file and the line.
local old_limits = SB.limits()
SB.limits{ seconds = 0.3, instructions = 1e12, memory = 32 * 1024 * 1024 }
ok, text = compile("while true do end\n")
T.ok(not ok and text:find(FILE .. ":2: time limit exceeded (limit 0.3 seconds)", 1, true),
     "a looping framework file is stopped by the time limit: " .. text)
ok, text = compile('while true do pcall(function() while true do end end) end\n')
T.ok(not ok and text:find(FILE .. ":2: time limit exceeded", 1, true),
     "pcall in a framework file does not swallow the limit: " .. text)
SB.limits{ seconds = 30, instructions = 1e12, memory = 32 * 1024 * 1024 }
ok, text = compile('local s = "x" while true do s = s .. s end\n')
T.ok(not ok and text:find(FILE .. ":2: memory limit exceeded (limit 32 MiB)", 1, true),
     "a memory bomb in a framework file is stopped at the cap, at its line: " .. text)
ok, text = compile('local s = string.rep("x", 1 << 30)\n')
T.ok(not ok and text:find(FILE .. ":2: memory limit exceeded", 1, true),
     "a 1 GiB string.rep in a framework file is refused: " .. text)
SB.limits{ seconds = 0.3, instructions = 1e5, memory = 32 * 1024 * 1024 }
ok, text = compile("for i = 1, 1e9 do end\n")
T.ok(not ok and text:find(FILE .. ":2: instruction limit exceeded (limit 100000 instructions)", 1, true),
     "the instruction limit: " .. text)
SB.limits(old_limits)

-- ---------------------------------------------------------------- parts 2 and 3: the KPI engine

local PATH = "tests/fixtures/robust/limits.lua"
local s = assert(pmf.open(":memory:"))
local info, lerr = F.load(s, PATH, { by = "tester" })
T.ok(info, "the fixture framework loads: " .. tostring(lerr))
local fw = assert(F.get(s, "robust"))
local COUNCIL = "E08000030"
for _, m in ipairs({ "2025-07", "2025-08", "2025-09" }) do
  s:observe{ metric = "robust_a", area = COUNCIL, period = m, value = 40 }
  s:observe{ metric = "robust_b", area = COUNCIL, period = m, value = 200 }
end
local nobs = s:query("SELECT count(*) AS n FROM observation")[1].n

-- rate(ids) -> rows by KPI id, seconds taken, or nil, message when the call itself did not
-- come back within the outer limit (the engine ran user code without limits).
-- The outer run is only a guard that turns a hang into a failure; the limits under test are
-- the engine's own (the defaults, set below: 1 s, 8 MiB).
local function rate(ids, outer_seconds)
  local res = { pmf.sandbox.run(pmf.kpi.rate, { seconds = outer_seconds or 20, instructions = 1e12,
                                                memory = 1024 * 1024 * 1024,
                                                name = "pmf.kpi.rate (outer test limit)" },
                                { store = s, framework = fw, period = "2025/26 Q2",
                                  kpis = ids, benchmark = false }) }
  if not res[1] then return nil, tostring(res[2]) end
  local by = {}
  for _, row in ipairs(res[2]) do by[row.kpi] = row end
  return by
end

local bad = {
  { "R_LOOP",    "an infinite loop in a formula",          "limit exceeded" },
  { "R_SWALLOW", "a pcall-swallowed loop in a formula",    "limit exceeded" },
  { "R_BOMB",    "a memory bomb in a formula",             "memory" },
  { "R_RAGLOOP", "an infinite loop in a rag rule",         "limit exceeded" },
  { "R_RAGBOMB", "a memory bomb in a rag rule",            "memory" },
  { "R_ESCAPE",  "os.execute in a formula",                "undeclared global 'os'" },
}
-- Loops are stopped by the instruction count; the time limit is generous, so that a memory
-- bomb on a loaded machine (or under AddressSanitizer) meets its memory cap first.
SB.limits{ seconds = 10, instructions = 2e7, memory = 8 * 1024 * 1024 }
local hung = 0
for _, b in ipairs(bad) do
  local id, what, pat = b[1], b[2], b[3]
  local rows, rerr = rate({ "R_OK", id })
  if not rows then
    hung = hung + 1
    T.ok(false, what .. ": the rating call comes back (it did not: " .. rerr .. ")")
  else
    local row = rows[id]
    T.eq(row and row.rag, "error", what .. ": the KPI's rag is error")
    local msg = row and row.error or ""
    T.ok(msg:find(PATH, 1, true) and msg:find(id, 1, true),
         what .. ": the message names the file and the KPI: " .. msg)
    T.ok(msg:find(pat, 1, true), what .. ": the message says what happened: " .. msg)
    T.eq(rows.R_OK and rows.R_OK.rag, "green", what .. ": the ordinary KPI beside it is rated")
    T.eq(rows.R_OK and rows.R_OK.value, 120, what .. ": with its value")
  end
end

-- All in one call: every misbehaving KPI is an error, the ordinary ones are rated.
local rows, rerr
if hung > 0 then
  rows, rerr = nil, "not tried: " .. hung .. " of the calls above did not come back"
else
  rows, rerr = rate(nil, 60)
end
if not rows then
  T.ok(false, "one call with every KPI comes back (it did not: " .. rerr .. ")")
else
  for _, b in ipairs(bad) do T.eq(rows[b[1]] and rows[b[1]].rag, "error", "together: " .. b[1] .. " is error") end
  T.eq(rows.R_OK and rows.R_OK.rag, "green", "together: R_OK is rated normally")
  T.eq(rows.R_OK2 and rows.R_OK2.rag, "green", "together: R_OK2 (a custom formula) is rated normally")
end

-- The engine is fine afterwards: memory is back and ordinary code runs.
collectgarbage()
T.ok(pmf.sandbox.memory() < 256 * 1024 * 1024, "memory is released after the bombs")
rows = rate({ "R_OK", "R_OK2" })
T.eq(rows and rows.R_OK and rows.R_OK.rag, "green", "rating still works afterwards")

-- A rag rule is handed the rating row, not the keys to the store (last: if this fails the
-- observations are gone).
rows = rate({ "R_WRITE" })
SB.limits(old_limits)
T.eq(s:query("SELECT count(*) AS n FROM observation")[1].n, nobs,
     "a rag rule cannot delete observations through its ctx")

T.done()
