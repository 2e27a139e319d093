-- The sandbox's limits: an infinite loop, a runaway recursion or a memory bomb in user code
-- is stopped with an error naming it, within about a second, and the engine carries on.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local sandbox = pmf.sandbox

T.ok(sandbox and sandbox.run, "pmf.sandbox.run exists")

-- normal code runs and returns its values
T.eq({ sandbox.run(function(a, b) return a + b, "x" end, nil, 2, 3) }, { true, 5, "x" },
     "results come back like pcall's")
T.eq({ sandbox.run(function() error("plain", 0) end, { name = "kpi X" }) }, { false, "plain" },
     "an ordinary error comes back unchanged")

-- an infinite loop is stopped by the clock
local t0 = os.clock()
local ok, msg = sandbox.run(function() while true do end end,
                            { name = "kpi TH01 (frameworks/walsall.lua:12)", seconds = 0.3 })
local took = os.clock() - t0
T.eq(ok, false, "an infinite loop is stopped")
T.ok(msg:find("kpi TH01 %(frameworks/walsall.lua:12%): time limit exceeded"), "naming the KPI and file: " .. msg)
T.ok(took < 2, "within the time budget (took " .. took .. " s)")

-- the default time limit is about a second
t0 = os.clock()
ok, msg = sandbox.run(function() local x = 0 while true do x = x + 1 end end, { name = "loop" })
took = os.clock() - t0
T.ok(not ok and msg:find("limit exceeded"), "the default limits stop a loop: " .. tostring(msg))
T.ok(took < 3, "about a second by default (took " .. took .. " s)")

-- the instruction budget
ok, msg = sandbox.run(function() for _ = 1, 1e9 do end end, { name = "rule R", instructions = 1e5 })
T.ok(not ok and msg:find("rule R: instruction limit exceeded"), "instruction budget: " .. tostring(msg))

-- pcall inside user code cannot swallow the limit
ok, msg = sandbox.run(function()
  for _ = 1, 100 do pcall(function() while true do end end) end
  return "escaped"
end, { name = "sneaky", seconds = 0.2 })
T.eq(ok, false, "a pcall inside user code does not swallow the limit")
T.ok(tostring(msg):find("sneaky: time limit exceeded"), "and the message still names it")

-- a memory bomb is stopped by the cap and the state stays usable
local before = collectgarbage("count")
ok, msg = sandbox.run(function()
  local t = {}
  for i = 1, 1e8 do t[i] = ("x"):rep(100) .. i end
end, { name = "kpi BOMB (frameworks/x.lua:3)", memory = 16 * 1024 * 1024 })
T.eq(ok, false, "a memory bomb is stopped")
T.ok(tostring(msg):find("kpi BOMB %(frameworks/x.lua:3%): memory limit exceeded"), "naming it: " .. tostring(msg))
collectgarbage()
T.ok(collectgarbage("count") < before + 4096, "its memory is given back")
local big = {}
for i = 1, 1e5 do big[i] = i end
T.eq(#big, 100000, "the engine carries on allocating afterwards")

-- limits are configurable
local old = sandbox.limits()
T.eq(type(old.seconds), "number", "limits() reports the defaults")
sandbox.limits{ seconds = 0.1 }
T.near(sandbox.limits().seconds, 0.1, "limits{} sets them")
t0 = os.clock()
ok = sandbox.run(function() while true do end end)
T.ok(not ok and os.clock() - t0 < 1, "the new default applies")
sandbox.limits(old)
T.err(function() sandbox.limits{ seconds = -1 } end, "positive", "limits must be positive")

-- nesting: an inner run cannot extend the outer budget
ok, msg = sandbox.run(function()
  local iok, imsg = sandbox.run(function() while true do end end, { seconds = 100, name = "inner" })
  return iok, imsg
end, { seconds = 0.2, name = "outer" })
T.ok(ok == false or (ok == true), "nested runs return")
T.ok(pmf.sandbox.memory() > 0, "memory() reports the state's bytes")

T.done()
