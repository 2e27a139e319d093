-- lua/pmf/store.lua: the Store's methods written in Lua, over the C core's query, exec,
-- transaction and batch (core/lstore.c).  The hot paths (import, series) are C.
--
-- Everything here honours the store's as-of view: a view made by store:as_of(date) sees
-- only what had been recorded by then, and refuses writes.  Every write is part of a batch
-- (who, when), and nothing is updated in place: a revision is a new row, and sign-off,
-- reopening, commentary, action updates and risk assessments are appended events whose
-- latest (as of the view) is the current state.
--
-- Error contract: misuse (a missing required field, a bad period label, an unknown metric
-- or area) raises an error naming the field; questions with no answer return nil.
local pmf = require "pmf"
local Store = pmf.Store
local period = pmf.period

local M = {}

local function need(t, field, what)
  local v = t[field]
  if v == nil or v == "" then error((what or "argument") .. ": '" .. field .. "' is required", 3) end
  return v
end

-- A Period from a Period or a label (year start April unless given).
local function to_period(p, year_start, level)
  if type(p) == "string" then
    local q, err = period.parse(p, year_start or 4)
    if not q then error(err, (level or 2) + 1) end
    return q
  end
  if type(p) ~= "userdata" then error("a period label or pmf.Period expected", (level or 2) + 1) end
  return p
end
M.to_period = to_period

local function cutoff(s) return s:cutoff_ms() end

local function metric_id(s, code, level)
  local id = s:metric_id(code)
  if not id then error("unknown metric '" .. tostring(code) .. "'", (level or 2) + 1) end
  return id
end

local function area_id(s, code, level)
  local id = s:area_id(code)
  if not id then error("unknown area '" .. tostring(code) .. "'", (level or 2) + 1) end
  return id
end
M.metric_id, M.area_id = metric_id, area_id

-- Record a line of the audit trail in batch b.
local function audit(s, b, what, detail)
  s:exec("INSERT INTO audit(batch, what, detail) VALUES (?, ?, ?)", b, what, detail)
end

-- ---- areas and groups --------------------------------------------------------------

