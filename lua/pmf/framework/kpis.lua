-- lua/pmf/framework/kpis.lua: KPI declarations and their effective-dated changes: the KPI's
-- fields (with the framework's defaults and what pct() implies), its formula (F), its target
-- (T), its rating fields, and the versions its changes make.
--
-- Decisions:
-- - A KPI's fields come from, in order: the KPI itself; what its formula implies (pct(...)
--   means unit "%" and one decimal); the framework's `defaults = { ... }` (fields.DEFAULTABLE).
--   So a council writes `illustrative = true` or its directorate once, and a KPI that says
--   otherwise wins.  Defaults fill the KPI before its rating fields are read, so a default
--   polarity or tolerance is the KPI's own for its changes to inherit.
-- - Target forms normalise to T (see normalise_target); tolerance, blue and dot_threshold
--   are kept as written (a number or "5%"), the forms pmf.rag accepts.
-- - change "K" { from = ... } declarations apply in order of their start, each version
--   inheriting the one before; versions[1] has from = nil (in force from the start).
-- Error contract: problems are recorded on the compile state (dsl.add_error); kpi_version
-- raises on a period label that does not parse.
local pmf = require "pmf"
local comparators = require "pmf.framework.comparators"
local decl = require "pmf.framework.decl"
local dsl = require "pmf.framework.dsl"
local fields = require "pmf.framework.fields"

local period = pmf.period
local add_error, made = dsl.add_error, dsl.made
local check, SPEC, ID_PATTERN = fields.check, fields.SPEC, fields.ID_PATTERN
local is_list_of_strings = fields.is_list_of_strings
local what, check_fields, parse_period = decl.what, decl.check_fields, decl.parse_period
local as_list, parents_of = decl.as_list, decl.parents_of
local resolve_group = comparators.resolve

local M = {}

