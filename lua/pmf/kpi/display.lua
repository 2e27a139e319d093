-- lua/pmf/kpi/display.lua: a KPI figure as text (pmf.kpi.display) and the decimals a KPI's
-- figure is published with, which is also what RAG, direction of travel and ranks rate by
-- default (rate_on = "published").
--
-- Design decisions:
-- - The text of a figure is lua/pmf/format.lua's: one implementation of separators, units
--   and default decimals for the whole engine.
-- - One rule for the published decimals, here, used by both the display and the rating.
local format = require "pmf.format"

local M = {}

M.display = format.display

-- The decimals a KPI's figure is published with: its own, else display's default (0 for
-- counts and money, 1 otherwise).
function M.published_decimals(kpi)
  return kpi.decimals or format.default_decimals(kpi.unit)
end

return M
