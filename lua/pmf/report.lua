-- lua/pmf/report.lua: the reports (module `pmf.report`).
--
-- A report is a Lua function that turns (store, framework, period, ...) into plain data: a
-- report object {name, title, framework, framework_title, period, as_of, params, columns,
-- rows, tree, sections, blockers}; renderers (pmf.render) turn that into text, md, csv,
-- json, html or xlsx.  Reports never format numbers themselves except through the rating
-- row's `display`, so a suppressed small number (display "suppressed", value nil) can never
-- reappear in any format.
--
--   pmf.report.run(name, args)           -> report | nil, message
--   pmf.report.scorecard{framework=, period=, node=|level=, as_of=, store=}   (and the other
--   report names: exceptions, golden_thread, kpi, data_quality, calendar, benchmark,
--   integrated)
--   report:render(format [, opts]) -> string
--   report:write(path [, format [, opts]]) -> path | nil, message  (opts.force, opts.raw:
--     see pmf.render's "writing outputs": a new file renamed into place, never the store,
--     never a file that is not a pmf report of that format unless force)
--   tostring(report) -> the text rendering (so it prints as a table at the REPL)
--   pmf.report.publish(report, {format=, by=}) -> publication id | nil, blockers
--   pmf.report.republish(store, id) -> report, format, publication row | nil, message
--   pmf.report.write_all(store, framework_id, period, dir [, args]) -> {paths} (raises on a
--     file it may not replace; args.force as for write)
--
-- Design decisions:
-- - Reproducibility: a report prints its as-of date, never the time it was made; rows are
--   ordered by the framework's declaration order (kpi_order, node_order), and every map is
--   walked in sorted order, so a report rebuilt `--as-of` the same date gives the same bytes.
-- - `as_of`: given, the report is built from the store's as-of view of that date; not given,
--   it is built from the store as it is and labelled with today's date.
-- - Default period: the latest financial quarter that ended on or before the as-of date
--   (reports are produced after a quarter closes); pass `period` for anything else.
-- - Error contract: misuse (no framework given, unknown report name) raises; expected
--   failures (unknown framework, node or KPI, a period that does not parse) return
--   nil, message from run() and raise from the convenience functions (pmf.report.scorecard).
local pmf = require "pmf"

local M = {}
M.registry = {}     -- name -> {fn = function(ctx) -> report fields, summary = "..."}
M.order = {}

local Report = {}
Report.__index = Report
M.Report = Report

function Report:render(format, opts)
  return pmf.render.render(self, format or "text", opts)
end

-- report:write(path [, format [, opts]]): format defaults to the path's extension.
function Report:write(path, format, opts)
  format = format or path:match("%.(%w+)$") or "text"
  if format == "txt" then format = "text" end
  local o = { store = self._ctx and self._ctx.store }
  for k, v in pairs(opts or {}) do o[k] = v end
  return pmf.render.write(self, path, format, o)
end

Report.__tostring = function(r) return r:render("text") end

-- register(name, summary, fn [, needs]): needs = "kpi" for a report about one KPI (the
-- CLI's usage line and M.run's error say so when --kpi is missing).
local function register(name, summary, fn, needs)
  M.registry[name] = { name = name, fn = fn, summary = summary, needs = needs }
  M.order[#M.order + 1] = name
end

-- ---- helpers --------------------------------------------------------------------------

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t or {}) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  return ks
end
M.sorted_keys = sorted_keys

local function fy_quarter_before(date, year_start)
  -- the quarter containing the day 1 quarter before `date` ends...: walk back from the
  -- quarter containing date to the latest one whose end date is <= date.
  local y, m = date:match("^(%d%d%d%d)%-(%d%d)")
  local p = pmf.period.parse(y .. "-" .. m, year_start)
  p = p and p:quarter_of()
  while p and p:end_date() > date:sub(1, 10) do p = p:prev() end
  return p
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
  if period == nil then
    period = fy_quarter_before(label, ys)
    if not period then return nil, "cannot work out a default period; give one" end
  elseif type(period) ~= "userdata" then
    local p, err = pmf.period.parse(tostring(period), ys)
    if not p then return nil, err end
    period = p
  end
  return { store = s, fw = fw, period = period, as_of = label, args = args }
