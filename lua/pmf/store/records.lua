-- lua/pmf/store/records.lua: what a framework's people record for a period besides the
-- figures (Store methods written in Lua, and the importables' rows): targets set outside
-- the framework file, commentary, action updates and risk assessments.  Each is an
-- appended event whose latest (as of the view) is the current state.
--
-- The importables' rows (lua/pmf/import.lua): M.current_<kind> is the current row of a key
-- as known now, M.write_<kind> one more version of it in batch b.  Keys: target
-- (framework, kpi, area id, start, len); commentary (framework, kpi, area id or nil,
-- start, len); action update (framework, action, date); risk assessment (framework, risk,
-- date).  The Store's own methods write through the same functions.
local pmf = require "pmf"
local common = require "pmf.store.common"

local Store = pmf.Store
local need, to_period = common.need, common.to_period
local cutoff, area_id = common.cutoff, common.area_id

local M = {}

-- ---- targets set outside the framework file -------------------------------------------

-- store:stored_targets(framework_id) -> {kpi = {"area|key" = value}}: targets set per area
-- and period outside the framework file, the latest of each as of the view (key =
-- start * 4096 + len).
function Store:stored_targets(framework)
  local out = {}
  local rows = self:query([[
    SELECT t.kpi AS kpi, a.code AS area, t.start AS start, t.len AS len, t.value AS value
      FROM target t JOIN batch b ON b.id = t.batch JOIN area a ON a.id = t.area
     WHERE t.framework = ? AND b.recorded_ms <= ?
     ORDER BY b.recorded_ms, t.batch]], framework, cutoff(self))
  for _, r in ipairs(rows) do
    out[r.kpi] = out[r.kpi] or {}
    out[r.kpi][r.area .. "|" .. (r.start * 4096 + r.len)] = r.value
  end
  return out
end

-- store:stored_target(framework, kpi, area, period) -> the target set outside the framework
-- file for that area and period, the latest as of the view, or nil.
function Store:stored_target(framework, kpi, area, p)
  p = to_period(p)
  local aid = self:area_id(area)
  if not aid then return nil end
  local r = self:query([[
    SELECT t.value AS value FROM target t JOIN batch b ON b.id = t.batch
     WHERE t.framework = ? AND t.kpi = ? AND t.area = ? AND t.start = ? AND t.len = ?
       AND b.recorded_ms <= ? ORDER BY b.recorded_ms DESC, t.batch DESC LIMIT 1]],
    framework, kpi, aid, p.start, p.len, cutoff(self))[1]
  return r and r.value
end

-- store:set_target{framework=, kpi=, area=, period=, value=, note=, by=}
function Store:set_target(t)
  pmf._checkwritable(self)
  local p = to_period(need(t, "period", "set_target"), t.year_start)
  local aid = area_id(self, need(t, "area", "set_target"))
  return self:transaction(function()
    local b = self:batch{ kind = "target", by = t.by, at = t.at }
    M.write_target(self, b, need(t, "framework", "set_target"), need(t, "kpi", "set_target"),
                   aid, p.start, p.len, t.value, t.note)
    return b
  end)
end

-- M.write_target(s, b, framework, kpi, area_id, start, len, value, note) / M.current_target(s,
-- framework, kpi, area_id, start, len) -> {value, note} | nil: see the importables' rows above.
function M.write_target(s, b, fw, kpi, aid, start, len, value, note)
  s:exec([[INSERT INTO target(framework, kpi, area, start, len, batch, value, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)]], fw, kpi, aid, start, len, b, value, note)
end

function M.current_target(s, fw, kpi, aid, start, len)
  return s:query([[
    SELECT t.value AS value, t.note AS note FROM target t JOIN batch b ON b.id = t.batch
     WHERE t.framework = ? AND t.kpi = ? AND t.area = ? AND t.start = ? AND t.len = ?
     ORDER BY b.recorded_ms DESC, t.batch DESC LIMIT 1]], fw, kpi, aid, start, len)[1]
end

-- ---- commentary -----------------------------------------------------------------------

-- store:comment{framework=, kpi=, period=, text=, area=, author=, by=, at=}: exception or
-- general commentary for a KPI and period (the latest is the one shown).  author: who wrote
-- it, when not the person recording it (by).
function Store:comment(t)
  pmf._checkwritable(self)
  local p = to_period(need(t, "period", "comment"), t.year_start)
  local text = need(t, "text", "comment")
  local aid = t.area and area_id(self, t.area) or nil
  return self:transaction(function()
    local b = self:batch{ kind = "commentary", by = t.by, at = t.at }
    M.write_comment(self, b, need(t, "framework", "comment"), need(t, "kpi", "comment"), aid,
                    p.start, p.len, text, t.author)
    return b
  end)
end

-- store:commentary(framework, kpi, period [, area]) -> text, {by=, at=, recorded_by=} | nil:
-- by is the author (the person who recorded it when no author was given).
function Store:commentary(framework, kpi, p, area)
  p = to_period(p)
  local aid = area and self:area_id(area) or nil
  local r = self:query([[
    SELECT c.text AS text, coalesce(c.author, b.recorded_by) AS by, b.recorded_at AS at,
           b.recorded_by AS recorded_by
      FROM commentary c JOIN batch b ON b.id = c.batch
     WHERE c.framework = ? AND c.kpi = ? AND c.start = ? AND c.len = ?
       AND (c.area IS ? OR c.area IS NULL) AND b.recorded_ms <= ?
     ORDER BY (c.area IS NULL), b.recorded_ms DESC, c.id DESC LIMIT 1]],
    framework, kpi, p.start, p.len, aid, cutoff(self))[1]
  if not r then return nil end
  return r.text, r
end

-- All commentary of a framework for a period in one query: map kpi -> text.
function Store:commentary_map(framework, p)
  p = to_period(p)
  local rows = self:query([[
    SELECT c.kpi AS kpi, c.text AS text FROM commentary c JOIN batch b ON b.id = c.batch
     WHERE c.framework = ? AND c.start = ? AND c.len = ? AND b.recorded_ms <= ?
     ORDER BY b.recorded_ms, c.id]], framework, p.start, p.len, cutoff(self))
  local out = {}
  for _, r in ipairs(rows) do out[r.kpi] = r.text end
  return out
end

function M.write_comment(s, b, fw, kpi, aid, start, len, text, author)
  s:exec([[INSERT INTO commentary(framework, kpi, area, start, len, batch, text, author)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)]], fw, kpi, aid, start, len, b, text, author)
