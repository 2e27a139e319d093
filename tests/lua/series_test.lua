-- tests/lua/series_test.lua: pmf.series as a Lua user sees it (rules in core/series.h).
--
-- Run as `build/pmf tests/lua/series_test.lua`.  Every figure below is small enough to check
-- by hand; the comment beside each expectation says how it was worked out.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local series = pmf.series

local s = assert(pmf.open(":memory:"))
local WAL, DUD = "E08000030", "E08000027"

for _, m in ipairs {
  { id = "visits", aggregation = "sum" }, { id = "wait", aggregation = "mean" },
  { id = "in_care", aggregation = "last" }, { id = "low", aggregation = "min" },
  { id = "high", aggregation = "max" }, { id = "recycled", aggregation = "ratio" },
  { id = "recycled_mean", aggregation = "mean" }, { id = "gappy", aggregation = "sum" },
  { id = "line", aggregation = "sum" }, { id = "line_mean", aggregation = "mean" },
  { id = "revised", aggregation = "sum" },
} do s:metric(m) end

-- Put the same list of monthly values for one metric from a first month on; nil skips.
local function months(metric, area, first, values, extra)
  local p = pmf.period(first)
  for i = 1, #values do
    if values[i] then
      local t = { metric = metric, area = area, period = p:next(i - 1), value = values[i] }
      for k, v in pairs(extra or {}) do t[k] = v end
      s:observe(t)
    end
  end
end

-- the six rules over a quarter -------------------------------------------------------------
-- Apr-Sep 2025 (2025/26 Q1 and Q2)
local six = { 10, 20, 30, 40, 50, 60 }
for _, m in ipairs { "visits", "wait", "in_care", "low", "high" } do months(m, WAL, "2025-04", six) end

local v, info = series.value(s, "visits", WAL, "2025/26 Q1")
T.eq(v, 60, "sum: Q1 = 10 + 20 + 30")
T.eq({ info.months, info.expected, info.complete, info.exact }, { 3, 3, true, false },
     "sum: Q1 covered by three months, not stored as a quarter")
T.eq(series.value(s, "wait", WAL, "2025/26 Q2"), 50, "mean: Q2 = (40 + 50 + 60) / 3")
T.eq(series.value(s, "in_care", WAL, "2025/26 Q1"), 30, "last: the June figure")
T.eq(series.value(s, "low", WAL, "2025/26 Q2"), 40, "min of Q2")
T.eq(series.value(s, "high", WAL, "2025/26 H1"), 60, "max of H1")
T.eq(series.value(s, "visits", WAL, "2025-05"), 20, "a month is its own figure")

v, info = series.value(s, "visits", WAL, "2025/26")
T.eq(v, 210, "partial year still sums what is there (Apr-Sep)")
T.eq({ info.months, info.expected, info.complete }, { 6, 12, false }, "partial year reported")
v, info = series.value(s, "in_care", WAL, "2025/26")
T.eq(v, 60, "last over a partial year: the latest figure within it (September)")

v, info = series.value(s, "visits", WAL, "2024/25")
T.eq(v, nil, "no figures: no value")
T.eq({ info.months, info.reason }, { 0, "no data for the period" }, "and the reason says so")
T.eq(series.value(s, "visits", DUD, "2025/26 Q1"), nil, "another area has nothing")

-- ratio: sum of numerators over sum of denominators, not the mean of percentages -----------
s:observe { metric = "recycled", area = WAL, period = "2025-04", value = 0.1, numerator = 1, denominator = 10 }
s:observe { metric = "recycled", area = WAL, period = "2025-05", value = 0.9, numerator = 90, denominator = 100 }
months("recycled_mean", WAL, "2025-04", { 0.1, 0.9 })
v, info = series.value(s, "recycled", WAL, "2025-04..2025-05")
T.near(v, 91 / 110, "ratio over two months = 91 / 110")
T.eq({ info.numerator, info.denominator }, { 91, 110 }, "numerator and denominator sums given")
T.near(series.value(s, "recycled_mean", WAL, "2025-04..2025-05"), 0.5,
       "the mean of the monthly percentages is a different answer (0.5)")
