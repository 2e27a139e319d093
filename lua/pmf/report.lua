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
--   pmf.report.scorecard{framework=, period=, node=|level=, as_of=, store=, rollup=}   (and
--   the other report names: exceptions, dashboard (node=), golden_thread, kpi, data_quality,
--   calendar, benchmark, integrated)
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
-- - Default period: the latest quarter for which the framework has figures for its council
--   (store:latest_month), not after the as-of date; the report says so (period_note).  The
--   latest quarter ended by the as-of date only when there are no figures at all.
-- - Presentation is data too: every report carries its cover facts (council_name,
--   period_words, period_dates, status, version_id, framework_hash), the RAG key of this
--   framework (rag_key), the notes for the flags shown (footnotes), and, for the scorecard
--   and exceptions, `groups`: the golden thread's nodes with the rows under each and a
--   roll-up by the framework's rule (worst unless `rollup = "majority"`, or a function
--   given to run()).  Renderers only lay these out.
-- - Error contract: misuse (no framework given, unknown report name) raises; expected
--   failures (unknown framework, node or KPI, a period that does not parse) return
--   nil, message from run() and raise from the convenience functions (pmf.report.scorecard).
local pmf = require "pmf"

local M = {}
local present, group_rows, rollup_status, rollup_rule_text   -- presentation helpers (below)
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


-- ---- presentation: what a councillor reads around the figures ---------------------------

-- Flags a row can carry, in footnote order: {flag, mark, meaning}.
local FLAGS = {
  { "provisional", "p", "provisional: may be revised" },
  { "estimated", "e", "estimated" },
  { "late", "L", "late: arrived after the data-entry deadline" },
  { "carried", "c", "carried forward from an earlier period (shown)" },
  { "suppressed", "s", "suppressed: a small number withheld" },
}
M.FLAGS = FLAGS