-- Normalise a target (T):
--   {kind = "value", value = n}
--   {kind = "periods", by_year = bool, values = {[label] = n}, list = {{period=, value=}...}}
--     (a table keyed by FY label, or a profile keyed by any period; list sorted by start)
--   {kind = "baseline", period = Period, change = {pct = n} | {abs = n}}
--   {kind = "benchmark", group = store group id | nil (the KPI's comparator), stat = }
--     (group resolved as comparators are: a local group name -> "<fw>:<name>", "cipfa")
--   {kind = "function", fn = function(ctx) -> number}
local function normalise_target(st, v, line, ctx)
  if v == nil then return nil end
  ctx = ctx .. ": target"
  if type(v) == "number" then
    if v ~= v or v == math.huge or v == -math.huge then add_error(st, line, ctx .. " must be finite") end
    return { kind = "value", value = v }
  end
  if type(v) == "function" then return { kind = "function", fn = v } end
  if type(v) ~= "table" then
    add_error(st, line, ctx .. " must be a number, a table by year, profile{}, baseline{}, " ..
              "benchmark{} or a function (got " .. type(v) .. ")")
    return nil
  end
  local kind = made[v] == "target" and v.kind or (made[v] and "bad") or "year_table"
  if kind == "bad" then
    add_error(st, line, ctx .. " is a formula, not a target")
    return nil
  end
  if kind == "year_table" or kind == "profile" then
    local values = kind == "profile" and v.values or v
    local out = { kind = "periods", by_year = kind == "year_table", values = {}, list = {} }
    for label, x in pairs(values) do
      local p = parse_period(st, label, line, ctx)
      if p and kind == "year_table" and p.len ~= 12 then
        add_error(st, line, ctx .. ": '" .. tostring(label) .. "' is not a year: use " ..
                  "profile { ... } for targets by quarter or month")
      elseif type(x) ~= "number" then
        add_error(st, line, ctx .. " for '" .. tostring(label) .. "' must be a number")
      elseif p then
        out.values[tostring(p)] = x
        out.list[#out.list + 1] = { period = p, value = x }
      end
    end
    table.sort(out.list, function(a, b) return a.period < b.period end)
    return out
  end
  if kind == "baseline" then
    local a = v.args
    for k in pairs(a) do
      if k ~= "period" and k ~= "change" then add_error(st, line, "unknown field '" .. tostring(k) .. "' in baseline") end
    end
    local p = parse_period(st, a.period, line, ctx .. " baseline")
    local change
    if type(a.change) == "number" then change = { abs = a.change }
    elseif type(a.change) == "string" and a.change:match("^%s*[%+%-]?%d+%.?%d*%s*%%%s*$") then
      change = { pct = tonumber((a.change:gsub("[%s%%%+]", ""))) }
    elseif a.change == nil then change = { abs = 0 }
    else add_error(st, line, ctx .. " baseline: change must be a number or a percentage like \"-5%\"") end
    return { kind = "baseline", period = p, change = change }
  end
  if kind == "benchmark" then
    local a = v.args
    for k in pairs(a) do
      if k ~= "group" and k ~= "stat" then add_error(st, line, "unknown field '" .. tostring(k) .. "' in benchmark") end
    end
    local stat = a.stat or "median"
    if not ({ median = true, top_quartile = true, mean = true })[stat] then
      add_error(st, line, ctx .. " benchmark: stat must be median, top_quartile or mean (got " .. tostring(stat) .. ")")
    end
    local group = nil
    if a.group ~= nil then
      if type(a.group) ~= "string" then add_error(st, line, ctx .. " benchmark: group must be a string")
      else group = resolve_group(st, a.group, line, ctx .. " benchmark") end
    end
    return { kind = "benchmark", group = group, stat = stat }
  end
end

-- Normalise a formula (F).  Returns F and the metric ids it reads.
local function normalise_formula(st, v, line, ctx)
  if type(v) == "string" then return { kind = "metric", metric = v }, { v } end
  if type(v) == "table" and made[v] == "formula" then
    local f = { kind = v.kind }
    local ids = {}
    if v.kind == "ratio" then
      f.num, f.den, f.scale = v.num, v.den, v.scale
      ids = { v.num, v.den }
    elseif v.kind == "diff" then
      f.a, f.b = v.a, v.b
      ids = { v.a, v.b }
    elseif v.kind == "custom" then
      f.inputs, f.fn = v.inputs, v.fn
      for _, m in pairs(v.inputs) do ids[#ids + 1] = m end
      table.sort(ids)
    end
    return f, ids
  end
  if type(v) == "function" then
    add_error(st, line, ctx .. ": formula is a function: use custom { inputs = {...}, fn = function(m, ctx) ... end }")
  else
    add_error(st, line, ctx .. ": formula must be a metric id, pct(), ratio(), rate(), diff() or custom{} (got " .. type(v) .. ")")
  end
  return nil, {}
end

-- The rating fields of a KPI or a change, checked and normalised into version v.
local VERSION_FIELDS = { "formula", "target", "tolerance", "blue", "polarity", "band", "rag",
                         "comparator", "dot_threshold" }

local function version_fields(st, decl, v, metrics_used)
  local b = decl.body
  local ctx = what(decl)
  if b.formula ~= nil then
    local f, ids = normalise_formula(st, b.formula, decl.line, ctx)
    v.formula = f
    for _, m in ipairs(ids) do metrics_used[#metrics_used + 1] = { id = m, line = decl.line, ctx = ctx } end
  end
  if b.target ~= nil then v.target = normalise_target(st, b.target, decl.line, ctx) end
  for _, k in ipairs({ "tolerance", "blue", "dot_threshold", "polarity", "rag" }) do
    if b[k] ~= nil then v[k] = b[k] end
  end
  if b.band ~= nil and check.band(b.band) == nil then
    v.band = { lo = b.band.lo or b.band[1], hi = b.band.hi or b.band[2] }
  end
  if b.comparator ~= nil and type(b.comparator) == "string" then
    v.comparator = resolve_group(st, b.comparator, decl.line, ctx)
  end
end

local function copy_version(v)
  local out = {}
  for _, k in ipairs(VERSION_FIELDS) do out[k] = v[k] end
  return out
end

local function check_version(st, line, ctx, v, body)
  if v.polarity == "band" and v.band == nil then
    if body.band == nil then add_error(st, line, ctx .. ": polarity \"band\" needs band = {lo, hi}") end
  elseif v.band ~= nil and v.polarity ~= "band" then
    add_error(st, line, ctx .. ": band given but polarity is " .. tostring(v.polarity) ..
              " (use polarity = \"band\")")
  end
  if v.target ~= nil and v.polarity == nil then
    add_error(st, line, ctx .. ": a KPI with a target needs a polarity (\"up\", \"down\" or \"band\")")
  end
end

-- The KPI's body as rated: its own fields, then what its formula implies, then the
-- framework's defaults (fw.defaults, already checked).  A new table: the file's is untouched.
local function effective_body(body, defaults)
  local out = {}
  for k, v in pairs(body) do out[k] = v end
  local implies = type(body.formula) == "table" and made[body.formula] == "formula" and body.formula.implies
  for k, v in pairs(implies or {}) do
    if out[k] == nil then out[k] = v end
  end
  for k, v in pairs(defaults or {}) do
    if out[k] == nil then out[k] = v end
  end
  return out
end

-- M.declare(st, fw, d, metrics_used, first) -> kpi | nil: a kpi declaration checked and
-- normalised; nil when its id is taken (first(d, kind) records the duplicate).  The metric
-- ids its formula reads are added to metrics_used.
function M.declare(st, fw, d, metrics_used, first)
  check_fields(st, d, SPEC.kpi)
  if not first(d, "kpi") then return nil end
  d.body = effective_body(d.body, fw.defaults)
  local b = d.body
  local kpi = {
    id = d.id, title = b.title or d.id, parents = parents_of(st, d), unit = b.unit,
    decimals = b.decimals, frequency = b.frequency, owner = b.owner,   -- nil: rated as asked
    directorate = b.directorate, national = b.national, type = b.type,
    definition = b.definition, methodology = b.methodology, source = b.source,
    benchmark_source = b.benchmark_source, illustrative = b.illustrative,
    replaces = b.replaces, split_into = b.split_into, breakdowns = b.breakdowns,
    suppress_below = b.suppress_below, description = b.description, meta = b.meta,
    carry = b.carry, min_group = b.min_group, rate_on = b.rate_on,
    year_start = fw.year_start, file = st.path, line = d.line,
  }
  if b.formula == nil then add_error(st, d.line, "kpi '" .. d.id .. "' has no formula") end
  local v = { from = nil }
  version_fields(st, d, v, metrics_used)
  if v.comparator == nil then v.comparator = fw.comparator end
  check_version(st, d.line, "kpi '" .. d.id .. "'", v, d.body)
  kpi.versions = { v }
  for _, f in ipairs({ "replaces", "split_into" }) do
    for _, x in ipairs(as_list(type(b[f]) == "string" and b[f] or (is_list_of_strings(b[f]) and b[f]) or nil)) do
      if not x:match(ID_PATTERN) then
        add_error(st, d.line, "kpi '" .. d.id .. "': " .. f .. " names '" .. x .. "', not a KPI id")
      elseif x == d.id then
        add_error(st, d.line, "kpi '" .. d.id .. "': " .. f .. " names itself")
      end
    end
  end
  return kpi
end

-- M.apply_changes(st, fw, metrics_used): the change declarations, each a new version of its
-- KPI (fw.kpis[id].versions) and an entry in fw.changes.
function M.apply_changes(st, fw, metrics_used)
  -- Effective-dated changes, in order of their start, each inheriting the one before.
  local changes = {}
  for _, d in ipairs(st.decls) do
    if d.kind == "change" then
      check_fields(st, d, SPEC.change)
      local kpi = fw.kpis[d.id]
      if not kpi then
        add_error(st, d.line, "change names unknown kpi '" .. d.id .. "'")
      else
        local from = parse_period(st, d.body.from, d.line, "change '" .. d.id .. "' from")
        if from then changes[#changes + 1] = { decl = d, kpi = kpi, from = from } end
      end
    end
  end
  table.sort(changes, function(a, b)
    if a.from.start ~= b.from.start then return a.from.start < b.from.start end
    return a.decl.line < b.decl.line
  end)
  for _, c in ipairs(changes) do
    local vs = c.kpi.versions
    local last = vs[#vs]
    if last.from and last.from.start == c.from.start then
      add_error(st, c.decl.line, "change '" .. c.decl.id .. "': a change from " .. tostring(c.from) ..
                " is already declared (line " .. last.line .. ")")
    else
      local v = copy_version(last)
      v.from, v.line, v.note = c.from, c.decl.line, c.decl.body.note
      version_fields(st, c.decl, v, metrics_used)
      if c.decl.body.band ~= nil and c.decl.body.polarity == nil and v.polarity ~= "band" then
        v.polarity = "band"
      end
      if c.decl.body.polarity ~= nil and c.decl.body.polarity ~= "band" and c.decl.body.band == nil then
        v.band = nil
      end
      check_version(st, c.decl.line, "change '" .. c.decl.id .. "'", v, c.decl.body)
      vs[#vs + 1] = v
      fw.changes[#fw.changes + 1] = { kpi = c.kpi.id, from = c.from, file = st.path, line = c.decl.line }
    end
  end
end

-- M.kpi_version(kpi, period) -> the version in force for that period (a Period or a label,
-- read with the framework's year start).  Raises on a label that does not parse.
function M.kpi_version(kpi, p)
  if p == nil then return kpi.versions[1] end
  if type(p) ~= "userdata" then p = period(tostring(p), kpi.year_start or 4) end
  local cur = kpi.versions[1]
  for i = 2, #kpi.versions do
    local v = kpi.versions[i]
    if v.from.start <= p.start then cur = v else break end
  end
  return cur
end

-- M.target_value(T, period) -> the target number for a period from the value and period
-- forms (nil for the others, which need data: the KPI engine computes them).  A period
-- target applies to the periods inside it (an FY target to its quarters and months).
function M.target_value(T, p)
  if not T then return nil end
  if T.kind == "value" then return T.value end
  if T.kind ~= "periods" then return nil end
  local label = tostring(p)
  if T.values[label] then return T.values[label] end
  local best
  for _, e in ipairs(T.list) do
    if e.period:contains(p) and (not best or e.period.len < best.period.len) then best = e end
  end
  return best and best.value
end

return M