end
M.context = context

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

local function rate(ctx, extra)
  local t = { store = ctx.store, framework = ctx.fw, period = ctx.period, benchmark = true }
  for k, v in pairs(extra or {}) do t[k] = v end
  return pmf.kpi.rate(t)
end

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
M.last_periods = last_periods

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

-- ---- the reports ----------------------------------------------------------------------

local C = {} -- column constructors
local function col(key, title, kind, extra)
  local c = { key = key, title = title, kind = kind or "text" }
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end
C.col = col
M.col = col

-- The period a rating row was rated for (pmf.kpi.rate's `period`), shown where it is not
-- the one asked for (an annual KPI on a quarterly scorecard): see pmf.render.
local function rated_col() return col("period", "Period", "period") end

local scorecard_columns = {
  col("kpi", "KPI"), col("title", "Measure", "text", { wrap = 40 }), rated_col(),
  col("value", "Value", "value"), col("target", "Target", "number"),
  col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"),
  col("dot_year", "vs last year", "dot"), col("trend", "Trend", "spark"),
  col("rank", "Rank", "rank"), col("quartile", "Quartile", "number"),
  col("commentary", "Commentary", "commentary", { wrap = 50 }), col("owner", "Owner"),
}

register("scorecard", "KPIs under a framework, level or node for a period: value, target, RAG, DoT, trend, benchmark",
function(ctx)
  local set, where = scope(ctx)
  if ctx.args.node and not set then return nil, where end
  if ctx.args.level and not set then return nil, where end
  local ids = kpis_under(ctx.fw, set)
  local rows = rate(ctx, { kpis = ids })
  for _, r in ipairs(rows) do
    r.trend = trend(ctx, r, 8)
    if r.display == "suppressed" then r.value = nil end
    if (r.commentary == nil or r.commentary == "") and r.commentary_required then
      r.commentary_note = "COMMENTARY REQUIRED"
    end
  end
  local crumb = ctx.args.node and type(ctx.args.node) ~= "table" and breadcrumb(ctx.fw, ctx.args.node)
  return {
    title = "Scorecard" .. (where and (": " .. where) or ""),
    subtitle = crumb or nil,
    columns = scorecard_columns, rows = rows,
  }
end)

register("exceptions", "red and amber KPIs with their commentary (\"commentary required\" where missing)",
function(ctx)
  local set, where = scope(ctx)
  if (ctx.args.node or ctx.args.level) and not set then return nil, where end
  local ids = kpis_under(ctx.fw, set)
  local rows = pmf.kpi.exceptions{ store = ctx.store, framework = ctx.fw, period = ctx.period,
                                    kpis = ids, benchmark = true }
  for _, r in ipairs(rows) do
    if r.display == "suppressed" then r.value = nil end
    if (r.commentary == nil or r.commentary == "") and r.commentary_required then
      r.commentary_note = "COMMENTARY REQUIRED"
    end
  end
  return {
    title = "Exceptions" .. (where and (": " .. where) or ""),
    columns = {
      col("kpi", "KPI"), col("title", "Measure", "text", { wrap = 40 }), rated_col(),
      col("value", "Value", "value"), col("target", "Target", "number"),
      col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"), col("owner", "Owner"),
      col("commentary", "Commentary", "commentary", { wrap = 60 }),
    },
    rows = rows,
  }
end)

local rag_keys = { "red", "amber", "green", "blue", "no_data", "data_only", "error" }
M.rag_keys = rag_keys

register("golden_thread", "the hierarchy as a tree with rolled-up RAG counts at every node",
function(ctx)
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
    rows = rows, tree = tree,
  }
end)

