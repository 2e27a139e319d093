-- lua/pmf/store/observations.lua: figures (Store methods written in Lua): recording an
-- observation (a new version, never an update; refused in a signed-off span), reading the
-- current one and its history as of the view, its breakdowns, and the flags
-- (provisional, estimated, proxy, suppressed, revised: core/store.h's list) kept as bits.
local pmf = require "pmf"
local common = require "pmf.store.common"
local signoff = require "pmf.store.signoff"

local Store = pmf.Store
local need, to_period, cutoff = common.need, common.to_period, common.cutoff
local metric_id, area_id = common.metric_id, common.area_id

local M = {}

-- ---- observations --------------------------------------------------------------------

local STORED_FLAGS = require("pmf.core.engine").STORED_FLAGS   -- {{bit, word}...}, store.h's
local flag_bits, flag_words = {}, {}
for _, f in ipairs(STORED_FLAGS) do
  flag_bits[f[2]] = f[1]
  flag_words[#flag_words + 1] = f[2]
end
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
      error("unknown flag '" .. w .. "' (" .. table.concat(flag_words, ", ") .. ")", (level or 2) + 1)
    end
    bits = bits | b
  end
  return bits
end

function M.flag_names(bits)
  local out = {}
  for _, name in ipairs(flag_words) do
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
  signoff.check_unlocked(self, metric, p)
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

return M
