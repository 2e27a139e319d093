-- lua/pmf/returns/issue.lua: issuing the round's return workbooks (module
-- `pmf.returns.issue`): for each owner, a workbook asking for the council's figures they
-- supply (with four periods of history and the targets that use each) and commentary on
-- the KPIs they own, written through pmf.xlsx and recorded in the store as an issue,
-- identified by the hash of its locked cells.
local pmf = require "pmf"
local storelib = require "pmf.store"
local framework = require "pmf.framework"
local W = require "pmf.returns.workbook"
local round = require "pmf.returns.round"

local F, INPUT_FILL, NA_FILL = W.F, W.INPUT_FILL, W.NA_FILL
local book_of, hashes, locked_hash = W.book_of, W.hashes, W.locked_hash
local owner_label, resolve = round.owner_label, round.resolve

local M = {}

local date_words = require("pmf.format").date_words
M.date_words = date_words

local function period_words(p)
  return string.format("%s (%s to %s)", tostring(p), date_words(p:start_date()), date_words(p:end_date()))
end

-- metric -> the KPIs that use it, in declaration order (built once per framework table).
local users_cache = setmetatable({}, { __mode = "k" })
local function kpis_using(fw, metric)
  local idx = users_cache[fw]
  if not idx then
    idx = {}
    for _, id in ipairs(fw.kpi_order) do
      local seen = {}
      local function walk(f)
        if type(f) == "string" then
          if fw.metrics[f] and not seen[f] then
            seen[f] = true
            idx[f] = idx[f] or {}
            table.insert(idx[f], id)
          end
        elseif type(f) == "table" then
          for k, v in pairs(f) do if k ~= "fn" then walk(v) end end
        end
      end
      for _, v in ipairs(fw.kpis[id].versions) do walk(v.formula) end
    end
    users_cache[fw] = idx
  end
  return idx[metric] or {}
end

-- "KPI target" for a KPI with a numeric target in force for the period, else nil.
local function target_text(fw, kid, p)
  local kpi = fw.kpis[kid]
  local v = framework.kpi_version(kpi, p)
  local t = v and v.target and framework.target_value(v.target, p)
  if type(t) == "number" then return kid .. " " .. string.format("%.12g", t) end
  return nil
end

