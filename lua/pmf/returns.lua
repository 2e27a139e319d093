-- lua/pmf/returns.lua: the quarterly round's return workbooks (module `pmf.returns`): one
-- XLSX workbook per owner asking for the figures they supply and the commentary on the KPIs
-- they own, and taking it back.
--
--   returns.generate(store, {framework=, period=, dir=, by=, at=, owners=}) -> {{owner=,
--       path=, id=, figures=, kpis=}, ...} | nil, message
--   returns.is_return(path) -> true when the workbook's hidden sheet marks it as a return
--   returns.import(store, path, {by=, at=, dry_run=}) -> {owner=, id=, figures=, new=,
--       revised=, unchanged=, comments=, changed=} | nil, message, errors
--   returns.fill(path, out, {values = {metric = number | {value=, numerator=, denominator=,
--       flag=}}, commentary = {kpi = text}, cells = {{sheet=, row=, col=, value=}}})
--       -> out | nil, message: a filled copy, as an owner's spreadsheet program would save it
--       (for scripts and tests; cells overwrites any cell, locked ones too)
--   returns.round(store, fw, period) -> the chase report's data (pmf.report.returns): per owner, the
--       figures and commentary due, received and missing, the issue and the receipt
--
-- Design decisions:
-- - A workbook is plain data written through pmf.xlsx in one call: sheets Cover, Figures,
--   Commentary and a hidden sheet "pmf" (framework, its hash, period, owner, the workbook's
--   id, per-row hashes).  Input cells are unlocked; the sheets are protected; value,
--   numerator and denominator cells accept numbers in a plausible range only, the flag cell
--   a list.  Data validation is a courtesy to the person filling it in: import checks all
--   of it again, since a spreadsheet program can be made to ignore it.
-- - The workbook's identity is the hash of its locked cells (canonical text: numbers to 12
--   significant digits, so the number libxlsxwriter writes and the one read back agree)
--   with framework, framework hash, period and owner; the store records each issue
--   (return_issue).  Issuing the same workbook twice is one issue; a workbook whose locked
--   cells changed since (a new target, a revised history) is a new issue, and the old one
--   is stale.  The store's record, not the hidden sheet, decides: a hidden sheet edited to
--   another period or framework no longer matches its issue.
-- - Import is all or nothing per workbook, every problem named by sheet, cell and field;
--   figures go in through store:observe and commentary through the commentary table, in one
--   transaction and one batch (kind "returns": who and when), with a receipt fingerprinted by
--   the answers it gave.  A figure equal to the one stored is "unchanged"; a workbook whose
--   answers were taken back already and that changes nothing writes nothing.
-- - Figures due are the council area's (framework council) figures for the period, one per
--   metric the owner supplies (owner "id" { supplies = {...} }); commentary is asked for each
--   KPI the owner owns and needed for those the framework's rule rates red or amber.
local pmf = require "pmf"
local storelib = require "pmf.store"
local framework = require "pmf.framework"

local M = {}

M.FORMAT = "1"               -- the hidden sheet's layout version
local META = "pmf"           -- the hidden sheet
local FIG, COM = "Figures", "Commentary"
-- Figures columns (1-based); the inputs are VALUE..FLAG.
local F = { metric = 1, title = 2, definition = 3, unit = 4, hist = 5, target = 9,
            value = 10, numerator = 11, denominator = 12, flag = 13 }
local FIG_COLS = 13
local C = { kpi = 1, title = 2, target = 3, rule = 4, text = 5 }
local COM_COLS = 5
local INPUT_FILL = "#FFF2CC"
local NA_FILL = "#EDEDED"

local function colname(c)
  local s = ""
  while c > 0 do
    local r = (c - 1) % 26
    s = string.char(65 + r) .. s
    c = (c - 1) // 26
  end
  return s
end
local function cell(col, row) return colname(col) .. tostring(row) end

-- The canonical text of a locked cell (see the design decisions).
local function canon(v)
  if v == nil then return "" end
  if type(v) == "table" then v = v.value end
  if v == nil then return "" end
  local n = tonumber(v)
  if n and type(v) == "number" or (n and tostring(v):match("^%s*[-+]?[%d.]+[eE]?[-+]?%d*%s*$")) then
    return string.format("%.12g", n)
  end
  return tostring(v)
end

