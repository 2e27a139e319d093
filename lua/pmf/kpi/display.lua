-- lua/pmf/kpi/display.lua: a KPI figure as text (pmf.kpi.display) and the decimals a KPI's
-- figure is published with, which is also what RAG, direction of travel and ranks rate by
-- default (rate_on = "published").
--
-- Design decisions:
-- - Kept simple on purpose: the unit picks one of four shapes (percent, money, count, other
--   units after the number); thousands separated by commas.
-- - One rule for the published decimals, here, used by both the display and the rating.
local M = {}

local FMT = {}
for d = 0, 15 do FMT[d] = "%." .. d .. "f" end

local function commas(s)
  local sign, int, frac = s:match("^(-?)(%d+)(.*)$")
  if not int then return s end
  int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return sign .. int .. frac
end

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
  if d == nil then
    d = (u == "" or u == "count" or u == "GBP" or u == "£") and 0 or 1
  end
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

-- The decimals a KPI's figure is published with: its own, else display's default (0 for

-- The decimals a KPI's figure is published with: its own, else display's default (0 for
-- counts and money, 1 otherwise).
function M.published_decimals(kpi)
  if kpi.decimals then return kpi.decimals end
  local u = kpi.unit or ""
  return (u == "" or u == "count" or u == "GBP" or u == "£") and 0 or 1
end

return M