register("kpi", "one KPI in detail: data dictionary, history, target trajectory, projection",
function(ctx)
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
end, "kpi")

register("data_quality", "completeness and timeliness per KPI and owner against the data-entry deadline",
function(ctx)
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
end)

local cadence_kind = { monthly = "month", quarterly = "quarter", ["half-yearly"] = "half", annual = "year" }

-- Periods of a cadence inside `within` (a Period), in order.
local function periods_in(within, cadence)
  local first
  local sd = within:start_date()
  local y, m = sd:match("^(%d%d%d%d)%-(%d%d)")
  local month = pmf.period.parse(y .. "-" .. m, within.year_start)
  if cadence == "monthly" then first = month
  elseif cadence == "quarterly" then first = month:quarter_of()
  elseif cadence == "half-yearly" then first = month:half_of()
  else first = month:year_of() end
  local out, p = {}, first
  while p and within:contains(p) do out[#out + 1] = p; p = p:next() end
  if #out == 0 and first and first:contains(within) then out[1] = first end
  return out
end

register("calendar", "what is due from whom, to which board, by when, for a period or a year",
function(ctx)
  local fw = ctx.fw
  local within = ctx.args.year and ctx.period:year_of() or ctx.period
  local rows = {}
  local owners = {}
  for _, id in ipairs(fw.kpi_order or sorted_keys(fw.kpis)) do
    local o = fw.kpis[id].owner
    if o then owners[o] = true end
  end
  local owner_list = table.concat(sorted_keys(owners), "; ")
  local dl = fw.deadlines and fw.deadlines.data_entry
  local seen = {}
  for _, bid in ipairs(fw.board_order or sorted_keys(fw.boards)) do
    local b = fw.boards[bid]
    for _, p in ipairs(periods_in(within, b.cadence or "quarterly")) do
      if dl and not seen[tostring(p)] then
        seen[tostring(p)] = true
        rows[#rows + 1] = { due = p:deadline(dl.working_days), period = tostring(p),
                            what = "data entry", from = owner_list, to = "pmf store", board = "" }
      end
      for _, what in ipairs(b.receives or {}) do
        rows[#rows + 1] = { due = b.after_days and p:deadline(b.after_days) or p:end_date(),
                            period = tostring(p), what = what, from = "performance team",
                            to = b.title or bid, board = bid }
      end
    end
  end
  table.sort(rows, function(a, b)
    if a.due ~= b.due then return a.due < b.due end
    if a.board ~= b.board then return a.board < b.board end
    return a.what < b.what
  end)
  return {
    title = "Calendar: " .. tostring(within),
    columns = { col("due", "Due by"), col("period", "Period"), col("what", "What"),
                col("from", "From", "text", { wrap = 40 }), col("to", "To") },
    rows = rows,
  }
end)

register("benchmark", "league table of the comparator group for a KPI and period",
function(ctx)
  local fw, id = ctx.fw, ctx.args.kpi or ctx.args.node
  local k = id and fw.kpis[id]
  if not k then return nil, "unknown KPI '" .. tostring(id) .. "' in " .. fw.id end
  local ver = kver(fw, k, ctx.period) or {}
  local group = ctx.args.group or ver.comparator or fw.comparator
  local members = group and ctx.store:group_members(group)
  if not members then return nil, "unknown comparator group '" .. tostring(group) .. "'" end
  local ratings = rate(ctx, { kpis = { id }, areas = members, benchmark = false })
  local values, byarea = {}, {}
  for _, r in ipairs(ratings) do
    byarea[r.area] = r
    if r.value ~= nil and r.display ~= "suppressed" then values[r.area] = r.value end
  end
  local polarity = ver.polarity or k.polarity or "up"
  local bm = pmf.rag.benchmark(values, polarity == "band" and "up" or polarity)
  local rows = {}
  for _, code in ipairs(members) do
    local r = byarea[code] or {}
    local info = ctx.store:area_info(code)
    rows[#rows + 1] = { rank = bm.rank[code], area = code, name = info and info.name or code,
                        value = values[code], display = r.display or "no data",
                        quartile = bm.quartile[code], highlight = code == fw.council or nil,
                        period = r.period, requested_period = r.requested_period }
  end
  table.sort(rows, function(a, b)
    if (a.rank ~= nil) ~= (b.rank ~= nil) then return a.rank ~= nil end
    if a.rank ~= b.rank then return a.rank < b.rank end
    return a.area < b.area
  end)
  -- England for the period the group was rated for (an annual KPI: the year)
  local rated = ratings[1] and ratings[1].period
  local eng = pmf.kpi.value(ctx.store, fw, id, "E92000001", rated or ctx.period)
  if eng then
    rows[#rows + 1] = { area = "E92000001", name = "England", value = eng,
                        display = pmf.render.number(eng, k.decimals), comparator = true,
                        period = rated, requested_period = ratings[1] and ratings[1].requested_period }
  end
  return {
    title = "Benchmark " .. id .. ": " .. (k.title or id),
    subtitle = "Comparator group " .. group .. " (n = " .. tostring(bm.n) .. ")",
    columns = { col("rank", "Rank", "rank1"), col("name", "Area"), col("area", "Code"),
                rated_col(), col("value", "Value", "value"), col("quartile", "Quartile", "number") },
    rows = rows,
  }
end, "kpi")

local money_units = { ["£"] = true, gbp = true, money = true, ["£k"] = true, ["£m"] = true,
                      budget = true, ["budget variance"] = true }

register("integrated", "performance with finance, risks and actions together",
function(ctx)
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
                  col("value", "Value", "value"), col("target", "Target", "number"),
                  col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"), col("owner", "Owner") }
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
end)

-- ---- running, publishing --------------------------------------------------------------

-- The params that identify a report (what a publication records to rebuild it).
local param_keys = { "node", "level", "kpi", "area", "group", "year" }

-- pmf.report.run(name, args) -> report | nil, message
function M.run(name, args)
  local entry = M.registry[name] or M.registry[(tostring(name):gsub("-", "_"))]
  if not entry then
    error("unknown report '" .. tostring(name) .. "' (" .. table.concat(M.order, ", ") .. ")", 2)
  end
  args = args or {}
  if args.framework == nil then error("report: 'framework' is required", 2) end
  if entry.needs == "kpi" and args.kpi == nil and args.node == nil then
    return nil, "the " .. entry.name .. " report is about one KPI: give its id (kpi = ID, --kpi ID)"
  end
  local ctx, err = context(args)
  if not ctx then return nil, err end
  local rep, rerr = entry.fn(ctx)
  if not rep then return nil, rerr end
  rep.name = (tostring(name):gsub("-", "_"))
  rep.framework = ctx.fw.id
  rep.framework_title = ctx.fw.title
  rep.framework_hash = ctx.fw.hash
  rep.period = tostring(ctx.period)
  rep.as_of = ctx.as_of
  rep.params = { period = rep.period }
  for _, k in ipairs(param_keys) do if args[k] ~= nil then rep.params[k] = args[k] end end
  rep._ctx = ctx
  return setmetatable(rep, Report)
end

M.register = register   -- report modules of their own register through this (pmf.chase)
require("pmf.chase").install(M)

for _, name in ipairs(M.order) do
  M[name] = function(args)
    local r, err = M.run(name, args)
    if not r then error(err, 2) end
    return r
  end
end
M.golden = M.golden_thread

-- The blockers to publishing a report: red/amber KPIs without commentary, and a period not
-- signed off.  Returns a list of messages (empty when publishable).
function M.blockers(rep)
  local ctx = rep._ctx
  local out = {}
  local rows = pmf.kpi.exceptions{ store = ctx.store, framework = ctx.fw, period = ctx.period }
  for _, r in ipairs(rows) do
    if r.commentary_required and (r.commentary == nil or r.commentary == "") then
      out[#out + 1] = string.format("%s (%s) is %s and has no commentary", r.kpi,
                                    r.title or "", r.rag)
    end
  end
  if not ctx.store:is_signed_off(ctx.fw.id, ctx.period) then
    out[#out + 1] = string.format("%s %s is not signed off", ctx.fw.id, tostring(ctx.period))
  end
  return out
end

-- The output hash a publication records (to show a rebuild is byte-identical): SHA-256
-- through pmf.framework.sha256, FNV-1a 64 when that is absent.
function M.hash(s)
  local f = pmf.framework
  if f and f.sha256 then return "sha256:" .. f.sha256(s) end
  local h = -3750763034362895579     -- 0xcbf29ce484222325
  for i = 1, #s do
    h = (h ~ s:byte(i)) * 1099511628211
  end
  return string.format("fnv1a64:%016x", h)
end

-- pmf.report.publish(report, {format=, by=, output=}) -> id, output | nil, blockers (list)
-- The report must have been built as of a fixed date (publish builds one for "now" when
-- not).  Records a publication row (framework, report, params JSON, framework_hash,
-- as_of, output_hash, batch).
function M.publish(rep, opts)
  opts = opts or {}
  local blockers = M.blockers(rep)
  if #blockers > 0 then return nil, blockers end
  local format = opts.format or "html"
  local out = rep:render(format)
  local params = {}
  for k, v in pairs(rep.params) do params[k] = v end
  params.format = format
  local s = rep._ctx.args.store or pmf.store
  if s == nil or type((s:as_of())) == "string" then s = pmf.root_store end
  s = pmf.default_store(s)
  local id = s:transaction(function()
    local b = s:batch{ kind = "publish", by = opts.by, note = rep.name }
    s:exec([[INSERT INTO publication(framework, report, params, framework_hash, as_of, output_hash, batch)
             VALUES (?, ?, ?, ?, ?, ?, ?)]], rep.framework, rep.name, pmf.render.json_encode(params),
           rep.framework_hash or "", rep.as_of, M.hash(out), b)
    local pid = s:query("SELECT max(id) AS id FROM publication")[1].id
    return pid
  end)
  return id, out
end

-- pmf.report.republish(store, id) -> report, format, publication | nil, message: rebuild a
-- published report as of its recorded date; the caller compares output_hash.
function M.republish(s, id)
  s = pmf.default_store(s)
  if type((s:as_of())) == "string" and pmf.root_store then s = pmf.root_store end
  local pub = s:query("SELECT * FROM publication WHERE id = ?", id)[1]
  if not pub then return nil, "no publication " .. tostring(id) end
  local params = require("cjson").decode(pub.params)
  local format = params.format or "html"
  params.format = nil
  params.framework = pub.framework
  params.as_of = pub.as_of
  params.store = s
  local rep, err = M.run(pub.report, params)
  if not rep then return nil, err end
  return rep, format, pub
end

-- pmf.report.write_all(store, framework_id, period, dir [, args]) -> list of paths: the
-- scorecard, exceptions and golden-thread reports in every format.
function M.write_all(s, framework_id, period, dir, args)
  local paths = {}
  local wopts = { force = args and args.force }
  for _, name in ipairs({ "scorecard", "exceptions", "golden_thread" }) do
    local a = { store = s, framework = framework_id, period = period }
    for k, v in pairs(args or {}) do if k ~= "force" then a[k] = v end end
    local rep = assert(M.run(name, a))
    for _, fmt in ipairs(pmf.render.formats) do
      if fmt ~= "xlsx" or pmf.render.has_xlsx() then
        local ext = fmt == "text" and "txt" or fmt
        local path = dir .. "/" .. framework_id .. "-" .. name .. "." .. ext
        local ok, err = rep:write(path, fmt, wopts)
        if not ok then error(err, 2) end
        paths[#paths + 1] = path
      end
    end
  end
  return paths
end

return M
