-- lua/pmf/framework/normalise.lua: from the declarations a file made (st.decls) to the
-- framework definition: the framework declaration itself (title, council, levels, year
-- start, comparator, defaults), then groups, nodes, metrics, KPIs (framework/kpis.lua),
-- actions, risks, boards, deadlines, owners and rules, then changes, the hierarchy and the
-- metrics it reads.
--
-- Decisions:
-- - Two passes: running the file collected declarations in any order; this resolves
--   references, so a KPI may name a priority declared below it.  Groups come first, since
--   comparators refer to them.
-- - Each kind of declaration has its own spec (fields.SPEC) and duplicate ids are errors
--   naming the first declaration's line.
-- - The framework's `defaults` are checked here, once, against the KPI fields they may give;
--   each KPI takes them in kpis.declare.
-- Error contract: normalise(st) -> fw | nil; every problem is recorded on st.errors.
local pmf = require "pmf"
local comparators = require "pmf.framework.comparators"
local decl = require "pmf.framework.decl"
local dsl = require "pmf.framework.dsl"
local fields = require "pmf.framework.fields"
local hierarchy = require "pmf.framework.hierarchy"
local kpis = require "pmf.framework.kpis"
local metrics = require "pmf.framework.metrics"

local period = pmf.period
local add_error = dsl.add_error
local check, SPEC, is_list_of_strings = fields.check, fields.SPEC, fields.is_list_of_strings
local NODE_FIELDS, NODE_SPEC_WITH_LEVEL = fields.NODE_FIELDS, fields.NODE_SPEC_WITH_LEVEL
local check_fields, parents_of, as_list = decl.check_fields, decl.parents_of, decl.as_list
local resolve_group, normalise_catalogue, metric_of = comparators.resolve, metrics.catalogue, metrics.metric_of

