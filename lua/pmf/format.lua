-- lua/pmf/format.lua: number and display formatting (module `pmf.format`), the one place
-- that decides how a figure or a date is written, for people and for machines.
--
--   format.commas(text) -> text with thousands separators in its whole part ("-1234.5" ->
--        "-1,234.5"); text that does not start with a number is returned as it is
--   format.display(value, unit, decimals) -> a KPI's figure as published: "71.4%",
--        "£1,234,567", "-£1,234", "12.5 days", "1,234"; "no data" for nil (pmf.kpi.display)
--   format.default_decimals(unit) -> the decimals a unit is published with when a KPI
--        gives none: 0 for counts and money, 1 otherwise
--   format.number(v [, decimals]) -> a number for people in a table cell: integers without
--        decimals, others to `decimals` places or up to 3 (trailing zeros dropped), with
--        thousands separators; "" for nil and NaN, tostring for anything else
--   format.number_text(v) -> the shortest text that reads back as the same double, for
--        machines (csv, json); "" for NaN and infinities
--   format.date_words("2025-07-01") -> "1 July 2025";  format.MONTHS (January ... December)
--
-- Design decisions:
-- - Two audiences, two functions: people get rounding and separators (number, display);
--   machines get every digit that matters and no separators (number_text).  Renderers,
--   reports and returns call these; none keeps its own copy.
-- - display rounds first and separates after, so 999.5 shown with no decimals is "1,000",
--   and a value that rounds to zero never shows as "-0" or "-0.0".
-- - Pure functions of their arguments: no locale, no clock, the same text on every machine.
local M = {}

M.MONTHS = { "January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December" }

-- Thousands separators in the whole part of a number's text, keeping its sign and the rest.
function M.commas(s)
  local sign, int, rest = s:match("^(%-?)(%d+)(.*)$")
  if not int or #int <= 3 then return s end
  int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return sign .. int .. rest
end
local commas = M.commas

function M.default_decimals(unit)
  local u = unit or ""
  return (u == "" or u == "count" or u == "GBP" or u == "£") and 0 or 1
end

local FMT = {}
for d = 0, 15 do FMT[d] = "%." .. d .. "f" end

-- display(value, unit, decimals) -> text.  Rules (kept simple on purpose):
--   "%"                        -> "71.4%"
--   "GBP" / "£"                -> "£1,234,567" (decimals default 0; negative "-£1,234")
--   "count" / nil / ""         -> "1,234" (decimals default 0)
--   "per 1,000" / "per N" / other units -> "12.5 per 1,000", "12.5 days"
-- Thousands are separated by commas; decimals default to 1 for non-integer units.
function M.display(value, unit, decimals)
  if value == nil then return "no data" end
  local u = unit or ""
  local d = decimals
  if d == nil then d = M.default_decimals(u) end
  local txt = string.format(FMT[d] or ("%." .. math.floor(d) .. "f"), value)
  -- commas from 1,000 (999.5 shows as "1,000"); "-0" and "-0.0" lose the sign
  if value <= -999 or value >= 999 or (value > -1 and value < 1) then
    txt = commas(txt)
    if txt == "-0" or txt:match("^%-0%.0*$") then txt = txt:sub(2) end
  end
  if u == "%" then return txt .. "%" end
  if u == "GBP" or u == "£" then
    if txt:sub(1, 1) == "-" then return "-£" .. txt:sub(2) end
    return "£" .. txt
  end
  if u == "" or u == "count" then return txt end
  return txt .. " " .. u
end

-- A number as people read it in a table: integers without decimals, others to `decimals`
-- places (or up to 3, trailing zeros dropped), thousands separated (10,000 not 10000).
function M.number(v, decimals)
  if type(v) ~= "number" then return v == nil and "" or tostring(v) end
  if v ~= v then return "" end
  local s
  if decimals then
    s = string.format("%." .. math.floor(decimals) .. "f", v)
  elseif math.type(v) == "integer" or (v == math.floor(v) and math.abs(v) < 2^53) then
    s = string.format("%d", math.floor(v))
  else
    s = string.format("%.3f", v):gsub("0+$", ""):gsub("%.$", "")
  end
  return commas(s)
end

-- The shortest decimal text that reads back as the same double (integers as integers);
-- "" for NaN and infinities, which JSON and CSV cannot carry.
function M.number_text(v)
  if math.type(v) == "integer" then return string.format("%d", v) end
  if v ~= v or v == math.huge or v == -math.huge then return "" end
  for _, f in ipairs({ "%.15g", "%.16g" }) do
    local s = string.format(f, v)
    if tonumber(s) == v then return s end
  end
  return string.format("%.17g", v)
end

-- An ISO date ("2025-07-01", or a timestamp starting with one) in words: "1 July 2025".
function M.date_words(d)
  local y, m, dd = d:match("^(%d+)%-(%d+)%-(%d+)")
  return string.format("%d %s %s", tonumber(dd), M.MONTHS[tonumber(m)], y)
end

return M
