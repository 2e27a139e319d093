-- tests/lua/xlsx_spark_test.lua: native Excel sparklines in workbooks pmf writes
-- (pmf.xlsx.write's `sparklines`, and the trend column of an xlsx report), read back out
-- of the file: the sheet XML through pmf.xlsx.member, its well-formedness through expat
-- (pmf.xlsxread.scan "parse"), the cells through pmf.xlsxread.  Nothing here needs Excel
-- or LibreOffice.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

if not pmf.render.has_xlsx() then
  io.stderr:write("xlsx_spark_test: pmf is built without libxlsxwriter\n")
  print("xlsx_spark_test: 0 passed, 0 failed, 1 skipped")
  os.exit(0)
end

-- Every sparkline of a sheet's XML: { {data range, cell}, ... } in order.
local function sparklines(xml)
  local out = {}
  for f, at in xml:gmatch("<x14:sparkline><xm:f>(.-)</xm:f><xm:sqref>(.-)</xm:sqref></x14:sparkline>") do
    out[#out + 1] = { f, at }
  end
  return out
end

-- Each group's opening tag, in order.
local function groups(xml)
  local out = {}
  for g in xml:gmatch("<x14:sparklineGroup [^>]*>") do out[#out + 1] = g end
  return out
end

local function has(s, sub, descr) return T.ok(type(s) == "string" and s:find(sub, 1, true), descr) end

-- ---- a workbook with sparklines on two of its three sheets --------------------------------
local path = T.tmpname(".xlsx")
local book = {
  sheets = {
    { name = "Scorecard", columns = { { title = "KPI" }, { title = "Q1" }, { title = "Q2" },
                                      { title = "Q3" }, { title = "Q4" }, { title = "Trend" } },
      rows = { { "K1", 40, 42, 45, 44 }, { "K2", 10, nil, 12, 13 }, { "K3" } },
      sparklines = { { range = "B2:E2", cell = "F2", markers = true },
                     { range = "$B$3:$E$3", cell = "F3", high = true, low = true, min = 0, max = 20 },
                     { range = "'R&D''s data'!A2:A5", cell = "G2", type = "column" } } },
    { name = "No trend", columns = { { title = "x" } }, rows = { { 1 } } },
    { name = "R&D's data", columns = { { title = "v" }, { title = "Trend" } },
      rows = { { 3 }, { -1 }, { 4 }, { 2 } },
      sparklines = { { range = "a2:a5", cell = "B2", type = "stacked", negative = true, empty = "zero" } } },
  },
  charts = { { name = "Chart", categories = "'Scorecard'!$A$2:$A$4", values = "'Scorecard'!$B$2:$B$4" } },
}
T.eq(pmf.xlsx.write(path, book), true, "a workbook with sparklines is written")

local s1 = pmf.xlsx.member(path, "xl/worksheets/sheet1.xml")
local s2 = pmf.xlsx.member(path, "xl/worksheets/sheet2.xml")
local s3 = pmf.xlsx.member(path, "xl/worksheets/sheet3.xml")
T.eq(sparklines(s1), { { "'Scorecard'!B2:E2", "F2" }, { "'Scorecard'!B3:E3", "F3" },
                       { "'R&amp;D''s data'!A2:A5", "G2" } },
     "sheet 1: each sparkline's data (on its own sheet or another, the name quoted) and cell")
T.eq(sparklines(s3), { { "'R&amp;D''s data'!A2:A5", "B2" } },
     "the third sheet's part (after a sheet without any): its own sparkline, a lower-case range")
T.ok(s2 and not s2:find("extLst", 1, true) and not s2:find("x14", 1, true),
     "a sheet without sparklines is left as libxlsxwriter wrote it")

local g1 = groups(s1)
T.eq(#g1, 3, "one group per sparkline (each KPI on its own scale)")
has(g1[1], 'displayEmptyCellsAs="gap"', "a missing figure is a gap, not a zero")
has(g1[1], 'markers="1"', "markers when asked")
T.ok(not g1[1]:find("type=", 1, true) and not g1[1]:find("manual", 1, true), "a plain line by default")
has(g1[2], 'manualMin="0"', "a fixed minimum")
has(g1[2], 'manualMax="20"', "a fixed maximum")
has(g1[2], 'minAxisType="custom"', "the minimum is custom")
T.ok(g1[2]:find('high="1"', 1, true) and g1[2]:find('low="1"', 1, true), "high and low points")
has(g1[3], 'type="column"', "a column sparkline")
local g3 = groups(s3)
has(g3[1], 'type="stacked"', "a win/loss sparkline")
has(g3[1], 'displayEmptyCellsAs="zero"', "empty cells as zero when asked")
has(g3[1], 'negative="1"', "negative points")

-- the XML as Excel expects it
local root = s1:match("<worksheet[^>]*>")
has(root, 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"', "the mc namespace on the root")
has(root, 'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"', "the x14ac namespace")
has(root, 'mc:Ignorable="x14ac"', "x14ac ignorable")
has(root, 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', "the main namespace kept")
has(s1, '<ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">',
    "the sparkline extension's uri and x14 namespace")
has(s1, '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">', "the xm namespace")
T.ok(s1:find("</x14:sparklineGroups></ext></extLst></worksheet>$"), "the extLst is the worksheet's last child")
T.ok(s1:find("<pageMargins", 1, true) < s1:find("<extLst>", 1, true), "after what libxlsxwriter wrote")
local _, nroot = s1:gsub("<worksheet[ >]", "")
T.eq(nroot, 1, "one root element")

-- well-formed (expat parses each part whole) and still a workbook pmf reads
for i = 1, 3 do
  local n, err = pmf.xlsxread.scan(path, i, "parse")
  T.ok(type(n) == "number" and n > 0, "sheet " .. i .. " is well-formed XML" .. (err and (": " .. err) or ""))
end
T.eq(pmf.xlsxread.sheets(path), { "Scorecard", "No trend", "R&D's data", "Chart" }, "the sheets read back")
local rows = {}
pmf.xlsxread.read(path, { sheet = "Scorecard" }, function(r) rows[#rows + 1] = r end)
T.eq(rows[2], { "K1", "40", "42", "45", "44" }, "the data cells read back")
T.eq(rows[3], { "K2", "10", "", "12", "13" }, "with the gap")
T.ok(pmf.xlsx.member(path, "xl/chartsheets/sheet1.xml") ~= nil, "the chart sheet is still there")
has(pmf.xlsx.member(path, "docProps/core.xml"), "<dc:creator>pmf</dc:creator>", "still marked as pmf's")

-- the same book twice: the same bytes (the rewritten parts keep their date)
local again = T.tmpname(".xlsx")
assert(pmf.xlsx.write(again, book))
local function bytes(p) local f = assert(io.open(p, "rb")); local d = f:read("a"); f:close(); return d end
T.ok(bytes(path) == bytes(again), "written twice, the same bytes")
os.remove(again)
os.remove(path)

-- ---- bad descriptions raise, naming the sheet, the sparkline and what is wrong -----------
local function book_with(sp, extra)
  local b = { sheets = { { name = "S", columns = { { title = "a" }, { title = "b" } }, rows = { { 1, 2 } },
                           sparklines = sp } } }
  if extra then b.sheets[2] = extra end
  return b
end
local bad = {
  { { { range = "D5:K", cell = "L5" } }, "sheet 'S' sparkline 1: range 'D5:K' is not a range of cells", "a range without its row" },
  { { { range = "Sales", cell = "L5" } }, "range 'Sales' is not a range of cells", "a name, not a range" },
  { { { range = "A1:XFE1", cell = "L5" } }, "is not a range of cells", "past the last column" },
  { { { range = "A0:B0", cell = "L5" } }, "is not a range of cells", "row 0" },
  { { { range = "D5:K6", cell = "L5" } }, "range 'D5:K6' must be one row or one column", "a block of cells" },
  { { { range = "D5:K5", cell = "L5:L6" } }, "cell 'L5:L6' is not one cell", "a cell that is a range" },
  { { { range = "D5:K5" } }, "no cell", "no cell" },
  { { { cell = "L5" } }, "no range", "no range" },
  { { { range = "Nope!D5:K5", cell = "L5" } }, "range 'Nope!D5:K5' is on sheet 'Nope', which the workbook does not have", "an unknown sheet" },
  { { { range = "D5:K5", cell = "Other!L5" } }, "must be on the sheet itself", "a cell on another sheet" },
  { { { range = "D5:K5", cell = "L5", type = "pie" } }, "type must be line, column or stacked, not 'pie'", "an unknown type" },
  { { { range = "D5:K5", cell = "L5", empty = "blank" } }, "empty must be gap, zero or span", "an unknown empty" },
  { { { range = "D5:K5", cell = "L5", marker = true } }, "unknown option 'marker'", "a misspelt option" },
  { { { range = "D5:K5", cell = "L5", min = "0" } }, "min must be a number", "a min that is text" },
  { { { range = "D5:K5", cell = "L5", min = 5, max = 1 } }, "min must be below max", "min above max" },
  { { { range = "D5:K5", cell = "L5", weight = 0 } }, "weight must be", "a zero line width" },
  { { { range = "D5:K5", cell = "L5" }, { range = "D6:K6", cell = "$L$5" } },
    "sheet 'S' sparkline 2: cell L5 already has a sparkline (sparkline 1)", "two in one cell" },
  { { "D5:K5" }, "sparkline 1: must be a table", "a string, not a table" },
  { "D5:K5", "sparklines must be a list", "not a list" },
}
for _, c in ipairs(bad) do
  T.err(function() pmf.xlsx.write(T.tmpname(".xlsx"), book_with(c[1])) end, c[2]:gsub("%p", "%%%0"),
        "raises: " .. c[3])
end
-- a range on a sheet later in the book is fine: names are checked once every sheet is added
local later = T.tmpname(".xlsx")
T.eq(pmf.xlsx.write(later, book_with({ { range = "Later!A2:A3", cell = "B2" } },
       { name = "Later", columns = { { title = "v" } }, rows = { { 1 }, { 2 } } })), true,
     "a range on a later sheet")
T.eq(sparklines(pmf.xlsx.member(later, "xl/worksheets/sheet1.xml")), { { "'Later'!A2:A3", "B2" } },
     "and it points there")
os.remove(later)

-- ---- a report's trend: its numbers, then a sparkline of them ------------------------------
local rep = { title = "Trend test", name = "trend",
              columns = { { key = "kpi", title = "KPI" }, { key = "trend", title = "Trend", kind = "spark" },
                          { key = "owner", title = "Owner" } },
              rows = { { kpi = "K1", trend = { 1, 2, 3, n = 3 }, owner = "A" },
                       { kpi = "K2", trend = { 5, nil, 7, n = 3 }, owner = "B" },
                       { kpi = "K3", trend = { n = 3 }, owner = "C" } } }
local rp = T.tmpname(".xlsx")
T.eq(pmf.render.write(rep, rp, "xlsx"), rp, "an xlsx report with a trend is written")
local rows2 = {}
pmf.xlsxread.read(rp, { sheet = 1 }, function(r) rows2[#rows2 + 1] = r end)
local hdr
for i, r in ipairs(rows2) do if r[1] == "KPI" then hdr = i end end
T.eq(hdr and rows2[hdr], { "KPI", "Trend 1", "Trend 2", "Trend 3", "Trend", "Owner" },
     "the trend's numbers, then the sparkline's column")
local rxml = pmf.xlsx.member(rp, "xl/worksheets/sheet1.xml")
local sheet = "'" .. pmf.xlsxread.sheets(rp)[1]:gsub("'", "''") .. "'!"
T.eq(sparklines(rxml), { { sheet .. "B" .. (hdr + 1) .. ":D" .. (hdr + 1), "E" .. (hdr + 1) },
                         { sheet .. "B" .. (hdr + 2) .. ":D" .. (hdr + 2), "E" .. (hdr + 2) } },
     "a sparkline per row with figures, over that row's numbers; none for a row without any")
has(groups(rxml)[2], 'displayEmptyCellsAs="gap"', "the missing figure is a gap")
T.ok(pmf.xlsxread.scan(rp, 1, "parse"), "the report's sheet is well-formed")
os.remove(rp)

T.done()
