-- lua/pmf/returns/workbook.lua: a return workbook's layout (module `pmf.returns.workbook`):
-- its sheets and columns, the canonical text and hashes of its locked cells (the workbook's
-- identity), writing one from its parts through pmf.xlsx, and reading its sheets and its
-- hidden sheet back.  What issuing, taking back and filling in share.
local pmf = require "pmf"
local framework = require "pmf.framework"

local W = {}

W.FORMAT = "1"               -- the hidden sheet's layout version
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
W.META, W.FIG, W.COM, W.F, W.FIG_COLS, W.C, W.COM_COLS = META, FIG, COM, F, FIG_COLS, C, COM_COLS
W.INPUT_FILL, W.NA_FILL = INPUT_FILL, NA_FILL

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
W.cell = cell

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
W.canon, W.book_of, W.hashes, W.locked_hash = canon, book_of, hashes, locked_hash

-- W.write(out, parts) -> out | nil, message: the workbook of parts (book_of) written to out.
function W.write(out, parts)
  local ok, err = pmf.xlsx.write(out, book_of(parts))
  if not ok then return nil, err end
  return out
end

-- ---- reading a workbook back -------------------------------------------------------------

-- read_sheet(path, sheet) -> rows (row number -> cells) | nil, message.
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

-- is_return(path) -> true when the file is an .xlsx whose hidden sheet marks it as a return.
function W.is_return(path)
  if type(path) ~= "string" or not path:lower():match("%.xlsx$") then return false end
  local ok, meta = pcall(read_meta, path)
  return ok and meta ~= nil
end

W.read_sheet, W.read_meta = read_sheet, read_meta

return W
