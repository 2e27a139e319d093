-- tests/lua/rate_cache_test.lua: what pmf.kpi.rate keeps between calls on one store view
-- (the Reader's figures and the view's plans: stored targets, comparator groups' members,
-- the rows of a call) never hides a change: rate, change the store, rate again on the
-- same view, and the change shows.  Also after a call that raised part-way through.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local WALSALL, DUDLEY, SANDWELL, WOLVES, BHAM =
  "E08000030", "E08000027", "E08000028", "E08000031", "E08000025"
local Q = "2025/26 Q1"

local path = os.tmpname()
os.remove(path)
path = path .. ".pmf"
local s = assert(pmf.open(path))
s:group{ id = "t:wm", members = { WALSALL, DUDLEY, SANDWELL, WOLVES } }
s:metric{ id = "m1", aggregation = "sum" }
for area, v in pairs({ [WALSALL] = 10, [DUDLEY] = 20, [SANDWELL] = 30, [WOLVES] = 40 }) do
  s:observe{ metric = "m1", area = area, period = Q, value = v }
end

local function fw_of(kpi)
  local k = { id = "K1", title = "K1", unit = "count", file = "t.lua", line = 1,
              carry = kpi.carry,
              versions = { { formula = { kind = "metric", metric = "m1" }, polarity = "up",
                             target = kpi.target, tolerance = "5%" } } }
  return { id = "t", title = "T", council = WALSALL, year_start = 4, comparator = "t:wm",
           kpis = { K1 = k }, kpi_order = { "K1" }, groups = {}, deadlines = {},
           commentary_statuses = { red = true, amber = true } }
end
local median = fw_of{ target = { kind = "benchmark", stat = "median" } }

local function row(view, fw)
  return pmf.kpi.rate{ store = view, framework = fw or median, period = Q }[1]
end

for _, name in ipairs({ "the store", "an as-of view of now" }) do
  local view = name == "the store" and s or s:as_of("9999-12-31")

  -- a figure written after a rating shows in the next rating on the same view
  local r = row(view)
  local before = r.value
  s:observe{ metric = "m1", area = WALSALL, period = Q, value = before + 5 }
  r = row(view)
  T.eq(r.value, before + 5, name .. ": a figure written after a rating shows")

  -- a comparator group's members changed: the median and the group size move
  local n0 = r.n
  s:group{ id = "t:wm", members = { WALSALL, DUDLEY, SANDWELL, WOLVES, BHAM } }
  s:observe{ metric = "m1", area = BHAM, period = Q, value = 1000 }
  r = row(view)
  T.eq(r.n, n0 + 1, name .. ": a member added to the comparator group is benchmarked")
  s:group{ id = "t:wm", members = { WALSALL, DUDLEY, SANDWELL, WOLVES } }
  T.eq(row(view).n, n0, name .. ": a member removed from the group is no longer benchmarked")

  -- a target stored for the council shows in the next rating
  local fixed = fw_of{ target = { kind = "value", value = 1 } }
  local t0 = row(view, fixed).target
  s:set_target{ framework = "t", kpi = "K1", area = WALSALL, period = Q,
                value = t0 + 100, note = "test" }
  T.eq(row(view, fixed).target, t0 + 100, name .. ": a target stored after a rating shows")
end

-- a write by another connection (another process, say) shows on a view that rated before it
do
  local view = s:as_of("9999-12-31")
  local before = row(view).value
  local other = assert(pmf.open(path))
  other:observe{ metric = "m1", area = WALSALL, period = Q, value = before + 7 }
  other:close()
  T.eq(row(view).value, before + 7, "a figure written by another connection shows")
end

-- a call that raises part-way through (a KPI whose carry does not parse, found when its
-- figures are read) leaves nothing held: the next call on the view sees a new figure
do
  local view = s:as_of("9999-12-31")
  local before = row(view).value
  local ok, err = pcall(pmf.kpi.rate, { store = view, framework = fw_of{ carry = "soon" },
                                         period = Q })
  T.ok(not ok and tostring(err):find("carry", 1, true), "a bad carry raises: " .. tostring(err))
  s:observe{ metric = "m1", area = WALSALL, period = Q, value = before + 11 }
  T.eq(row(view).value, before + 11, "after a call that raised, a new figure shows")
end

s:close()
os.remove(path)
os.remove(path .. "-wal")
os.remove(path .. "-shm")
T.done()
