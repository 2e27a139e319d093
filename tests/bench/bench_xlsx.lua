-- tests/bench/bench_xlsx.lua: reading an .xlsx sheet against its floor, in the same run.
--
--   build/pmf tests/bench/bench_xlsx.lua [rows]      (default 100,000; also dofile'd by
--                                                     tests/bench/bench.lua)
--
-- Writes a workbook with pmf.xlsx (libxlsxwriter) in a temporary folder: one sheet of `rows`
-- rows by 10 columns as a publisher's table has them (area code and name as shared strings,
-- a period label, seven numbers, some with decimals), under a header row.  Then times:
--   inflate  the sheet's part inflated through libzip alone (the floor of any reader);
--   parse    inflated and run through expat with no handlers (the floor of this reader);
--   C rows   pmf_xlsx_next over every row, no Lua (the reader itself);
--   Lua rows reader:rows() building a Lua table of strings per row (what a recipe sees).
-- The goal (issue 12): a 100,000-row sheet read in under 3 s.  Times are processor seconds.
local pmf = require "pmf"

local rows_wanted = math.tointeger(tonumber(arg and arg[1] or "") or 100000) or 100000
if _G.PMF_BENCH_QUICK then rows_wanted = 20000 end

-- Processor time (os.clock): all the work is in this process, and on a shared machine the
-- wall clock mostly measures the neighbours.
local function time(fn)
  local t0 = os.clock()
  local r = fn()
  return os.clock() - t0, r
end

local function run()
  local path = os.tmpname()
  os.remove(path)
  path = path .. ".xlsx"
  local codes, names = {}, {}
  for i = 1, 333 do
    codes[i] = string.format("E%08d", 6000000 + i)
    names[i] = "Council number " .. i
  end
  local rows = {}
  for i = 1, rows_wanted do
    local a = i % 333 + 1
    rows[i] = { codes[a], names[a], string.format("%d-%02d", 2000 + i % 25, (i % 25 + 1) % 100),
                i, i * 0.25, i % 1000, (i * 7919) % 100003 / 100, i % 7, i * 3, -i / 8 }
  end
  local columns = {}
  for c = 1, 10 do columns[c] = { title = "column " .. c } end
  local write_s = time(function()
    assert(pmf.xlsx.write(path, { sheets = { { name = "Data", rows = rows, columns = columns } } }))
  end)
  rows = nil
  collectgarbage()
  local f = assert(io.open(path, "rb"))
  local size = f:seek("end")
  f:close()

  local X = pmf.xlsxread
  local inflate_s, bytes = time(function() return assert(X.scan(path, "Data", "inflate")) end)
  local parse_s = time(function() return assert(X.scan(path, "Data", "parse")) end)
  local crows_s, crows = time(function() return assert(X.scan(path, "Data", "rows")) end)
  local lua_s, lrows = time(function()
    local n = 0
    local r <close> = assert(X.open(path, { sheet = "Data", header_row = 1 }))
    for _ in r:rows() do n = n + 1 end
    return n
  end)
  os.remove(path)
  assert(crows == rows_wanted + 1 and lrows == rows_wanted, "every row read")

  io.write(string.format("  workbook: %d rows x 10 columns, %.1f MB (sheet %.1f MB inflated), "
    .. "written in %.2f s\n", rows_wanted, size / 1e6, bytes / 1e6, write_s))
  local function line(what, s, floor)
    io.write(string.format("  %-34s %7.3f s %12.0f rows/s %7.2fx the parse floor\n", what, s,
      rows_wanted / s, floor / s))
  end
  line("inflate (libzip alone)", inflate_s, parse_s)
  line("inflate + expat, no handlers", parse_s, parse_s)
  line("C reader (pmf_xlsx_next)", crows_s, parse_s)
  line("Lua rows (reader:rows())", lua_s, parse_s)
  -- Rows for bench.lua's summary; the "raw" column is the inflate + expat floor here.
  return {
    { name = string.format("xlsx %d rows x 10, Lua rows (s)", rows_wanted), value = lua_s,
      limit = parse_s, ratio = parse_s / lua_s, fmt = "%.3f s",
      goal = "< 3 s; raw = libzip + expat" },
    { name = "xlsx C reader (rows/s)", value = rows_wanted / crows_s,
      limit = rows_wanted / parse_s, ratio = parse_s / crows_s, goal = "raw = libzip + expat" },
  }
end

return run()
