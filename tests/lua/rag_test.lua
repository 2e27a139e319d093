-- tests/lua/rag_test.lua: pmf.rag as a Lua user sees it (rules in core/rag.h).
--
-- Run as `build/pmf tests/lua/rag_test.lua`.  Data-driven: each row is what a reader of the
-- rules would predict for one value against one rule.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local rag = pmf.rag

local NAN = 0 / 0

-- statuses and symbols -------------------------------------------------------------------

T.eq(rag.statuses, { "red", "amber", "green", "blue", "no_data", "data_only", "error" },
     "statuses in order")
local symbols = { red = "R", amber = "A", green = "G", blue = "B", no_data = "-",
                  data_only = "DO", error = "ERR" }
for _, s in ipairs(rag.statuses) do
  T.eq(rag.symbol(s), symbols[s], "symbol of " .. s)
end
T.err(function() rag.symbol("grey") end, "invalid option 'grey'", "unknown status raises")

-- rating ---------------------------------------------------------------------------------

local up5     = { polarity = "up", target = 100, tolerance = 5 }
local up10pct = { polarity = "up", target = 50, tolerance = "10%" }
local uppct   = { polarity = "up", target = 50, tolerance = { pct = 10 } }
local upabs   = { polarity = "up", target = 50, tolerance = { abs = 2 } }
local up0     = { polarity = "up", target = 100 }
local down2   = { polarity = "down", target = 10, tolerance = 2 }
local down10  = { polarity = "down", target = 200, tolerance = "10%" }
local band5   = { polarity = "band", band = { 40, 60 }, tolerance = 5 }
local bandkw  = { polarity = "band", band = { lo = 40, hi = 60 }, tolerance = "10%" }
local blue10  = { polarity = "up", target = 100, tolerance = 5, blue = 10 }
local blue5p  = { polarity = "up", target = 100, blue = "5%" }
local blued   = { polarity = "down", target = 10, tolerance = 2, blue = { abs = 2 } }
local notarget = { polarity = "up", tolerance = 5 }

local cases = {
  -- value, rule, want, description
  { 101,    up5, "green", "up: above target" },
  { 100,    up5, "green", "up: exactly on target" },
  { 99.999, up5, "amber", "up: just below target" },
  { 95,     up5, "amber", "up: exactly on the tolerance edge" },
  { 94.999, up5, "red",   "up: just beyond the tolerance edge" },
  { 45,     up10pct, "amber", "up \"10%\": edge (10% of 50)" },
  { 44.99,  up10pct, "red",   "up \"10%\": beyond" },
  { 45,     uppct, "amber", "up {pct=10}: edge" },
  { 44.99,  uppct, "red",   "up {pct=10}: beyond" },
  { 48,     upabs, "amber", "up {abs=2}: edge" },
  { 47.99,  upabs, "red",   "up {abs=2}: beyond" },
  { 100,    up0, "green", "tol 0: on target" },
  { 99.99,  up0, "red",   "tol 0: no amber band" },
  { 0.1 + 0.2, { polarity = "up", target = 0.3 }, "green", "fp noise: 0.1+0.2 vs 0.3 is on target" },
  { 0.3, { polarity = "down", target = 0.1 + 0.2 }, "green", "fp noise: down, on target" },
  { 0.7 + 0.2, { polarity = "up", target = 1, tolerance = 0.1 }, "amber",
    "fp noise: on the tolerance edge stays amber" },
  { 0.2 + 0.4, { polarity = "down", target = 0.3, tolerance = 0.3 }, "amber",
    "fp noise: down, on the tolerance edge stays amber" },
  { 9,       down2, "green", "down: below target" },
  { 10,      down2, "green", "down: exactly on target" },
  { 12,      down2, "amber", "down: on the tolerance edge" },
  { 12.0001, down2, "red",   "down: just beyond" },
  { 220,     down10, "amber", "down 10%: edge" },
  { 220.5,   down10, "red",   "down 10%: beyond" },
  { 40,    band5, "green", "band: low edge inclusive" },
  { 60,    band5, "green", "band: high edge inclusive" },
  { 39.99, band5, "amber", "band: just under" },
  { 35,    band5, "amber", "band: low tolerance edge" },
  { 34.9,  band5, "red",   "band: beyond low" },
  { 65,    band5, "amber", "band: high tolerance edge" },
  { 65.1,  band5, "red",   "band: beyond high" },
  { 36,    bandkw, "amber", "band 10%: 10% of lo" },
  { 35.9,  bandkw, "red",   "band 10%: beyond lo" },
  { 66,    bandkw, "amber", "band 10%: 10% of hi" },
  { 66.1,  bandkw, "red",   "band 10%: beyond hi" },
  { 39.9, { polarity = "band", band = { 40, 60 } }, "red", "band tol 0: no amber" },
  { 110,    blue10, "blue",  "blue: beats target by the margin" },
  { 109.99, blue10, "green", "blue: not quite" },
  { 96,     blue10, "amber", "blue rule still has amber" },
  { 105,    blue5p, "blue",  "blue 5%" },
  { 104.9,  blue5p, "green", "blue 5%: not quite" },
  { 8,      blued, "blue",  "blue down" },
  { 8.5,    blued, "green", "blue down: not quite" },
  { nil,    up5, "no_data", "nil value" },
  { NAN,    up5, "no_data", "NaN value" },
  { 50,     notarget, "data_only", "no target" },
  { nil,    notarget, "no_data", "neither value nor target" },
  { 50, { polarity = "up", target = NAN }, "data_only", "NaN target" },
  { "101",  up5, "green", "numeric string value, as Lua converts" },
}
for _, c in ipairs(cases) do
  T.eq(rag.rate(c[1], c[2]), c[3], c[4])
