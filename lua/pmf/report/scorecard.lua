-- lua/pmf/report/scorecard.lua: the scorecard (`pmf report scorecard`): the KPIs under a
-- framework, a level or a node for a period, each with its value, target, RAG, direction of
-- travel, trend, benchmark rank and commentary, grouped under the golden thread's nodes.
--
-- Its columns are also the dashboard's tiles (pmf.report.dashboard).
local shared = require "pmf.report.shared"
local present = require "pmf.report.present"

local col = shared.col

local columns = {
  col("kpi", "KPI"), col("title", "Measure", "text", { wrap = 40 }), shared.rated_col(),
  col("value", "Value", "value"), col("target", "Target", "target"),
  col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"),
  col("dot_year", "vs last year", "dot"), col("trend", "Trend", "spark"),
  col("rank", "Rank", "rank"), col("quartile", "Quartile", "number"), col("flags", "Notes", "flags"),
  col("commentary", "Commentary", "commentary", { wrap = 50 }), col("owner", "Owner"),
}

return {
  summary = "KPIs under a framework, level or node for a period: value, target, RAG, DoT, trend, benchmark",
  columns = columns,
  build = function(ctx)
    local set, where = shared.scope(ctx)
    if (ctx.args.node or ctx.args.level) and not set then return nil, where end
    local rows = shared.rate(ctx, { kpis = shared.kpis_under(ctx.fw, set) })
    for _, r in ipairs(rows) do r.trend = shared.trend(ctx, r, 8) end
    shared.withhold(rows, true)
    present.present(ctx, rows)
    local crumb = ctx.args.node and type(ctx.args.node) ~= "table" and shared.breadcrumb(ctx.fw, ctx.args.node)
    return {
      title = "Scorecard" .. (where and (": " .. where) or ""),
      subtitle = crumb or nil,
      columns = columns, rows = rows, groups = present.group_rows(ctx, rows, set),
    }
  end,
}