-- store:area{code=, name=, kind=, parent=}: add or update an area (frameworks add wards,
-- neighbourhoods, partnerships ...).
function Store:area(t)
  pmf._checkwritable(self)
  local code = need(t, "code", "area")
  self:exec([[INSERT INTO area(code, name, kind, parent) VALUES (?, ?, ?, ?)
              ON CONFLICT(code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
              parent = coalesce(excluded.parent, area.parent)]],
            code, t.name or code, t.kind or "other", t.parent)
  -- its name resolves too (store:resolve_area); old names stay as aliases
  self:exec([[INSERT OR IGNORE INTO area_alias(key, kind, area, alias)
              SELECT pmf_area_key(name), 'name', id, name FROM area WHERE code = ?]], code)
  self:_forget_areas()
  return code
end

function Store:area_info(code)
  return self:query("SELECT code, name, kind, parent FROM area WHERE code = ?", code)[1]
end

-- store:areas{kind=} -> list of {code, name, kind, parent}
function Store:areas(filter)
  filter = filter or {}
  if filter.kind then
    return self:query("SELECT code, name, kind, parent FROM area WHERE kind = ? ORDER BY code", filter.kind)
  end
  return self:query("SELECT code, name, kind, parent FROM area ORDER BY code")
end

-- store:search_areas(text) -> areas whose code starts with text, whose DfE LA number is
-- text, or whose name or a publisher's variant of it contains text (compared by
-- pmf.area_key), each once: {code, name, kind, matched, successor, ended}, by code.
-- A former code shows its successor(s) and the last day it was in use.
function Store:search_areas(text)
  local key = pmf._store.area_key(text)
  local like = "%" .. key:gsub("[%%_\\]", "\\%0") .. "%"
  return self:query([[
    WITH hit(area, matched) AS (
      SELECT id, code FROM area WHERE code LIKE :code || '%' ESCAPE '\'
      UNION ALL SELECT area, alias FROM area_alias WHERE kind = 'la_number' AND key = :text
      UNION ALL SELECT area, alias FROM area_alias WHERE kind = 'name' AND key LIKE :like ESCAPE '\')
    SELECT a.code, a.name, a.kind,
           CASE WHEN max(h.matched IN (a.name, a.code)) THEN NULL ELSE min(h.matched) END AS matched,
           (SELECT group_concat(code, ' ') FROM (SELECT n.code FROM area_successor x
              JOIN area n ON n.id = x.successor WHERE x.area = a.id ORDER BY n.code)) AS successor,
           (SELECT max(ended) FROM area_successor WHERE area = a.id) AS ended
      FROM hit h JOIN area a ON a.id = h.area
     GROUP BY a.id ORDER BY a.code]],
    { code = text:upper():gsub("[%%_\\]", "\\%0"), text = text:match("^%s*(.-)%s*$"), like = like })
end

-- store:group{id=, title=, source=, framework=, members={code, ...}}: define or redefine a
-- comparator group (members replaced; order gives rank).
function Store:group(t)
  pmf._checkwritable(self)
  local id = need(t, "id", "group")
  local members = need(t, "members", "group")
  self:transaction(function()
    self:exec([[INSERT INTO area_group(id, title, source, framework) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, source = excluded.source,
                framework = excluded.framework]], id, t.title or id, t.source, t.framework)
    self:exec("DELETE FROM area_group_member WHERE group_id = ?", id)
    for i, code in ipairs(members) do
      self:exec("INSERT OR IGNORE INTO area_group_member(group_id, area, rank) VALUES (?, ?, ?)",
                id, area_id(self, code, 3), i)
    end
  end)
  return id
end

-- store:group_members(id) -> list of area codes (rank order), or nil if no such group.
function Store:group_members(id)
  local rows = self:query([[SELECT a.code FROM area_group_member m JOIN area a ON a.id = m.area
                            WHERE m.group_id = ? ORDER BY m.rank, a.code]], id)
  if #rows == 0 and not self:query("SELECT 1 AS x FROM area_group WHERE id = ?", id)[1] then
    return nil
  end
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.code end
  return out
end

function Store:groups(prefix)
  if prefix then
    return self:query("SELECT id, title, source FROM area_group WHERE id LIKE ? ORDER BY id", prefix .. "%")
  end
  return self:query("SELECT id, title, source FROM area_group ORDER BY id")
end

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
  return string.format("%04d-%02d", best // 12, best % 12 + 1)
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

-- ---- observations --------------------------------------------------------------------

local flag_bits = { provisional = 1, estimated = 2, proxy = 4, suppressed = 8 }
M.flag_bits = flag_bits

-- "provisional|estimated" or {"provisional"} -> bitmask; raises on an unknown flag.
function M.flags(v, level)
  if v == nil or v == "" then return 0 end
  if type(v) == "number" then return math.tointeger(v) or 0 end
  local bits = 0
  local list = type(v) == "table" and v or {}
  if type(v) == "string" then for w in v:gmatch("[^|;, ]+") do list[#list + 1] = w end end
  for _, w in ipairs(list) do
    local b = flag_bits[w:lower()]
    if not b then
      error("unknown flag '" .. w .. "' (provisional, estimated, proxy, suppressed)", (level or 2) + 1)
    end
    bits = bits | b
  end
  return bits
end

function M.flag_names(bits)
  local out = {}
  for _, name in ipairs({ "provisional", "estimated", "proxy", "suppressed" }) do
    if bits & flag_bits[name] ~= 0 then out[#out + 1] = name end
  end
  return out
end

-- The version in force of one stored span: the batch is decided in C (store:in_force, the
-- one statement of the rule in core/store.h), the row is then read by that batch.
local version_sql = [[
  SELECT o.value AS value, o.numerator AS numerator, o.denominator AS denominator,
         o.flags AS flags, o.source AS source, o.batch AS batch,
         b.recorded_at AS recorded_at, b.recorded_by AS recorded_by
    FROM observation o JOIN batch b ON b.id = o.batch
   WHERE o.metric = ? AND o.area = ? AND o.breakdown = ? AND o.start = ? AND o.len = ?
     AND o.batch = ?]]

local function current(s, mid, aid, bd, p)
  local b = s:in_force(mid, aid, bd, p.start, p.len)
  if not b then return nil end
  return s:query(version_sql, mid, aid, bd, p.start, p.len, b)[1]
end

-- A breakdown as stored ("" for none): the one normaliser (core/breakdown.h, through
-- pmf.importer), which imports use too, so that "Sex = f" finds "sex=F" (the spelling stored
-- for the metric in that area).  A malformed breakdown raises.
local function breakdown_of(s, mid, aid, bd, what)
  if bd == nil then return "" end
  if type(bd) ~= "string" then error(what .. ": 'breakdown' must be a string", 3) end
  local b, err = pmf.importer.breakdown(s, mid, aid, bd)
  if not b then error(err, 3) end
  return b
end

-- store:get(metric, area, period [, breakdown]) -> value, row | nil (as of the view)
function Store:get(metric, area, p, breakdown)
  p = to_period(p)
  local mid, aid = metric_id(self, metric), area_id(self, area)
  local r = current(self, mid, aid, breakdown_of(self, mid, aid, breakdown, "get"), p)
  if not r then return nil end
  r.flags = M.flag_names(r.flags)
  return r.value, r
end

-- store:observe{metric=, area=, period=, value=, breakdown=, numerator=, denominator=,
--               flags=, source=, by=, at=, note=} -> "new" | "revised" | "unchanged"
-- One figure, in a batch of its own (or t.batch).  A changed figure supersedes the old one,
-- which is kept.
function Store:observe(t)
  pmf._checkwritable(self)
  local metric = need(t, "metric", "observe")
  local area = need(t, "area", "observe")
  local p = to_period(need(t, "period", "observe"), t.year_start)
  local value = t.value
  if type(value) ~= "number" or value ~= value or value == math.huge or value == -math.huge then
    error("observe: 'value' must be a finite number", 2)
  end
  local mid, aid = metric_id(self, metric), area_id(self, area)
  local bd = breakdown_of(self, mid, aid, t.breakdown, "observe")
  local flags = M.flags(t.flags)
  M.check_unlocked(self, metric, p)
  return self:transaction(function()
    local old = current(self, mid, aid, bd, p)           -- the root store: as known now
    if old and old.value == value and old.numerator == t.numerator and
       old.denominator == t.denominator and old.flags == flags then
      return "unchanged"
    end
    local b = t.batch or self:batch{ kind = "edit", by = t.by, at = t.at, source = t.source, note = t.note }
    self:exec([[INSERT INTO observation(metric, area, breakdown, start, len, batch, value,
                numerator, denominator, flags, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]],
              mid, aid, bd, p.start, p.len, b, value, t.numerator, t.denominator, flags, t.source)
    return old and "revised" or "new"
  end)
end

-- store:history(metric, area, period [, breakdown]) -> every version of one figure, oldest
-- first: {value, numerator, denominator, flags, source, recorded_at, recorded_by, batch,
-- current = true for the one in force (as of the view)}.
function Store:history(metric, area, p, breakdown)
  p = to_period(p)
  local mid, aid = metric_id(self, metric), area_id(self, area)
  local bd = breakdown_of(self, mid, aid, breakdown, "history")
  local rows = self:query([[
    SELECT o.value AS value, o.numerator AS numerator, o.denominator AS denominator,
           o.flags AS flags, o.source AS source, o.batch AS batch, b.kind AS kind,
           b.recorded_at AS recorded_at, b.recorded_by AS recorded_by, b.note AS note
      FROM observation o JOIN batch b ON b.id = o.batch
     WHERE o.metric = ? AND o.area = ? AND o.breakdown = ? AND o.start = ? AND o.len = ?
       AND b.recorded_ms <= ?
     ORDER BY b.recorded_ms, o.batch]], mid, aid, bd, p.start, p.len, cutoff(self))
  local now = self:in_force(mid, aid, bd, p.start, p.len)
  for _, r in ipairs(rows) do
    r.flags = M.flag_names(r.flags)
    if r.batch == now then r.current = true end
  end
  return rows
end

-- store:breakdowns(metric, area) -> the list of breakdown keys with data ("" first if any)
function Store:breakdowns(metric, area)
  local rows = self:query([[SELECT DISTINCT o.breakdown AS b FROM observation o
                            WHERE o.metric = ? AND o.area = ? ORDER BY o.breakdown]],
                          metric_id(self, metric), area_id(self, area))
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.b end
  return out
end

-- ---- targets set outside the framework file -------------------------------------------

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

-- ---- the importables' rows (lua/pmf/import.lua): the current row of a key as known now,
-- and one more version of it in batch b.  Keys: target (framework, kpi, area id, start,
-- len); commentary (framework, kpi, area id or nil, start, len); action update (framework,
-- action, date); risk assessment (framework, risk, date).

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

-- ---- commentary ----------------------------------------------------------------------

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

-- ---- actions and risks --------------------------------------------------------------

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
    self:exec([[INSERT INTO action_update(framework, action, status, progress, as_at, batch, note)
                VALUES (?, ?, ?, ?, ?, ?, ?)]], need(t, "framework", "action_update"),
              need(t, "action", "action_update"), status, t.progress, date, b, t.note)
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
    self:exec([[INSERT INTO risk_assessment(framework, risk, likelihood, impact, as_at, batch, note)
                VALUES (?, ?, ?, ?, ?, ?, ?)]], need(t, "framework", "risk_assess"),
              need(t, "risk", "risk_assess"), l, i, date, b, t.note)
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

-- ---- return workbooks (pmf.returns) ------------------------------------------------------
-- An issue is one owner's workbook for a framework's period, identified by the hash of what
-- it holds (the same workbook issued twice is one issue); a receipt is one taken back.

-- M.write_issue(s, b, t): record an issued workbook t = {id, framework, start, len, owner,
-- framework_hash, locked_hash, figures} in batch b, unless that id is issued already.
function M.write_issue(s, b, t)
  s:exec([[INSERT OR IGNORE INTO return_issue(id, framework, start, len, owner, framework_hash,
             locked_hash, figures, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)]],
         t.id, t.framework, t.start, t.len, t.owner, t.framework_hash, t.locked_hash, t.figures, b)
end

local issue_cols = [[i.id AS id, i.framework AS framework, i.start AS start, i.len AS len,
  i.owner AS owner, i.framework_hash AS framework_hash, i.locked_hash AS locked_hash,
  i.figures AS figures, b.recorded_at AS issued_at, b.recorded_by AS issued_by,
  b.recorded_ms AS issued_ms]]

-- M.issue(s, id) -> the issue row | nil (as of the view).
function M.issue(s, id)
  return s:query("SELECT " .. issue_cols .. [[ FROM return_issue i JOIN batch b ON b.id = i.batch
                   WHERE i.id = ? AND b.recorded_ms <= ?]], id, cutoff(s))[1]
end

-- M.latest_issues(s, framework, start, len) -> map owner -> the latest issue to that owner.
function M.latest_issues(s, fw, start, len)
  local rows = s:query("SELECT " .. issue_cols .. [[ FROM return_issue i JOIN batch b ON b.id = i.batch
                   WHERE i.framework = ? AND i.start = ? AND i.len = ? AND b.recorded_ms <= ?
                   ORDER BY b.recorded_ms, i.batch]], fw, start, len, cutoff(s))
  local out = {}
  for _, r in ipairs(rows) do out[r.owner] = r end
  return out
end

-- M.write_receipt(s, b, issue_id, file_hash, figures, comments): a workbook taken back.
function M.write_receipt(s, b, issue, file_hash, figures, comments)
  s:exec([[INSERT INTO return_receipt(issue, batch, file_hash, figures, comments)
           VALUES (?, ?, ?, ?, ?)]], issue, b, file_hash, figures, comments)
end

-- M.receipts(s, framework, start, len) -> map owner -> the latest receipt {issue, file_hash,
-- figures, comments, received_at, received_by}, as of the view.
function M.receipts(s, fw, start, len)
  local rows = s:query([[
    SELECT i.owner AS owner, r.issue AS issue, r.file_hash AS file_hash, r.figures AS figures,
           r.comments AS comments, b.recorded_at AS received_at, b.recorded_by AS received_by,
           b.recorded_ms AS received_ms
      FROM return_receipt r JOIN return_issue i ON i.id = r.issue JOIN batch b ON b.id = r.batch
     WHERE i.framework = ? AND i.start = ? AND i.len = ? AND b.recorded_ms <= ?
     ORDER BY b.recorded_ms, r.id]], fw, start, len, cutoff(s))
  local out = {}
  for _, r in ipairs(rows) do out[r.owner] = r end
  return out
end

-- M.receipt_exists(s, issue_id, file_hash) -> true when these bytes were taken back already.
function M.receipt_exists(s, issue, file_hash)
  return s:query("SELECT 1 AS x FROM return_receipt WHERE issue = ? AND file_hash = ?",
                 issue, file_hash)[1] ~= nil
end

-- ---- publications (pmf.report.publish) ---------------------------------------------------
-- A publication records what rebuilds a published report (framework, report, params JSON,
-- framework hash, as-of date) and the hash of the output it gave.

-- M.write_publication(s, b, t) -> id: record t = {framework, report, params, framework_hash,
-- as_of} in batch b, its output hash still empty (M.set_publication_hash sets it).
function M.write_publication(s, b, t)
  s:exec([[INSERT INTO publication(framework, report, params, framework_hash, as_of, output_hash, batch)
           VALUES (?, ?, ?, ?, ?, ?, ?)]], t.framework, t.report, t.params, t.framework_hash,
         t.as_of, "", b)
  return s:query("SELECT max(id) AS id FROM publication")[1].id
end

-- M.set_publication_hash(s, id, hash): the output hash of publication id, once rendered.
function M.set_publication_hash(s, id, hash)
  s:exec("UPDATE publication SET output_hash = ? WHERE id = ?", hash, id)
end

-- M.publication(s, id) -> the publication row | nil.
function M.publication(s, id)
  return s:query("SELECT * FROM publication WHERE id = ?", id)[1]
end

-- ---- audit ---------------------------------------------------------------------------

-- store:audit([n]) -> the latest n (default 50) entries of the audit trail, newest first.
function Store:audit(n)
  return self:query([[
    SELECT a.what AS what, a.detail AS detail, b.recorded_by AS by, b.recorded_at AS at
      FROM audit a JOIN batch b ON b.id = a.batch
     WHERE b.recorded_ms <= ? ORDER BY a.id DESC LIMIT ?]], cutoff(self), n or 50)
end

M.audit = audit

-- Raise unless the store is writable (not an as-of view): the one check, in C
-- (core/lstore.c), whose error points at the code that called the Store's method.
pmf._checkwritable = pmf._store.checkwritable

return M
