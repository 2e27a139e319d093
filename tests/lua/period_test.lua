-- tests/lua/period_test.lua: the pmf.period binding as Lua code sees it.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local period = pmf.period

-- Labels: label, year start -> canonical label, kind, start (month index), len, year, quarter
local cases = {
  { "2025-09", nil, "2025-09", "month", 2025 * 12 + 8, 1, 2025, nil },
  { "2025/26", nil, "2025/26", "fy", 2025 * 12 + 3, 12, 2025, nil },
  { "FY2025-26", nil, "2025/26", "fy", 2025 * 12 + 3, 12, 2025, nil },
  { "Q2 2025/26", nil, "2025/26 Q2", "fq", 2025 * 12 + 6, 3, 2025, 2 },
  { "2025/26 Q4", nil, "2025/26 Q4", "fq", 2026 * 12 + 0, 3, 2025, 4 },
  { "2025/26 H2", nil, "2025/26 H2", "fh", 2025 * 12 + 9, 6, 2025, nil },
  { "2025", nil, "2025", "cy", 2025 * 12, 12, 2025, nil },
  { "2025 q3", nil, "2025 Q3", "cq", 2025 * 12 + 6, 3, 2025, 3 },
  { "AY 2024/25", nil, "AY 2024/25", "ay", 2024 * 12 + 8, 12, 2024, nil },
  { "2021-2023", nil, "2021-23", "range", 2021 * 12, 36, 2021, nil },
  { "2025-05..2025-08", nil, "2025-05..2025-08", "span", 2025 * 12 + 4, 4, 2025, nil },
  { "2099/00", nil, "2099/00", "fy", 2099 * 12 + 3, 12, 2099, nil },
  { "2023April", nil, "2023/24", "fy", 2023 * 12 + 3, 12, 2023, nil },
  { "2023Q2", nil, "2023/24 Q1", "fq", 2023 * 12 + 3, 3, 2023, 1 },
  { "2015-04-01/P1Y", nil, "2015/16", "fy", 2015 * 12 + 3, 12, 2015, nil },
  { "2025", 1, "2025", "fy", 2025 * 12, 12, 2025, nil },
  { "2025 Q3", "January", "2025 Q3", "fq", 2025 * 12 + 6, 3, 2025, 3 },
  { "2025/26 Q1", "September", "2025/26 Q1", "fq", 2025 * 12 + 8, 3, 2025, 1 },
  { "2025/26", "sep", "2025/26", "fy", 2025 * 12 + 8, 12, 2025, nil },
  { "2025/26", 9, "2025/26", "fy", 2025 * 12 + 8, 12, 2025, nil },
}
for _, c in ipairs(cases) do
  local label, ys = c[1], c[2]
  local p, msg = period.parse(label, ys)
  local what = string.format("%q (year start %s)", label, tostring(ys))
  if T.ok(p, what .. " parses: " .. tostring(msg)) then
    T.eq(tostring(p), c[3], what .. " prints canonically")
    T.eq(p:label(), c[3], what .. " :label() is tostring")
    T.eq(p.kind, c[4], what .. " kind")
    T.eq(p.start, c[5], what .. " start")
    T.eq(p.len, c[6], what .. " len")
    T.eq(p.year, c[7], what .. " year")
    T.eq(p.quarter, c[8], what .. " quarter")
    T.eq(period.parse(tostring(p), ys), p, what .. " round-trips")
  end
end

-- Expected failures return nil and a message naming what was wrong.
local bad = {
  { "2025/27", "two consecutive years" },
  { "2025-13", "month 13" },
  { "2025/26 Q5", "Q1 to Q4" },
  { "", "empty" },
  { "2025/26 junk", "unexpected" },
  { "2023W10", "weeks" },
}
for _, b in ipairs(bad) do
  local p, msg = period.parse(b[1])
  T.eq(p, nil, string.format("%q does not parse", b[1]))
  T.ok(type(msg) == "string" and msg:find(b[2], 1, true), string.format("%q: %s", b[1], tostring(msg)))
