-- tests/lua/import_test.lua: pmf.import and store:import as a user sees them.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local here = arg[0]:match("^(.-)[^/]*$")
local FIX = here .. "../fixtures/import/"
local function root_dir() return here .. "../../" end

local function fresh()
  local s = assert(pmf.open(":memory:"))
  s:metric{ id = "waste_recycled", title = "Household waste recycled", unit = "%" }
  s:metric{ id = "children_in_care", title = "Children in care", aggregation = "last" }
  return s
end

local count = T.count

local write = T.write_tmp

local HDR = "metric,area,period,value\n"

-- ---- name: what the batch and the messages call a (temporary) file --------------------
do
  local s = fresh()
  local p = write(".csv", HDR .. "waste_recycled,E08000027,2025-04,41.5\n")
  local r = assert(pmf.import(p, { store = s, name = "April's return" }))
  T.eq(s:query("SELECT source FROM batch WHERE id = ?", r.batch)[1].source, "April's return",
       "name: the batch is named as given, not by the path")
  local bad = write(".csv", HDR .. "waste_recycled,E08000027,2025-04,lots\n")
  local _, msg = pmf.import(bad, { store = s, name = "May's return" })
  T.eq(msg, "May's return:2:4: column 'value': 'lots' is not a number",
       "name: and so are its messages, by line and column")
  os.remove(p); os.remove(bad)
end

-- ---- long form ----------------------------------------------------------------------
do
  local s = fresh()
  local r, msg = s:import(FIX .. "long.csv")
  T.ok(r, "long form imports: " .. tostring(msg))
  T.eq({ r.rows, r.new, r.revised, r.unchanged, r.errors, r.dry_run },
       { 5, 5, 0, 0, 0, false }, "long: summary counts")
  T.ok(math.type(r.batch) == "integer", "long: the batch id is returned")
  local v, row = s:get("waste_recycled", "E08000027", "2025-04")
  T.eq(v, 41.5, "long: the value is stored")
  T.eq({ row.numerator, row.denominator, row.source }, { 415, 1000, "council returns" },
       "long: numerator, denominator and source are stored")
  T.eq(select(2, s:get("waste_recycled", "E08000027", "2025-05")).flags, { "provisional" },
       "long: a flag is stored")
  T.eq(select(2, s:get("waste_recycled", "E08000030", "2025/26 Q1")).flags,
       { "estimated", "proxy" }, "long: 'estimated|proxy' is two flags")
  T.eq(s:get("children_in_care", "E08000027", "2025-06", "sex=female"), 320,
       "long: a breakdown is its own figure")
  T.eq(s:get("children_in_care", "E08000027", "2025-06"), 610, "long: next to the total")
  local b = s:query("SELECT kind, source FROM batch WHERE id = ?", r.batch)[1]
  T.eq({ b.kind, b.source }, { "import", FIX .. "long.csv" }, "long: batch kind and source")
  T.eq(count(s, "audit WHERE what = 'import'"), 1, "long: an audit line is written")

  -- the same file again: everything unchanged, nothing written
  local before = count(s, "observation")
  local r2 = s:import(FIX .. "long.csv")
  T.eq({ r2.rows, r2.new, r2.revised, r2.unchanged }, { 5, 0, 0, 5 }, "again: all unchanged")
  T.eq(count(s, "observation"), before, "again: no rows written")
end

