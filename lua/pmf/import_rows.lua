-- lua/pmf/import_rows.lua: importing the rows of a source as one of the other kinds
-- (lua/pmf/import_kinds.lua): the row sources (any grid of text, such as a CSV file read by
-- core/csv.c through pmf.importer.rows or an XLSX sheet read by core/xlsx_read.c; JSON
-- items; one row given on the command line), the
-- per-row loop with its checks, duplicate check, comparison with the row known now and
-- write (through lua/pmf/store/, no SQL here), one transaction and one batch per file,
-- and --skip-bad's rejects.  pmf.import re-exports grid_source, import_grid and import_one.
local pmf = require "pmf"
local kinds = require "pmf.import_kinds"

local M = {}

local KINDS, checks, columns_of, shown_text = kinds.kinds, kinds.checks, kinds.columns_of,
                                              kinds.shown_text

local C = kinds.importer   -- pmf.importer, or an error naming core/limport.c

-- Raised inside the transaction to roll it back (the store's handler adds a traceback, so it
-- is found by this text).
local ROLLBACK = "pmf.import: rolled back (errors or a dry run)"

-- Import the rows of source `src` as `kind`.  Returns as M.import.
local function import_rows(s, kind, src, opts)
  local max = opts.max_errors or 20
  local ctx = { s = s, fws = {}, year_type = opts.period_type }
  local msgs, total = {}, 0
  local sum = { kind = kind, rows = 0, new = 0, revised = 0, unchanged = 0, errors = 0,
                refused = 0, dry_run = opts.dry_run and true or false, rejects = {} }
  local function where(line, col)
    if src.single then return src.name .. ": " .. (col and ("--" .. col .. ": ") or "") end
    if line == 0 then return src.name .. ": " end
    if src.items then
      return string.format("%s: item %d: ", src.name, line) .. (col and ("field '" .. col .. "': ") or "")
    end
    if col then return string.format("%s:%d:%d: column '%s': ", src.name, line, src.colno[col], col) end
    return string.format("%s:%d: ", src.name, line)
  end
  local function file_error(msg)
    total = total + 1
    if #msgs < max then msgs[#msgs + 1] = msg end
  end
  -- A bad row: refused alone (skip_bad) or an error of the file.
  local function bad_row(line, raw, msg)
    if opts.skip_bad then
      sum.refused = sum.refused + 1
      sum.rejects[#sum.rejects + 1] = { line = line, fields = raw, reason = msg }
    else
      file_error(msg)
    end
  end
  local check = checks[kind]
  local seen = {}
  local function run()
    local b = s:batch{ kind = "import", by = opts.by, at = opts.at, source = src.name, note = kind }
    while true do
      local rok, line, rec, raw = pcall(src.next)
      if not rok then            -- the row source's own error (bad CSV), naming the file
        file_error((tostring(line):gsub("^[^\n]-: ([^\n]-:%d+)", "%1")))
        break
      end
      if not line then break end
      sum.rows = sum.rows + 1
      local msg
      if type(rec) == "string" then msg = where(line) .. rec
      else
        -- every field's text first: UTF-8 without NUL (core/breakdown.h's check)
        for _, col in ipairs(src.columns) do
          local v = rec[col]
          if v ~= nil then
            local at, why = C().text_check(v)
            if at then
              msg = where(line, col) .. string.format("'%s' contains %s (byte %d)", shown_text(v), why, at)
              break
            end
          end
        end
      end
      local row
      if not msg then
        local col, m
        row, col, m = check(ctx, rec)
        if not row then msg = where(line, col) .. m end
      end
      if not msg then
        local first = seen[row.key]
        if first then
          msg = where(line) .. string.format("duplicate: the %s is also on %s %d (a key may appear once in a file; the later row is the one refused)",
                                              row.what, src.items and "item" or "line", first)
        end
      end
      if msg then bad_row(line, raw, msg)
      else
        seen[row.key] = line
        local cur = row.current()
        if cur and row.same(cur) then sum.unchanged = sum.unchanged + 1
        else
          if cur then sum.revised = sum.revised + 1 else sum.new = sum.new + 1 end
          row.write(b)
        end
      end
    end
    if total > 0 or opts.dry_run then error(ROLLBACK, 0) end
    local audit = require("pmf.store").audit
    audit(s, b, "import", string.format("%s: %s: %d rows, %d new, %d revised, %d unchanged%s",
                                        src.name, kind, sum.rows, sum.new, sum.revised, sum.unchanged,
                                        sum.refused > 0 and (", " .. sum.refused .. " refused (--skip-bad)") or ""))
    return b
  end
  local ok, b = pcall(s.transaction, s, run)
  if src.close then src.close() end
  if not ok and not tostring(b):find(ROLLBACK, 1, true) then error(b, 0) end
  if total > 0 then
    local first = msgs[1]
    if total > 1 then first = string.format("%s (%d errors; the file was not imported)", first, total) end
    msgs.total = total
    return nil, first, msgs
  end
  if ok then sum.batch = b end
  sum.file = src.name
  sum.header = src.header
  return sum
