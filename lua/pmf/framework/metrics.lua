-- lua/pmf/framework/metrics.lua: metric declarations and the catalogue.  A metric normalised,
-- a catalogue file compiled, the metrics a framework reads resolved (its own, the
-- catalogue's, the store's), and the rule for when a different definition conflicts.
--
-- Decisions:
-- - Metrics shared by councils are declared once, in a catalogue file (catalogue "id" {}
--   and metric declarations only; frameworks/catalogue.lua).  A framework names them by id;
--   a metric it reads but does not declare comes from the catalogue, else from the store,
--   else it is unknown.  A stored version re-run by get reads no catalogue: its metrics come
--   from the store as of the view.
-- - One definition per metric (store.METRIC_FIELDS).  A declaration that differs from the
--   catalogue's is an error naming both files and lines; against a store (check and load),
--   store_conflicts says when a different definition is a conflict and when it is a new
--   version (the same framework's own metric, or the catalogue's).
-- Error contract: problems are recorded on the compile state (dsl.add_error), never raised.
local decl = require "pmf.framework.decl"
local dsl = require "pmf.framework.dsl"
local fields = require "pmf.framework.fields"

local add_error = dsl.add_error
local what, check_fields = decl.what, decl.check_fields
local SPEC = fields.SPEC

local M = {}

-- A metric declaration, normalised.  owner: the framework id, or "catalogue".
local function metric_of(st, d, owner)
  local b = check_fields(st, d, SPEC.metric)
  return { id = d.id, title = b.title or d.id, unit = b.unit, aggregation = b.aggregation or "sum",
           decimals = b.decimals, definition = b.definition, source = b.source,
           reference = b.reference, carry = b.carry, meta = b.meta, owner = owner,
           file = st.path, line = d.line }
end

local METRIC_FIELDS = require("pmf.store").METRIC_FIELDS

local function show(v)
  if v == nil then return "none" end
  if type(v) == "string" then return "\"" .. (#v > 60 and v:sub(1, 57) .. "..." or v) .. "\"" end
  return tostring(v)
end

-- differs(a, b) -> nil when two metric definitions are the same, else what differs
-- ("aggregation \"max\" here, \"sum\" there; title ...").
local function differs(a, b)
  local out = {}
  for _, f in ipairs(METRIC_FIELDS) do
    if a[f] ~= b[f] then out[#out + 1] = f .. " " .. show(a[f]) .. " here, " .. show(b[f]) .. " there" end
  end
  if #out == 0 then return nil end
  return table.concat(out, "; ")
end

-- A catalogue file: catalogue "id" { title = } and metric declarations, nothing else.
local function normalise_catalogue(st)
  local d0 = st.fw
  local b = check_fields(st, d0, SPEC.catalogue)
  local cat = { kind = "catalogue", id = d0.id, title = b.title or d0.id,
                description = b.description, meta = b.meta, file = st.path, line = d0.line,
                metrics = {}, metric_order = {}, catalogue_used = {}, kpis = {}, kpi_order = {},
                nodes = {} }
  for _, d in ipairs(st.decls) do
    if d.kind == "metric" then
      local prev = cat.metrics[d.id]
      if prev then
        add_error(st, d.line, "duplicate metric id '" .. d.id .. "' (first declared at line " .. prev.line .. ")")
      else
        cat.metrics[d.id] = metric_of(st, d, "catalogue")
        cat.metric_order[#cat.metric_order + 1] = d.id
      end
    elseif d ~= d0 then
      add_error(st, d.line, "a catalogue declares metrics only: " .. what(d) .. " belongs in a framework")
    end
  end
  cat.metrics_used = cat.metric_order
  return cat
end

-- The metrics a framework reads: its own declarations checked against the catalogue (the
-- same definition is fine; a different one is an error naming both places), the others
-- taken from the catalogue, or else from the store (a stored framework re-run as of a date
-- reads the definitions then in force), or unknown.
local function resolve_metrics(st, fw, metrics_used)
  local cat, s = st.catalogue, st.opts.store
  local open = s and s:is_open()
  for _, id in ipairs(fw.metric_order) do
    local m, c = fw.metrics[id], cat and cat.metrics[id]
    if c then
      local diff = differs(m, c)
      if diff then
        add_error(st, m.line, "metric '" .. id .. "' is already declared differently in the catalogue at " ..
                  c.file .. ":" .. c.line .. " (" .. diff .. "): use the catalogue's (delete this " ..
                  "declaration) or give this metric its own id")
      else
        m.owner = "catalogue"   -- the same metric: the catalogue's
      end
    end
  end
  local used, used_order = {}, {}
  fw.catalogue_used = {}
  for _, m in ipairs(metrics_used) do
    if type(m.id) == "string" and not used[m.id] then
      if not fw.metrics[m.id] then
        local c = cat and cat.metrics[m.id]
        if c then
          fw.metrics[m.id] = c
          fw.catalogue_used[#fw.catalogue_used + 1] = m.id
        elseif open and s:metric_id(m.id) then
          fw.metrics[m.id] = s:metric_info(m.id)   -- the definition in force at the view
        else
          add_error(st, m.line, m.ctx .. ": unknown metric '" .. m.id .. "'" ..
                    (fw.kpis[m.id] and " (a KPI id; formulas read metrics)" or
                     " (declare it with metric \"" .. m.id .. "\" { ... }, or add it to the catalogue)"))
        end
      end
      used[m.id] = true
      used_order[#used_order + 1] = m.id
    end
  end
  fw.metrics_used = used_order
end

-- The metrics a framework or catalogue would register: its own, then those it takes from
-- the catalogue.
local function registered(fw)
  local out = {}
  for _, id in ipairs(fw.metric_order) do out[#out + 1] = fw.metrics[id] end
  for _, id in ipairs(fw.catalogue_used or {}) do out[#out + 1] = fw.metrics[id] end
  return out
end

-- The conflict rule against a store: a framework's own metric may not change a definition
-- that the catalogue owns or that another framework uses; a catalogue metric may not change
-- one that a framework declared for itself.  Otherwise a different definition becomes a new
-- version (a later version of the same file, or of the catalogue).
local function store_conflicts(st, fw)
  local s = st.opts.store
  if not (s and s:is_open()) or st.opts.stored then return end
  for _, m in ipairs(registered(fw)) do
    local cur = s:metric_def(m.id)
    local diff = cur and differs(m, cur)
    if diff then
      local others = {}
      for _, f in ipairs(s:metric_users(m.id)) do
        if f ~= fw.id then others[#others + 1] = f end
      end
      local conflict
      if m.owner == "catalogue" then
        conflict = cur.owner ~= nil and cur.owner ~= "catalogue" and cur.owner ~= fw.id
      else
        conflict = cur.owner == "catalogue" or #others > 0
      end
      if conflict then
        local where = cur.file and ("at " .. cur.file .. ":" .. (cur.line or 0)) or "in the store"
        local who = cur.owner == "catalogue" and "the catalogue" or
                    cur.owner and ("framework '" .. cur.owner .. "'") or "the store"
        add_error(st, m.line, "metric '" .. m.id .. "' is already declared differently " .. where ..
                  " (" .. who .. (#others > 0 and ("; used by " .. table.concat(others, ", ")) or "") ..
                  "): " .. diff .. "; a metric has one definition in a store: give this one " ..
                  "its own id", m.file)
      end
    end
  end
end

M.metric_of, M.differs, M.catalogue = metric_of, differs, normalise_catalogue
M.resolve, M.registered, M.store_conflicts = resolve_metrics, registered, store_conflicts
return M
