-- lua/pmf/report/exceptions.lua: the exceptions report (`pmf report exceptions`): the red
-- and amber KPIs (pmf.kpi.exceptions) under a framework, level or node, with their
-- commentary ("COMMENTARY REQUIRED" where it is due and missing), grouped under the golden
-- thread's nodes.
local pmf = require "pmf"
local shared = require "pmf.report.shared"
local present = require "pmf.report.present"

local col = shared.col

return {
  summary = "red and amber KPIs with their commentary (\"commentary required\" where missing)",
  build = function(ctx)
    local set, where = shared.scope(ctx)
    if (ctx.args.node or ctx.args.level) and not set then return nil, where end
    local rows = pmf.kpi.exceptions{ store = ctx.store, framework = ctx.fw, period = ctx.period,
                                      kpis = shared.kpis_under(ctx.fw, set), benchmark = true }
    shared.withhold(rows, true)
    present.present(ctx, rows)
    return {
      title = "Exceptions" .. (where and (": " .. where) or ""),
      groups = present.group_rows(ctx, rows, set),
      columns = {
        col("kpi", "KPI"), col("title", "Measure", "text", { wrap = 40 }), shared.rated_col(),
        col("value", "Value", "value"), col("target", "Target", "target"),
        col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"), col("flags", "Notes", "flags"),
        col("owner", "Owner"), col("commentary", "Commentary", "commentary", { wrap = 60 }),
      },
      rows = rows,
    }
  end,
}