end

-- A row source over a grid (CSV): the header is read first; a header that is not the kind's
-- is an error of the file (returned as nil, message, errors).
--
-- M.grid_source(name, rows, kind) makes such a source of any grid of text: rows is
-- {next = function(self) -> line, {field, ...} | nil (raises "NAME:LINE: ..." when
-- unreadable), close = function(self)}, its first row the header.  The CSV reader is one;
-- an XLSX sheet's reader can be another, and then feeds the same checks.
function M.grid_source(name, rows, kind)
  local ok, line, header = pcall(rows.next, rows)
  if not ok then rows:close(); return nil, line end
  if not line then rows:close(); return nil, name .. ": the file is empty (a header row is needed)" end
  local k = KINDS[kind]
  local allowed, colno, problems, index = {}, {}, {}, {}
  for _, c in ipairs(columns_of(kind)) do allowed[c] = true end
  for i, h in ipairs(header) do
    local n = h:lower():match("^%s*(.-)%s*$")
    if i == 1 then n = n:gsub("^\239\187\191", "") end
    local at, why = C().text_check(h)
    if at then
      problems[#problems + 1] = string.format("%s:%d:%d: column name '%s' contains %s (byte %d)",
                                              name, line, i, shown_text(h), why, at)
    elseif not allowed[n] then
      problems[#problems + 1] = string.format("%s:%d:%d: unknown column '%s' for %s (expected %s)",
                                              name, line, i, shown_text(h), kind,
                                              table.concat(columns_of(kind), ", "))
    elseif colno[n] then
      problems[#problems + 1] = string.format("%s:%d:%d: column '%s' appears twice", name, line, i, n)
    else
      colno[n] = i
      index[i] = n
    end
  end
  local missing = {}
  for _, c in ipairs(k.required) do if not colno[c] then missing[#missing + 1] = "'" .. c .. "'" end end
  if #missing > 0 then
    problems[#problems + 1] = string.format("%s:%d: missing column%s %s for %s", name, line,
                                            #missing > 1 and "s" or "", table.concat(missing, ", "), kind)
  end
  if #problems > 0 then
    rows:close()
    problems.total = #problems
    return nil, problems[1], problems
  end
  local cols = {}
  for i = 1, #header do if index[i] then cols[#cols + 1] = index[i] end end
  local nh = #header
  return {
    name = name, header = header, colno = colno, columns = cols,
    next = function()
      local l, f = rows:next()
      if not l then return nil end
      if #f ~= nh then
        return l, string.format("%d field%s where the header has %d", #f, #f == 1 and "" or "s", nh), f
      end
      local rec = {}
      for i, v in ipairs(f) do if index[i] then rec[index[i]] = v end end
      return l, rec, f
    end,
    close = function() rows:close() end,
  }
end

-- M.import_grid(store, name, rows, kind, opts) -> as M.import: the rows of any grid (see
-- grid_source) as `kind`, with the same checks, transaction and batch as a CSV file.
function M.import_grid(s, name, rows, kind, opts)
  if not KINDS[kind] then error("import_grid: kind must be targets, commentary, actions or risks", 2) end
  local src, msg, errs = M.grid_source(name, rows, kind)
  if not src then return nil, msg, errs or { msg, total = 1 } end
  return import_rows(s, kind, src, opts or {})
end

local function csv_source(path, kind)
  local rows, err = C().rows(path)
  if not rows then return nil, err end
  return M.grid_source(path == "-" and "<stdin>" or path, rows, kind)
end

-- A sheet of an .xlsx workbook as a row source (core/xlsx_read.h through pmf.xlsxread): the
-- sheet's rows as text, lines the sheet's row numbers; messages name the workbook and the
-- sheet ("t2.xlsx (sheet 'Targets'):3:2: column 'kpi': ...").  opts.sheet: a name or number
-- (default the first).
local function xlsx_source(path, kind, opts)
  local X = rawget(pmf, "xlsxread")
  if not X then return nil, "this pmf was built without the xlsx reader (core/lxlsxread.c)" end
  local r, err = X.open(path, { sheet = opts and opts.sheet })
  if not r then return nil, err end
  local it, width = r:rows(), nil
  local rows = {
    next = function()   -- a sheet leaves trailing empty cells out: padded to the header's width
      local row, rownum = it()
      if not row then return nil end
      if not width then width = #row end
      for i = #row + 1, width do row[i] = "" end
      return rownum, row
    end,
    close = function() r:close() end,
  }
  return M.grid_source(string.format("%s (sheet '%s')", path, r:sheet()), rows, kind)
end

-- A JSON row source over decoded items (a list of objects with the kind's fields).
local function json_source(path, kind, data)
  local cjson = require "cjson.safe"
  local cols, allowed = columns_of(kind), {}
  for _, c in ipairs(cols) do allowed[c] = true end
  local i = 0
  return {
    name = path, items = true, header = cols, columns = cols,
    next = function()
      i = i + 1
      local item = data[i]
      if item == nil then return nil end
      local raw = {}
      if type(item) ~= "table" or (next(item) ~= nil and #item > 0) then
        return i, "not an object", raw
      end
      for n, c in ipairs(cols) do
        local v = item[c]
        raw[n] = type(v) == "number" and string.format("%.15g", v) or type(v) == "string" and v or ""
      end
      local rec = {}
      for k, v in pairs(item) do
        if not allowed[k] then
          return i, "unknown field '" .. shown_text(k) .. "' for " .. kind .. " (" ..
                    table.concat(cols, ", ") .. ")", raw
        elseif type(v) == "number" then rec[k] = math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
        elseif type(v) == "string" then rec[k] = v
        elseif v ~= cjson.null then
          return i, "field '" .. k .. "' must be a string or a number, not a " .. type(v), raw
        end
      end
      return i, rec, raw
    end,
  }
end

-- M.import_one(store, kind, rec, opts) -> summary | nil, message, errors: one row given as
-- {column = "text"} (the CLI's single case, `pmf comment`), checked and written exactly as
-- a file's row would be; messages name the option ("pmf comment: --kpi: ...").
function M.import_one(s, kind, rec, opts)
  if not KINDS[kind] then error("import_one: unknown kind '" .. tostring(kind) .. "'", 2) end
  opts = opts or {}
  local done = false
  local src = {
    name = opts.name or ("pmf " .. kind), single = true, columns = columns_of(kind),
    next = function()
      if done then return nil end
      done = true
      return 1, rec, {}
    end,
  }
  return import_rows(s, kind, src, { by = opts.by, at = opts.at, dry_run = opts.dry_run,
                                     period_type = opts.period_type })
end

M.import_rows = import_rows
M.csv_source = csv_source
M.json_source = json_source
M.xlsx_source = xlsx_source

return M
