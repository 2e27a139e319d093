-- tests/lua/format_test.lua: pmf.format, the one place figures and dates become text, and
-- the callers that publish through it (pmf.kpi.display, pmf.render.number, report dates).
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local format = require "pmf.format"

-- ---- thousands separators ---------------------------------------------------------------
for _, c in ipairs({
  { "1", "1" }, { "999", "999" }, { "1000", "1,000" }, { "-1000", "-1,000" },
  { "1234567.891", "1,234,567.891" }, { "-12345.50", "-12,345.50" }, { "100000", "100,000" },
  { "0.12345", "0.12345" }, { "no data", "no data" }, { "inf", "inf" }, { "", "" },
}) do
  T.eq(format.commas(c[1]), c[2], "commas(" .. c[1] .. ")")
end

-- ---- display: a KPI's figure as published --------------------------------------------------
for _, c in ipairs({
  { 71.43, "%", nil, "71.4%" },
  { 1234567, "GBP", nil, "£1,234,567" },
  { -1234.5, "£", 2, "-£1,234.50" },
  { 1234, "count", nil, "1,234" },
  { 1234, nil, nil, "1,234" },
  { 12.5, "days", 1, "12.5 days" },
  { 12.46, "per 1,000", nil, "12.5 per 1,000" },
  { 999.5, nil, 0, "1,000" },             -- rounds first, separates after
  { 999.4, nil, 0, "999" },
  { -0.04, "%", 1, "0.0%" },              -- never "-0.0"
  { -0.4, nil, 0, "0" },                  -- never "-0"
  { -1999.96, "tonnes", 1, "-2,000.0 tonnes" },
  { 3, "%", 0, "3%" },
}) do
  T.eq(format.display(c[1], c[2], c[3]), c[4],
       string.format("display(%s, %s, %s)", tostring(c[1]), tostring(c[2]), tostring(c[3])))
end
T.eq(format.display(nil, "%", 1), "no data", "display of no figure says so")
T.eq(format.default_decimals("count"), 0, "counts to 0 places")
T.eq(format.default_decimals("£"), 0, "money to 0 places")
T.eq(format.default_decimals(nil), 0, "no unit: 0 places")
T.eq(format.default_decimals("%"), 1, "percentages to 1 place")
T.eq(format.default_decimals("days"), 1, "other units to 1 place")

-- ---- number: a table cell for people ----------------------------------------------------
T.eq(format.number(1234567), "1,234,567", "integers without decimals, separated")
T.eq(format.number(1234567.0), "1,234,567", "a whole float as an integer")
T.eq(format.number(-1234.5678), "-1,234.568", "up to 3 decimals")
T.eq(format.number(2.5), "2.5", "trailing zeros dropped")
T.eq(format.number(-1234.5, 2), "-1,234.50", "fixed decimals kept")
T.eq(format.number(0 / 0), "", "NaN is empty")
T.eq(format.number(nil), "", "nil is empty")
T.eq(format.number("n/a"), "n/a", "text as it is")

-- ---- number_text: for machines --------------------------------------------------------
T.eq(format.number_text(1234567), "1234567", "no separators for machines")
T.eq(format.number_text(0.1), "0.1", "shortest text")
T.eq(format.number_text(1 / 3), "0.3333333333333333", "every digit that matters")
T.eq(tonumber(format.number_text(1 / 3)), 1 / 3, "reads back as the same double")
T.eq(format.number_text(math.huge), "", "infinity cannot be carried")

-- ---- dates in words -------------------------------------------------------------------
T.eq(format.date_words("2025-07-01"), "1 July 2025", "date in words")
T.eq(format.date_words("2026-03-31T23:59"), "31 March 2026", "a timestamp's date")
T.eq(#format.MONTHS, 12, "twelve months")

-- ---- the publishing callers write what format writes ---------------------------------------
for _, v in ipairs({ 0.04, -0.04, 999.5, 1234567.891, -1234.5 }) do
  for _, u in ipairs({ "%", "£", "count", "days" }) do
    T.eq(pmf.kpi.display(v, u, 1), format.display(v, u, 1), "kpi.display(" .. v .. ", " .. u .. ")")
  end
  T.eq(pmf.render.number(v), format.number(v), "render.number(" .. v .. ")")
  T.eq(pmf.render.number_text(v), format.number_text(v), "render.number_text(" .. v .. ")")
end
local p = pmf.period("2025/26 Q2")
T.eq(select(2, pmf.report.period_words(p)), "1 July 2025 to 30 September 2025",
     "a report's period dates in words")
T.eq(pmf.report.date_words("2025-10-20"), format.date_words("2025-10-20"), "report dates")

T.done("format_test")
