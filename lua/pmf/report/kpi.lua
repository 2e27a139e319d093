-- lua/pmf/report/kpi.lua: one KPI in detail (`pmf report kpi --kpi ID`): its history over
-- the last 12 periods and the target trajectory to the year end, a projection to the year
-- end, and its data dictionary (definition, methodology, source, formula, parents).
local pmf = require "pmf"
local shared = require "pmf.report.shared"

local rate, col, last_periods, kver = shared.rate, shared.col, shared.last_periods, shared.kver

return {
  summary = "one KPI in detail: data dictionary, history, target trajectory, projection",
  needs = "kpi",
  build = function(ctx)
    local fw, id = ctx.fw, ctx.args.kpi or ctx.args.node
    local k = id and fw.kpis[id]
    if not k then return nil, "unknown KPI '" .. tostring(id) .. "' in " .. fw.id end
    local area = ctx.args.area or fw.council
    local periods = last_periods(ctx.period, 12)
    -- trajectory to the year end: the periods after this one in the same financial year
    local fy = ctx.period:year_of()
    local p = ctx.period:next()
    while p and fy:contains(p) do periods[#periods + 1] = p; p = p:next() end
    local rows = {}
    for _, q in ipairs(periods) do
      local r = rate(ctx, { period = q, kpis = { id }, areas = { area } })[1] or {}
      rows[#rows + 1] = { period = tostring(q), value = r.display ~= "suppressed" and r.value or nil,
                          display = r.display, target = r.target, rag = r.rag or "no_data",
                          dot_prev = r.dot_prev, future = q > ctx.period or nil,
                          rated_period = r.period, requested_period = tostring(q) }
    end
    -- Projection to the year end: pmf.series.projection works on a metric, so only a KPI that
    -- is one metric is projected; never when any period shown is suppressed (a year total
    -- would give the withheld figures away) or below the threshold.
    local projection
    local ver0 = kver(fw, k, ctx.period)
    local F = ver0.formula
    local any_suppressed = false
    for _, r in ipairs(rows) do if r.display == "suppressed" then any_suppressed = true end end
    if pmf.series and pmf.series.projection and type(F) == "table" and F.kind == "metric"
       and not any_suppressed then
      local ok, v = pcall(pmf.series.projection, ctx.store, F.metric, area, ctx.period, fw.year_start)
      if ok and type(v) == "number" and v == v
         and not (k.suppress_below and v < k.suppress_below) then projection = v end
    end
    local fields = { "id", "title", "unit", "decimals", "frequency", "polarity", "owner",
                     "directorate", "type", "national", "definition", "methodology", "source",
                     "benchmark_source", "illustrative", "replaces", "split_into", "suppress_below" }
    local ver = kver(fw, k, ctx.period) or (k.versions or {})[#(k.versions or {})] or {}
    local dict = {}
    for _, f in ipairs(fields) do
      local v = k[f]
      if v == nil then v = ver[f] end
      if v ~= nil then dict[#dict + 1] = { field = f, value = tostring(v) } end
    end
    if ver.tolerance then dict[#dict + 1] = { field = "tolerance", value = tostring(ver.tolerance) } end
    if type(ver.formula) == "table" then
      local F = ver.formula
      local txt = F.kind == "metric" and F.metric or F.kind == "ratio" and (F.num .. " / " .. F.den .. " x " .. tostring(F.scale))
                  or F.kind == "diff" and (F.a .. " - " .. F.b) or F.kind
      dict[#dict + 1] = { field = "formula", value = txt }
    end
    dict[#dict + 1] = { field = "parents", value = table.concat(k.parents or {}, ", ") }
    return {
      title = "KPI " .. id .. ": " .. (k.title or id),
      columns = { col("period", "Period"), col("rated_period", "Rated", "period"),
                  col("value", "Value", "value"), col("target", "Target", "number"),
                  col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot") },
      rows = rows, chart = { kind = "trend", kpi = id },
      projection = projection,
      sections = { { title = "Data dictionary", columns = { col("field", "Field"),
                     col("value", "Value", "text", { wrap = 70 }) }, rows = dict } },
    }
  end,
}
