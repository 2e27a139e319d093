-- lua/pmf/report/integrated.lua: the integrated report (`pmf report integrated`):
-- performance with finance (KPIs in money units), risks (likelihood x impact as of the
-- period's end) and actions (their latest status update) together.
local shared = require "pmf.report.shared"

local sorted_keys, scope, kpis_under = shared.sorted_keys, shared.scope, shared.kpis_under
local rate, col, rated_col = shared.rate, shared.col, shared.rated_col

local money_units = { ["£"] = true, gbp = true, money = true, ["£k"] = true, ["£m"] = true,
                      budget = true, ["budget variance"] = true }

return {
  summary = "performance with finance, risks and actions together",
  build = function(ctx)
    local fw = ctx.fw
    local set, where = scope(ctx)
    if (ctx.args.node or ctx.args.level) and not set then return nil, where end
    local perf, fin = {}, {}
    for _, r in ipairs(rate(ctx, { kpis = kpis_under(fw, set) })) do
      if r.display == "suppressed" then r.value = nil end
      local u = (r.unit or ""):lower()
      if money_units[u] or u:find("£", 1, true) or u:find("budget", 1, true) then
        fin[#fin + 1] = r
      else
        perf[#perf + 1] = r
      end
    end
    local date = ctx.period:end_date()
    local risks, actions = {}, {}
    local function in_scope(item)
      if not set then return true end
      local ps = item.parents or { item.parent }
      for _, p in ipairs(ps) do if set[p] then return true end end
      return false
    end
    for _, id in ipairs(fw.risk_order or sorted_keys(fw.risks)) do
      local r = fw.risks[id]
      if in_scope(r) then
        local st = ctx.store:risk_status(fw.id, id, date) or {}
        local l, i = st.likelihood or r.likelihood, st.impact or r.impact
        local score = l and i and l * i or nil
        risks[#risks + 1] = { id = id, title = r.title, owner = r.owner, likelihood = l, impact = i,
                              score = score, assessed = st.date,
                              rag = score and (score >= 15 and "red" or score >= 8 and "amber" or "green") or "no_data",
                              note = st.note }
      end
    end
    local action_rag = { on_track = "green", complete = "blue", at_risk = "amber", off_track = "red" }
    for _, id in ipairs(fw.action_order or sorted_keys(fw.actions)) do
      local a = fw.actions[id]
      if in_scope(a) then
        local st = ctx.store:action_status(fw.id, id, date) or {}
        actions[#actions + 1] = { id = id, title = a.title, owner = a.owner, due = a.due,
                                  status = st.status or "no update", progress = st.progress,
                                  updated = st.date, rag = action_rag[st.status] or "no_data",
                                  note = st.note }
      end
    end
    local short = { col("kpi", "KPI"), col("title", "Measure", "text", { wrap = 40 }), rated_col(),
                    col("value", "Value", "value"), col("target", "Target", "target"),
                    col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"),
                    col("flags", "Notes", "flags"), col("owner", "Owner") }
    return {
      title = "Integrated report" .. (where and (": " .. where) or ""),
      columns = short, rows = perf,
      sections = {
        { title = "Finance", columns = short, rows = fin },
        { title = "Risks", columns = { col("id", "Risk"), col("title", "Title", "text", { wrap = 40 }),
            col("likelihood", "L", "int"), col("impact", "I", "int"), col("score", "Score", "int"),
            col("rag", "RAG", "rag"), col("owner", "Owner"), col("assessed", "Assessed") }, rows = risks },
        { title = "Actions", columns = { col("id", "Action"), col("title", "Title", "text", { wrap = 40 }),
            col("status", "Status"), col("progress", "Progress %", "number"), col("rag", "RAG", "rag"),
            col("due", "Due"), col("owner", "Owner") }, rows = actions },
      },
    }
  end,
}
