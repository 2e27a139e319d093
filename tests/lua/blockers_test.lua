-- tests/lua/blockers_test.lua: what blocks publishing a period is one list, shown the same
-- by the publish gate (pmf.report.blockers, pmf.report.publish) and by the quarterly round
-- (pmf.returns.round, the chase report's readiness section).  One store is taken through
-- each rule: a red KPI without commentary, a figure an issued return lacks, a period not
-- signed off; at every step both surfaces must list the same blockers, and each rule's
-- message must be in both.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local returns = require "pmf.returns"
local report = require "pmf.report"

local FW = [[
framework "bt" { title = "Blockers test", council = "E08000027", year_start = "April",
  levels = { "priority" } }
priority "p1" { title = "Priority one" }
owner "waste" { name = "Sam Ashford", role = "Head of Waste", supplies = { "collected", "reused" } }
metric "collected" { title = "Collected", unit = "tonnes", aggregation = "sum" }
metric "reused" { title = "Reused", unit = "tonnes", aggregation = "sum" }
kpi "K1" { title = "Waste collected", parent = "p1", formula = "collected", unit = "tonnes",
  decimals = 0, polarity = "down", frequency = "quarterly", target = 30000, tolerance = "5%",
  owner = "Head of Waste" }
kpi "K2" { title = "Waste reused", parent = "p1", formula = "reused", unit = "tonnes",
  decimals = 0, polarity = "up", frequency = "quarterly", target = 100, owner = "Head of Waste" }
deadline "data_entry" { working_days = 10 }
rule "commentary_required" { statuses = { "red", "amber" } }
]]
local Q, AREA, AS_OF = "2025/26 Q2", "E08000027", "2025-10-20"

local s = assert(pmf.open(":memory:"))
local path = T.write_tmp(".lua", FW)
assert(pmf.framework.load(s, path, { at = "2025-10-01T08:00" }))
os.remove(path)
-- K1 is red (40,000 tonnes against 30,000, polarity down); "reused" (K2) never arrives.
s:observe{ metric = "collected", area = AREA, period = Q, value = 40000, at = "2025-10-05T09:00" }

-- Both surfaces for the store as it stands: the publish gate's list, what publish refuses
-- with, the round's list and the chase report's readiness rows.
local function surfaces()
  local sc = assert(report.run("scorecard", { store = s, framework = "bt", period = Q, as_of = AS_OF }))
  local gate = report.blockers(sc)
  local id, refused = report.publish(sc, { format = "json" })
  local fw = pmf.framework.get(s, "bt")
  local round = returns.round(s, fw, pmf.period.parse(Q, 4), AS_OF).blockers
  local chase = assert(report.run("returns", { store = s, framework = "bt", period = Q, as_of = AS_OF }))
  local ready = {}
  for _, r in ipairs(chase.sections[2].rows) do ready[#ready + 1] = r.blocker end
  return { gate = gate, refused = id == nil and refused or {}, round = round, ready = ready, id = id }
end

local RED = "K1 (Waste collected) is red and has no commentary (owner: Head of Waste)"
local MISSING = "figure missing: waste (Sam Ashford, Head of Waste): reused"
local UNSIGNED = "bt 2025/26 Q2 is not signed off"

-- same(step, want): every surface lists exactly `want`, in order.
local function same(step, want)
  local v = surfaces()
  T.eq(v.gate, want, step .. ": pmf.report.blockers")
  T.eq(v.refused, want, step .. ": what publish refuses with")
  T.eq(v.round, want, step .. ": pmf.returns.round's blockers")
  T.eq(v.ready, #want > 0 and want or { "nothing: ready to publish" }, step .. ": the chase report's readiness")
  return v
end

-- No returns issued: a missing figure holds up neither sign-off nor publishing.
same("before returns are issued", { RED, UNSIGNED })

-- Returns issued: sign-off now waits for the missing figure, so publishing does too.
local d = T.tmpname("returns")
os.execute("mkdir -p '" .. d .. "'")
assert(returns.generate(s, { framework = "bt", period = Q, dir = d, at = "2025-10-02T09:00" }))
same("returns issued", { RED, MISSING, UNSIGNED })
T.eq(returns.missing(s, "bt", Q), { "waste (Sam Ashford, Head of Waste): reused" },
     "the figure listed is the one sign-off waits for")

-- Commentary written: that blocker goes from both.
s:comment{ framework = "bt", kpi = "K1", period = Q, text = "A wet summer", at = "2025-10-10T10:00" }
same("commentary written", { MISSING, UNSIGNED })

-- Signed off (as --despite does, past the missing figure): nothing blocks, and publish goes through.
s:signoff("bt", Q, { by = "chief", note = "despite missing returns", at = "2025-10-11T10:00" })
local v = same("signed off", {})
T.ok(v.id ~= nil, "publish succeeds once nothing blocks")

T.done("blockers_test")