end
T.eq(select(2, period.parse("2025/26", 1)),
  'period "2025/26": a year starting in January is the calendar year: write e.g. 2025, 2025 Q1',
  "a two-year label in a January framework says why")

-- pmf.period(label) raises instead; both accept a Period.
T.eq(tostring(period("2025/26 Q2")), "2025/26 Q2", "pmf.period(label) makes a Period")
T.err(function() return period("2025/27") end, "two consecutive years", "pmf.period raises on a bad label")
local q2 = period("2025/26 Q2")
T.ok(rawequal(period(q2), q2), "pmf.period(Period) returns it")
T.ok(rawequal(period.parse(q2), q2), "parse(Period) returns it")
T.eq(period.parse(q2, "September").kind, "cq", "parse(Period, ys) re-reads it under another year start")
T.eq(tostring(period.parse(2025)), "2025", "an integer label is a calendar year")

-- Year starts: 1-12 or a month name, in any case; anything else is misuse.
T.eq(period.parse("2025/26", "April").start, 2025 * 12 + 3, "April")
T.eq(period.parse("2025/26", "JUL").start, 2025 * 12 + 6, "JUL")
T.eq(period.parse("2025/26", 10).start, 2025 * 12 + 9, "10")
T.eq(period.parse("2025/26").year_start, 4, "April by default")
T.eq(period.parse("2025/26", "nov").year_start, 11, "year_start field")
T.err(function() return period.parse("2025", 13) end, "year start", "year start 13 raises")
T.err(function() return period.parse("2025", "Aprill") end, "invalid option", "a misspelt month raises")
T.err(function() return period.parse("2025", 4.5) end, "integer", "a fractional year start raises")
T.err(function() return period.parse({}) end, "pmf.Period or label expected", "a table is not a label")

-- Periods are immutable values.
local p = period("2025/26 Q4")
T.err(function() p.start = 1 end, "immutable", "fields cannot be set")
T.err(function() p.colour = "red" end, "immutable", "nor new ones added")
T.eq(p.no_such_field, nil, "unknown fields are nil")
T.eq(p.month, 1, "month: the calendar month it starts in")
T.eq(period("2025/26 H1").half, 1, "half")
T.eq(p.half, nil, "no half for a quarter")

-- Arithmetic.
T.eq(tostring(p:next()), "2026/27 Q1", "next quarter crosses the year")
T.eq(tostring(p:next(4)), "2026/27 Q4", "next(4)")
T.eq(tostring(p:prev()), "2025/26 Q3", "prev")
T.eq(tostring(p:prev(4)), "2024/25 Q4", "prev(4)")
T.eq(tostring(p:next(-1)), "2025/26 Q3", "next(-1) is prev")
T.eq(tostring(p:last_year()), "2024/25 Q4", "same period last year")
T.eq(tostring(period("2024-02"):last_year()), "2023-02", "last year of a month")
T.eq(tostring(period("2021-23"):next()), "2024-26", "next range")
T.eq(period("2025/26 Q4"):next().kind, "fq", "next keeps the kind")
T.err(function() return period("9999-12"):next() end, "outside the years", "no period after 9999")
T.err(function() return period.month(1000, 1):prev() end, "outside the years", "no period before 1000")

local fy = period("2025/26")
T.ok(fy:contains(p), "2025/26 contains its Q4")
T.ok(fy:contains("2026-03"), "contains a label")
T.ok(not fy:contains("2026-04"), "not the month after")
T.ok(not p:contains(fy), "a quarter does not contain its year")
T.err(function() return fy:contains("garbage") end, "garbage", "a bad label there is an argument error")