end

function M.current_comment(s, fw, kpi, aid, start, len)
  return s:query([[
    SELECT c.text AS text, c.author AS author FROM commentary c JOIN batch b ON b.id = c.batch
     WHERE c.framework = ? AND c.kpi = ? AND c.area IS ? AND c.start = ? AND c.len = ?
     ORDER BY b.recorded_ms DESC, c.id DESC LIMIT 1]], fw, kpi, aid, start, len)[1]
end

-- ---- actions and risks ----------------------------------------------------------------

local action_statuses = {
  not_started = true, on_track = true, at_risk = true, off_track = true,
  complete = true, cancelled = true, deferred = true,
}
M.action_statuses = action_statuses

-- store:action_update{framework=, action=, status=, progress=, date=, note=, by=}
function Store:action_update(t)
  pmf._checkwritable(self)
  local status = need(t, "status", "action_update")
  if not action_statuses[status] then
    error("action_update: status must be one of not_started, on_track, at_risk, off_track, " ..
          "complete, cancelled, deferred; not '" .. tostring(status) .. "'", 2)
  end
  local date = t.date or pmf.period.today()
  return self:transaction(function()
    local b = self:batch{ kind = "action", by = t.by, at = t.at }
    M.write_action(self, b, need(t, "framework", "action_update"), need(t, "action", "action_update"),
                   status, t.progress, date, t.note)
    return b
  end)
