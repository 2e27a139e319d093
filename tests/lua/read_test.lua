-- tests/lua/read_test.lua: the read contract (core/reader.h), data-driven.  Every
-- aggregation rule crossed with stored spans (months, quarters, a year, mixed) and asked
-- spans; for each, pmf.series.value, pmf.kpi.value and the scorecard report's row must give
-- the same value, and that value must be the one worked by hand below.  The issue's three
-- cases (four quarters summed to a year; ratio months stored as percentages; a quarter and
-- a month averaged over a year) are rows of the table.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local s = assert(pmf.open(":memory:"))
local A = "E08000030"
local RULES = { "sum", "mean", "last", "min", "max", "ratio" }

-- Stored layouts: lists of {period, value, num, den} (ratio metrics store num/den; their
-- value is 100 * num / den, a percentage, so the scale is 100).
local months, q4, mixed = {}, {}, {}
local mlabels = { "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10",
                  "2025-11", "2025-12", "2026-01", "2026-02", "2026-03" }
for i, l in ipairs(mlabels) do months[i] = { l, i, i, 100 } end          -- ratio: i%
for i, l in ipairs{ "2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4" } do
  q4[i] = { l, 10 * i, 10 * i, 100 }
end
mixed[1] = { "2025/26 Q1", 10, 10, 100 }
for i = 4, 12 do mixed[#mixed + 1] = { mlabels[i], i, i, 100 } end
local LAYOUTS = {
  months = months,
  quarters = q4,
  year = { { "2025/26", 100, 100, 100 } },
  mixed = mixed,
  -- issue case 3: a quarter at 10 and one month at 40
  partial = { { "2025/26 Q1", 10, 10, 100 }, { "2025-07", 40, 40, 100 } },
  -- issue case 2: months stored as 50 with numerator 5, denominator 10
  pct = { { "2025-04", 50, 5, 10 }, { "2025-05", 50, 5, 10 }, { "2025-06", 50, 5, 10 } },
}

-- Worked by hand: CASES[layout][asked] = {sum, mean, last, min, max, ratio}; false = no data.
local N = false
local CASES = {
  months = {
    ["2025/26 Q1"] = { 6, 2, 3, 1, 3, 2 },                 -- ratio: 100 * 6 / 300
    ["2025/26"] = { 78, 6.5, 12, 1, 12, 6.5 },             -- ratio: 100 * 78 / 1200
    ["2025-05"] = { 2, 2, 2, 2, 2, 2 },
    ["2025/26 H1"] = { 21, 3.5, 6, 1, 6, 3.5 },
  },
  quarters = {
    ["2025/26 Q1"] = { 10, 10, 10, 10, 10, 10 },           -- the exact span
    ["2025/26"] = { 100, 25, 40, 10, 40, 25 },             -- summed: 10 + 20 + 30 + 40
    ["2025-05"] = { N, N, N, N, N, N },                    -- a quarter is no month's value
    ["2025/26 H1"] = { 30, 15, 20, 10, 20, 15 },
  },
  year = {
    ["2025/26 Q1"] = { N, N, N, N, N, N },                 -- nor a year any quarter's
    ["2025/26"] = { 100, 100, 100, 100, 100, 100 },
    ["2025-05"] = { N, N, N, N, N, N },
    ["2025/26 H1"] = { N, N, N, N, N, N },
  },
  mixed = {
    ["2025/26 Q1"] = { 10, 10, 10, 10, 10, 10 },
    ["2025/26"] = { 82, 8.5, 12, 4, 12, 8.2 },    -- mean (3*10 + 72) / 12; ratio 82 / 1000
    ["2025-05"] = { N, N, N, N, N, N },
    ["2025/26 H1"] = { 25, 7.5, 6, 4, 10, 6.25 },   -- Q1 + Jul, Aug, Sep; ratio 25 / 400
  },
  partial = {
    ["2025/26"] = { 50, 17.5, 40, 10, 40, 100 * 50 / 200 },  -- issue case 3: mean 17.5
  },
  pct = {
    ["2025/26 Q1"] = { 150, 50, 50, 50, 50, 50 },          -- issue case 2: ratio 50
  },
}
-- issue case 1 with the issue's own figures (four quarters of 10) is checked at the end.

-- metrics and a framework with one KPI per (layout, rule)
local src = { [[framework "rd" { title = "Read contract", council = "]] .. A ..
              [[", year_start = "April", levels = { "priority" } }
priority "p1" { title = "All" }
]] }
local names = {}
for lname in pairs(LAYOUTS) do names[#names + 1] = lname end
table.sort(names)
for _, lname in ipairs(names) do
  for _, rule in ipairs(RULES) do
    local id = lname .. "_" .. rule
    src[#src + 1] = string.format('metric "%s" { title = "%s", aggregation = "%s" }\n', id, id,
                                  rule)
    src[#src + 1] = string.format('kpi "%s" { title = "%s", parent = "p1", formula = "%s", ' ..
                                  'decimals = 6, polarity = "up" }\n', id, id, id)
  end
end
local path = T.tmpname(".lua")
local f = assert(io.open(path, "w")); f:write(table.concat(src)); f:close()
assert(pmf.framework.load(s, path, { at = "2025-01-01T08:00" }))
os.remove(path)
for _, lname in ipairs(names) do
  for _, rule in ipairs(RULES) do
    for _, o in ipairs(LAYOUTS[lname]) do
      local ratio = rule == "ratio"
      s:observe{ metric = lname .. "_" .. rule, area = A, period = o[1],
                 value = ratio and 100 * o[3] / o[4] or o[2],
                 numerator = ratio and o[3] or nil, denominator = ratio and o[4] or nil }
    end
  end
end

local function same(a, b)
  if a == nil or b == nil then return a == b end
  return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(b))
end

local checked = 0
for _, lname in ipairs(names) do
  local asks = {}
  for asked in pairs(CASES[lname]) do asks[#asks + 1] = asked end
  table.sort(asks)
  for _, asked in ipairs(asks) do
    local rows = {}
    for _, r in ipairs(pmf.report.scorecard{ store = s, framework = "rd", period = asked }.rows) do
      rows[r.kpi] = r
    end
    for k, rule in ipairs(RULES) do
      local id = lname .. "_" .. rule
      local want = CASES[lname][asked][k] or nil
      local sv = pmf.series.value(s, id, A, asked)
      local kv = pmf.kpi.value(s, "rd", id, A, asked)
      local rv = rows[id] and rows[id].value
      local what = string.format("%s stored as %s, asked %s", rule, lname, asked)
      T.ok(same(sv, want), what .. ": pmf.series.value " .. tostring(sv) .. ", want " ..
           tostring(want))
      T.ok(same(kv, sv), what .. ": pmf.kpi.value " .. tostring(kv) .. " agrees")
      T.ok(rows[id] ~= nil and same(rv, sv), what .. ": the scorecard row " .. tostring(rv) ..
           " agrees")
      checked = checked + 1
    end
  end
end
T.ok(checked >= 100, "the table covers " .. checked .. " (rule, stored, asked) cases")

-- issue case 1 as written: four quarters of 10, sum, asked for the year -> 40 everywhere
s:metric{ id = "four", aggregation = "sum" }
for _, q in ipairs{ "2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4" } do
  s:observe{ metric = "four", area = A, period = q, value = 10 }
end
local fw = pmf.framework.get(s, "rd")
fw.kpis.four = { id = "four", title = "four", versions = { { formula = { kind = "metric",
                 metric = "four" }, polarity = "up" } } }
fw.kpi_order[#fw.kpi_order + 1] = "four"
T.eq(pmf.series.value(s, "four", A, "2025/26"), 40, "issue case 1: series gives 40")
T.eq(pmf.kpi.value(s, fw, "four", A, "2025/26"), 40, "issue case 1: the KPI engine too")

-- the info table says which figures made the value
local v, info = pmf.series.value(s, "partial_mean", A, "2025/26")
T.eq({ v, info.months, info.expected, info.complete, info.flags },
     { 17.5, 4, 12, false, { "incomplete" } }, "a partial year: 4 of 12 months, flagged")

-- the framework DSL states the read rules: metric reference= and carry=, KPI carry=,
-- min_group= and rate_on= (framework or KPI)
local DSL = [[
framework "rules" { title = "Rules", council = "]] .. A .. [[", year_start = "April",
  levels = { "priority" }, min_group = 2, rate_on = "unrounded" }
priority "p1" { title = "All" }
metric "pop_mid" { title = "Population", aggregation = "last", reference = "mid-year" }
metric "pop_carry" { title = "Population", aggregation = "last", carry = "12 months" }
kpi "M" { title = "M", parent = "p1", formula = "pop_mid", polarity = "up" }
kpi "C" { title = "C", parent = "p1", formula = "pop_carry", polarity = "up" }
kpi "K" { title = "K", parent = "p1", formula = "pop_mid", polarity = "up", carry = "1 year",
  min_group = 3, rate_on = "published" }
]]
path = T.tmpname(".lua")
f = assert(io.open(path, "w")); f:write(DSL); f:close()
assert(pmf.framework.load(s, path, { at = "2025-01-01T08:00" }))
s:observe{ metric = "pop_mid", area = A, period = "2021", value = 1000 }
s:observe{ metric = "pop_carry", area = A, period = "2021/22", value = 2000 }
T.eq(pmf.kpi.value(s, "rules", "M", A, "2021/22"), 1000, "DSL reference = mid-year")
T.eq({ pmf.kpi.value(s, "rules", "M", A, "2022/23") }, { nil, "no data" }, "no carry by default")
T.eq(pmf.kpi.value(s, "rules", "K", A, "2022/23"), 1000, "a KPI's carry = \"1 year\"")
local r = pmf.kpi.rate{ store = s, framework = "rules", period = "2022/23", kpis = { "C" } }[1]
T.eq({ r.value, r.flags, r.carried_from }, { 2000, { "carried" }, "2021/22" },
     "DSL metric carry = \"12 months\": carried, flagged, with its period")
local fw2 = pmf.framework.get(s, "rules")
T.eq({ fw2.min_group, fw2.rate_on, fw2.kpis.K.min_group, fw2.kpis.K.rate_on },
     { 2, "unrounded", 3, "published" }, "min_group and rate_on reach the framework and KPI")
local bad = T.tmpname(".lua")
f = assert(io.open(bad, "w"))
f:write((DSL:gsub('reference = "mid%-year"', 'reference = "noon"')))
f:close()
local ok, err = pmf.framework.check(bad)
T.ok(not ok and tostring(err[1] and err[1].msg or err):find("reference"),
     "a bad reference is a load error naming the field")
os.remove(path)
os.remove(bad)

-- other frequencies: an annual KPI on a quarterly scorecard is rated for its year, and its
-- trend runs by year, labelled by year (never the year's value in a quarter's slot)
local FREQ = [[
framework "freq" { title = "Frequencies", council = "]] .. A .. [[", year_start = "April",
  levels = { "priority" } }
priority "p1" { title = "All" }
metric "yearly" { title = "Yearly", aggregation = "sum" }
kpi "Y" { title = "Y", parent = "p1", formula = "yearly", polarity = "up", frequency = "annual" }
]]
path = T.tmpname(".lua")
f = assert(io.open(path, "w")); f:write(FREQ); f:close()
assert(pmf.framework.load(s, path, { at = "2025-01-01T08:00" }))
os.remove(path)
for y = 2019, 2024 do
  s:observe{ metric = "yearly", area = A, period = string.format("%d/%02d", y, (y + 1) % 100),
             value = y - 2000 }
end
local card = pmf.report.scorecard{ store = s, framework = "freq", period = "2025/26 Q2" }
local yr = card.rows[1]
T.eq({ yr.period, yr.value, yr.requested_period }, { "2024/25", 24, "2025/26 Q2" },
     "an annual KPI in a quarterly scorecard: rated for 2024/25, and the row says so")
T.eq({ yr.trend.labels[1], yr.trend.labels[8], yr.trend[7], yr.trend[8] },
     { "2017/18", "2024/25", 23, 24 }, "its trend is by year, labelled by year")
T.eq(yr.dot_prev ~= nil and yr.prev, 23, "direction of travel against the previous year")

T.done()