end

-- bad rules raise, naming the field
local bad = {
  { { target = 1 }, "rule%.polarity", "missing polarity" },
  { { polarity = "higher", target = 1 }, "rule%.polarity.*higher", "unknown polarity" },
  { { polarity = "up", target = 1, tolerance = -5 }, "rule%.tolerance must not be negative",
    "negative tolerance" },
  { { polarity = "up", target = 1, tolerance = "-5%" }, "rule%.tolerance must not be negative",
    "negative % tolerance" },
  { { polarity = "up", target = 1, tolerance = { pct = -1 } }, "rule%.tolerance", "negative pct" },
  { { polarity = "up", target = 1, tolerance = "ten" }, "rule%.tolerance", "unreadable tolerance" },
  { { polarity = "up", target = 1, tolerance = { pct = 1, abs = 2 } }, "rule%.tolerance",
    "both pct and abs" },
  { { polarity = "up", target = 1, tolerance = {} }, "rule%.tolerance", "neither pct nor abs" },
  { { polarity = "up", target = 1, tolerance = true }, "rule%.tolerance", "boolean tolerance" },
  { { polarity = "up", target = 1, tolerance = NAN }, "rule%.tolerance", "NaN tolerance" },
  { { polarity = "up", target = 1, blue = -1 }, "rule%.blue must not be negative", "negative blue" },
  { { polarity = "band" }, "rule%.band", "band without band" },
  { { polarity = "band", band = { 40 } }, "rule%.band needs a number hi", "band without hi" },
  { { polarity = "band", band = { nil, 60 } }, "rule%.band needs a number lo", "band without lo" },
  { { polarity = "band", band = 5 }, "rule%.band must be a table", "band not a table" },
  { { polarity = "band", band = { 60, 40 } }, "rule%.band lo must not be above hi", "lo > hi" },
  { { polarity = "band", band = { 40, 60 }, blue = 1 }, "rule%.blue", "blue with band" },
  { { polarity = "up", target = 1, band = { 1, 2 } }, "rule%.band", "band with polarity up" },
  { { polarity = "up", target = "high" }, "rule%.target", "non-numeric target" },
}
for _, c in ipairs(bad) do
  T.err(function() rag.rate(1, c[1]) end, c[2], "bad rule: " .. c[3])
