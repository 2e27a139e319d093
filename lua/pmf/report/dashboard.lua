-- lua/pmf/report/dashboard.lua: the dashboard (`pmf report dashboard --node ID`): one
-- priority of the golden thread at a point in time: headline counts by status, the
-- priority's rolled-up status, and a tile per KPI under it (the scorecard's columns).
local shared = require "pmf.report.shared"
local present = require "pmf.report.present"
local scorecard = require "pmf.report.scorecard"

return {
  summary = "point-in-time dashboard for one priority (--node ID): headline counts, a tile per KPI",
  needs = "node",
  build = function(ctx)
    local id = ctx.args.node
    if type(id) ~= "string" or not ctx.fw.nodes[id] then
      return nil, "unknown node '" .. tostring(id) .. "' in " .. ctx.fw.id
    end
    local set = shared.nodes_under(ctx.fw, { id })
    local rows = shared.rate(ctx, { kpis = shared.kpis_under(ctx.fw, set) })
    for _, r in ipairs(rows) do r.trend = shared.trend(ctx, r, 8) end
    shared.withhold(rows)
    present.present(ctx, rows)
    local counts = { total = #rows }
    for _, r in ipairs(rows) do counts[r.rag] = (counts[r.rag] or 0) + 1 end
    local n = ctx.fw.nodes[id]
    return {
      title = "Dashboard: " .. (n.title or id),
      subtitle = shared.breadcrumb(ctx.fw, id),
      layout = "tiles", headline = counts,
      headline_status = present.rollup_status(ctx, counts),
      columns = scorecard.columns, rows = rows,
    }
  end,
}
