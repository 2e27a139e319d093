-- lua/pmf/framework/hierarchy.lua: the framework's structure once every declaration is
-- read: nodes linked to their parents (children lists, roots, no cycles), KPIs, actions and
-- risks hung on nodes, and owners linked to what they own and supply.
--
-- Decisions:
-- - The hierarchy is many-to-many (a node may have several parents) but acyclic; a cycle is
--   reported once, as the path that closes it.
-- - KPIs hang on nodes only; actions and risks may also hang on a KPI.
-- - Owners: `owner = "..."` on a KPI, action or risk names a declared owner by id, name or
--   role (kept as written; owner_id is the owner's id).  A framework that declares no owners
--   keeps free-text owners.  Each metric an owner supplies is one the framework uses, and
--   one owner supplies it (fw.suppliers: metric -> owner id).
-- Error contract: problems are recorded on the compile state (dsl.add_error), never raised.
local decl = require "pmf.framework.decl"
local dsl = require "pmf.framework.dsl"

local add_error, what = dsl.add_error, decl.what

local M = {}

-- M.link(st, fw, node_decls, hanging): node_decls maps node id -> its declaration; hanging
-- lists {decl, item, kind} for each KPI, action and risk.
function M.link(st, fw, node_parents, hanging)
  -- Hierarchy: parents exist, children lists, roots, no cycles.
  for _, id in ipairs(fw.node_order) do
    local n, d = fw.nodes[id], node_parents[id]
    for _, p in ipairs(n.parents) do
      local pn = fw.nodes[p]
      if not pn then
        add_error(st, d.line, what(d) .. ": unknown parent '" .. p .. "'")
      else
        pn.children[#pn.children + 1] = id
      end
    end
    if #n.parents == 0 then fw.roots[#fw.roots + 1] = id end
  end
  local state = {}
  local function visit(id, path)
    if state[id] == "done" then return end
    if state[id] == "active" then
      local d = node_parents[id]
      local cycle = { id }
      for i = #path, 1, -1 do
        table.insert(cycle, 1, path[i])
        if path[i] == id then break end
      end
      add_error(st, d.line, "cycle in the hierarchy: " .. table.concat(cycle, " -> "))
      return true
    end
    state[id] = "active"
    path[#path + 1] = id
    for _, p in ipairs(fw.nodes[id].parents) do
      if fw.nodes[p] and visit(p, path) then break end
    end
    path[#path] = nil
    state[id] = "done"
  end
  for _, id in ipairs(fw.node_order) do visit(id, {}) end

  -- KPIs, actions and risks hang on nodes (actions and risks may also hang on KPIs).
  for _, h in ipairs(hanging) do
    local d, item = h.decl, h.item
    if #item.parents == 0 then
      if h.kind == "kpi" then
        add_error(st, d.line, "kpi '" .. d.id .. "' hangs nowhere: give it a parent (a node of the hierarchy)")
      else
        add_error(st, d.line, h.kind .. " '" .. d.id .. "' hangs nowhere: give it a parent")
      end
    end
    for _, p in ipairs(item.parents) do
      local n = fw.nodes[p]
      if n then
        local list = h.kind == "kpi" and n.kpis or h.kind == "action" and n.actions or n.risks
        list[#list + 1] = d.id
      elseif h.kind ~= "kpi" and fw.kpis[p] then
        -- an action or risk on a KPI
      else
        add_error(st, d.line, h.kind .. " '" .. d.id .. "': unknown parent '" .. p .. "'" ..
                  (fw.kpis[p] and " (a KPI: KPIs hang on nodes)" or ""))
      end
    end
    if h.kind == "action" and item.kpis then
      for _, kid in ipairs(item.kpis) do
        if not fw.kpis[kid] then add_error(st, d.line, "action '" .. d.id .. "': unknown kpi '" .. kid .. "'") end
      end
    end
  end

end

local function resolve_owners(st, fw)
  if #fw.owner_order == 0 then return end
  local by_text = {}
  for _, id in ipairs(fw.owner_order) do
    local o = fw.owners[id]
    for _, t in ipairs({ o.role or false, o.name or false, id }) do
      if t then by_text[t] = id end
    end
    for _, m in ipairs(o.supplies) do
      if not fw.metrics[m] then
        add_error(st, o.line, "owner '" .. id .. "' supplies '" .. m .. "', a metric the framework does not use")
      elseif fw.suppliers[m] then
        add_error(st, o.line, "metric '" .. m .. "' is supplied by owner '" .. fw.suppliers[m] ..
                  "' already (one owner supplies each metric)")
      else
        fw.suppliers[m] = id
      end
    end
  end
  for _, kind in ipairs({ "kpi", "action", "risk" }) do
    local map, order = fw[kind .. "s"], fw[kind .. "_order"]
    for _, id in ipairs(order) do
      local item = map[id]
      if item.owner ~= nil then
        item.owner_id = by_text[item.owner]
        if not item.owner_id then
          add_error(st, item.line, kind .. " '" .. id .. "': owner '" .. item.owner .. "' is not a " ..
                    "declared owner (owner \"id\" { name =, role = }: its id, name or role)")
        end
      end
    end
  end
end

M.resolve_owners = resolve_owners
return M
