-- lua/pmf/report/shared.lua: what every report reads before it lays out rows (module
-- `pmf.report.shared`): the context (store or its as-of view, framework, period, as-of
-- label), the default period, the scope a report is asked for (--node, --level) and the KPIs
-- under it, the KPI version in force, the rating call, the trend behind a sparkline, and the
-- column constructor.
--
-- Design decisions:
-- - `as_of`: given, the report is built from the store's as-of view of that date; not given,
--   it is built from the store as it is and labelled with today's date.
-- - Default period: the latest quarter for which the framework has figures for its council
--   (store:latest_month), not after the as-of date; the report says so (period_note).  The
--   latest quarter ended by the as-of date only when there are no figures at all.
-- - Every map is walked in sorted order (sorted_keys), so a report rebuilt `--as-of` the same
--   date gives the same bytes.
-- - A suppressed figure loses its value here (withhold) before any renderer sees the row:
--   reports never format numbers themselves except through the rating row's `display`, so a
--   suppressed small number (display "suppressed", value nil) can never reappear.
local pmf = require "pmf"

local S = {}

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t or {}) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  return ks
end
S.sorted_keys = sorted_keys

local function fy_quarter_before(date, year_start)
  -- the quarter containing the day 1 quarter before `date` ends...: walk back from the
  -- quarter containing date to the latest one whose end date is <= date.
  local y, m = date:match("^(%d%d%d%d)%-(%d%d)")
  local p = pmf.period.parse(y .. "-" .. m, year_start)
  p = p and p:quarter_of()
  while p and p:end_date() > date:sub(1, 10) do p = p:prev() end
  return p
end