-- The Figures and Commentary rows of one owner's workbook (cells as pmf.xlsx takes them).
local function owner_sheets(s, fw, p, due)
  local area = fw.council
  local hist = {}
  local q = p
  for i = 4, 1, -1 do q = q:prev(); hist[i] = q end
  local frows, vals = {}, {}
  for r, mid in ipairs(due.metrics) do
    local m = fw.metrics[mid] or s:metric_info(mid) or { title = mid }
    local row = { mid, m.title or mid, m.definition or "", m.unit or "" }
    local lo, hi = 0, m.unit == "%" and 100 or 1e12
    for i = 1, 4 do
      local v = s:metric_id(mid) and s:get(mid, area, hist[i]) or nil
      row[F.hist + i - 1] = v
      if v and v < 0 then lo = -1e12 end
    end
    local targets = {}
    for _, kid in ipairs(kpis_using(fw, mid)) do targets[#targets + 1] = target_text(fw, kid, p) end
    row[F.target] = table.concat(targets, "; ")
    local ratio = m.aggregation == "ratio"
    row[F.value] = { value = nil, unlocked = true, fill = INPUT_FILL }
    row[F.numerator] = ratio and { value = nil, unlocked = true, fill = INPUT_FILL } or { value = "n/a", fill = NA_FILL }
    row[F.denominator] = ratio and { value = nil, unlocked = true, fill = INPUT_FILL } or { value = "n/a", fill = NA_FILL }
    row[F.flag] = { value = nil, unlocked = true, fill = INPUT_FILL }
    frows[r] = row
    vals[r] = { lo = lo, hi = hi, ratio = ratio }
  end
  local crows = {}
  local rule = {}
  for _, st in ipairs({ "red", "amber", "green", "blue" }) do
    if fw.commentary_statuses[st] then rule[#rule + 1] = st end
  end
  for r, kid in ipairs(due.kpis) do
    local k = fw.kpis[kid]
    crows[r] = { kid, k.title or kid, target_text(fw, kid, p) or "",
                 "required if rated " .. table.concat(rule, " or "),
                 { value = nil, unlocked = true, fill = INPUT_FILL } }
  end
  local heads = { "Metric", "Measure", "Definition", "Unit" }
  for i = 1, 4 do heads[#heads + 1] = tostring(hist[i]) end
  for _, h in ipairs({ "Target", "Value", "Numerator", "Denominator", "Flag" }) do heads[#heads + 1] = h end
  return frows, crows, heads, vals
end

local function safe_name(id) return (id:gsub("[^%w_%-]", "_")) end

-- returns.generate(store, t): see the header.
function M.generate(s, t)
  local fw, p = resolve(s, t.framework, t.period)
  if not fw then return nil, p end
  if not fw.council then return nil, "framework '" .. fw.id .. "' has no council area (council = ...)" end
  local due, order = round.due(fw)
  if #order == 0 then
    return nil, "framework '" .. fw.id .. "' declares no owners (owner \"id\" { name =, supplies = {...} })"
  end
  local dir = t.dir or "returns"
  if not (pmf.file.stat and pmf.file.stat(dir)) then
    os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'")
  end
  local deadline, wd = round.deadline(fw, p)
  local info = s:area_info(fw.council)
  local council = info and info.name and (info.name .. " (" .. fw.council .. ")") or fw.council
  local out, pending = {}, {}
  for _, oid in ipairs(order) do
    local d = due[oid]
    if #d.metrics > 0 or #d.kpis > 0 then
      local frows, crows, heads, vals = owner_sheets(s, fw, p, d)
      local fh, ch = hashes(frows, crows)
      local lh = locked_hash(heads, fh, ch)
      local id = framework.sha256(table.concat({ fw.id, fw.hash or "", tostring(p), oid, lh }, "\31")):sub(1, 20)
      local o = d.owner
      local cover = {
        { "Council", council }, { "Framework", fw.title or fw.id }, { "Period", period_words(p) },
        { "For", owner_label(o) .. (o.team and (", " .. o.team) or "") },
        { "Email", o.email or "" },
        { "Return by", deadline and (date_words(deadline) .. " (" .. wd .. " working days after the period ends)")
                        or "as soon as the figures are known" },
        { "Figures due", tostring(#frows) }, { "Commentary", tostring(#crows) .. " KPIs" },
        { "How to fill it in", "On the Figures sheet, enter each figure in the yellow Value cell " ..
          "(and Numerator and Denominator where they are yellow); mark a figure provisional or " ..
          "estimated in Flag when it is one. Leave a figure empty when you do not have it yet. " ..
          "On the Commentary sheet, write what happened and what is being done for each KPI that " ..
          "will be red or amber. Change nothing else: the workbook is checked when it comes back." },
        { "Workbook", id },
      }
      local meta = { { "kind", "pmf-return" }, { "format", W.FORMAT }, { "framework", fw.id },
                     { "framework_hash", fw.hash or "" }, { "period", tostring(p) },
                     { "owner", oid }, { "workbook", id }, { "locked_hash", lh } }
      for r, h in ipairs(fh) do meta[#meta + 1] = { "figures_row_" .. r, h } end
      for r, h in ipairs(ch) do meta[#meta + 1] = { "commentary_row_" .. r, h } end
      local book = book_of({ title = fw.id .. " " .. tostring(p) .. " return: " .. oid,
                             cover_title = (fw.title or fw.id) .. ": " .. tostring(p), cover = cover,
                             heads = heads, frows = frows, crows = crows, vals = vals, meta = meta })
      local label = tostring(p):gsub("[^%w]+", "-")
      local path = dir .. "/" .. safe_name(fw.id) .. "_" .. label .. "_" .. safe_name(oid) .. ".xlsx"
      local ok, err = pmf.xlsx.write(path, book)
      if not ok then return nil, err end
      pending[#pending + 1] = { id = id, framework = fw.id, start = p.start, len = p.len, owner = oid,
                                framework_hash = fw.hash or "", locked_hash = lh, figures = #frows }
      out[#out + 1] = { owner = oid, path = path, id = id, figures = #frows, kpis = #crows }
    end
  end
  s:transaction(function()
    local b = s:batch{ kind = "returns", by = t.by, at = t.at,
                       note = "returns issued: " .. fw.id .. " " .. tostring(p) }
    for _, i in ipairs(pending) do storelib.write_issue(s, b, i) end
    storelib.audit(s, b, "returns", string.format("%s %s: %d workbooks issued", fw.id, tostring(p), #pending))
  end)
  return out
end

return M
