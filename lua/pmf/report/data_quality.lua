-- lua/pmf/report/data_quality.lua: data quality (`pmf report data_quality`): each KPI's
-- figure missing, late or on time against the data-entry deadline, and completeness and
-- timeliness per owner.
local shared = require "pmf.report.shared"

local sorted_keys, scope, kpis_under = shared.sorted_keys, shared.scope, shared.kpis_under
local rate, col, rated_col = shared.rate, shared.col, shared.rated_col

return {
  summary = "completeness and timeliness per KPI and owner against the data-entry deadline",
  build = function(ctx)
    local fw = ctx.fw
    local set, where = scope(ctx)
    if (ctx.args.node or ctx.args.level) and not set then return nil, where end
    local dl = fw.deadlines and fw.deadlines.data_entry
    local deadline = dl and ctx.period:deadline(dl.working_days) or nil
    local rows, owners = {}, {}
    for _, r in ipairs(rate(ctx, { kpis = kpis_under(fw, set), benchmark = false })) do
      local late = false
      for _, f in ipairs(r.flags or {}) do if f == "late" then late = true end end
      local missing = r.value == nil and r.display ~= "suppressed"
      local status = missing and "missing" or late and "late" or "on time"
      rows[#rows + 1] = { kpi = r.kpi, title = r.title, owner = r.owner or "(no owner)",
                          status = status, deadline = deadline, rag = r.rag,
                          period = r.period, requested_period = r.requested_period }
      local o = owners[r.owner or "(no owner)"] or { owner = r.owner or "(no owner)", kpis = 0,
                                                     missing = 0, late = 0, on_time = 0 }
      owners[o.owner] = o
      o.kpis = o.kpis + 1
      if missing then o.missing = o.missing + 1 elseif late then o.late = o.late + 1
      else o.on_time = o.on_time + 1 end
    end
    local orows = {}
    for _, name in ipairs(sorted_keys(owners)) do
      local o = owners[name]
      o.completeness = o.kpis > 0 and math.floor(1000 * (o.kpis - o.missing) / o.kpis + 0.5) / 10 or nil
      o.timeliness = o.kpis > 0 and math.floor(1000 * o.on_time / o.kpis + 0.5) / 10 or nil
      orows[#orows + 1] = o
    end
    return {
      title = "Data quality" .. (where and (": " .. where) or ""),
      subtitle = deadline and ("Data due " .. deadline) or "No data_entry deadline declared",
      columns = { col("kpi", "KPI"), col("title", "Measure", "text", { wrap = 40 }), rated_col(),
                  col("owner", "Owner"), col("status", "Status", "status"), col("deadline", "Due") },
      rows = rows,
      sections = { { title = "By owner", columns = {
        col("owner", "Owner"), col("kpis", "KPIs", "int"), col("missing", "Missing", "int"),
        col("late", "Late", "int"), col("on_time", "On time", "int"),
        col("completeness", "Complete %", "number"), col("timeliness", "On time %", "number") },
        rows = orows } },
    }
  end,
}