s:observe { metric = "recycled", area = WAL, period = "2025-06", value = 0.5 }   -- no num/den
v, info = series.value(s, "recycled", WAL, "2025/26 Q1")
T.eq(v, nil, "ratio with a month lacking numerator/denominator is unavailable")
T.ok(info.reason and info.reason:find("ratio unavailable"), "and says why: " .. tostring(info.reason))
T.eq(series.value(s, "recycled", WAL, "2025-06"), 0.5, "that month alone is still its own figure")

-- exact span precedence; Q4 spanning the calendar year --------------------------------------
months("visits", DUD, "2025-04", { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 })
s:observe { metric = "visits", area = DUD, period = "2025/26 Q1", value = 100 }
v, info = series.value(s, "visits", DUD, "2025/26 Q1")
T.eq({ v, info.exact, info.figures }, { 100, true, 1 }, "a figure stored for exactly Q1 wins over its months")
T.eq(series.value(s, "visits", DUD, "2025/26"), 100 + (4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12),
     "the year uses the stored Q1 and the months after it")
T.eq(series.value(s, "visits", DUD, "2025/26 Q4"), 10 + 11 + 12, "Q4 2025/26 = Jan-Mar 2026")
T.eq(series.value(s, "visits", DUD, "2025 Q4"), 7 + 8 + 9, "calendar Q4 2025 = Oct-Dec")
T.eq(series.value(s, "visits", DUD, "2025"), 100 + 4 + 5 + 6 + 7 + 8 + 9,
     "calendar 2025: stored Q1 (Apr-Jun) and Jul-Dec; Jan-Mar absent")

