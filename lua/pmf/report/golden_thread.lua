-- lua/pmf/report/golden_thread.lua: the golden thread (`pmf report golden_thread`): the
-- framework's hierarchy as a tree, each node with the counts of its KPIs by status and its
-- rolled-up status (a KPI under two branches counts once in each, once at a common
-- ancestor), and the KPIs hanging under each node.
local shared = require "pmf.report.shared"
local present = require "pmf.report.present"

local sorted_keys, scope, kpis_under = shared.sorted_keys, shared.scope, shared.kpis_under
local rate, col, rated_col = shared.rate, shared.col, shared.rated_col
local rag_keys = shared.rag_keys
local rollup_status = present.rollup_status

return {
  summary = "the hierarchy as a tree with rolled-up RAG counts at every node",
  build = function(ctx)
    local fw = ctx.fw
    local set, where = scope(ctx)
    if (ctx.args.node or ctx.args.level) and not set then return nil, where end
    local ratings = rate(ctx, { kpis = kpis_under(fw, set) })
    local by_kpi = {}
    for _, r in ipairs(ratings) do by_kpi[r.kpi] = r end
    local kpis_of = {}          -- node id -> direct KPI ids (kpi_order)
    for _, id in ipairs(fw.kpi_order or sorted_keys(fw.kpis)) do
      for _, p in ipairs(fw.kpis[id].parents or {}) do
        kpis_of[p] = kpis_of[p] or {}
        table.insert(kpis_of[p], id)
      end
    end
    local rows = {}
    -- Build the subtree at node id; returns the tree node and the set of distinct KPIs under it.
    local function build(id, depth, path)
      local n = fw.nodes[id]
      local t = { id = id, level = n.level, title = n.title or id, depth = depth,
                  kind = "node", counts = {}, children = {} }
      local row = { kind = "node", id = id, level = n.level, title = t.title, depth = depth }
      rows[#rows + 1] = row
      local under = {}
      path[id] = true
      for _, kid in ipairs(kpis_of[id] or {}) do
        local r = by_kpi[kid]
        if r then
          under[kid] = true
          rows[#rows + 1] = { kind = "kpi", id = kid, title = r.title, depth = depth + 1,
                              rag = r.rag, value = r.value, display = r.display, level = "kpi",
                              period = r.period, requested_period = r.requested_period }
          t.children[#t.children + 1] = { kind = "kpi", id = kid, title = r.title, rag = r.rag,
                                          display = r.display, depth = depth + 1 }
        end
      end
      for _, c in ipairs(n.children or {}) do
        if not path[c] and fw.nodes[c] then
          local sub, su = build(c, depth + 1, path)
          t.children[#t.children + 1] = sub
          for k in pairs(su) do under[k] = true end
        end
      end
      path[id] = nil
      local total = 0
      for _, k in ipairs(rag_keys) do t.counts[k] = 0 end
      for kid in pairs(under) do
        local rg = by_kpi[kid].rag
        t.counts[rg] = (t.counts[rg] or 0) + 1
        total = total + 1
      end
      t.counts.total = total
      for _, k in ipairs(rag_keys) do row[k] = t.counts[k] end
      row.total = total
      if total > 0 then t.status = rollup_status(ctx, t.counts); row.rag = t.status end
      return t, under
    end
    local roots = ctx.args.node and (type(ctx.args.node) == "table" and ctx.args.node or { ctx.args.node })
                  or fw.roots or {}
    local tree = {}
    for _, id in ipairs(roots) do tree[#tree + 1] = (build(id, 0, {})) end
    return {
      title = "Golden thread" .. (where and (": " .. where) or ""),
      columns = {
        col("title", "Node / KPI", "tree"), col("level", "Level"), rated_col(),
        col("rag", "RAG", "rag"),
        col("red", "Red", "int"), col("amber", "Amber", "int"), col("green", "Green", "int"),
        col("blue", "Blue", "int"), col("no_data", "No data", "int"),
        col("data_only", "Data only", "int"), col("total", "KPIs", "int"),
      },
      rows = rows, tree = tree, rollup = true,
    }
  end,
}