end
T.err(function() rag.rate(1) end, "table expected", "rule missing")
T.err(function() rag.rate({}, up5) end, "value must be a number or nil", "table value")

-- direction of travel --------------------------------------------------------------------

local bandrule = { polarity = "band", band = { 40, 60 } }
local dots = {
  -- now, before, polarity, threshold, want, description
  { 10, 9,   "up", nil,  "better", "up: higher" },
  { 9, 10,   "up", nil,  "worse",  "up: lower" },
  { 10, 10,  "up", nil,  "same",   "up: equal (default threshold 0)" },
  { 10.001, 10, "up", nil, "better", "up: any real change counts by default" },
  { 0.1 + 0.2, 0.3, "up", nil, "same", "fp noise is no change" },
  { nil, 10, "up", nil, nil, "no now -> nil" },
  { 10, nil, "up", nil, nil, "no before -> nil" },
  { NAN, 10, "up", nil, nil, "NaN now -> nil" },
  { 10.5, 10, "up", 1, "same",   "thr 1: within" },
  { 11, 10,   "up", 1, "same",   "thr 1: on the threshold" },
  { 11.01, 10, "up", 1, "better", "thr 1: beyond" },
  { 102, 100, "up", "2%", "same",   "thr 2%: on the threshold" },
  { 102.1, 100, "up", "2%", "better", "thr 2%: beyond" },
  { 97.9, 100, "up", "2%", "worse",  "thr 2%: beyond, down" },
  { 97.9, 100, "up", { pct = 2 }, "worse", "thr {pct=2}" },
  { 9, 10,   "down", nil, "better", "down: lower" },
  { 11, 10,  "down", nil, "worse",  "down: higher" },
  { 98, 100, "down", "2%", "same", "down thr 2%" },
  { 50, 70, bandrule, nil, "better", "band: into the band" },
  { 70, 50, bandrule, nil, "worse",  "band: out of the band" },
  { 45, 55, bandrule, nil, "same",   "band: moving inside" },
  { 30, 75, bandrule, nil, "better", "band: nearer, from the other side" },
  { 35, 65, bandrule, nil, "same",   "band: as far, other side" },
  { 33, 64, bandrule, 2, "worse",    "band thr 2: 3 further" },
  { 65, 34, bandrule, 2, "same",     "band thr 2: 1 nearer" },
}
for _, c in ipairs(dots) do
  T.eq(rag.dot(c[1], c[2], c[3], c[4]), c[5], "dot: " .. c[6])
end
T.eq(rag.dot(11, 10, { polarity = "up", target = 5, tolerance = 1 }), "better",
     "dot accepts a whole rule")
T.err(function() rag.dot(1, 2, "band") end, "needs its band", "dot band without band")
T.err(function() rag.dot(1, 2, "sideways") end, "invalid option 'sideways'", "dot bad polarity")
T.err(function() rag.dot(1, 2, "up", -1) end, "threshold must not be negative",
      "dot negative threshold")
T.err(function() rag.dot(1, 2, "up", "2 pc") end, "threshold", "dot unreadable threshold")

-- benchmarking ---------------------------------------------------------------------------

local b = rag.benchmark({ 10, 8, 8, 5 }, "up")
T.eq(b.rank, { 1, 2, 2, 4 }, "ties: 1-2-2-4")
T.eq(b.quartile, { 1, 2, 2, 4 }, "ties: quartiles")
T.eq(b.n, 4, "n")
T.near(b.median, 8, "median of even n: mean of the middle two")
T.near(b.mean, 7.75, "mean")
T.eq(rag.benchmark({ 10, 8, 8, 5 }, "down").rank, { 4, 2, 2, 1 }, "down ranks")

-- quartiles for n = 1..5 (values listed from best)
local want_q = {
  [1] = { 1 },
  [2] = { 1, 3 },
  [3] = { 1, 2, 3 },
  [4] = { 1, 2, 3, 4 },
  [5] = { 1, 1, 2, 3, 4 },
}
for n = 1, 5 do
  local vals = {}
  for i = 1, n do vals[i] = 100 - i end
  local r = rag.benchmark(vals, "up")
  T.eq(r.quartile, want_q[n], "quartiles for n = " .. n)
  local ranks = {}
  for i = 1, n do ranks[i] = i end
  T.eq(r.rank, ranks, "ranks for n = " .. n)