local months = fy:months()
T.eq(#months, 12, "12 months in a year")
T.eq(tostring(months[1]), "2025-04", "first month")
T.eq(tostring(months[12]), "2026-03", "last month")
T.eq(months[12].kind, "month", "months are months")

T.eq(tostring(period("2026-02"):quarter_of()), "2025/26 Q4", "quarter_of a month")
T.eq(tostring(period("2026-02"):half_of()), "2025/26 H2", "half_of a month")
T.eq(tostring(period("2026-02"):year_of()), "2025/26", "year_of a month")
T.eq(tostring(period("2025 Q3"):quarter_of()), "2025/26 Q2", "quarter_of a calendar quarter")
T.eq(tostring(period("2026-08", "September"):year_of()), "2025/26", "year_of in a September framework")
local none, why = fy:quarter_of()
T.eq(none, nil, "a year is in no one quarter")
T.eq(why, "2025/26 is not within one financial quarter", "and says so")
T.eq(select(2, period("2025-03..2025-04"):year_of()), "2025-03..2025-04 is not within one financial year",
  "a span across the year end is in no one year")

-- Dates and deadlines.
T.eq(period("2024-02"):end_date(), "2024-02-29", "leap February")
T.eq(period("2023-02"):end_date(), "2023-02-28", "plain February")
T.eq(period("2025/26 Q4"):start_date(), "2026-01-01", "Q4 starts in January")
T.eq(period("2025/26"):end_date(), "2026-03-31", "year end")
T.eq(period("2025/26 Q3"):deadline(), "2025-12-31", "deadline(0) is the end date")
T.eq(period("2025/26 Q3"):deadline(1), "2026-01-02", "past New Year's Day")
T.eq(period("2025/26 Q4"):deadline(5), "2026-04-09", "past Easter 2026")
T.eq(period("2025-11"):deadline(0), "2025-11-30", "0 keeps a Sunday end date")
T.err(function() return p:deadline(-1) end, "0 or more", "negative deadlines are misuse")

-- Other systems' ids.
T.eq(period("2025/26 Q2"):dhis2(), "2025Q3", "DHIS2 quarter")
T.eq(period("2025/26"):dhis2(), "2025April", "DHIS2 financial April")
T.eq(period("2004/05 H2"):dhis2(), "2004AprilS2", "DHIS2 six-monthly April")
T.eq(period("2025-09"):dhis2(), "202509", "DHIS2 month")
local nid, nmsg = period("2025-05..2025-08"):dhis2()
T.eq(nid, nil, "no DHIS2 id for four months")
T.eq(nmsg, "2025-05..2025-08 has no DHIS2 period id", "and says so")
T.eq(period("2025/26 Q2"):iso(), "2025-07-01/P3M", "ISO quarter")
T.eq(period("2021-23"):iso(), "2021-01-01/P3Y", "ISO range")
T.eq(period(period("2021-23"):iso()), period("2021-23"), "ISO reads back")

-- Comparison and ordering.
T.ok(period("2025 Q3") == period("2025/26 Q2"), "equal spans are equal")
T.ok(period("2025/26") ~= period("2025/26 Q1"), "a year is not its first quarter")
T.ok(period("2025/26 Q1") < period("2025/26"), "shorter first when the starts are equal")
T.ok(period("2025/26") < period("2025/26 Q2"), "earlier start first")
T.ok(period("2025/26 Q2") <= period("2025 Q3"), "<= on equal spans")
T.ok(p < "2026/27", "a label on the right")
T.ok("2024/25" < p, "a label on the left")
T.ok(not (p < p), "not less than itself")
local list = { period("2026-01"), period("2025/26"), period("2025-04"), period("2025/26 Q1") }
table.sort(list)
T.eq({ tostring(list[1]), tostring(list[2]), tostring(list[3]), tostring(list[4]) },
  { "2025-04", "2025/26 Q1", "2025/26", "2026-01" }, "table.sort orders periods")
T.eq("due: " .. p, "due: 2025/26 Q4", "concatenation")
T.eq(p .. "!", "2025/26 Q4!", "concatenation on the right")

-- Constructors.
local s = period.span(2025 * 12 + 3, 12)
T.eq({ tostring(s), s.kind }, { "2025/26", "fy" }, "span infers a financial year")
T.eq(period.span(2025 * 12, 12).kind, "cy", "span infers a calendar year")
T.eq(period.span(2025 * 12, 12, "January").kind, "fy", "unless the year starts in January")
T.eq(tostring(period.span(2024 * 12 + 8, 12)), "AY 2024/25", "span infers an academic year")
T.eq(tostring(period.span(2021 * 12, 36)), "2021-23", "span infers a range")
T.eq(tostring(period.span(2025 * 12 + 4, 4)), "2025-05..2025-08", "otherwise a span")
T.err(function() return period.span(0, 1) end, "outside the years", "span before year 1000")
T.err(function() return period.span(2025 * 12, 0) end, "at least 1 month", "empty span")
T.eq(tostring(period.month(2026, 3)), "2026-03", "month(y, m)")
T.err(function() return period.month(2026, 13) end, "month must be 1%-12", "month 13")

local r = period.range("2025/26 Q3", "2026/27 Q2")
T.eq(#r, 4, "four quarters")
T.eq({ tostring(r[1]), tostring(r[4]) }, { "2025/26 Q3", "2026/27 Q2" }, "from through to")
r = period.range(period("2023/24"), "2025-06")
T.eq(#r, 3, "through the year holding to's start")
T.eq(#period.range("2025-06", "2025-01"), 0, "backwards is empty")
r = period.range("2025-11", "2026-02")
T.eq(tostring(r[3]), "2026-01", "months across the year")

-- Working days.
T.eq(period.is_working_day("2025-12-25"), false, "Christmas Day")
T.eq(period.is_working_day("2025-12-24"), true, "Christmas Eve")
T.eq(period.is_working_day("2021-12-28"), false, "Boxing Day substitute")
T.eq(period.is_working_day("2023-05-08"), false, "coronation")
T.eq(period.is_working_day("2025-06-07"), false, "a Saturday")
T.err(function() return period.is_working_day("2025-02-30") end, "YYYY%-MM%-DD", "not a date")
T.eq(period.bank_holidays(2022), { "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02",
  "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27" },
  "2022, the jubilee year")
T.eq(period.bank_holidays(2026), { "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04",
  "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28" }, "2026")
T.err(function() return period.bank_holidays(999) end, "1000%-9999", "year out of range")
T.eq(period.add_working_days("2025-12-24", 1), "2025-12-29", "over Christmas")
T.eq(period.add_working_days("2025-12-29", -1), "2025-12-24", "backwards")
T.eq(period.add_working_days("2025-12-27", 0), "2025-12-27", "zero days")
T.err(function() return period.add_working_days("9999-12-31", 1) end, "outside the years", "past 9999")

-- today(): PMF_TODAY pins it for reproducible runs.
local today = period.today()
if os.getenv("PMF_TODAY") and os.getenv("PMF_TODAY") ~= "" then
  T.eq(today, os.getenv("PMF_TODAY"), "today() honours PMF_TODAY")
else
  T.ok(today:match("^%d%d%d%d%-%d%d%-%d%d$"), "today() is a date: " .. today)
end

-- Every span of up to 40 months in 2020-2026 prints and reads back with its kind,
-- under every year start.
local failures, tried = 0, 0
for ys = 1, 12 do
  for start = 2020 * 12, 2026 * 12 do
    for len = 1, 40 do
      local a = period.span(start, len, ys)
      local b = period.parse(tostring(a), ys)
      tried = tried + 1
      if not (b and a == b and a.kind == b.kind) then
        failures = failures + 1
        if failures < 5 then print("round trip failed", tostring(a), ys) end
      end
    end
  end
end
T.eq(failures, 0, tried .. " spans round-trip through their labels")

-- Year types: a file's labels read by the type it declares (period.h's table).  Each row:
-- label, year type -> first month, months, flags (or nil, words of the error).
local typed = {
  { "2011-12", "financial", "2011-04", 12 },
  { "2011-12", "academic", "2011-09", 12 },
  { "2011-12", "calendar", "2011-12", 1 },
  { "2011-12", nil, nil, "is ambiguous: December 2011 or financial year 2011/12; declare the year type" },
  { "Q2 2026", nil, nil, "is ambiguous: calendar quarter 2026 Q2" },
  { "Q2 2026", "calendar", "2026-04", 3 },
  { "2023", "financial", "2022-04", 12 },
  { "2023", "academic", "2022-09", 12 },
  { "2023", "calendar", "2023-01", 12 },
  { "2014-16", "calendar", "2014-01", 36 },
  { "2013/14-15/16", "financial", "2013-04", 36 },
  { "2021 - 23", "calendar", "2021-01", 36 },
  { "2021/22 Q1 - 2024/25 Q2", "financial", "2021-04", 42 },
  { "April to June 2010 (Q1)", "financial", "2010-04", 3 },
  { "April 2022 to March 2023 (Q1 to Q4)", "financial", "2022-04", 12 },
  { "30 June 2014", "financial", "2014-06", 1, { snapshot = "2014-06-30" } },
  { "31 September 2015", "financial", nil, "31 September 2015 is not a date: September 2015 has 30 days" },
  { "2024-25 (OT)", "financial", "2024-04", 12, { outturn = true } },
  { "2025 (Rev)", "academic", "2024-09", 12, { revised = true } },
  { "2025 (prov)", "academic", "2024-09", 12, { provisional = true } },
  { "2016/17", "calendar", nil, "names a financial or academic year, but the year type declared is calendar" },
}
for _, c in ipairs(typed) do
  local what = string.format("%q (%s)", c[1], tostring(c[2]))
  local p, info = period.parse(c[1], { year_type = c[2] })
  if c[3] then
    if T.ok(p, what .. " parses: " .. tostring(info)) then
      T.eq(string.format("%04d-%02d", p.start // 12, p.start % 12 + 1), c[3], what .. " starts")
      T.eq(p.len, c[4], what .. " months")
      local want, got = c[5] or {}, {}
      for k, v in pairs(info) do got[k] = v end
      for k, v in pairs(want) do T.eq(got[k], v, what .. " " .. k); got[k] = nil end
      T.eq(next(got), nil, what .. " has no other flag")
    end
  else
    T.eq(p, nil, what .. " fails")
    T.ok(info and info:find(c[4], 1, true), what .. " says " .. c[4] .. " (got " .. tostring(info) .. ")")
  end
end
T.err(function() return period("2011-12") end, "is ambiguous", "pmf.period raises on an ambiguous label")
local p2, info2 = period("2011-12", { year_type = "financial" })
T.eq(tostring(p2), "2011/12", "pmf.period takes a year type")
T.eq(next(info2), nil, "and returns the (empty) flags")
local nilp, why = period.parse("2025 (prov)")
T.ok(nilp == nil and why:find("provisional"), "without a year type table a flag is refused, not dropped")
T.eq(tostring(period.parse("2023", { year_type = "financial", year_start = "January" })), "2023",
     "a January financial year ending in 2023 is 2023")
T.err(function() return period.parse("2023", { year_type = "fiscal" }) end, "invalid option",
      "an unknown year type is misuse")
T.err(function() return period("2025/26 qX") end, "\"2025/26 qX\"", "errors quote the label as given")

-- day_number: the one calendar's day count (hand-worked from 1970-01-01), for Lua that checks
-- a date or counts days (the importer's dates, the xlsx creation date).
for _, c in ipairs({ { "1970-01-01", 0 }, { "1969-12-31", -1 }, { "2000-03-01", 11017 },
                     { "2024-02-29", 19782 }, { "2025-10-20", 20381 }, { "1000-01-01", -354285 },
                     { "9999-12-31", 2932896 } }) do
  T.eq(period.day_number(c[1]), c[2], "day_number(" .. c[1] .. ")")
end
for _, bad in ipairs({ "2025-02-29", "1900-02-29", "2025-04-31", "2025-13-01", "2025-00-10",
                       "2025-01-00", "0999-12-31", "2025-1-01", "2025-01-01T00:00", " 2025-01-01" }) do
  local n, why = period.day_number(bad)
  T.ok(n == nil and why == "'" .. bad .. "' is not a date YYYY-MM-DD (years 1000-9999)",
       "day_number refuses " .. bad .. " (" .. tostring(why) .. ")")
end
T.err(function() return period.day_number({}) end, "string expected", "day_number of a non-string is misuse")

T.done()
