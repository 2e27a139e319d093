-- lua/pmf/store/metrics.lua: the Store's metric catalogue (Store methods written in Lua):
-- defining a metric (a new version when its definition changes), the frameworks that use
-- it, its definition in force at the view's cutoff and every version, and the last month
-- any of a set of metrics has a figure for (the reports' default period).
local pmf = require "pmf"
local common = require "pmf.store.common"

local Store = pmf.Store
local need, cutoff = common.need, common.cutoff

local M = {}

-- ---- metrics ------------------------------------------------------------------------

local aggregations = { sum = true, mean = true, last = true, min = true, max = true, ratio = true }

-- The fields that make a metric's definition: two declarations are the same metric when
-- all of them are equal (meta and where it was declared are not part of it).
M.METRIC_FIELDS = { "title", "unit", "aggregation", "decimals", "definition", "source",
                    "reference", "carry" }

-- store:metric{id=, title=, unit=, aggregation=, decimals=, definition=, source=,
-- reference=, carry= [, owner=, file=, line=, batch=]}: add a metric, or record a new
-- version of its definition when any definition field differs from the one in force now
-- (metric definitions are versioned: a view as of T reads the version in force at T).  The
-- same definition again changes nothing.  owner/file/line say who declared it (a framework
-- id or "catalogue"); batch, when given, dates the version (a framework load), else now.
-- Returns id, version, changed.  Conflicts between frameworks are pmf.framework's concern.
-- reference ("end" default, "mid-year", "start") and carry ("12 months"; none by default)
-- are read rules (core/reader.h): a `last` figure counts for the period holding its
-- reference date; a figure is carried into later periods only as far as carry says.
local references = { ["end"] = true, ["mid-year"] = true, start = true }

function Store:metric(t)
  pmf._checkwritable(self)
  local id = need(t, "id", "metric")
  local agg = t.aggregation or "sum"
  if not aggregations[agg] then
    error("metric '" .. id .. "': aggregation must be sum, mean, last, min, max or ratio, not '" ..
          tostring(agg) .. "'", 2)
  end
  if t.reference ~= nil and not references[t.reference] then
    error("metric '" .. id .. "': reference must be end, mid-year or start, not '" ..
          tostring(t.reference) .. "'", 2)
  end
  if t.carry ~= nil and not (type(t.carry) == "string" and
      (t.carry:match("^%d+ months?$") or t.carry:match("^%d+ years?$"))) then
    error("metric '" .. id .. "': carry must be a span like \"12 months\", not '" ..
          tostring(t.carry) .. "'", 2)
  end
  local def = { title = t.title or id, unit = t.unit, aggregation = agg, decimals = t.decimals,
                definition = t.definition, source = t.source, reference = t.reference,
                carry = t.carry }
  return self:transaction(function()
    local cur = self:metric_def(id)
    if cur then
      local same = true
      for _, f in ipairs(M.METRIC_FIELDS) do
        if cur[f] ~= def[f] then same = false end
      end
      if same then return id, cur.version, false end
    end
    local ms
    if t.batch then
      ms = self:query("SELECT recorded_ms FROM batch WHERE id = ?", t.batch)[1].recorded_ms
    else
      ms = pmf.asof_ms(pmf.now())   -- now, to the millisecond (honours PMF_NOW)
    end
    self:exec([[INSERT INTO metric(code, title, unit, aggregation, decimals, definition, source,
                                   reference, carry)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(code) DO UPDATE SET title = excluded.title, unit = excluded.unit,
                aggregation = excluded.aggregation, decimals = excluded.decimals,
                definition = excluded.definition, source = excluded.source,
                reference = excluded.reference, carry = excluded.carry]],
              id, def.title, def.unit, agg, def.decimals, def.definition, def.source,
              def.reference, def.carry)
    local mid = self:metric_id(id)
    local version = (self:query("SELECT coalesce(max(version), 0) AS v FROM metric_version WHERE metric = ?",
                                mid)[1].v) + 1
    self:exec([[INSERT INTO metric_version(metric, version, title, unit, aggregation, decimals,
                definition, source, reference, carry, owner, file, line, recorded_ms, batch)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]],
              mid, version, def.title, def.unit, agg, def.decimals, def.definition, def.source,
              def.reference, def.carry, t.owner, t.file, t.line, ms, t.batch)
    return id, version, true
  end)
end

-- store:metric_users(code) -> the ids of the frameworks loaded that read the metric, by id.
function Store:metric_users(code)
  local out = {}
  for _, r in ipairs(self:query([[SELECT fm.framework AS f FROM framework_metric fm
                                    JOIN metric m ON m.id = fm.metric
                                   WHERE m.code = ? ORDER BY fm.framework]], code)) do
    out[#out + 1] = r.f
  end
  return out
end

-- store:latest_month(metric_codes, area) -> "YYYY-MM", the last month any of the metrics
-- has a figure for in the area (as of the view), or nil (reports' default period).
function Store:latest_month(metrics, area)
  local aid = self:area_id(area)
  if not aid then return nil end
  local best
  for _, code in ipairs(metrics or {}) do
    local mid = self:metric_id(code)
    if mid then
      local r = self:query([[SELECT max(o.start + o.len - 1) AS m FROM observation o
                             JOIN batch b ON b.id = o.batch
                             WHERE o.metric = ? AND o.area = ? AND b.recorded_ms <= ?]],
                           mid, aid, cutoff(self))[1]
      if r and r.m and (not best or r.m > best) then best = r.m end
    end
  end
  if not best then return nil end
  return tostring(pmf.period.span(best, 1))      -- the month's label, as pmf.period writes it
end

-- store:metric_epoch() -> "N:T": how many metric definitions are visible at the store's
-- cutoff and when the latest was recorded; it changes whenever a definition in force may
-- have, so what is cached by metric definitions is keyed by it.
function Store:metric_epoch()
  local r = self:query([[SELECT count(*) AS n, coalesce(max(recorded_ms), 0) AS t
                           FROM metric_version WHERE recorded_ms <= ?]], cutoff(self))[1]
  return r.n .. ":" .. r.t
end

-- store:metric_info(code) -> the metric's definition in force at the store's cutoff (a view
-- as of T sees the rule of T), or nil.  See store:metric_def (C) for the fields.
function Store:metric_info(code)
  return self:metric_def(code)
end

-- store:metrics() -> every metric defined by the store's cutoff, with the definition then
-- in force, by id.
function Store:metrics()
  local out, cut = {}, cutoff(self)
  for _, r in ipairs(self:query("SELECT code FROM metric ORDER BY code")) do
    local d = self:metric_def(r.code)
    if d and d.recorded_ms <= cut then out[#out + 1] = d end
  end
  return out
end

-- store:metric_versions(code) -> every version of a metric's definition recorded by the
-- store's cutoff, oldest first (each as store:metric_def gives it, with recorded_ms).
function Store:metric_versions(code)
  local mid = self:metric_id(code)
  if not mid then return {} end
  return self:query([[SELECT ? AS id, version, title, unit, aggregation, decimals, definition,
                             source, reference, carry, owner, file, line, recorded_ms
                        FROM metric_version WHERE metric = ? AND recorded_ms <= ?
                       ORDER BY version]], code, mid, cutoff(self))
end

return M