-- normalise(st) -> fw | nil: the definition built from st.decls (a catalogue file gives its
-- catalogue).  nil when no framework was declared; every problem is added to st.errors.
local function normalise(st)
  local fdecl = st.fw
  if not fdecl then
    if #st.errors == 0 then add_error(st, 1, "no framework declared: start with framework \"id\" { ... }") end
    return nil
  end
  if fdecl.kind == "catalogue" then return normalise_catalogue(st) end
  local fb = check_fields(st, fdecl, SPEC.framework)
  st.id = fdecl.id
  if not fdecl.id:match("^[%a_][%w_%-]*$") then
    add_error(st, fdecl.line, "framework id '" .. fdecl.id .. "' must be a name (letters, digits, _ and -)")
  end
  local ys = 4
  if fb.year_start ~= nil and check.year_start(fb.year_start) == nil then
    ys = period.parse("2025", fb.year_start).year_start
  end
  st.year_start = ys
  st.council = type(fb.council) == "string" and fb.council or nil
  if type(fb.title) ~= "string" then add_error(st, fdecl.line, "framework '" .. fdecl.id .. "' needs a title") end
  local levels = is_list_of_strings(fb.levels) and fb.levels or {}
  if #levels == 0 then add_error(st, fdecl.line, "framework '" .. fdecl.id .. "' needs levels = { ... } (top-down)") end
  local level_index = {}
  for i, lv in ipairs(levels) do
    if level_index[lv] then add_error(st, fdecl.line, "level '" .. lv .. "' listed twice") end
    level_index[lv] = i
  end
  if st.council and st.opts.store and st.opts.store:is_open() and not st.opts.store:area_id(st.council) then
    add_error(st, fdecl.line, "framework '" .. fdecl.id .. "': unknown council area '" .. st.council .. "'")
  end

  local fw = {
    id = fdecl.id, title = fb.title, council = st.council, year_start = ys,
    levels = levels, file = st.path, line = fdecl.line, description = fb.description,
    owner = fb.owner, principles = fb.principles, meta = fb.meta,
    min_group = fb.min_group, rate_on = fb.rate_on, rollup = fb.rollup,
    defaults = check.defaults(fb.defaults) == nil and fb.defaults or nil,
    nodes = {}, node_order = {}, roots = {}, metrics = {}, metric_order = {}, groups = {},
    group_order = {}, kpis = {}, kpi_order = {}, actions = {}, action_order = {}, risks = {},
    risk_order = {}, boards = {}, board_order = {}, deadlines = {}, changes = {},
    owners = {}, owner_order = {}, suppliers = {},
    commentary_statuses = { red = true, amber = true },
  }
  local seen = {}    -- kind -> id -> decl (duplicates)
  local function first(decl, kind)
    seen[kind] = seen[kind] or {}
    local prev = seen[kind][decl.id]
    if prev then
      add_error(st, decl.line, "duplicate " .. kind .. " id '" .. decl.id .. "' (first declared at line " .. prev.line .. ")")
      return false
    end
    seen[kind][decl.id] = decl
    return true
  end

  -- Groups first: comparators refer to them.
  st.groups = {}
  for _, d in ipairs(st.decls) do
    if d.kind == "group" and first(d, "group") then
      local b = check_fields(st, d, SPEC.group)
      if not is_list_of_strings(b.members) or #b.members == 0 then
        add_error(st, d.line, "group '" .. d.id .. "' needs members = { area codes }")
      end
      local g = { id = fdecl.id .. ":" .. d.id, name = d.id, title = b.title or d.id,
                  members = as_list(is_list_of_strings(b.members) and b.members or nil),
                  source = b.source, description = b.description, file = st.path, line = d.line }
      local s = st.opts.store
      if s and s:is_open() then
        for _, code in ipairs(g.members) do
          if not s:area_id(code) then add_error(st, d.line, "group '" .. d.id .. "': unknown area '" .. code .. "'") end
        end
      end
      st.groups[d.id] = g
      fw.groups[d.id] = g
      fw.group_order[#fw.group_order + 1] = d.id
    end
  end
  if type(fb.comparator) == "string" then
    fw.comparator = resolve_group(st, fb.comparator, fdecl.line, "framework '" .. fdecl.id .. "'")
  end

  local metrics_used = {}
  local node_parents = {}     -- node id -> {decl, parents}
  local hanging = {}          -- {decl, parents, kind}
  for _, d in ipairs(st.decls) do
    local k = d.kind
    if k == "node" then
      local spec = d.level and NODE_FIELDS or NODE_SPEC_WITH_LEVEL
      local b = check_fields(st, d, setmetatable({}, { __index = spec }))
      local lv = d.level or b.level
      if d.level == nil and b.level == nil then
        add_error(st, d.line, "node '" .. d.id .. "' needs a level (one of " .. table.concat(levels, ", ") .. ")")
      elseif lv and not level_index[lv] then
        add_error(st, d.line, "node '" .. d.id .. "': unknown level '" .. tostring(lv) ..
                  "' (levels are " .. table.concat(levels, ", ") .. ")")
      end
      if first(d, "node") then
        local n = { id = d.id, level = lv, title = b.title or d.id, parents = parents_of(st, d),
                    children = {}, kpis = {}, actions = {}, risks = {}, description = b.description,
                    owner = b.owner, directorate = b.directorate, code = b.code, meta = b.meta,
                    file = st.path, line = d.line }
        fw.nodes[d.id] = n
        fw.node_order[#fw.node_order + 1] = d.id
        node_parents[d.id] = d
      end
    elseif k == "metric" then
      local m = metric_of(st, d, fdecl.id)
      if first(d, "metric") then
        fw.metrics[d.id] = m
        fw.metric_order[#fw.metric_order + 1] = d.id
      end
    elseif k == "kpi" then
      local kpi = kpis.declare(st, fw, d, metrics_used, first)
      if kpi then
        fw.kpis[d.id] = kpi
        fw.kpi_order[#fw.kpi_order + 1] = d.id
        hanging[#hanging + 1] = { decl = d, item = kpi, kind = "kpi" }
      end
    elseif k == "action" or k == "risk" then
      local b = check_fields(st, d, SPEC[k])
      if first(d, k) then
        local item = { id = d.id, title = b.title or d.id, parents = parents_of(st, d),
                       file = st.path, line = d.line }
        for f in pairs(SPEC[k]) do
          if f ~= "parent" and f ~= "parents" and f ~= "title" then item[f] = b[f] end
        end
        local map, order = k == "action" and fw.actions or fw.risks,
                           k == "action" and fw.action_order or fw.risk_order
        map[d.id] = item
        order[#order + 1] = d.id
        hanging[#hanging + 1] = { decl = d, item = item, kind = k }
      end
    elseif k == "board" then
      local b = check_fields(st, d, SPEC.board)
      if first(d, "board") then
        fw.boards[d.id] = { id = d.id, title = b.title or d.id, cadence = b.cadence or "quarterly",
                            receives = b.receives or {}, after_days = b.after_days,
                            description = b.description, meta = b.meta, file = st.path, line = d.line }
        fw.board_order[#fw.board_order + 1] = d.id
      end
    elseif k == "deadline" then
      local b = check_fields(st, d, SPEC.deadline)
      if first(d, "deadline") then
        if b.working_days == nil then add_error(st, d.line, "deadline '" .. d.id .. "' needs working_days = N") end
        fw.deadlines[d.id] = { working_days = b.working_days, description = b.description,
                               file = st.path, line = d.line }
      end
    elseif k == "owner" then
      local b = check_fields(st, d, SPEC.owner)
      if first(d, "owner") then
        if b.name == nil and b.role == nil then
          add_error(st, d.line, "owner '" .. d.id .. "' needs a name or a role")
        end
        if type(b.email) == "string" and not b.email:match("^[^@%s]+@[^@%s]+%.[^@%s]+$") then
          add_error(st, d.line, "owner '" .. d.id .. "': email '" .. b.email .. "' is not an address")
        end
        fw.owners[d.id] = { id = d.id, name = b.name, role = b.role, team = b.team,
                            email = b.email, supplies = is_list_of_strings(b.supplies) and b.supplies or {},
                            description = b.description, meta = b.meta, file = st.path, line = d.line }
        fw.owner_order[#fw.owner_order + 1] = d.id
      end
    elseif k == "rule" then
      local b = check_fields(st, d, SPEC.rule)
      if d.id ~= "commentary_required" then
        add_error(st, d.line, "unknown rule '" .. d.id .. "' (rules: commentary_required)")
      elseif first(d, "rule") and is_list_of_strings(b.statuses) and not check.statuses(b.statuses) then
        fw.commentary_statuses = {}
        for _, s in ipairs(b.statuses) do fw.commentary_statuses[s] = true end
      end
    end
  end

  kpis.apply_changes(st, fw, metrics_used)
  hierarchy.link(st, fw, node_parents, hanging)
  metrics.resolve(st, fw, metrics_used)
  hierarchy.resolve_owners(st, fw)
  return fw
end

return normalise