-- ---- header forms, BOM, CRLF, quotes ----------------------------------------------------
do
  local s = fresh()
  local r, msg = s:import(FIX .. "bom_crlf.csv")
  T.ok(r, "BOM, CRLF and quoted fields import: " .. tostring(msg))
  T.eq(s:get("waste_recycled", "E08000027", "2025-04"), 1234.5, "quoted '1,234.5' is 1234.5")
  T.eq(s:get("waste_recycled", "E08000030", "2025-04"), 7, "quoted metric and area codes")
  local p = write(".csv", "VALUE,Period,AREA,metric\n3,2025-07,E08000027,waste_recycled\n")
  r, msg = s:import(p)
  T.ok(r and r.new == 1, "columns in any order and any case: " .. tostring(msg))
  T.eq(s:get("waste_recycled", "E08000027", "2025-07"), 3, "and read by name")
  os.remove(p)
  p = write(".csv", "metric,area,period,value,source\nwaste_recycled,E08000027,2025-08,4,\n")
  r = s:import(p, { source = "ONS", year_start = "January" })
  T.eq(select(2, s:get("waste_recycled", "E08000027", "2025-08")).source, "ONS",
       "opts.source fills an empty source")
  os.remove(p)
end

-- ---- wide form ------------------------------------------------------------------------
do
  local s = fresh()
  local r, msg = s:import(FIX .. "wide.csv")
  T.ok(r, "wide form imports: " .. tostring(msg))
  T.eq({ r.rows, r.new }, { 5, 5 }, "wide: one figure per non-empty cell")
  T.eq(s:get("waste_recycled", "E08000030", "2025-05"), 1039.5, "wide: cell value")
  T.eq(s:get("waste_recycled", "E08000027", "2025-06"), nil, "wide: an empty cell is no figure")
  r, msg = s:import(FIX .. "wide_fy.csv")
  T.ok(r and r.new == 4, "wide with FY and quarter labels and a breakdown: " .. tostring(msg))
  T.eq(s:get("children_in_care", "E08000027", "2024/25"), 600, "wide: a financial year column")
  T.eq(s:get("children_in_care", "E08000027", "2025/26 Q2", "sex=male"), 310,
       "wide: a quarter with a breakdown")
  local p = write(".csv", "metric,area,2025-04,banana\nwaste_recycled,E08000027,1,2\n")
  local r2, msg2 = s:import(p)
  T.ok(not r2 and msg2:find("column 'banana' is neither a key column", 1, true),
       "wide: a column that is not a period is named: " .. tostring(msg2))
  os.remove(p)
  p = write(".csv", "metric,area,2025-04,2025-05\nwaste_recycled,E08000027,1,x\n")
  r2, msg2 = s:import(p)
  T.eq(msg2, p .. ":2:4: column '2025-05': 'x' is not a number", "wide: the period column is named, with its number")
  os.remove(p)
end

