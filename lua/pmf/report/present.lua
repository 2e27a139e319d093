-- lua/pmf/report/present.lua: what a councillor reads around the figures (module
-- `pmf.report.present`): the flags' marks and footnotes, the roll-up of a heading's status
-- from the KPIs under it, the golden thread's groups of rows, the period and dates in
-- words, the RAG key, and the cover block.
--
-- Design decisions:
-- - Presentation is data too: every report carries its cover facts (council_name,
--   period_words, period_dates, status, version_id, framework_hash), the RAG key of this
--   framework (rag_key), the notes for the flags shown (footnotes), and, for the scorecard
--   and exceptions, `groups`: the golden thread's nodes with the rows under each and a
--   roll-up by the framework's rule (worst unless `rollup = "majority"`, or a function
--   given to run()).  Renderers only lay these out.
-- - Rows are grouped in the framework's declaration order (roots, then node_order).
local pmf = require "pmf"
local shared = require "pmf.report.shared"

local sorted_keys, kver = shared.sorted_keys, shared.kver

local P = {}

-- Flags a row can carry, in footnote order: {flag, mark, meaning}.
local FLAGS = {
  { "provisional", "p", "provisional: may be revised" },
  { "revised", "r", "revised by the publisher" },
  { "estimated", "e", "estimated" },
  { "late", "L", "late: arrived after the data-entry deadline" },
  { "carried", "c", "carried forward from an earlier period (shown)" },
  { "suppressed", "s", "suppressed: a small number withheld" },
}
P.FLAGS = FLAGS

-- present(ctx, rows): sets the fields the renderers show beside a rating row: the target as
-- published (with its unit), the flags as marks (carried and suppressed included).
function P.present(ctx, rows)
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
P.rollup_rules = RULES

local function rollup_status(ctx, counts)
  local rule = ctx.args.rollup or ctx.fw.rollup or "worst"
  if type(rule) == "function" then return rule(counts) end
  return (RULES[rule] or RULES.worst)(counts)
end
P.rollup_status = rollup_status

local function rollup_rule_text(ctx)
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
function P.group_rows(ctx, rows, set)
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
P.date_words = date_words

-- period_words(p) -> "Quarter 2 2025/26: July to September 2025", and the dates
-- "1 July 2025 to 30 September 2025".
function P.period_words(p)
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
function P.cover(ctx, rep)
  local fw = ctx.fw
  local info = fw.council and ctx.store:area_info(fw.council)
  rep.council = fw.council
  rep.council_name = info and info.name or fw.council
  rep.period_words, rep.period_dates = P.period_words(ctx.period)
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

return P
