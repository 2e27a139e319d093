-- lua/pmf/returns/fill.lua: filling a return workbook in, as an owner's spreadsheet program
-- would save it (module `pmf.returns.fill`; for scripts and tests): the workbook read back
-- and written again with values in its input cells (and any cell at all when told), its
-- protection, validation and hidden sheet kept.
local W = require "pmf.returns.workbook"

local META, FIG, COM, F, C = W.META, W.FIG, W.COM, W.F, W.C
local FIG_COLS, COM_COLS, INPUT_FILL, NA_FILL = W.FIG_COLS, W.COM_COLS, W.INPUT_FILL, W.NA_FILL
local read_sheet = W.read_sheet

local M = {}

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
  return W.write(out, { title = "return", cover_title = (sheets.Cover[1] or {})[2] or "", cover = cover,
                         heads = heads, frows = frows, crows = crows, vals = vals, meta = meta })
end

return M
