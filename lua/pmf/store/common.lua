-- lua/pmf/store/common.lua: what the store layer's Lua files share (module
-- `pmf.store.common`): required fields, period labels, the view's cutoff, metric and area
-- ids that raise when unknown, and a line of the audit trail.
--
-- Error contract: misuse (a missing required field, a bad period label, an unknown metric
-- or area) raises an error naming the field, at the level of the Store method's caller.
local pmf = require "pmf"
local period = pmf.period

local M = {}

-- need(t, field, what) -> t[field], raising "<what>: '<field>' is required" when it is
-- missing or empty.
function M.need(t, field, what)
  local v = t[field]
  if v == nil or v == "" then error((what or "argument") .. ": '" .. field .. "' is required", 3) end
  return v
end

-- A Period from a Period or a label (year start April unless given).
function M.to_period(p, year_start, level)
  if type(p) == "string" then
    local q, err = period.parse(p, year_start or 4)
    if not q then error(err, (level or 2) + 1) end
    return q
  end
  if type(p) ~= "userdata" then error("a period label or pmf.Period expected", (level or 2) + 1) end
  return p
end

-- The view's cutoff (ms): a read sees what had been recorded by then.
function M.cutoff(s) return s:cutoff_ms() end

-- metric_id(s, code [, level]) / area_id(s, code [, level]) -> the store's id, raising
-- "unknown metric 'X'" / "unknown area 'X'" (at the caller's caller by default).
function M.metric_id(s, code, level)
  local id = s:metric_id(code)
  if not id then error("unknown metric '" .. tostring(code) .. "'", (level or 2) + 1) end
  return id
end

function M.area_id(s, code, level)
  local id = s:area_id(code)
  if not id then error("unknown area '" .. tostring(code) .. "'", (level or 2) + 1) end
  return id
end

-- Record a line of the audit trail in batch b.
function M.audit(s, b, what, detail)
  s:exec("INSERT INTO audit(batch, what, detail) VALUES (?, ?, ?)", b, what, detail)
end

return M