-- The default period: the latest quarter for which the framework has figures for its
-- council (as of the view), not after the as-of date: the quarter holding the last month
-- any of its metrics has a figure for, or the quarter before it when that month does not
-- end its quarter (monthly figures part-way through a quarter).  nil when there are none.
local function latest_with_figures(s, fw, label)
  if not (fw.council and s.latest_month) then return nil end
  local codes = {}
  for _, m in ipairs(fw.metrics_used or {}) do codes[#codes + 1] = type(m) == "table" and m.id or m end
  local last = s:latest_month(codes, fw.council)
  if not last then return nil end
  if last > label:sub(1, 7) then last = label:sub(1, 7) end
  local month = pmf.period.parse(last, fw.year_start)
  local q = month and month:quarter_of()
  if q and q:end_date():sub(1, 7) ~= last then q = q:prev() end
  return q
end

-- The context shared by every report: the store (as-of view when asked), the framework
-- definition, the period, the as-of label.  Returns ctx or nil, message.
local function context(args)
  args = args or {}
  local s = pmf.default_store(args.store)
  local as_of = args.as_of
  if as_of then
    local v, err = s:as_of(as_of)
    if not v then return nil, err end
    s = v
  else
    local view = s:as_of()          -- a view already (pmf --as-of): label it with its date
    if type(view) == "string" then as_of = view end
  end
  local label = as_of and tostring(as_of) or pmf.period.today()
  if label:match("T23:59:59") then label = label:sub(1, 10) end
  local fw = args.framework
  if fw == nil then error("report: 'framework' is required", 3) end
  if type(fw) ~= "table" then
    local f, err = pmf.framework.get(s, fw)
    if not f then return nil, err or ("unknown framework '" .. tostring(fw) .. "'") end
    fw = f
  end
  local ys = fw.year_start
  local period = args.period
  local defaulted
  if period == nil then
    period = latest_with_figures(s, fw, label) or fy_quarter_before(label, ys)
    if not period then return nil, "cannot work out a default period; give one" end
    defaulted = true
  elseif type(period) ~= "userdata" then
    local p, err = pmf.period.parse(tostring(period), ys)
    if not p then return nil, err end
    period = p
  end
  return { store = s, fw = fw, period = period, as_of = label, args = args, defaulted = defaulted }
end
S.context = context

-- Node ids under `ids` (themselves included), following children down the golden thread.
local function nodes_under(fw, ids)
  local seen, out = {}, {}
  local function walk(id)
    if seen[id] then return end
    seen[id] = true
    out[#out + 1] = id
    local n = fw.nodes[id]
    for _, c in ipairs(n and n.children or {}) do walk(c) end
  end
  for _, id in ipairs(ids) do walk(id) end
  return seen, out
end

-- KPI ids (in kpi_order) hanging under any node in the set; all KPIs when set is nil.
local function kpis_under(fw, set)
  local out = {}
  for _, id in ipairs(fw.kpi_order or sorted_keys(fw.kpis)) do
    local k = fw.kpis[id]
    local hit = set == nil
    for _, p in ipairs(k.parents or {}) do if set and set[p] then hit = true end end
    if hit then out[#out + 1] = id end
  end
  return out
end

-- The scope asked for by args.node (one id or a list) or args.level: returns node set (or
-- nil for the whole framework), a title suffix, or nil, message.
local function scope(ctx)
  local fw, a = ctx.fw, ctx.args
  local roots
  if a.node then
    roots = type(a.node) == "table" and a.node or { a.node }
    for _, id in ipairs(roots) do
      if not fw.nodes[id] then return nil, "unknown node '" .. tostring(id) .. "' in " .. fw.id end
    end
    local titles = {}
    for _, id in ipairs(roots) do titles[#titles + 1] = fw.nodes[id].title or id end
    local set = nodes_under(fw, roots)
    return set, table.concat(titles, ", ")
  elseif a.level then
    roots = {}
    for _, id in ipairs(fw.node_order or sorted_keys(fw.nodes)) do
      if fw.nodes[id].level == a.level then roots[#roots + 1] = id end
    end
    if #roots == 0 then return nil, "no nodes at level '" .. tostring(a.level) .. "' in " .. fw.id end
    return (nodes_under(fw, roots)), a.level
  end
  return nil, nil
end

-- Ancestor path of a node (first parent each step), top-down, for breadcrumbs.
local function breadcrumb(fw, id)
  local path, seen = {}, {}
  while id and fw.nodes[id] and not seen[id] do
    seen[id] = true
    table.insert(path, 1, fw.nodes[id].title or id)
    id = (fw.nodes[id].parents or {})[1]
  end
  return table.concat(path, " > ")
end

-- The KPI version in force for a period (pmf.framework.kpi_version), or the latest.
local function kver(fw, k, p)
  local f = pmf.framework
  if f and f.kpi_version then
    local ok, v = pcall(f.kpi_version, k, p)
    if ok and v then return v end
  end
  local vs = k.versions or {}
  return vs[#vs] or {}
end

-- rate(ctx, extra): pmf.kpi.rate for the context (store, framework, period, benchmark), with
-- the fields of `extra` over those.
local function rate(ctx, extra)
  local t = { store = ctx.store, framework = ctx.fw, period = ctx.period, benchmark = true }
  for k, v in pairs(extra or {}) do t[k] = v end
  return pmf.kpi.rate(t)
end

S.nodes_under, S.kpis_under, S.scope, S.breadcrumb = nodes_under, kpis_under, scope, breadcrumb
S.kver, S.rate = kver, rate

-- The last n periods ending at p, oldest first.
local function last_periods(p, n)
  local out = { p }
  for _ = 2, n do
    local q = out[1]:prev()
    if not q then break end
    table.insert(out, 1, q)
  end
  return out
end
S.last_periods = last_periods

-- Trend values for a row: pmf.kpi.series over the last 8 periods at the KPI's own
-- frequency, ending with the period the row rated (an annual KPI on a quarterly scorecard
-- trends by year, labelled by year); values below a KPI's suppression threshold are
-- dropped (never shown), and the current period follows the row (nil when the row is
-- suppressed).
local function trend(ctx, row, n)
  if not (pmf.kpi and pmf.kpi.series) then return nil end
  local k = ctx.fw.kpis[row.kpi]
  local ys = type(ctx.fw.year_start) == "number" and ctx.fw.year_start or 4
  local okp, rated = pcall(pmf.period.parse, row.period, ys)
  local periods = last_periods(okp and rated or ctx.period, n or 8)
  local ok, vals = pcall(pmf.kpi.series, ctx.store, ctx.fw, row.kpi, row.area, periods)
  if not ok or type(vals) ~= "table" then return nil end
  local out = { labels = {} }
  for i, p in ipairs(periods) do
    local v = vals[i]
    if type(v) ~= "number" or v ~= v then v = nil end
    if v and k and k.suppress_below and v < k.suppress_below then v = nil end
    out[i] = v or false
    out.labels[i] = tostring(p)
  end
  out[#periods] = (row.display ~= "suppressed" and row.value) or false
  out.n = #periods
  return out
end
S.trend = trend

-- withhold(rows [, note_commentary]): a suppressed row loses its value (the display says
-- "suppressed"); with note_commentary, a row whose rating needs commentary and has none is
-- marked "COMMENTARY REQUIRED".
function S.withhold(rows, note_commentary)
  for _, r in ipairs(rows) do
    if r.display == "suppressed" then r.value = nil end
    if note_commentary and (r.commentary == nil or r.commentary == "") and r.commentary_required then
      r.commentary_note = "COMMENTARY REQUIRED"
    end
  end
  return rows
end

-- col(key, title [, kind [, extra]]) -> a column of a report's table: kind says how a
-- renderer draws the cell ("text" by default, "value", "rag", "spark", ...: see pmf.render).
local function col(key, title, kind, extra)
  local c = { key = key, title = title, kind = kind or "text" }
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end
S.col = col

-- The period a rating row was rated for (pmf.kpi.rate's `period`), shown where it is not
-- the one asked for (an annual KPI on a quarterly scorecard): see pmf.render.
function S.rated_col() return col("period", "Period", "period") end

-- The statuses a roll-up counts, in the order reports show them.
S.rag_keys = { "red", "amber", "green", "blue", "no_data", "data_only", "error" }

return S