-- aggregate into quarters ---------------------------------------------------------------------
local q = series.aggregate(s, "visits", DUD, { from = "2025/26 Q1", to = "2025/26 Q4", len = 3 })
T.eq(#q, 4, "four quarters")
T.eq({ tostring(q[2].period), q[2].value, q[2].complete }, { "2025/26 Q2", 15, true }, "Q2 = 4 + 5 + 6")
T.eq(q[1].value, 100, "Q1 stored")
local yq = series.aggregate(s, "visits", WAL, { from = "2025-04", to = "2025-12", len = 3 })
T.eq({ yq[3].value, yq[3].complete, yq[3].months }, { nil, false, 0 }, "Q3 empty for Walsall")

-- year to date: leading gaps and holes ------------------------------------------------------
months("gappy", WAL, "2025-04", { nil, nil, 5, nil, 7 })
T.eq(series.ytd(s, "gappy", WAL, "2025-05"), nil, "no figures yet in the year: no data")
T.eq(series.ytd(s, "gappy", WAL, "2025-06"), 5, "first figure in June")
v, info = series.ytd(s, "gappy", WAL, "2025-08")
T.eq({ v, info.months, info.expected, tostring(info.period) }, { 12, 2, 5, "2025-04..2025-08" },
     "July's hole adds nothing")
T.eq(series.ytd(s, "gappy", WAL, "2025/26 Q2"), 12, "ytd to a quarter")
v, info = series.ytd(s, "visits", WAL, "2025-08", 1)
T.eq({ v, info.expected }, { 150, 8 }, "January year start: Jan-Aug 2025, figures from April")
v, info = series.ytd(s, "visits", WAL, "2025-08", "January")
T.eq(v, 150, "year start by month name")

-- rolling ------------------------------------------------------------------------------------
v, info = series.rolling(s, "visits", DUD, "2026-03", 12)
T.eq({ v, info.months, tostring(info.period) }, { 100 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12, 12, "2025/26" },
     "rolling 12 months to March is the financial year")
T.eq(series.rolling(s, "wait", WAL, "2025-09", 3), 50, "rolling 3-month mean")
T.eq(series.rolling(s, "visits", WAL, "2025/26 Q2", 2), 210, "rolling two quarters")

-- change ---------------------------------------------------------------------------------
local c = series.change(s, "visits", WAL, "2025/26 Q2")
T.eq({ c.value, c.prev, c.change }, { 150, 60, 90 }, "change on the previous quarter")
T.near(c.pct, 150, "% change = 90 / 60 * 100")
T.eq(c.last_year, nil, "no figure a year ago: no comparison")
s:observe { metric = "gappy", area = DUD, period = "2025-01", value = 0 }
s:observe { metric = "gappy", area = DUD, period = "2025-02", value = 4 }
s:observe { metric = "gappy", area = DUD, period = "2026-02", value = 6 }
c = series.change(s, "gappy", DUD, "2025-02")
T.eq({ c.prev, c.change, c.pct }, { 0, 4, nil }, "previous = 0: change but no %")
c = series.change(s, "gappy", DUD, "2026-02")
T.eq({ c.last_year, c.change_year, c.pct_year, c.prev }, { 4, 2, 50, nil }, "same month last year")

-- trend and projection -------------------------------------------------------------------------
local tr = series.trend { 1, 3, 5, 7 }
T.near(tr.slope, 2, "slope of 1,3,5,7")
T.near(tr.intercept, 1, "intercept at the first point")
T.eq(tr.n, 4, "four points")
T.near(tr.r2, 1, "a perfect line")
T.eq(series.trend { 5 }, nil, "one point is no trend")
local rows = series.fetch(s, "gappy", WAL, { from = "2025-04", to = "2025-08" })
T.eq(#rows, 2, "fetch returns the two figures")
tr = series.trend(rows)
T.near(tr.slope, 1, "trend over fetch rows counts the gap: (7 - 5) / 2 months")
T.near(tr.intercept, 5, "intercept at June")

months("line", WAL, "2025-04", { 10, 12, 14, 16, 18, 20 })
months("line_mean", WAL, "2025-04", { 10, 12, 14, 16, 18, 20 })
v, info = series.projection(s, "line", WAL, "2025-09")
T.near(v, 90 + (22 + 24 + 26 + 28 + 30 + 32), "sum: YTD 90 plus the line's Oct-Mar")
T.eq({ info.ytd, info.remaining, info.year, info.method, info.n }, { 90, 6, "2025/26", "ytd+trend", 6 },
     "projection info")
v = series.projection(s, "line_mean", WAL, "2025-09")
T.near(v, 32, "mean metric: the line's value in March")
v = series.projection(s, "line", WAL, "2025/26 Q2")
T.near(v, 36 + 54 + 72 + 90, "quarterly: Q1 36, Q2 54, then the line's Q3 72 and Q4 90")
v, info = series.projection(s, "line", DUD, "2025-09")
T.eq(v, nil, "no figures: no projection")
T.ok(info.reason, "with a reason")

-- completeness ----------------------------------------------------------------------------------
local comp = series.completeness(s, "gappy", WAL, { from = "2025-04", to = "2025-09" })
T.eq(comp, { expected = 6, present = 2, missing = { "2025-04", "2025-05", "2025-07", "2025-09" }, partial = {} },
     "months present and missing")
comp = series.completeness(s, "gappy", WAL, { from = "2025/26 Q1", to = "2025/26 Q2", len = 3 })
T.eq(comp, { expected = 2, present = 0, missing = {}, partial = { "2025/26 Q1", "2025/26 Q2" } },
     "quarters partly covered")

-- as-of answers after a revision ----------------------------------------------------------------
s:observe { metric = "revised", area = WAL, period = "2025-04", value = 100, at = "2025-05-10" }
s:observe { metric = "revised", area = WAL, period = "2025-05", value = 50, at = "2025-06-10" }
s:observe { metric = "revised", area = WAL, period = "2025-04", value = 120, at = "2025-06-15" }
local before, mid = s:as_of("2025-06-01"), s:as_of("2025-06-12")
T.eq(series.value(before, "revised", WAL, "2025/26 Q1"), 100, "as of 1 June: April only, first version")
T.eq(series.value(mid, "revised", WAL, "2025/26 Q1"), 150, "as of 12 June: April 100 + May 50")
T.eq(series.value(s, "revised", WAL, "2025/26 Q1"), 170, "now: April revised to 120")
T.eq(#series.fetch(before, "revised", WAL), 1, "fetch as of 1 June sees one figure")
T.eq(series.fetch(s, "revised", WAL)[1].value, 120, "fetch now sees the revision")
T.eq(series.matrix(mid, "revised", { WAL }, { "2025-04" })[1], 100, "matrix honours the view")
T.eq(series.aggregate_all(before, 3).cells >= 1, true, "aggregate_all runs on a view")

-- breakdowns -------------------------------------------------------------------------------------
s:observe { metric = "visits", area = WAL, period = "2025-04", value = 4, breakdown = "sex=female" }
s:observe { metric = "visits", area = WAL, period = "2025-05", value = 6, breakdown = "sex=female" }
T.eq(series.value(s, "visits", WAL, "2025/26 Q1", { breakdown = "sex=female" }), 10, "female breakdown")
T.eq(series.value(s, "visits", WAL, "2025/26 Q1"), 60, "the whole population is unaffected")
T.eq(#series.fetch(s, "visits", WAL, { breakdown = "sex=female" }), 2, "fetch a breakdown")

-- matrix --------------------------------------------------------------------------------------------
local vals, mi = series.matrix(s, "visits", { WAL, DUD, "E08000028" }, { "2025/26 Q1", "2025/26 Q2" })
T.eq({ vals[1], vals[2], vals[3], vals[4], vals[5], vals[6] }, { 60, 150, 100, 15, nil, nil },
     "values indexed (area - 1) * #periods + period")
T.eq({ mi.n, mi.areas, mi.periods, mi.months[2], mi.months[5], mi.expected[1] }, { 6, 3, 2, 3, 0, 3 },
     "matrix info")
vals, mi = series.matrix(s, "recycled", { WAL }, { "2025-04..2025-05", "2025/26 Q1" })
T.near(vals[1], 91 / 110, "matrix ratio")
T.eq({ mi.numerator[1], mi.denominator[1], vals[2], mi.numerator[2] }, { 91, 110, nil, nil },
     "numerator/denominator sums, absent where a month lacks them")

-- whole-table aggregation ----------------------------------------------------------------------
local tot = series.aggregate_all(s, 3, 4)
T.ok(tot.rows > 50 and tot.cells > 10 and tot.complete <= tot.cells, "aggregate_all counts")
local rows_n, sum = series.raw_scan(s)
T.eq(rows_n, tot.rows, "the raw scan reads the same rows")
T.ok(type(sum) == "number", "raw scan checksum")

-- misuse raises --------------------------------------------------------------------------------
T.err(function() series.value(s, "nope", WAL, "2025-04") end, "unknown metric 'nope'", "unknown metric")
T.err(function() series.value(s, "visits", "X1", "2025-04") end, "unknown area 'X1'", "unknown area")
T.err(function() series.value(s, "visits", WAL, "2025-13") end, "bad argument #4", "bad label")
T.err(function() series.value({}, "visits", WAL, "2025-04") end, "pmf.Store expected", "not a store")
T.err(function() series.aggregate(s, "visits", WAL, { to = "2025-04" }) end, "'from' is required", "from needed")
T.err(function() series.fetch(s, "visits", WAL, { from = "soon" }) end, "option 'from'", "bad from")
T.err(function() series.matrix(s, "visits", { "X1" }, { "2025-04" }) end, "unknown area 'X1'", "matrix area")

-- a call's statements are released when it returns or raises: the store closes at once
local s2 = assert(pmf.open(":memory:"))
s2:metric { id = "m" }
T.eq(series.value(s2, "m", WAL, "2025-04"), nil, "empty store: no value")
T.ok(not pcall(series.value, s2, "m", "X1", "2025-04"), "a raising call")
s2:close()
T.eq(s2:is_open(), false, "store closed after series calls (no statement left behind)")

-- snapshots by reference date (issue 11 case 4) ----------------------------------------------
s:metric{ id = "pop", aggregation = "last" }
s:observe{ metric = "pop", area = WAL, period = "2020", value = 2020 }
s:observe{ metric = "pop", area = WAL, period = "2022", value = 2022 }
v, info = series.value(s, "pop", WAL, "2021/22")
T.eq({ v, info.reason }, { nil, "no data for the period" },
     "calendar 2020 and 2022 figures give 2021/22 no data (never a year that does not overlap)")
T.eq(series.value(s, "pop", WAL, "2022/23"), 2022, "31 December 2022 lies in 2022/23")
s:metric{ id = "popmid", aggregation = "last", reference = "mid-year" }
s:observe{ metric = "popmid", area = WAL, period = "2021", value = 2021 }
T.eq(series.value(s, "popmid", WAL, "2021/22"), 2021, "mid-year: calendar 2021 is 2021/22's")
T.eq(series.value(s, "popmid", WAL, "2020/21"), nil, "and not 2020/21's")
T.eq(s:metric_info("popmid").reference, "mid-year", "the metric keeps its reference")
T.ok(not pcall(s.metric, s, { id = "bad", reference = "noon" }), "an unknown reference is an error")
T.ok(not pcall(s.metric, s, { id = "bad", carry = "soon" }), "a carry that is no span is an error")

T.done()
