-- tests/lua/xlsx_test.lua: pmf.xlsxread as a user sees it, on published workbooks and on
-- workbooks written by pmf.xlsx (libxlsxwriter).
--
-- Fixtures (tests/fixtures/xlsx/): DLUHC's council tax receipts live table as published
-- (210 KB), a cut of DEFRA's fly-tipping workbook (every part as published, each sheet cut
-- to its first 40 rows by cut_workbook.py), and DEFRA's own CSV of the same rows, which the
-- sheet must equal.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local here = arg[0]:match("^(.-)[^/]*$")
local FIX = here .. "../fixtures/xlsx/"
local FLY = FIX .. "Flytipping_cut.xlsx"
local CT = FIX .. "CT_Receipts_Live_Table_Q4_2022-23.xlsx"
local X = pmf.xlsxread

local function all_rows(path, opts)
  local r = assert(X.open(path, opts))
  local rows, nums = {}, {}
  for row, n in r:rows() do rows[#rows + 1] = row; nums[#nums + 1] = n end
  r:close()
  return rows, nums
end

-- A CSV line's fields (quoted fields with commas and doubled quotes).
local function csv_fields(line)
  local out, i = {}, 1
  repeat
    if line:sub(i, i) == '"' then
      local parts, j = {}, i + 1
      while true do
        local q = assert(line:find('"', j, true))
        parts[#parts + 1] = line:sub(j, q - 1)
        if line:sub(q + 1, q + 1) ~= '"' then i = q + 1; break end
        parts[#parts + 1] = '"'
        j = q + 2
      end
      out[#out + 1] = table.concat(parts)
    else
      local c = line:find(",", i, true) or #line + 1
      out[#out + 1] = line:sub(i, c - 1)
      i = c
    end
    local more = line:sub(i, i) == ","
    i = i + 1
  until not more
  return out
end

-- ---- sheets --------------------------------------------------------------------------
T.eq(X.sheets(FLY), { "Metadata", "Notes", "LA_incidents", "LA_actions", "Lookup_" },
     "fly-tipping: the sheets in workbook order, the hidden one included")
T.eq(X.sheets(CT), { "Cover", "Contents", "Notes", "Table_1", "Table_2", "Table_3", "Table_4",
                     "Table_5", "LA_List" }, "council tax: the sheets")

-- ---- the fly-tipping sheet against DEFRA's own CSV of it --------------------------------
do
  local r = assert(X.open(FLY, { sheet = "LA_incidents", header_row = 3 }))
  T.eq(r:sheet(), "LA_incidents", "the sheet read")
  local csv = assert(io.open(FIX .. "Flytipping_cut_LA_incidents.csv"))
  local header = {}
  for i, v in ipairs(r:header()) do header[i] = (v:gsub(" +$", "")) end
  T.eq(header, csv_fields(csv:read("l")), "the header row, below the title rows, as in the CSV")
  local n, same, first = 0, 0, nil
  for row, rownum in r:rows() do
    n = n + 1
    first = first or rownum
    local want = csv_fields(assert(csv:read("l")))
    -- DEFRA's CSV trims the trailing spaces some names have in the workbook ("Croydon ").
    local got = {}
    for i, v in ipairs(row) do got[i] = (v:gsub(" +$", "")) end
    if T.eq(got, want, "row " .. rownum .. " equals the CSV") then same = same + 1 end
  end
  csv:close()
  r:close()
  T.eq({ n, same, first }, { 37, 37, 4 }, "every data row read, from row 4")
end

do
  local rows, nums = all_rows(FLY, { sheet = 3, range = "A1:F40" })
  T.eq(rows[1], { "Fly-tipping incidents reported by local authorities in England" },
       "the title row as it is (a long title sits in its first cell)")
  T.eq(rows[2], { "", "", "", "", "TOTAL", "Land type" }, "empty cells keep the columns aligned")
  rows, nums = all_rows(FLY, { sheet = 3, range = "C2:F40" })
  T.eq(rows[1], { "", "", "TOTAL", "Land type" }, "fields count from the range's first column")
  T.eq(nums[3], 4, "the range's rows")
  T.eq(rows[3], { "*Total", "*Total England", "714637", "324283.516409005" },
       "numbers as written in the file, full precision")
  local r = assert(X.open(FLY, { sheet = "LA_incidents", range = "A4:AV4" }))
  local row = r:rows()()
  T.eq({ row[46], row[48] }, { ":", ":" }, "':' markers come through as text")
  T.eq(#row, 48, "48 fields in the range")
end

-- ---- the council tax live table ------------------------------------------------------
do
  local r = assert(X.open(CT, { sheet = "Table_5", header_row = 6, range = "A1:H999" }))
  T.eq(r:header(), { "E-code", "ONS Code", "Local authority", "Class", "Region",
                     "April to June 2010 (Q1)", "July to September 2010 (Q2)",
                     "October to December 2010 (Q3)" }, "header row 6 of Table_5")
  local rows, last = {}, nil
  for row, n in r:rows() do rows[#rows + 1] = row; last = n end
  T.eq(rows[1], { "Eng", "E92000001", "England", "Eng", "Eng", "6544022.89", "6336375.62",
                  "6322009.09" }, "the England row")
  T.eq(rows[2][3], "East of England ", "names kept as published, trailing space and all")
  T.eq({ #rows, last }, { 344, 350 }, "every row below the header up to the last")
  local n = assert(X.read(CT, { sheet = "Table_5", header_row = 6, skip = 1, range = "A1:C999" },
    function(row, rownum, header)
      if rownum == 8 then T.eq({ row, header[3] }, { { "E", "E12000006", "East of England " },
                                 "Local authority" }, "read(): skip drops the row after the header") end
    end))
  T.eq(n, 343, "read() returns the number of rows")
  local cover = all_rows(CT, { sheet = "Cover" })
  T.ok(#cover > 5 and cover[1][1]:find("Council Tax"), "a notes sheet reads too: " .. T.show(cover[1]))
end

-- ---- a workbook written by pmf.xlsx reads back as written -------------------------------
do
  local path = T.tmpname(".xlsx")
  local rows = {}
  for i = 1, 500 do
    rows[i] = { i, i / 8, "area " .. i .. " <&> \"q\" é", i % 2 == 0, {},
                { value = 45016 + i, num_format = "dd/mm/yyyy" }, -i * 1000.25 }
  end
  rows[501] = { 1e-300, 123456789012345, { value = 45016.75, num_format = "yyyy-mm-dd hh:mm" },
                { value = 0.5, num_format = "h:mm" } }
  assert(pmf.xlsx.write(path, { sheets = { { name = "Written", rows = rows,
    columns = { { title = "n" }, { title = "eighth" }, { title = "text" }, { title = "even" },
                { title = "gap" }, { title = "date" }, { title = "neg" } } } } }))
  local r = assert(X.open(path, { header_row = 1 }))
  T.eq(r:header(), { "n", "eighth", "text", "even", "gap", "date", "neg" }, "written header")
  local bad, n = 0, 0
  for row, rownum in r:rows() do
    n = n + 1
    local i = rownum - 1
    local want = rows[i]
    if i <= 500 then
      local d = os.date("!%Y-%m-%d", (45016 + i - 25569) * 86400)
      local ok = tonumber(row[1]) == i and tonumber(row[2]) == i / 8 and row[3] == want[3]
        and row[4] == (want[4] and "TRUE" or "FALSE") and row[5] == "" and row[6] == d
        and tonumber(row[7]) == -i * 1000.25 and #row == 7
      if not ok then bad = bad + 1; if bad == 1 then T.eq(row, {}, "row " .. rownum) end end
    else
      T.eq(row, { "1E-300", "123456789012345", "2023-03-31T18:00:00", "12:00:00" },
           "tiny and large numbers, a date-time and a time")
    end
  end
  T.eq({ n, bad }, { 501, 0 }, "every written value reads back equal")
  r:close()
  os.remove(path)
end

-- ---- errors ----------------------------------------------------------------------------
do
  local ok, msg = X.open(CT, { sheet = "Table 5" })
  T.eq({ ok, msg }, { nil, CT .. ": no sheet 'Table 5' (the sheets are 'Cover', 'Contents', "
       .. "'Notes', 'Table_1', 'Table_2', 'Table_3', 'Table_4', 'Table_5', 'LA_List')" },
       "a missing sheet names the sheets there are")
  ok, msg = X.open(CT, { sheet = 10 })
  T.ok(not ok and msg:find("no sheet number 10 %(the workbook has 9: 'Cover'"), "a sheet number past the end")
  ok, msg = X.open(CT, { sheet = "Table_5", header_row = 900 })
  T.eq({ ok, msg }, { nil, CT .. ": sheet 'Table_5': header row 900 is empty" }, "a missing header row")

  local function file(name, bytes)
    local p = T.tmpname(name)
    local f = assert(io.open(p, "wb"))
    f:write(bytes)
    f:close()
    return p
  end
  local whole = assert(io.open(FLY, "rb")):read("a")
  local ole = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" .. string.rep("\0", 1000)
  local cases = {
    { file("empty.xlsx", ""), "the file is empty, not an xlsx workbook" },
    { file("noise.xlsx", ("pmf"):rep(999)), "not an xlsx workbook %(not a zip archive, or one cut short%)" },
    { file("old.xls", ole), "an old binary Excel workbook %(%.xls%): save it as %.xlsx" },
    { file("locked.xlsx", ole .. ("EncryptedPackage"):gsub(".", "%0\0")),
      "encrypted %(password%-protected%) workbook" },
    { file("cut.xlsx", whole:sub(1, #whole // 2)), "not an xlsx workbook %(not a zip archive, or one cut short%)" },
    { FIX .. "no-such.xlsx", "No such file" },
  }
  for _, c in ipairs(cases) do
    local okr, m = X.open(c[1])
    T.ok(not okr and m:find(c[2]) and m:find(c[1], 1, true) == 1, c[2] .. ": " .. tostring(m))
    local oks, ms = X.sheets(c[1])
    T.eq({ oks, ms }, { nil, m }, "sheets() gives the same message")
    if not c[1]:find("no%-such") then os.remove(c[1]) end
  end

  -- A byte flipped inside the sheet's compressed data: the error comes while reading it.
  local at = assert(whole:find("xl/worksheets/sheet3.xml", 1, true)) + 600
  local flipped = file("flipped.xlsx", whole:sub(1, at - 1) .. string.char(whole:byte(at) ~ 0xFF)
                       .. whole:sub(at + 1))
  local fr = assert(X.open(flipped, { sheet = "LA_incidents" }))
  T.err(function() for _ in fr:rows() do end end,
        "flipped.xlsx: sheet 'LA_incidents' %(xl/worksheets/sheet3.xml%): Zlib error",
        "damaged compressed data: rows() raises the message with the file and sheet")
  fr:close()
  T.eq({ X.read(flipped, { sheet = "LA_incidents" }, function() end) },
       { nil, flipped .. ": sheet 'LA_incidents' (xl/worksheets/sheet3.xml): Zlib error: data error" },
       "read() returns it")
  os.remove(flipped)

  T.err(function() X.open(CT, { sheet = "Table_5", rnage = "A1:B2" }) end, "unknown option 'rnage' %(the options are sheet, range, header_row, skip%)",
        "an unknown option raises")
  T.err(function() X.open(CT, { range = "B2:A1" }) end, "range 'B2:A1' is not of the form",
        "a bad range raises")
  T.err(function() X.open(CT, { header_row = -1 }) end, "header_row", "a bad header_row raises")
  local r = assert(X.open(CT))
  r:close()
  r:close()
  T.err(function() r:rows() end, "closed pmf.xlsxread.Reader", "a closed reader raises")
  do local r2 <close> = assert(X.open(CT)) end
  T.ok(true, "a reader closes with <close>")
end

T.done()