end

-- store:action_status(framework, action [, date]) -> the latest update on or before date
-- (default: any), as of the view: {status=, progress=, date=, note=, by=}
function Store:action_status(framework, action, date)
  return self:query([[
    SELECT u.status AS status, u.progress AS progress, u.as_at AS date, u.note AS note,
           b.recorded_by AS by
      FROM action_update u JOIN batch b ON b.id = u.batch
     WHERE u.framework = ? AND u.action = ? AND u.as_at <= ? AND b.recorded_ms <= ?
     ORDER BY u.as_at DESC, b.recorded_ms DESC, u.id DESC LIMIT 1]],
    framework, action, date or "9999-12-31", cutoff(self))[1]
end

function M.write_action(s, b, fw, action, status, progress, date, note)
  s:exec([[INSERT INTO action_update(framework, action, status, progress, as_at, batch, note)
           VALUES (?, ?, ?, ?, ?, ?, ?)]], fw, action, status, progress, date, b, note)
end

function M.current_action(s, fw, action, date)
  return s:query([[
    SELECT u.status AS status, u.progress AS progress, u.note AS note
      FROM action_update u JOIN batch b ON b.id = u.batch
     WHERE u.framework = ? AND u.action = ? AND u.as_at = ?
     ORDER BY b.recorded_ms DESC, u.id DESC LIMIT 1]], fw, action, date)[1]
end

-- store:risk_assess{framework=, risk=, likelihood=1..5, impact=1..5, date=, note=, by=}
function Store:risk_assess(t)
  pmf._checkwritable(self)
  local l, i = need(t, "likelihood", "risk_assess"), need(t, "impact", "risk_assess")
  if math.type(l) ~= "integer" or l < 1 or l > 5 or math.type(i) ~= "integer" or i < 1 or i > 5 then
    error("risk_assess: likelihood and impact are whole numbers 1..5", 2)
  end
  local date = t.date or pmf.period.today()
  return self:transaction(function()
    local b = self:batch{ kind = "risk", by = t.by, at = t.at }
    M.write_risk(self, b, need(t, "framework", "risk_assess"), need(t, "risk", "risk_assess"),
                 l, i, date, t.note)
    return b
  end)
end

-- store:risk_status(framework, risk [, date]) -> {likelihood=, impact=, score=, date=, note=}
function Store:risk_status(framework, risk, date)
  local r = self:query([[
    SELECT r.likelihood AS likelihood, r.impact AS impact, r.as_at AS date, r.note AS note,
           b.recorded_by AS by
      FROM risk_assessment r JOIN batch b ON b.id = r.batch
     WHERE r.framework = ? AND r.risk = ? AND r.as_at <= ? AND b.recorded_ms <= ?
     ORDER BY r.as_at DESC, b.recorded_ms DESC, r.id DESC LIMIT 1]],
    framework, risk, date or "9999-12-31", cutoff(self))[1]
  if r then r.score = r.likelihood * r.impact end
  return r
end

function M.write_risk(s, b, fw, risk, likelihood, impact, date, note)
  s:exec([[INSERT INTO risk_assessment(framework, risk, likelihood, impact, as_at, batch, note)
           VALUES (?, ?, ?, ?, ?, ?, ?)]], fw, risk, likelihood, impact, date, b, note)
end

function M.current_risk(s, fw, risk, date)
  return s:query([[
    SELECT r.likelihood AS likelihood, r.impact AS impact, r.note AS note
      FROM risk_assessment r JOIN batch b ON b.id = r.batch
     WHERE r.framework = ? AND r.risk = ? AND r.as_at = ?
     ORDER BY b.recorded_ms DESC, r.id DESC LIMIT 1]], fw, risk, date)[1]
end

return M