end

-- ties at quartile edges: the tie takes the better quartile
local t5 = rag.benchmark({ 5, 4, 4, 2, 1 }, "up")
T.eq(t5.rank, { 1, 2, 2, 4, 5 }, "tie at the Q1/Q2 edge: ranks")
T.eq(t5.quartile, { 1, 1, 1, 3, 4 }, "tie at the Q1/Q2 edge: quartiles")
local t8 = rag.benchmark({ 8, 7, 6, 6, 4, 3, 2, 1 }, "up")
T.eq(t8.quartile, { 1, 1, 2, 2, 3, 3, 4, 4 }, "n = 8 quartiles with a tie")

-- a map of areas, with missing values
local areas = {
  E08000027 = 41.5,  -- Dudley
  E08000028 = 38.0,  -- Sandwell
  E08000030 = 41.5,  -- Walsall
  E08000031 = NAN,   -- Wolverhampton, missing
  E07000196 = 52.25, -- South Staffordshire
}
local m = rag.benchmark(areas, "up")
T.eq(m.n, 4, "map: n counts present values")
T.eq(m.rank, { E07000196 = 1, E08000027 = 2, E08000030 = 2, E08000028 = 4 }, "map: ranks by area")
T.eq(m.quartile, { E07000196 = 1, E08000027 = 2, E08000030 = 2, E08000028 = 4 },
     "map: quartiles by area")
T.ok(m.rank.E08000031 == nil, "map: missing area has no rank")
T.near(m.median, 41.5, "map: median")
T.near(m.mean, (41.5 + 38 + 41.5 + 52.25) / 4, "map: mean")

-- array with holes
local h = rag.benchmark({ [1] = 3, [3] = 1, [4] = 2 }, "down")
T.eq(h.rank, { [1] = 3, [3] = 1, [4] = 2 }, "holes keep their keys")
T.eq(h.median, 2, "median odd n")

-- all missing
local none = rag.benchmark({ NAN, NAN }, "up")
T.eq(none.n, 0, "all missing: n = 0")
T.eq(none.rank, {}, "all missing: no ranks")
T.ok(none.rank[1] == nil, "all missing: rank nil")
T.ok(none.median == nil and none.mean == nil, "all missing: median and mean nil")
T.eq(rag.benchmark({}, "up").n, 0, "empty table")

-- band: nearest the midpoint is best
local bb = rag.benchmark({ 50, 45, 55, 30, 70, 52 }, "band", { band = { 40, 60 } })
T.eq(bb.rank, { 1, 3, 3, 5, 5, 2 }, "band ranks by distance from the midpoint")
T.eq(rag.benchmark({ 50, 45 }, bandrule).rank, { 1, 2 }, "band via a rule table")
T.eq(rag.benchmark({ 0.1 + 0.2, 0.3, 0.1 }, "up").rank, { 1, 1, 3 }, "fp noise ties")

T.err(function() rag.benchmark({ 1, 2 }, "band") end, "opts%.band", "band without opts.band")
T.err(function() rag.benchmark({ 1, 2 }, "band", { band = { 5, 1 } }) end, "opts%.band lo",
      "band lo > hi")
T.err(function() rag.benchmark({ 1, "x" }, "up") end, "values%[2%] must be a number",
      "non-number value names its key")
T.err(function() rag.benchmark({ a = true }, "up") end, "values%[a%]", "boolean value")
T.err(function() rag.benchmark(5, "up") end, "table expected", "values not a table")
T.err(function() rag.benchmark({ 1 }, "best") end, "invalid option 'best'", "bad polarity")

-- the values table is left as it was
local v = { 3, 1, 2 }
rag.benchmark(v, "up")
T.eq(v, { 3, 1, 2 }, "benchmark does not reorder its input")

T.done()
