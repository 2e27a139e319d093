-- lua/pmf/returns/import.lua: taking a return workbook back (module
-- `pmf.returns.import`): checking it is one this store issued, for the framework version
-- and period it names, not stale and not signed off; checking its locked cells are as
-- issued and every answer is in range; then, all or nothing, its figures through
-- store:observe and its commentary through the store layer, with a receipt of its answers.
local pmf = require "pmf"
local storelib = require "pmf.store"
local framework = require "pmf.framework"
local W = require "pmf.returns.workbook"
local round = require "pmf.returns.round"

local META, FIG, COM, F, C = W.META, W.FIG, W.COM, W.F, W.C
local FIG_COLS, COM_COLS = W.FIG_COLS, W.COM_COLS
local cell, canon, read_sheet, read_meta = W.cell, W.canon, W.read_sheet, W.read_meta
local hashes, locked_hash = W.hashes, W.locked_hash
local owner_label, resolve = round.owner_label, round.resolve

local M = {}

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
  if mv("format") ~= W.FORMAT then
    return nil, string.format("%s: return format '%s' is not one this pmf reads (%s)", path, tostring(mv("format")), W.FORMAT)
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

return M