-- ---- JSON -----------------------------------------------------------------------------
do
  local s = fresh()
  local r, msg = pmf.import(FIX .. "data.json", { store = s })
  T.ok(r, "JSON imports: " .. tostring(msg))
  T.eq({ r.rows, r.new }, { 3, 3 }, "JSON: summary")
  T.eq(select(2, s:get("waste_recycled", "E08000027", "2025-04")).numerator, 415, "JSON: numbers")
  T.eq(s:get("waste_recycled", "E08000027", "2025-05"), 42.25, "JSON: a value given as text")
  T.eq(s:get("children_in_care", "E08000027", "2025/26 Q1"), 0.1, "JSON: 0.1 exactly")
  local p = write(".json", '[{"metric":"waste_recycled","area":"E08000027","period":"2025-06",' ..
                  '"value":"n/a"}, {"metric":"waste_recycled","colour":"red"}, 7]')
  local r2, msg2, errs = s:import(p)
  T.ok(not r2, "JSON: a bad file is refused")
  T.eq(errs[1], p .. ": item 1: field 'value': 'n/a' is not a number", "JSON: item and field named")
  T.ok(errs[2]:find(": item 2: unknown field 'colour'", 1, true), "JSON: unknown field named")
  T.eq(errs[#errs], p .. ": item 3: not an object", "JSON: an item that is not an object")
  T.ok(msg2:find("errors", 1, true), "JSON: the message counts the errors")
  os.remove(p)
  p = write(".txt", "[]")
  r2 = s:import(p, { format = "json" })
  T.eq(r2 and r2.rows, 0, "--format json for another extension; an empty array is no rows")
  os.remove(p)
  p = write(".json", "{not json")
  r2, msg2 = s:import(p)
  T.ok(not r2 and msg2:find("not valid JSON", 1, true), "JSON: a syntax error is refused")
  os.remove(p)
end

-- ---- revisions and as-of answers --------------------------------------------------------
do
  local s = fresh()
  local p1 = write(".csv", HDR .. "waste_recycled,E08000027,2025-04,40\n" ..
                   "waste_recycled,E08000027,2025-05,41\nwaste_recycled,E08000030,2025-04,30\n")
  local r1 = assert(s:import(p1, { at = "2025-06-01T09:00", by = "alice" }))
  local p2 = write(".csv", HDR .. "waste_recycled,E08000027,2025-04,40\n" ..
                   "waste_recycled,E08000027,2025-05,43\nwaste_recycled,E08000027,2025-06,44\n")
  local r2 = assert(s:import(p2, { at = "2025-08-01T09:00", by = "bob" }))
  T.eq({ r2.new, r2.revised, r2.unchanged }, { 1, 1, 1 }, "revision: new, revised, unchanged")
  T.eq(s:get("waste_recycled", "E08000027", "2025-05"), 43, "now: the revised figure")
  local then_ = assert(s:as_of("2025-07-01"))
  T.eq(then_:get("waste_recycled", "E08000027", "2025-05"), 41, "as of July: the first figure")
  T.eq(then_:get("waste_recycled", "E08000027", "2025-06"), nil, "as of July: no June yet")
  local h = s:history("waste_recycled", "E08000027", "2025-05")
  T.eq({ #h, h[1].value, h[1].recorded_by, h[2].value, h[2].recorded_by, h[2].current },
       { 2, 41, "alice", 43, "bob", true }, "history: both versions, who, and which is current")
  T.eq(#s:history("waste_recycled", "E08000027", "2025-04"), 1, "unchanged: no second version")
  T.ok(r1.batch ~= r2.batch, "one batch per file")
  -- a flag change alone is a revision
  local p3 = write(".csv", "metric,area,period,value,flag\nwaste_recycled,E08000027,2025-05,43,estimated\n")
  local r3 = assert(s:import(p3))
  T.eq(r3.revised, 1, "a changed flag is a revision")
  for _, p in ipairs({ p1, p2, p3 }) do os.remove(p) end
end

-- ---- bad input: every kind, with the exact message, and all or nothing ----------------
do
  local s = fresh()
  local good = write(".csv", HDR .. "waste_recycled,E08000027,2025-04,1\n")
  assert(s:import(good))
  local obs, batches = count(s, "observation"), count(s, "batch")
  local bad = FIX .. "bad.csv"
  local r, msg, errs = s:import(bad)
  T.eq(r, nil, "bad: refused")
  T.eq(errs, {
    bad .. ":3:1: column 'metric': unknown metric 'nonesuch'",
    bad .. ":4:2: column 'area': unknown area 'E99999999'",
    bad .. ":5:3: column 'period': period \"2025-13\": month 13 is not 01 to 12 (a range is written like 2021-23)",
    bad .. ":6:4: column 'value': 'n/a' is not a number",
    bad .. ":7: duplicate figure: metric waste_recycled, area E08000027, period 2025-04 appears more than once in the file",
    bad .. ":8: 3 fields where the header has 4",
    total = 6,
  }, "bad: every error, naming file, line and column")
  T.eq(msg, errs[1] .. " (6 errors; the file was not imported)", "bad: the message")
  T.eq({ count(s, "observation"), count(s, "batch") }, { obs, batches },
       "bad: nothing written, not even the batch")

  local function one(text, want, descr)
    local p = write(".csv", text)
    local r2, _, e = s:import(p)
    T.ok(not r2, descr .. ": refused")
    T.eq(e and e[1], want and (p .. want), descr)
    os.remove(p)
  end
  one(HDR .. "waste_recycled,E08000027,2025-05,\n",
      ":2:4: column 'value' is empty (only a figure flagged 'suppressed' may have no value)",
      "empty value")
  one(HDR .. "waste_recycled,,2025-05,1\n", ":2:2: column 'area' is empty", "empty area")
  one(HDR .. "waste_recycled,E08000027,2025-05,1e999\n", ":2:4: column 'value': '1e999' is too large",
      "value out of range")
  one("metric,area,period,value,flag\nwaste_recycled,E08000027,2025-05,1,provisional|late\n",
      ":2:5: column 'flag': unknown flag 'late' (provisional, estimated, proxy, suppressed, revised)",
      "unknown flag")
  one("metric,area,period,value,numerator\nwaste_recycled,E08000027,2025-05,1,half\n",
      ":2:5: column 'numerator': 'half' is not a number", "bad numerator")
  one("metric,area,period,value,colour,size\n",
      ":1: unknown columns 'colour' (column 5), 'size' (column 6) (expected metric, area, period, value and " ..
      "optionally breakdown, numerator, denominator, flag, source)", "unknown columns")
  one("metric,area,value\nwaste_recycled,E08000027,1\n", ":1: missing column 'period'",
      "a missing column")
  one("metric,area,period,value,Value\n", ":1:5: column 'value' appears twice", "a column twice")
  one("", ": the file is empty (a header row is needed: metric,area,period,value)", "an empty file")
  local p = write(".csv", HDR .. "waste_recycled,E08000027,2025-04,\"1\nwaste_recycled,E08000027,2025-05,2\n")
  local r3, m3 = s:import(p)
  T.ok(not r3 and m3:find(p .. ":2:", 1, true) and m3:find("unterminated quoted field", 1, true),
       "a CSV syntax error names line and column: " .. tostring(m3))
  os.remove(p)
  local r4, m4 = s:import("/nonexistent/x.csv")
  T.ok(not r4 and m4:find("x.csv", 1, true), "a missing file: nil, message")
  T.eq({ count(s, "observation"), count(s, "batch") }, { obs, batches },
       "after every refused file the store is unchanged")

  -- more errors than max_errors
  local lines = { HDR }
  for i = 1, 30 do lines[#lines + 1] = "nonesuch,E08000027,2025-04," .. i .. "\n" end
  p = write(".csv", table.concat(lines))
  local r5, m5, e5 = s:import(p, { max_errors = 5 })
  T.eq({ r5, #e5, e5.total }, { nil, 5, 30 }, "max_errors keeps 5 messages and counts all 30")
  T.ok(m5:find("30 errors in all", 1, true), "and the message says how many")
  r5, m5, e5 = s:import(p)
  T.eq({ #e5, e5.total }, { 20, 30 }, "max_errors defaults to 20")
  os.remove(p)
  os.remove(good)
end

-- ---- dry run -----------------------------------------------------------------------------
do
  local s = fresh()
  local obs, batches = count(s, "observation"), count(s, "batch")
  local r = s:import(FIX .. "long.csv", { dry_run = true })
  T.eq({ r.rows, r.new, r.dry_run, r.batch }, { 5, 5, true, nil }, "dry run: the summary")
  T.eq({ count(s, "observation"), count(s, "batch") }, { obs, batches }, "dry run: nothing written")
  local r2, _, e = s:import(FIX .. "bad.csv", { dry_run = true })
  T.ok(not r2 and e.total == 6, "dry run of a bad file reports its errors")
end

-- ---- sign-off ----------------------------------------------------------------------------
do
  local s = fresh()
  s:exec("INSERT INTO framework(id, title, year_start) VALUES ('dudley', 'Dudley', 4)")
  s:exec("INSERT INTO framework_metric(framework, metric) VALUES ('dudley', ?)",
         s:metric_id("waste_recycled"))
  s:signoff("dudley", "2025/26 Q1", { by = "chief" })
  local p = write(".csv", HDR .. "waste_recycled,E08000027,2025-07,1\n" ..
                  "waste_recycled,E08000027,2025-05,2\nchildren_in_care,E08000027,2025-05,3\n")
  local r, msg = s:import(p)
  T.eq(msg, p .. ":3: metric waste_recycled period 2025-05 is signed off by framework dudley " ..
       "(2025/26 Q1): reopen it first", "a signed-off period is refused")
  T.eq(r, nil, "and the file with it")
  T.eq(count(s, "observation"), 0, "nothing written")
  s:reopen("dudley", "2025/26 Q1", { by = "chief", reason = "late revision" })
  r, msg = s:import(p)
  T.ok(r and r.new == 3, "after reopening it imports: " .. tostring(msg))
  os.remove(p)
end

-- ---- a store view and misuse ----------------------------------------------------------
do
  local s = fresh()
  local v = assert(s:as_of("2025-01-01"))
  T.err(function() v:import(FIX .. "long.csv") end, "read%-only view", "an as-of view refuses")
  T.err(function() s:import(FIX .. "long.csv", { format = "xml" }) end, "format must be",
        "a bad format raises")
  T.err(function() s:import(FIX .. "long.csv", { year_start = "Smarch" }) end, "",
        "a bad year start raises")
  T.eq(pmf.importer.parse_flags("Provisional; suppressed"), 9, "parse_flags")
  T.eq(select(2, pmf.importer.parse_flags("x")), "unknown flag 'x' (provisional, estimated, proxy, suppressed, revised)",
       "parse_flags: nil, message")
  T.ok(pmf.importer.peak_rss() > 0, "peak_rss")
  -- inside a transaction the import is a savepoint: rolled back with it
  local ok = pcall(s.transaction, s, function()
    assert(s:import(FIX .. "long.csv"))
    error("abandon")
  end)
  T.ok(not ok and count(s, "observation") == 0, "an import inside a failed transaction rolls back")
  s:transaction(function() assert(s:import(FIX .. "long.csv")) end)
  T.eq(count(s, "observation"), 5, "and commits with it")
end

-- ---- breakdowns: one normaliser for import, observe, get and history --------------------
do
  local s = fresh()
  local BH = "metric,area,period,value,breakdown\n"
  -- "sex=F", "sex=F " and "Sex = f" are one figure: the second and third are duplicates
  local p = write(".csv", BH .. "waste_recycled,E08000027,2025-04,1,sex=F\n" ..
                  "waste_recycled,E08000027,2025-04,2,sex=F \n" ..
                  "waste_recycled,E08000027,2025-04,3,\" Sex = f\"\n")
  local r, _, errs = s:import(p)
  T.eq(r, nil, "breakdown spellings of one figure: refused as duplicates")
  T.eq(errs and errs.total, 2, "two duplicates of the first row")
  T.ok(errs and errs[1]:find(":3: duplicate figure: metric waste_recycled, area E08000027, " ..
                             "breakdown 'sex=F', period 2025-04", 1, true), "named as sex=F")
  os.remove(p)
  -- the first spelling stored is kept; later spellings find it
  p = write(".csv", BH .. "waste_recycled,E08000027,2025-04,1,\" Sex = F \"\n" ..
            "waste_recycled,E08000027,2025-05,1,age_band = 18-24\n")
  assert(s:import(p))
  os.remove(p)
  T.eq(s:breakdowns("waste_recycled", "E08000027"), { "age_band=18-24", "sex=F" },
       "stored trimmed, key lower-case, value as given")
  p = write(".csv", BH .. "waste_recycled,E08000027,2025-04,5,SEX=f\n")
  local r2 = assert(s:import(p))
  os.remove(p)
  T.eq({ r2.new, r2.revised }, { 0, 1 }, "'SEX=f' revises the 'sex=F' figure")
  T.eq(s:breakdowns("waste_recycled", "E08000027"), { "age_band=18-24", "sex=F" },
       "and adds no spelling")
  T.eq(s:get("waste_recycled", "E08000027", "2025-04", " sex = f"), 5, "get normalises")
  T.eq(#s:history("waste_recycled", "E08000027", "2025-04", "Sex=F"), 2, "history normalises")
  T.eq(s:observe{ metric = "waste_recycled", area = "E08000027", period = "2025-04",
                  value = 6, breakdown = "sex =f" }, "revised", "observe normalises")
  T.eq(s:breakdowns("waste_recycled", "E08000027"), { "age_band=18-24", "sex=F" },
       "observe adds no spelling either")
  -- the spelling is the metric's, whichever area stored it: another area takes 'sex=F' too,
  -- and a row of the area that stores it exactly keeps it
  p = write(".csv", BH .. "waste_recycled,E08000028,2025-04,7,SEX=f\n" ..
            "waste_recycled,E08000027,2025-05,2,sex=F\n")
  assert(s:import(p))
  os.remove(p)
  T.eq(s:breakdowns("waste_recycled", "E08000028"), { "sex=F" },
       "another area's 'SEX=f' takes the spelling stored for the metric")
  T.eq(s:breakdowns("waste_recycled", "E08000027"), { "age_band=18-24", "sex=F" },
       "the storing area's own 'sex=F' adds no spelling")
  T.err(function() s:get("waste_recycled", "E08000027", "2025-04", "not a breakdown") end,
        "breakdown 'not a breakdown' is not key=value", "get: a malformed breakdown raises")
  T.err(function() s:history("waste_recycled", "E08000027", "2025-04", "sex=F\0") end,
        "contains a NUL byte", "history: a NUL raises")
  T.err(function()
    s:observe{ metric = "waste_recycled", area = "E08000027", period = "2025-04", value = 1,
               breakdown = "=F" }
  end, "has an empty key", "observe: an empty key raises")

  -- every malformed breakdown refused with file:line:column, the store unchanged
  local obs, batches = count(s, "observation"), count(s, "batch")
  for _, c in ipairs({
    { "not a breakdown", "'not a breakdown' is not key=value (e.g. sex=F)" },
    { "=F", "'=F' has an empty key (key=value, e.g. sex=F)" },
    { "sex=", "'sex=' has an empty value (key=value, e.g. sex=F)" },
    { "sex=F=M", "'sex=F=M' has a second '=' (one key=value per figure)" },
    { "1st=F", "'1st=F' has a key that does not start with a letter" },
    { "se x=F", "'se x=F' has a key with a character other than letters, digits and '_'" },
    { "sex=F\0", "'sex=F\\x00' contains a NUL byte (byte 6)" },
    { "sex=\xff", "'sex=\\xFF' contains invalid UTF-8 (byte 5)" },
    { "sex=\xc3\x28", "'sex=\\xC3(' contains invalid UTF-8 (byte 5)" },
    { "sex=\xed\xa0\x80", "'sex=\\xED\\xA0\\x80' contains invalid UTF-8 (byte 5)" },
  }) do
    p = write(".csv", "metric,area,period,breakdown,value\nwaste_recycled,E08000027,2025-06,\"" ..
              c[1] .. "\",1\n")
    local r3, _, e = s:import(p)
    T.ok(not r3, "refused: " .. c[2])
    T.eq(e and e[1], p .. ":2:4: column 'breakdown': " .. c[2], "breakdown " .. c[2])
    os.remove(p)
  end
  T.eq({ count(s, "observation"), count(s, "batch") }, { obs, batches },
       "after every refused breakdown the store is unchanged")
  p = write(".csv", BH .. "waste_recycled,E08000027,2025-04,7,Ethnicity = Mixed â Other\n")
  assert(s:import(p))
  os.remove(p)
  T.eq(s:get("waste_recycled", "E08000027", "2025-04", "ethnicity=Mixed â Other"), 7,
       "a UTF-8 value is kept as given")
end

-- ---- declared breakdown keys (a framework's KPIs declare them) --------------------------
do
  local s = assert(pmf.open(":memory:"))
  assert(pmf.framework.load(s, root_dir() .. "frameworks/wolverhampton.lua"))
  local obs, batches = count(s, "observation"), count(s, "batch")
  -- CCC01 (staff_sickness_days / staff_fte) declares sex, age_band, disability
  local p = write(".csv", "metric,area,period,value,breakdown\n" ..
                  "staff_sickness_days,E08000031,2025-04,10,Sex=F\n" ..
                  "staff_sickness_days,E08000031,2025-04,10,Colour=Red\n")
  local r, _, e = s:import(p)
  T.eq(r, nil, "an undeclared key is refused")
  T.eq(e, { p .. ":3:5: column 'breakdown': 'Colour=Red': key 'colour' is not declared for " ..
            "metric staff_sickness_days (its frameworks declare age_band,disability,sex)",
            total = 1 }, "naming the key as normalised, the input as given, and the keys declared")
  T.eq({ count(s, "observation"), count(s, "batch") }, { obs, batches }, "nothing written")
  os.remove(p)
  p = write(".csv", "metric,area,period,value,breakdown\n" ..
            "staff_sickness_days,E08000031,2025-04,10,Sex=F\n" ..
            "staff_sickness_days,E08000031,2025-04,12, AGE_BAND=18-24\n")
  local r2, m2 = s:import(p)
  T.ok(r2 and r2.new == 2, "declared keys in any case are accepted: " .. tostring(m2))
  os.remove(p)
end

-- ---- NUL bytes and invalid UTF-8 in every text field -------------------------------------
do
  local s = fresh()
  local obs, batches = count(s, "observation"), count(s, "batch")
  local cols = { "metric", "area", "period", "value", "breakdown", "numerator", "denominator",
                 "flag", "source" }
  local good = { "waste_recycled", "E08000027", "2025-04", "1", "sex=F", "1", "2", "provisional",
                 "returns" }
  for i, col in ipairs(cols) do
    for _, bad in ipairs({ { "\0", "\\x00", "a NUL byte" }, { "\xc0\xaf", "\\xC0\\xAF", "invalid UTF-8" } }) do
      local row = {}
      for j, v in ipairs(good) do row[j] = v end
      row[i] = good[i] .. bad[1]
      local p = write(".csv", table.concat(cols, ",") .. "\n" .. table.concat(row, ",") .. "\n")
      local r, _, e = s:import(p)
      T.eq(e and e[1], string.format("%s:2:%d: column '%s': '%s%s' contains %s (byte %d)", p, i,
                                     col, good[i], bad[2], bad[3], #good[i] + 1),
           col .. ": " .. bad[3] .. " refused with file:line:column")
      T.ok(not r, col .. ": the file is refused")
      os.remove(p)
    end
  end
  -- a wide form's period column, and the header's names
  local p = write(".csv", "metric,area,2025-04\nwaste_recycled,E08000027,1\0\n")
  local _, msg = s:import(p)
  T.eq(msg, p .. ":2:3: column '2025-04': '1\\x00' contains a NUL byte (byte 2)", "wide: a value cell")
  os.remove(p)
  p = write(".csv", "metric,area,period,value,sour\xffce\n")
  _, msg = s:import(p)
  T.ok(msg and msg:find(p .. ":1:5: column name 'sour\\xFFce' contains invalid UTF-8 (byte 5)", 1, true),
       "a header name: " .. tostring(msg))
  os.remove(p)
  -- JSON: strings decoded with a NUL are refused the same way
  p = write(".json", '[{"metric":"waste_recycled","area":"E08000027","period":"2025-04",' ..
            '"value":1,"source":"x\\u0000y"}]')
  _, msg = s:import(p)
  T.eq(msg, p .. ": item 1: field 'source': 'x\\x00y' contains a NUL byte (byte 2)", "JSON: a NUL")
  os.remove(p)
  T.eq({ count(s, "observation"), count(s, "batch") }, { obs, batches },
       "after every refused file the store is unchanged")
end

-- ---- encodings, JSON positions, whole messages ------------------------------------------
do
  local s = fresh()
  local obs, batches = count(s, "observation"), count(s, "batch")
  local function utf16(text, be)
    return (text:gsub(".", function(c) return be and ("\0" .. c) or (c .. "\0") end))
  end
  for _, c in ipairs({
    { "\xff\xfe" .. utf16(HDR), "UTF-16 LE with a byte order mark" },
    { "\xfe\xff" .. utf16(HDR, true), "UTF-16 BE with a byte order mark" },
    { utf16(HDR), "UTF-16 LE without one" },
  }) do
    local p = write(".csv", c[1])
    local r, msg = s:import(p)
    T.eq(msg, p .. ": the file is UTF-16; save it as UTF-8 (CSV UTF-8)", c[2])
    T.ok(not r, c[2] .. ": refused")
    os.remove(p)
  end
  local p = write(".json", '[\n  {"metric": "waste_recycled",\n   "area": }\n]')
  local _, msg = s:import(p)
  T.eq(msg, p .. ":3:12: not valid JSON: Expected value but found T_OBJ_END",
       "malformed JSON: line and column")
  os.remove(p)
  -- the list of unknown columns is never cut, whatever its length
  local names = {}
  for i = 1, 60 do names[i] = "Unknown_Column_Number_" .. i end
  p = write(".csv", HDR:sub(1, -2) .. "," .. table.concat(names, ",") .. "\n")
  _, msg = s:import(p)
  T.ok(msg and #msg > 1500 and msg:find("'Unknown_Column_Number_60' (column 64) (expected", 1, true),
       "a long list of unknown columns is whole, shown as given: " .. tostring(msg and #msg))
  os.remove(p)
  -- a long period label is quoted whole; a very long value says how long it was
  local label = "2025-" .. string.rep("x", 300)
  p = write(".csv", HDR .. "waste_recycled,E08000027," .. label .. "," .. string.rep("9", 1200) .. "z\n")
  local _, _, pe = s:import(p)
  T.eq(pe and pe[1], p .. ":2:3: column 'period': period \"" .. label .. "\": label too long",
       "a long period label is quoted whole")
  T.eq(pe and pe[2], p .. ":2:4: column 'value': '" .. string.rep("9", 1000) ..
       "... (1201 bytes)' is not a number", "past 1000 bytes a value is marked as shortened")
  os.remove(p)
  -- a long path is whole in messages
  local long = "/nonexistent/" .. string.rep("d", 1500) .. "/x.csv"
  _, msg = s:import(long)
  T.ok(msg and msg:find(long, 1, true), "a long path is named whole")
  -- the input is shown as given, not lower-cased
  p = write(".csv", HDR .. "Waste_Recycled,e08000027,2025-04,1\n")
  local _, _, e = s:import(p)
  T.eq(e, { p .. ":2:1: column 'metric': unknown metric 'Waste_Recycled'",
            p .. ":2:2: column 'area': unknown area 'e08000027'", total = 2 }, "codes as given")
  os.remove(p)
  -- many distinct unknown codes: max_errors messages kept, all counted
  local rows = { HDR }
  for i = 1, 5000 do rows[#rows + 1] = "waste_recycled,X" .. i .. ",2025-04,1\n" end
  p = write(".csv", table.concat(rows))
  local r
  r, _, e = s:import(p, { max_errors = 3 })
  T.eq({ r, #e, e.total }, { nil, 3, 5000 }, "3 messages kept, 5000 counted")
  os.remove(p)
  T.eq({ count(s, "observation"), count(s, "batch") }, { obs, batches },
       "after every refused file the store is unchanged")
end

T.done()
