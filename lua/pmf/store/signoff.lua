-- lua/pmf/store/signoff.lua: sign-off and reopening (Store methods written in Lua): the
-- appended events whose latest says whether a framework's period is signed off, the spans
-- that lock a metric's observations, and the framework facts an import checks against (its
-- year start, the spans locked now, its latest stored version).
local pmf = require "pmf"
local common = require "pmf.store.common"

local Store = pmf.Store
local period = pmf.period
local to_period, cutoff, audit = common.to_period, common.cutoff, common.audit

local M = {}

-- ---- sign-off ----------------------------------------------------------------------

-- The signed-off spans that lock a metric's observations: periods of frameworks that use
-- the metric whose latest event (as known now) is a sign-off.  Returns a list of
-- {framework=, start=, len=}.
function Store:locks(metric_code)
  local mid = self:metric_id(metric_code)
  if not mid then return {} end
  return self:query([[
    SELECT s.framework AS framework, s.start AS start, s.len AS len
      FROM signoff s JOIN framework_metric fm ON fm.framework = s.framework
     WHERE fm.metric = ? AND s.event = 'signoff'
       AND s.id = (SELECT max(id) FROM signoff t
                    WHERE t.framework = s.framework AND t.start = s.start AND t.len = s.len)]], mid)
end

-- Raise if period p (start, len) overlaps a locked span of the metric.
function M.check_unlocked(s, metric_code, p, level)
  for _, l in ipairs(s:locks(metric_code)) do
    if p.start < l.start + l.len and l.start < p.start + p.len then
      local label = tostring(period.span(l.start, l.len))
      error(string.format("%s %s is signed off by framework '%s' (%s): reopen it first with " ..
                          "store:reopen('%s', '%s', {reason = ...}) or `pmf reopen`",
                          metric_code, tostring(p), l.framework, label, l.framework, label),
            (level or 2) + 1)
    end
  end
end

local function signoff_event(self, framework, p, t, event, note)
  pmf._checkwritable(self)
  p = to_period(p, t.year_start, 3)
  if not self:query("SELECT 1 AS x FROM framework WHERE id = ?", framework)[1] then
    error("unknown framework '" .. tostring(framework) .. "' (load it first)", 3)
  end
  return self:transaction(function()
    local b = self:batch{ kind = event, by = t.by, at = t.at, note = note }
    self:exec("INSERT INTO signoff(framework, start, len, event, batch, note) VALUES (?, ?, ?, ?, ?, ?)",
              framework, p.start, p.len, event, b, note)
    audit(self, b, event, framework .. " " .. tostring(p) .. (note and (": " .. note) or ""))
    return b
  end)
end

-- store:signoff(framework, period, {by=, note=}): sign a framework's period off (as councils
-- sign off corporate PIs before Cabinet).  Imports and edits touching it are then refused.
function Store:signoff(framework, p, t)
  t = t or {}
  local state = self:signoff_status(framework, p, t.year_start)
  if state and state.event == "signoff" then
    error(framework .. " " .. tostring(p) .. " is already signed off", 2)
  end
  return signoff_event(self, framework, p, t, "signoff", t.note)
end

-- store:reopen(framework, period, {by=, reason=}): reopen a signed-off period; the reason is
-- required and kept in the audit trail.
function Store:reopen(framework, p, t)
  t = t or {}
  if not t.reason or t.reason == "" then error("reopen: a 'reason' is required", 2) end
  local state = self:signoff_status(framework, p, t.year_start)
  if not state or state.event ~= "signoff" then
    error(framework .. " " .. tostring(p) .. " is not signed off", 2)
  end
  return signoff_event(self, framework, p, t, "reopen", t.reason)
end

-- store:signoff_status(framework, period) -> nil (never signed off) or the latest event
-- {event="signoff"|"reopen", by=, at=, note=}, as of the store's view.
function Store:signoff_status(framework, p, year_start)
  p = to_period(p, year_start)
  return self:query([[
    SELECT s.event AS event, b.recorded_by AS by, b.recorded_at AS at, s.note AS note
      FROM signoff s JOIN batch b ON b.id = s.batch
     WHERE s.framework = ? AND s.start = ? AND s.len = ? AND b.recorded_ms <= ?
     ORDER BY b.recorded_ms DESC, s.id DESC LIMIT 1]], framework, p.start, p.len, cutoff(self))[1]
end

function Store:is_signed_off(framework, p, year_start)
  local st = self:signoff_status(framework, p, year_start)
  return st ~= nil and st.event == "signoff"
end

-- ---- what an import checks against ----------------------------------------------------

-- A framework's year start, or nil when it is not in the store.
function M.framework_year_start(s, fw)
  local r = s:query("SELECT year_start FROM framework WHERE id = ?", fw)[1]
  return r and r.year_start
end

-- The spans of a framework signed off now (latest event 'signoff'): {{start=, len=}, ...}.
function M.framework_locks(s, fw)
  return s:query([[
    SELECT s.start AS start, s.len AS len FROM signoff s
     WHERE s.framework = ? AND s.event = 'signoff'
       AND s.id = (SELECT max(t.id) FROM signoff t
                    WHERE t.framework = s.framework AND t.start = s.start AND t.len = s.len)]], fw)
end

-- The loaded_ms of a framework's latest stored version, or nil (pmf load --at's check).
function M.framework_latest_ms(s, fw)
  local r = s:query([[SELECT loaded_ms, loaded_at FROM framework_version WHERE framework = ?
                       ORDER BY version DESC LIMIT 1]], fw)[1]
  return r and r.loaded_ms, r and r.loaded_at
end

return M
