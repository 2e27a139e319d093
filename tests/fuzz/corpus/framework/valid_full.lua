-- Every DSL feature in one small framework (tests/lua/framework_test.lua reads it).
framework "full" {
  title = "Full test framework", council = "E08000030", year_start = "April",
  levels = { "vision", "ambition", "priority", "service" },
  comparator = "cipfa_2024:E08000030",
}
kpi "K1" {                                  -- declared before its parent: order is free
  title = "Rate of things per 10,000", parent = "p1",
  formula = rate("things", "people", 10000), unit = "per 10,000", decimals = 1,
  polarity = "down", frequency = "quarterly", target = 70, tolerance = "5%", blue = "10%",
  dot_threshold = "1%", owner = "Director", directorate = "Children's Services",
  national = true, type = "outcome", definition = "d", methodology = "m", source = "s",
  benchmark_source = "LAIT", illustrative = true, replaces = "K1_old",
  breakdowns = { "sex", "ward" }, suppress_below = 5, comparator = "near",
}
vision "v" { title = "Vision" }
ambition "a1" { title = "A1", parent = "v" }
ambition "a2" { title = "A2", parent = "v" }
priority "p1" { title = "P1", parents = { "a1", "a2" } }     -- many-to-many
node "s1" { level = "service", title = "Service 1", parent = "p1" }
node "p2" { level = "priority", title = "P2", parent = "a2" }

group "near" { title = "Near neighbours", members = { "E08000027", "E08000028", "E08000030" } }
metric "things" { title = "Things", unit = "count", aggregation = "last" }
metric "people" { title = "People", aggregation = "last" }
metric "done" { title = "Done", aggregation = "sum" }
metric "asked" { title = "Asked", aggregation = "sum" }

kpi "K2" { title = "Percent done", parents = { "p1", "p2" }, formula = pct("done", "asked"),
  polarity = "up", target = { ["2025/26"] = 80, ["2026/27"] = 85 }, tolerance = 2 }
kpi "K3" { title = "Done per asked", parent = "s1", formula = ratio("done", "asked"),
  polarity = "band", band = { 0.4, 0.6 },
  target = profile { ["2025/26 Q1"] = 0.5, ["2025/26 Q2"] = 0.55 } }
kpi "K4" { title = "Done less asked", parent = "p2", formula = diff("done", "asked"),
  polarity = "up", target = baseline { period = "2024/25", change = "-5%" } }
kpi "K5" { title = "Custom", parent = "p2", polarity = "up",
  formula = custom { inputs = { d = "done", p = "people" }, fn = function(m) return m.d / m.p end },
  target = benchmark { group = "near", stat = "top_quartile" } }
kpi "K6" { title = "Direct", parent = "p2", formula = "things", polarity = "down",
  target = function(ctx) return 10 end, split_into = { "K6a", "K6b" },
  rag = function(r, ctx) return r.rag end }

change "K1" { from = "2026/27 Q1", target = 65, tolerance = "3%" }
change "K1" { from = "2025/26 Q3", formula = rate("things", "people", 1000), polarity = "down" }

action "A1" { title = "Do it", parent = "p1", owner = "Someone", due = "2026-03-31",
  milestones = { { title = "Start", due = "2025-12-31" } }, kpis = { "K1" } }
risk "R1" { title = "Risky", parent = "p1", owner = "Someone", likelihood = 3, impact = 4 }
board "cabinet" { title = "Cabinet", cadence = "quarterly", receives = { "scorecard", "exceptions" },
  after_days = 40 }
board "clt" { title = "CLT", cadence = "monthly", receives = { "dashboard" } }
deadline "data_entry" { working_days = 10 }
rule "commentary_required" { statuses = { "red" } }
local helper = function(id) return "p" .. id end            -- locals and helpers are fine
kpi "K7" { title = "Helper", parent = helper(1), formula = "things", polarity = "up" }