local function row_hash(cells, ncols, inputs)
  local parts = {}
  for c = 1, ncols do
    if not inputs[c] then parts[#parts + 1] = canon(cells[c]) end
  end
  return framework.sha256(table.concat(parts, "\31")):sub(1, 16)
end

local FIG_INPUTS = { [F.value] = true, [F.numerator] = true, [F.denominator] = true, [F.flag] = true }
local COM_INPUTS = { [C.text] = true }

local months = { "January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December" }
local function date_words(d)
  local y, m, dd = d:match("^(%d+)-(%d+)-(%d+)")
  return string.format("%d %s %s", tonumber(dd), months[tonumber(m)], y)
end
M.date_words = date_words

local function period_words(p)
  return string.format("%s (%s to %s)", tostring(p), date_words(p:start_date()), date_words(p:end_date()))
end

local function owner_label(o)
  if not o then return "(no owner)" end
  local who = o.name or o.role or o.id
  if o.name and o.role then who = o.name .. ", " .. o.role end
  return who
end
M.owner_label = owner_label

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

local function target_text(fw, kid, p)
  local kpi = fw.kpis[kid]
  local v = framework.kpi_version(kpi, p)
  local t = v and v.target and framework.target_value(v.target, p)
  if type(t) == "number" then return kid .. " " .. string.format("%.12g", t) end
  return nil
end

-- The deadline date for data entry (framework deadline "data_entry"), or nil.
function M.deadline(fw, p)
  local dl = fw.deadlines and fw.deadlines.data_entry
  return dl and p:deadline(dl.working_days) or nil, dl and dl.working_days
end

-- What is due from each owner: owner id -> {owner=, metrics = {ids}, kpis = {ids}}, in the
-- framework's declaration order; `order` lists owner ids.
function M.due(fw)
  local due, order = {}, {}
  for _, id in ipairs(fw.owner_order or {}) do
    due[id] = { owner = fw.owners[id], metrics = {}, kpis = {} }
    order[#order + 1] = id
  end
  local metric_ids = {}
  for _, id in ipairs(fw.owner_order or {}) do
    for _, m in ipairs(fw.owners[id].supplies) do metric_ids[#metric_ids + 1] = { m, id } end
  end
  for _, mi in ipairs(metric_ids) do table.insert(due[mi[2]].metrics, mi[1]) end
  for _, kid in ipairs(fw.kpi_order) do
    local o = fw.kpis[kid].owner_id
    if o and due[o] then table.insert(due[o].kpis, kid) end
  end
  return due, order
end

local function resolve(s, fw, p)
  if type(fw) ~= "table" then
    local f, err = framework.get(s, fw)
    if not f then return nil, err or ("unknown framework '" .. tostring(fw) .. "'") end
    fw = f
  end
  if type(p) ~= "userdata" then
    local q, err = pmf.period.parse(tostring(p), fw.year_start)
    if not q then return nil, err end
    p = q
  end
  return fw, p
end
M.resolve = resolve

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

local FIG_WIDTHS = { 30, 36, 50, 10, 11, 11, 11, 11, 16, 14, 14, 14, 14 }

-- The book (pmf.xlsx) of one workbook from its parts; meta is a list of {key, value}.
local function book_of(parts)
  local fcols, ccols = {}, {}
  for i, h in ipairs(parts.heads) do fcols[i] = { title = h, width = FIG_WIDTHS[i] } end
  for i, h in ipairs({ "KPI", "Measure", "Target", "Commentary rule", "Commentary" }) do
    ccols[i] = { title = h, width = ({ 10, 40, 14, 28, 70 })[i] }
  end
  local validations = {}
  local n = #parts.frows
  for r = 1, n do
    local v = parts.vals[r]
    if v then
      local msg = string.format("A number from %.12g to %.12g", v.lo, v.hi)
      validations[#validations + 1] = { row = r, col = F.value, type = "decimal", min = v.lo, max = v.hi, message = msg }
      if v.ratio then
        validations[#validations + 1] = { row = r, col = F.numerator, last_col = F.denominator,
                                          type = "decimal", min = v.lo, max = v.hi, message = msg }
      end
    end
  end
  if n > 0 then
    validations[#validations + 1] = { row = 1, last_row = n, col = F.flag, type = "list",
                                      list = { "provisional", "estimated" },
                                      message = "Leave empty, or provisional or estimated" }
  end
  local mrows = {}
  for i, kv in ipairs(parts.meta) do mrows[i] = { kv[1], kv[2] } end
  return {
    title = parts.title,
    sheets = {
      { name = "Cover", columns = { { title = "Return", width = 24 }, { title = parts.cover_title, width = 90 } },
        rows = parts.cover, protect = true },
      { name = FIG, columns = fcols, rows = parts.frows, protect = true, validations = validations,
        freeze = { 1, 2 } },
      { name = COM, columns = ccols, rows = parts.crows, protect = true },
      { name = META, columns = { { title = "key", width = 20 }, { title = "value", width = 70 } },
        rows = mrows, hidden = true, protect = true },
    },
  }
end

local function hashes(frows, crows)
  local fh, ch = {}, {}
  for r, row in ipairs(frows) do fh[r] = row_hash(row, FIG_COLS, FIG_INPUTS) end
  for r, row in ipairs(crows) do ch[r] = row_hash(row, COM_COLS, COM_INPUTS) end
  return fh, ch
end

local function locked_hash(heads, fh, ch)
  return framework.sha256(table.concat(heads, "\31") .. "\30" .. table.concat(fh, ",") .. "\30" ..
                          table.concat(ch, ","))
end

local function safe_name(id) return (id:gsub("[^%w_%-]", "_")) end

-- returns.generate(store, t): see the header.
function M.generate(s, t)
  local fw, p = resolve(s, t.framework, t.period)
  if not fw then return nil, p end
  if not fw.council then return nil, "framework '" .. fw.id .. "' has no council area (council = ...)" end
  local due, order = M.due(fw)
  if #order == 0 then
    return nil, "framework '" .. fw.id .. "' declares no owners (owner \"id\" { name =, supplies = {...} })"
  end
  local dir = t.dir or "returns"
  if not (pmf.file.stat and pmf.file.stat(dir)) then
    os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'")
  end
  local deadline, wd = M.deadline(fw, p)
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
      local meta = { { "kind", "pmf-return" }, { "format", M.FORMAT }, { "framework", fw.id },
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

-- ---- reading a workbook back -------------------------------------------------------------

local function read_sheet(path, sheet)
  local rows = {}
  local n, err = pmf.xlsxread.read(path, { sheet = sheet }, function(row, rownum)
    rows[rownum] = row
  end)
  if not n then return nil, err end
  return rows
end

-- The hidden sheet's key -> {value, row}, or nil when the workbook is not a return.
local function read_meta(path)
  local names = pmf.xlsxread.sheets(path)
  if not names then return nil end
  local found = false
  for _, n in ipairs(names) do if n == META then found = true end end
  if not found then return nil end
  local rows = read_sheet(path, META)
  if not rows then return nil end
  local meta = {}
  for r, row in pairs(rows) do
    if r > 1 and row[1] then meta[row[1]] = { value = row[2] or "", row = r } end
  end
  if not meta.kind or meta.kind.value ~= "pmf-return" then return nil end
  return meta
end

function M.is_return(path)
  if type(path) ~= "string" or not path:lower():match("%.xlsx$") then return false end
  local ok, meta = pcall(read_meta, path)
  return ok and meta ~= nil
end

local function blank(v) return v == nil or v:match("^%s*$") ~= nil end

-- returns.import(store, path, opts): see the header.
function M.import(s, path, opts)
  opts = opts or {}
  local names, rerr = pmf.xlsxread.sheets(path)
  if not names then return nil, path .. ": not a readable workbook (" .. tostring(rerr) .. ")" end
  local okm, meta = pcall(read_meta, path)
  if not okm or not meta then return nil, path .. ": not a pmf return workbook (no hidden sheet '" .. META .. "')" end
  local function mv(k) return meta[k] and meta[k].value end
  local id = mv("workbook") or ""
  local errs = {}
  local function bad(sheet, c, field, msg)
    errs[#errs + 1] = string.format("%s: sheet '%s' cell %s (%s): %s", path, sheet, c, field, msg)
  end
  if mv("format") ~= M.FORMAT then
    return nil, string.format("%s: return format '%s' is not one this pmf reads (%s)", path, tostring(mv("format")), M.FORMAT)
  end
  local issue = storelib.issue(s, id)
  if not issue then
    return nil, string.format("%s: workbook '%s' (framework '%s', %s) was not issued by this store: " ..
                              "a return from another store or framework is not taken", path, id,
                              tostring(mv("framework")), tostring(mv("period")))
  end
  local p = pmf.period.span(issue.start, issue.len)
  for _, k in ipairs({ "framework", "period", "owner" }) do
    local want = k == "period" and tostring(p) or issue[k]
    if mv(k) ~= want then
      bad(META, cell(2, meta[k] and meta[k].row or 0), k,
          string.format("'%s' is not the %s this workbook was issued for (%s)", tostring(mv(k)), k, want))
    end
  end
  if #errs > 0 then return nil, errs[1], errs end
  local fw, ferr = resolve(s, issue.framework, p)
  if not fw then return nil, path .. ": " .. tostring(ferr) end
  p = ferr
  if (fw.hash or "") ~= issue.framework_hash then
    return nil, string.format("%s: stale workbook: issued %s for an earlier version of framework '%s'; " ..
                              "issue the returns again (pmf returns) and fill in the new one", path,
                              issue.issued_at, fw.id)
  end
  local latest = storelib.latest_issues(s, issue.framework, issue.start, issue.len)[issue.owner]
  if latest and latest.id ~= issue.id then
    return nil, string.format("%s: stale workbook: %s was replaced by workbook %s issued %s; fill in that one",
                              path, id, latest.id, latest.issued_at)
  end
  if s:is_signed_off(fw.id, p) then
    return nil, string.format("%s: %s %s is signed off: a return for it is refused (pmf reopen %s \"%s\" --reason ...)",
                              path, fw.id, tostring(p), fw.id, tostring(p))
  end
  local frows_raw, e1 = read_sheet(path, FIG)
  local crows_raw, e2 = read_sheet(path, COM)
  if not frows_raw or not crows_raw then return nil, path .. ": " .. tostring(e1 or e2) end
  -- locked cells: as issued?
  local heads = frows_raw[1] or {}
  local hlist = {}
  for c = 1, FIG_COLS do hlist[c] = heads[c] or "" end
  local function rows_of(raw, ncols)
    local out, last = {}, 1
    for r in pairs(raw) do if r > last then last = r end end
    for r = 2, last do
      local row = raw[r] or {}
      local t = {}
      for c = 1, ncols do t[c] = row[c] or "" end
      out[#out + 1] = t
    end
    return out
  end
  local frows, crows = rows_of(frows_raw, FIG_COLS), rows_of(crows_raw, COM_COLS)
  local fh, ch = hashes(frows, crows)
  if locked_hash(hlist, fh, ch) ~= issue.locked_hash then
    local n = #errs
    local function locked(sheet, row, what)
      errs[#errs + 1] = string.format("%s: sheet '%s' row %d (%s): a locked cell was changed (only " ..
                                      "the yellow cells may be filled in)", path, sheet, row, what)
    end
    for r, h in ipairs(fh) do
      if not mv("figures_row_" .. r) or mv("figures_row_" .. r) ~= h then
        locked(FIG, r + 1, frows[r][F.metric])
      end
    end
    for r, h in ipairs(ch) do
      if not mv("commentary_row_" .. r) or mv("commentary_row_" .. r) ~= h then
        locked(COM, r + 1, crows[r][C.kpi])
      end
    end
    if #errs == n then
      errs[#errs + 1] = path .. ": the workbook's locked cells differ from what was issued (rows added, " ..
                        "removed or moved, or a heading changed)"
    end
    return nil, errs[1], errs
  end
  -- inputs
  local figures, comments = {}, {}
  for r, row in ipairs(frows) do
    local rr = r + 1
    local mid = row[F.metric]
    local m = fw.metrics[mid] or s:metric_info(mid) or {}
    local lo, hi = 0, m.unit == "%" and 100 or 1e12
    for i = 0, 3 do local v = tonumber(row[F.hist + i]); if v and v < 0 then lo = -1e12 end end
    local rec = { metric = mid }
    for _, f in ipairs({ "value", "numerator", "denominator" }) do
      local col = F[f]
      local text = row[col]
      if m.aggregation ~= "ratio" and f ~= "value" then text = "" end
      if not blank(text) then
        local v = tonumber(text)
        if not v or v ~= v or v == math.huge or v == -math.huge then
          bad(FIG, cell(col, rr), f, string.format("'%s' is not a number (metric %s)", text, mid))
        elseif v < lo or v > hi then
          bad(FIG, cell(col, rr), f, string.format("%.12g is outside %.12g to %.12g (metric %s)", v, lo, hi, mid))
        else
          rec[f] = v
        end
      end
    end
    local flag = row[F.flag]
    if not blank(flag) then
      local fl = flag:lower():match("^%s*(.-)%s*$")
      if fl ~= "provisional" and fl ~= "estimated" then
        bad(FIG, cell(F.flag, rr), "flag", string.format("'%s' is not provisional or estimated", flag))
      else
        rec.flags = fl
      end
    end
    if rec.value == nil and (rec.numerator or rec.denominator or rec.flags) then
      bad(FIG, cell(F.value, rr), "value", "empty, but the row has " ..
          (rec.flags and "a flag" or "a numerator or denominator") .. " (metric " .. mid .. ")")
    elseif (rec.numerator == nil) ~= (rec.denominator == nil) then
      bad(FIG, cell(rec.numerator and F.denominator or F.numerator, rr),
          rec.numerator and "denominator" or "numerator", "give both numerator and denominator, or neither")
    elseif rec.value ~= nil then
      figures[#figures + 1] = rec
    end
  end
  for r, row in ipairs(crows) do
    local text = row[C.text]
    if not blank(text) then comments[#comments + 1] = { kpi = row[C.kpi], text = text:match("^%s*(.-)%s*$") } end
  end
  if #errs > 0 then return nil, errs[1], errs end
  local res = { owner = issue.owner, id = id, framework = fw.id, period = tostring(p), figures = #figures,
                new = 0, revised = 0, unchanged = 0, comments = 0, changed = false }
  -- what was returned (the inputs), the receipt's fingerprint: cheaper than the file's bytes,
  -- and the same for the same answers saved twice
  local given = {}
  for _, f in ipairs(figures) do
    given[#given + 1] = table.concat({ f.metric, canon(f.value), canon(f.numerator), canon(f.denominator), f.flags or "" }, "\31")
  end
  for _, c in ipairs(comments) do given[#given + 1] = c.kpi .. "\31" .. c.text end
  local fh_file = framework.sha256(table.concat(given, "\30"))
  local function summary()
    return string.format("%s: return from %s for %s %s: %d figures: %d new, %d revised, %d unchanged; " ..
                         "%d commentary changed%s", path, issue.owner, fw.id, tostring(p), res.figures,
                         res.new, res.revised, res.unchanged, res.comments,
                         opts.dry_run and " (dry run)" or res.changed and "" or " (already taken back: nothing changed)")
  end
  if opts.dry_run then res.summary = summary() return res end
  local o = fw.owners[issue.owner]
  local author = o and owner_label(o) or issue.owner
  local area = fw.council
  local okw, werr = pcall(s.transaction, s, function()
    local b
    local function batch()
      b = b or s:batch{ kind = "returns", by = opts.by, at = opts.at, source = path,
                        note = "return from " .. author .. " (workbook " .. id .. ")" }
      return b
    end
    for _, f in ipairs(figures) do
      local v, row = s:get(f.metric, area, p)
      local flags = f.flags and { f.flags } or {}
      if v ~= nil and v == f.value and row.numerator == f.numerator and
         row.denominator == f.denominator and table.concat(row.flags, "|") == table.concat(flags, "|") then
        res.unchanged = res.unchanged + 1
      else
        local r = s:observe{ metric = f.metric, area = area, period = p, value = f.value,
                            numerator = f.numerator, denominator = f.denominator, flags = f.flags,
                            source = "return " .. id, batch = batch() }
        res[r] = res[r] + 1
      end
    end
    for _, c in ipairs(comments) do
      local now = storelib.current_comment(s, fw.id, c.kpi, nil, p.start, p.len)
      if not now or now.text ~= c.text then
        storelib.write_comment(s, batch(), fw.id, c.kpi, nil, p.start, p.len, c.text, author)
        res.comments = res.comments + 1
      end
    end
    res.changed = b ~= nil or res.new + res.revised > 0
    if b or not storelib.receipt_exists(s, id, fh_file) then
      storelib.write_receipt(s, batch(), id, fh_file, #figures, #comments)
      storelib.audit(s, b, "returns", string.format("%s %s: return from %s (workbook %s): %d figures " ..
                     "(%d new, %d revised), %d commentary", fw.id, tostring(p), issue.owner, id,
                     #figures, res.new, res.revised, res.comments))
      res.changed = true
    end
  end)
  if not okw then return nil, path .. ": " .. tostring(werr) end
  res.summary = summary()
  return res
end

-- ---- the round: what is due, received, missing and late --------------------------------

-- Working days from date a to date b (positive when b is later; 0 on the same day).
local function working_days_between(a, b)
  if a == b then return 0 end
  local sign, from, to = 1, a, b
  if b < a then sign, from, to = -1, b, a end
  local n, d = 0, from
  while true do
    d = pmf.period.add_working_days(d, 1)
    if d > to then break end
    n = n + 1
  end
  return sign * n
end
M.working_days_between = working_days_between

-- returns.round(store, fw, period, today) -> {deadline=, owners = {...}, items = {...},
-- blockers = {...}, missing = {messages}, issued = bool}; fw a framework table, period a
-- Period, today "YYYY-MM-DD".  An item is a figure or a commentary due from an owner.
function M.round(s, fw, p, today)
  local due, order = M.due(fw)
  local deadline = M.deadline(fw, p)
  local issues = storelib.latest_issues(s, fw.id, p.start, p.len)
  local receipts = storelib.receipts(s, fw.id, p.start, p.len)
  local exc = {}
  for _, r in ipairs(pmf.kpi.exceptions{ store = s, framework = fw, period = p }) do
    if r.area == nil or r.area == fw.council then exc[r.kpi] = r end
  end
  local wd = deadline and working_days_between(today, deadline)
  local late = deadline and today > deadline
  local res = { deadline = deadline, owners = {}, items = {}, blockers = {}, missing = {},
                issued = next(issues) ~= nil, today = today }
  for _, oid in ipairs(order) do
    local d, o = due[oid], fw.owners[oid]
    local row = { owner = oid, who = owner_label(o), team = o.team, email = o.email,
                  figures_due = #d.metrics, figures_in = 0, comments_due = 0, comments_in = 0,
                  issued = issues[oid] and issues[oid].issued_at:sub(1, 10) or nil,
                  received = receipts[oid] and receipts[oid].received_at:sub(1, 10) or nil }
    local missing = {}
    for _, mid in ipairs(d.metrics) do
      local v = s:metric_id(mid) and fw.council and s:get(mid, fw.council, p)
      local item = { owner = oid, kind = "figure", item = mid, status = v and "received" or (late and "late" or "missing") }
      if v then row.figures_in = row.figures_in + 1 else missing[#missing + 1] = mid end
      res.items[#res.items + 1] = item
    end
    for _, kid in ipairs(d.kpis) do
      local e = exc[kid]
      if e then
        row.comments_due = row.comments_due + 1
        local has = e.commentary ~= nil and e.commentary ~= ""
        if has then row.comments_in = row.comments_in + 1 else missing[#missing + 1] = kid .. " commentary" end
        res.items[#res.items + 1] = { owner = oid, kind = "commentary (" .. tostring(e.rag) .. ")", item = kid,
                                      status = has and "received" or (late and "late" or "missing") }
      end
    end
    if row.figures_due + row.comments_due > 0 or issues[oid] then
      local complete = #missing == 0
      row.status = complete and "complete" or late and "late" or "outstanding"
      row.missing = table.concat(missing, ", ")
      if deadline then
        row.working_days = complete and nil or wd
        row.deadline_note = complete and "" or
          (wd >= 0 and (wd .. " working days to the deadline") or ((-wd) .. " working days past the deadline"))
      end
      res.owners[#res.owners + 1] = row
      for _, mid in ipairs(missing) do
        if not mid:match(" commentary$") then
          res.missing[#res.missing + 1] = string.format("%s (%s): %s", oid, row.who, mid)
        end
      end
    end
  end
  for _, kid in ipairs(fw.kpi_order) do
    local e = exc[kid]
    if e and e.commentary_required and (e.commentary == nil or e.commentary == "") then
      res.blockers[#res.blockers + 1] = string.format("%s (%s) is %s and has no commentary (owner: %s)",
                                                      kid, e.title or "", e.rag, e.owner or "none")
    end
  end
  for _, m in ipairs(res.missing) do res.blockers[#res.blockers + 1] = "figure missing: " .. m end
  if not s:is_signed_off(fw.id, p) then
    res.blockers[#res.blockers + 1] = string.format("%s %s is not signed off", fw.id, tostring(p))
  end
  return res
end

-- returns.missing(store, framework id, period label) -> the figures still missing from
-- owners who were issued returns for the period (empty when none were issued): sign-off
-- refuses while there are any, unless told why.
function M.missing(s, fw, p)
  local f, q = resolve(s, fw, p)
  if not f then return {} end
  if not next(storelib.latest_issues(s, f.id, q.start, q.len)) then return {} end
  return M.round(s, f, q, pmf.period.today()).missing
end

-- ---- filling one in (scripts and tests) --------------------------------------------------

-- returns.fill(path, out, t): see the header.  The workbook is read back and written again
-- with the values in the input cells, its protection, validation and hidden sheet kept.
function M.fill(path, out, t)
  t = t or {}
  local meta_rows, err = read_sheet(path, META)
  if not meta_rows then return nil, err end
  local sheets = {}
  for _, name in ipairs({ "Cover", FIG, COM, META }) do
    local rows, e = read_sheet(path, name)
    if not rows then return nil, e end
    sheets[name] = rows
  end
  -- numbers where the generator wrote numbers (the history and the inputs), text elsewhere
  local function rows_of(raw, ncols, numeric)
    local out_rows, last = {}, 1
    for r in pairs(raw) do if r > last then last = r end end
    for r = 2, last do
      local row, cells = raw[r] or {}, {}
      for c = 1, ncols do
        local v = row[c]
        if v == "" then v = nil end
        cells[c] = numeric and numeric(c) and tonumber(v) or v
      end
      out_rows[#out_rows + 1] = cells
    end
    return out_rows
  end
  local frows = rows_of(sheets[FIG], FIG_COLS, function(c) return c >= F.hist and c < F.target or c >= F.value and c < F.flag end)
  local crows = rows_of(sheets[COM], COM_COLS)
  local cover, mrows = rows_of(sheets.Cover, 2), rows_of(sheets[META], 2)
  local heads = {}
  for c = 1, FIG_COLS do heads[c] = (sheets[FIG][1] or {})[c] or "" end
  local vals = {}
  for r, row in ipairs(frows) do
    local given = (t.values or {})[row[F.metric]]
    if type(given) ~= "table" then given = { value = given } end
    local ratio = row[F.numerator] ~= "n/a"
    for _, f in ipairs({ "value", "numerator", "denominator", "flag" }) do
      local c = F[f]
      if f == "value" or f == "flag" or ratio then
        local v = given[f]
        if v == nil then v = row[c] end
        row[c] = { value = v, unlocked = true, fill = INPUT_FILL }
      else
        row[c] = { value = row[c], fill = NA_FILL }
      end
    end
    vals[r] = { lo = -1e12, hi = 1e12, ratio = ratio }
  end
  for _, row in ipairs(crows) do
    local text = (t.commentary or {})[row[C.kpi]]
    if text == nil then text = row[C.text] end
    row[C.text] = { value = text, unlocked = true, fill = INPUT_FILL }
  end
  local by_sheet = { Cover = cover, [FIG] = frows, [COM] = crows, [META] = mrows }
  for _, c in ipairs(t.cells or {}) do
    local rows = by_sheet[c.sheet] or error("fill: no sheet '" .. tostring(c.sheet) .. "'")
    rows[c.row - 1] = rows[c.row - 1] or {}
    local cur = rows[c.row - 1][c.col]
    if type(cur) == "table" then cur.value = c.value else rows[c.row - 1][c.col] = c.value end
  end
  local meta = {}
  for i, row in ipairs(mrows) do meta[i] = { row[1], row[2] } end
  return M._write(out, { title = "return", cover_title = (sheets.Cover[1] or {})[2] or "", cover = cover,
                         heads = heads, frows = frows, crows = crows, vals = vals, meta = meta })
end

function M._write(out, parts)
  local ok, err = pmf.xlsx.write(out, book_of(parts))
  if not ok then return nil, err end
  return out
end

return M