-- present(ctx, rows): fields the renderers show beside a rating row: the target as
-- published (with its unit), the flags as marks (carried and suppressed included).
function present(ctx, rows)
  for _, r in ipairs(rows) do
    local k = ctx.fw.kpis[r.kpi] or {}
    if type(r.target) == "number" then
      r.target_display = pmf.kpi.display(r.target, r.unit or k.unit, k.decimals)
    end
    r.decimals = r.decimals or k.decimals
    local has = {}
    for _, f in ipairs(r.flags or {}) do has[f] = true end
    if r.carried_from then has.carried = true end
    if r.display == "suppressed" then has.suppressed = true end
    local marks = {}
    for _, f in ipairs(FLAGS) do if has[f[1]] then marks[#marks + 1] = f[2] end end
    r.flag_marks = #marks > 0 and table.concat(marks, " ") or nil
  end
end

-- The roll-up rule: a framework's `rollup` ("worst" by default, or "majority"), or a
-- function(counts) -> status given as the report's `rollup` argument.  `worst`: red if any
-- red, else amber if any amber, else green if any green or blue, else no data.  `majority`:
-- the status most KPIs have (ties go to the worse).  KPIs with no data or data only do not
-- vote unless nothing else does.
local WORST = { "error", "red", "amber", "green", "blue" }
local RULES = {}
function RULES.worst(c)
  for _, st in ipairs(WORST) do
    if (c[st] or 0) > 0 then return st == "blue" and "green" or st end
  end
  return (c.no_data or 0) > 0 and "no_data" or "data_only"
end
function RULES.majority(c)
  local best, bn = nil, 0
  for _, st in ipairs(WORST) do
    if (c[st] or 0) > bn then best, bn = st, c[st] end
  end
  return best or RULES.worst(c)
end
M.rollup_rules = RULES

function rollup_status(ctx, counts)
  local rule = ctx.args.rollup or ctx.fw.rollup or "worst"
  if type(rule) == "function" then return rule(counts) end
  return (RULES[rule] or RULES.worst)(counts)
end

function rollup_rule_text(ctx)
  local rule = ctx.args.rollup or ctx.fw.rollup or "worst"
  if type(rule) == "function" then return "Roll-up: by the report's own rule." end
  if rule == "majority" then
    return "Roll-up: a heading shows the status most of its KPIs have (a tie goes to the worse)."
  end
  return "Roll-up: a heading shows the worst status of the KPIs under it (red, then amber, then green)."
end

-- group_rows(ctx, rows, set) -> list of groups, in the golden thread's order: each node
-- that has rated KPIs under it, {id, level, level_title, title, depth, counts, status,
-- rows = the rows whose first in-scope parent is this node}.
function group_rows(ctx, rows, set)
  local fw = ctx.fw
  local by_parent, under = {}, {}
  for _, r in ipairs(rows) do
    local parent
    for _, p in ipairs(r.parents or (fw.kpis[r.kpi] or {}).parents or {}) do
      if fw.nodes[p] and (set == nil or set[p]) then parent = p; break end
    end
    if parent then
      by_parent[parent] = by_parent[parent] or {}
      table.insert(by_parent[parent], r)
      r.node = parent
      local seen, id = {}, parent
      while id and fw.nodes[id] and not seen[id] do
        seen[id] = true
        under[id] = under[id] or {}
        table.insert(under[id], r)
        id = (fw.nodes[id].parents or {})[1]
      end
    end
  end
  local out, done = {}, {}
  local function walk(id, depth)
    if done[id] or not under[id] then return end
    done[id] = true
    local n = fw.nodes[id]
    local counts = { total = #under[id] }
    for _, r in ipairs(under[id]) do counts[r.rag] = (counts[r.rag] or 0) + 1 end
    local lv = tostring(n.level or "")
    out[#out + 1] = { id = id, level = n.level, title = n.title or id, depth = depth,
                      level_title = (lv:gsub("_", " "):gsub("^%l", string.upper)),
                      counts = counts, status = rollup_status(ctx, counts),
                      rows = by_parent[id] or {} }
    for _, c in ipairs(n.children or {}) do walk(c, depth + 1) end
  end
  for _, id in ipairs(fw.roots or {}) do walk(id, 0) end
  for _, id in ipairs(fw.node_order or {}) do walk(id, 0) end
  return out
end

local MONTH, date_words = require("pmf.format").MONTHS, require("pmf.format").date_words
M.date_words = date_words

-- period_words(p) -> "Quarter 2 2025/26: July to September 2025", and the dates
-- "1 July 2025 to 30 September 2025".
function M.period_words(p)
  local label = tostring(p)
  local sd, ed = p:start_date(), p:end_date()
  local sy, sm = sd:match("^(%d+)%-(%d+)")
  local ey, em = ed:match("^(%d+)%-(%d+)")
  local span
  if sd:sub(1, 7) == ed:sub(1, 7) then span = MONTH[tonumber(sm)] .. " " .. sy
  elseif sy == ey then span = MONTH[tonumber(sm)] .. " to " .. MONTH[tonumber(em)] .. " " .. ey
  else span = MONTH[tonumber(sm)] .. " " .. sy .. " to " .. MONTH[tonumber(em)] .. " " .. ey end
  local fy, q = label:match("^(%d%d%d%d/%d%d) Q(%d)$")
  local fy2, h = label:match("^(%d%d%d%d/%d%d) H(%d)$")
  local words
  if q then words = "Quarter " .. q .. " " .. fy .. ": " .. span
  elseif h then words = "Half " .. h .. " " .. fy2 .. ": " .. span
  elseif label:match("^%d%d%d%d/%d%d$") then words = "Year " .. label .. ": " .. span
  else words = span end
  return words, date_words(sd) .. " to " .. date_words(ed)
end

-- The RAG key for this framework: its rule in words (tolerances, polarity, rounding).
local function rag_key(ctx, rows)
  local fw = ctx.fw
  local tols, pols, ids = {}, {}, {}
  for _, r in ipairs(rows or {}) do if r.kpi and fw.kpis[r.kpi] then ids[#ids + 1] = r.kpi end end
  if #ids == 0 then ids = fw.kpi_order or {} end
  for _, id in ipairs(ids) do
    local v = kver(fw, fw.kpis[id], ctx.period) or {}
    local t = v.tolerance or fw.kpis[id].tolerance
    if t ~= nil then tols[type(t) == "table" and (t.pct and (t.pct .. "%") or tostring(t.abs)) or tostring(t)] = true end
    pols[v.polarity or fw.kpis[id].polarity or "up"] = true
  end
  local tl = sorted_keys(tols)
  local tol = #tl == 0 and "no tolerance" or #tl == 1 and ("a tolerance of " .. tl[1])
              or ("each KPI's tolerance (" .. table.concat(tl, ", ") .. ")")
  local rounded = (fw.rate_on or "published") == "unrounded"
    and "Ratings use the unrounded figure."
    or "Ratings use the published (rounded) figure, as shown."
  return {
    { "green", "Green", "on target or better" },
    { "amber", "Amber", "worse than target, within " .. tol .. " of it (a percentage is of the target)" },
    { "red", "Red", "worse than target by more than the tolerance" },
    { "blue", "Blue", "beats the target by the KPI's stretch margin (where one is set)" },
    { "no_data", "No data", "no figure for the period" },
    { "data_only", "Data only", "no target: reported for information" },
    rule = "Better means higher for \"higher is better\" KPIs and lower for \"lower is better\" ones" ..
           (pols.band and "; a band KPI is on target inside its range" or "") .. ". " .. rounded,
    dot = "Direction of travel: ▲ better, ▼ worse, ► the same, against the previous period and the same period last year.",
  }
end

-- cover(ctx, rep): the cover block's facts.
local function cover(ctx, rep)
  local fw = ctx.fw
  local info = fw.council and ctx.store:area_info(fw.council)
  rep.council = fw.council
  rep.council_name = info and info.name or fw.council
  rep.period_words, rep.period_dates = M.period_words(ctx.period)
  rep.period_note = ctx.defaulted and "latest period with figures" or nil
  rep.framework_version = fw.version
  rep.version_id = (fw.version and ("v" .. tostring(fw.version) .. " · ") or "") ..
                   tostring(fw.hash or ""):sub(1, 8)
  rep.status = rep.status or "Draft"
  rep.rag_key = rag_key(ctx, rep.rows)
  rep.rollup_rule = (rep.groups or rep.rollup) and rollup_rule_text(ctx) or nil
  local used = {}
  local function scan(rows)
    for _, r in ipairs(rows or {}) do
      for m in tostring(r.flag_marks or ""):gmatch("%S+") do used[m] = true end
    end
  end
  scan(rep.rows)
  for _, sct in ipairs(rep.sections or {}) do scan(sct.rows) end
  local notes = {}
  for _, f in ipairs(FLAGS) do
    if used[f[2]] then notes[#notes + 1] = { mark = f[2], flag = f[1], text = f[3] } end
  end
  for _, r in ipairs(rep.rows or {}) do
    if r.carried_from then
      notes[#notes + 1] = { mark = "c", flag = "carried", text = r.kpi .. ": figure carried from " .. tostring(r.carried_from) }
    end
  end
  rep.footnotes = notes
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
  col("value", "Value", "value"), col("target", "Target", "target"),
  col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"),
  col("dot_year", "vs last year", "dot"), col("trend", "Trend", "spark"),
  col("rank", "Rank", "rank"), col("quartile", "Quartile", "number"), col("flags", "Notes", "flags"),
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
  present(ctx, rows)
  local crumb = ctx.args.node and type(ctx.args.node) ~= "table" and breadcrumb(ctx.fw, ctx.args.node)
  return {
    title = "Scorecard" .. (where and (": " .. where) or ""),
    subtitle = crumb or nil,
    columns = scorecard_columns, rows = rows, groups = group_rows(ctx, rows, set),
  }
end)

register("dashboard", "point-in-time dashboard for one priority (--node ID): headline counts, a tile per KPI",
function(ctx)
  local id = ctx.args.node
  if type(id) ~= "string" or not ctx.fw.nodes[id] then
    return nil, "unknown node '" .. tostring(id) .. "' in " .. ctx.fw.id
  end
  local set = nodes_under(ctx.fw, { id })
  local rows = rate(ctx, { kpis = kpis_under(ctx.fw, set) })
  for _, r in ipairs(rows) do
    r.trend = trend(ctx, r, 8)
    if r.display == "suppressed" then r.value = nil end
  end
  present(ctx, rows)
  local counts = { total = #rows }
  for _, r in ipairs(rows) do counts[r.rag] = (counts[r.rag] or 0) + 1 end
  local n = ctx.fw.nodes[id]
  return {
    title = "Dashboard: " .. (n.title or id),
    subtitle = breadcrumb(ctx.fw, id),
    layout = "tiles", headline = counts,
    headline_status = rollup_status(ctx, counts),
    columns = scorecard_columns, rows = rows,
  }
end, "node")

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
  present(ctx, rows)
  return {
    title = "Exceptions" .. (where and (": " .. where) or ""),
    groups = group_rows(ctx, rows, set),
    columns = {
      col("kpi", "KPI"), col("title", "Measure", "text", { wrap = 40 }), rated_col(),
      col("value", "Value", "value"), col("target", "Target", "target"),
      col("rag", "RAG", "rag"), col("dot_prev", "vs prev", "dot"), col("flags", "Notes", "flags"),
      col("owner", "Owner"), col("commentary", "Commentary", "commentary", { wrap = 60 }),
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
  -- the council's own rating says whether the group is big enough to rank (min_group)
  local own = fw.council and rate(ctx, { kpis = { id }, areas = { fw.council }, benchmark = true })[1]
  local note = own and own.benchmark_note or nil
  if bm.n < (fw.min_group or 1) and not note then note = "too few areas with figures to rank" end
  if note then
    for _, r in ipairs(rows) do r.rank, r.quartile = nil, nil end
  end
  table.sort(rows, function(a, b)
    if (a.rank ~= nil) ~= (b.rank ~= nil) then return a.rank ~= nil end
    if a.rank ~= b.rank then return (a.rank or 0) < (b.rank or 0) end
    if (a.value ~= nil) ~= (b.value ~= nil) then return a.value ~= nil end
    if a.value ~= b.value and a.value then
      return (polarity == "down") == (a.value < b.value)
    end
    return a.area < b.area
  end)
  -- quartile bands (the 25th and 75th percentiles, linear between the ordered values)
  local vs = {}
  for _, v in pairs(values) do vs[#vs + 1] = v end
  table.sort(vs)
  local function pct(q)
    if #vs == 0 then return nil end
    local h = (#vs - 1) * q + 1
    local lo = math.floor(h)
    local hi = math.min(lo + 1, #vs)
    return vs[lo] + (h - lo) * (vs[hi] - vs[lo])
  end
  -- England for the period the group was rated for (an annual KPI: the year)
  local rated = ratings[1] and ratings[1].period
  local eng = pmf.kpi.value(ctx.store, fw, id, "E92000001", rated or ctx.period)
  if eng then
    rows[#rows + 1] = { area = "E92000001", name = "England", value = eng,
                        display = pmf.kpi.display(eng, k.unit, k.decimals), comparator = true,
                        period = rated, requested_period = ratings[1] and ratings[1].requested_period }
  end
  local gtitle = group
  for _, g in ipairs(ctx.store:groups(group)) do if g.id == group then gtitle = g.title or group end end
  local own_row
  for _, r in ipairs(rows) do if r.highlight then own_row = r end end
  local function disp(v) return v and pmf.kpi.display(v, k.unit, k.decimals) or nil end
  local council_name = own_row and own_row.name or fw.council
  local stats = {
    group = group, group_title = gtitle, n = bm.n, members = #members,
    median = #vs > 0 and bm.median or nil, q1 = pct(0.25), q3 = pct(0.75),
    england = eng, council = fw.council, council_name = council_name,
    council_value = own_row and own_row.value, council_rank = own_row and own_row.rank,
    polarity = polarity, unit = k.unit, decimals = k.decimals, note = note,
  }
  stats.median_display, stats.q1_display, stats.q3_display = disp(stats.median), disp(stats.q1), disp(stats.q3)
  stats.england_display = disp(eng)
  local facts = {}
  if own_row then
    facts[#facts + 1] = council_name .. " (this council): " .. (own_row.display or "no data") ..
      (own_row.rank and (", ranked " .. own_row.rank .. " of " .. bm.n .. (polarity == "down" and " (1 = lowest)" or " (1 = highest)")) or "")
  end
  if stats.median then facts[#facts + 1] = "Group median: " .. stats.median_display ..
    "; middle half of the group (quartiles): " .. stats.q1_display .. " to " .. stats.q3_display end
  facts[#facts + 1] = "England: " .. (stats.england_display or "no figure")
  facts[#facts + 1] = "Areas with figures: " .. bm.n .. " of " .. #members
  if note then facts[#facts + 1] = "No ranks: " .. note end
  return {
    title = "Benchmark " .. id .. ": " .. (k.title or id),
    subtitle = "Comparator group: " .. gtitle .. " (n = " .. tostring(bm.n) .. ")",
    facts = facts, benchmark = stats, chart = { kind = "benchmark" },
    columns = { col("rank", "Rank", "rank1"), col("name", "Area", "area"), col("area", "Code"),
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
  if entry.needs == "node" and args.node == nil then
    return nil, "the " .. entry.name .. " report is about one node of the golden thread: give its id (node = ID, --node ID)"
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
  if args.rollup ~= nil then rep.params.rollup = type(args.rollup) == "string" and args.rollup or nil end
  cover(ctx, rep)
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
  local out
  local params = {}
  for k, v in pairs(rep.params) do params[k] = v end
  params.format = format
  local s = rep._ctx.args.store or pmf.store
  if s == nil or type((s:as_of())) == "string" then s = pmf.root_store end
  s = pmf.default_store(s)
  -- the publication's id is on the page (status "Published (publication N)"), so the row is
  -- recorded first and its output hash set once the report is rendered with it
  local id = s:transaction(function()
    local b = s:batch{ kind = "publish", by = opts.by, note = rep.name }
    s:exec([[INSERT INTO publication(framework, report, params, framework_hash, as_of, output_hash, batch)
             VALUES (?, ?, ?, ?, ?, ?, ?)]], rep.framework, rep.name, pmf.render.json_encode(params),
           rep.framework_hash or "", rep.as_of, "", b)
    local pid = s:query("SELECT max(id) AS id FROM publication")[1].id
    rep.status = "Published (publication " .. tostring(pid) .. ")"
    out = rep:render(format)
    s:exec("UPDATE publication SET output_hash = ? WHERE id = ?", M.hash(out), pid)
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
  rep.status = "Published (publication " .. tostring(pub.id) .. ")"
  return rep, format, pub
end

-- pmf.report.write_all(store, framework_id, period, dir [, args]) -> paths, reports: the
-- scorecard, exceptions and golden-thread reports (args.reports: other names, or
-- {name, {args}, file} triples) in every format (args.formats: a subset); pdf when
-- Chromium is installed, all the PDFs printed together.
function M.write_all(s, framework_id, period, dir, args)
  args = args or {}
  local paths, pdfs, reps = {}, {}, {}
  local wopts = { force = args.force }
  local formats = args.formats or pmf.render.formats
  for _, item in ipairs(args.reports or { "scorecard", "exceptions", "golden_thread" }) do
    local name, extra, file = item, {}, nil
    if type(item) == "table" then name, extra, file = item[1], item[2] or {}, item[3] end
    local a = { store = s, framework = framework_id, period = period }
    for k, v in pairs(args) do
      if k ~= "force" and k ~= "formats" and k ~= "reports" then a[k] = v end
    end
    for k, v in pairs(extra) do a[k] = v end
    local rep = assert(M.run(name, a))
    reps[#reps + 1] = rep
    for _, fmt in ipairs(formats) do
      local ok_fmt = (fmt ~= "xlsx" or pmf.render.has_xlsx()) and (fmt ~= "pdf" or pmf.render.chromium())
      if ok_fmt then
        local ext = fmt == "text" and "txt" or fmt
        local path = dir .. "/" .. (file or (framework_id .. "-" .. name)) .. "." .. ext
        if fmt == "pdf" then
          pdfs[#pdfs + 1] = { rep, path }
        else
          local ok, err = rep:write(path, fmt, wopts)
          if not ok then error(err, 2) end
        end
        paths[#paths + 1] = path
      end
    end
  end
  if #pdfs > 0 then
    local ok, err = pmf.render.write_pdfs(pdfs, wopts)
    if not ok then error(err, 2) end
  end
  return paths, reps
end

return M
