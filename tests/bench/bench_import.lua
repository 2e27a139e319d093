-- tests/bench/bench_import.lua: `pmf import` against raw SQLite on the same rows.
--
--   build/pmf tests/bench/bench_import.lua [rows]      (default 2,000,000; also dofile'd by
--                                                       tests/bench/bench.lua)
--
-- Writes monthly observations (60 metrics x the English councils of the store's area table
-- x enough months for `rows`) as a long-form CSV in a temporary folder, imports it into a
-- fresh file store, and compares the rate with the physical limit: the same rows, computed
-- in memory beforehand, through one prepared INSERT into the same observation table of
-- another fresh store (same PRAGMAs, one transaction).  The peak RSS is printed after a
-- tenth-size import and after the full one to show that the importer's memory is flat in
-- the file's size (getrusage's high-water mark, so the smaller file goes first and the raw
-- inserts, which hold every row in memory, come last).
local pmf = require "pmf"

local rows_wanted = math.tointeger(tonumber(arg and arg[1] or "") or 2000000) or 2000000
local NMETRICS = 60
local START = 2017 * 12 + 3          -- April 2017

local tmp = os.tmpname()
os.remove(tmp)
local function path(suffix) return tmp .. suffix end
local created = {}
local function cleanup()
  for _, p in ipairs(created) do
    os.remove(p); os.remove(p .. "-wal"); os.remove(p .. "-shm")
  end
end

local function fresh_store(suffix)
  local p = path(suffix)
  created[#created + 1] = p
  local s = assert(pmf.open(p))
  s:transaction(function()
    for m = 1, NMETRICS do s:metric{ id = string.format("bench_m%02d", m), title = "m" .. m } end
  end)
  return s
end

local function english_councils(s)
  local rows = s:query([[SELECT id, code FROM area WHERE kind IN ('county', 'district',
    'london borough', 'metropolitan district', 'unitary') AND code LIKE 'E%' ORDER BY code]])
  local codes, ids = {}, {}
  for i = 1, math.min(#rows, 333) do codes[i], ids[i] = rows[i].code, rows[i].id end
  return codes, ids
end

-- Write the CSV: metric-major, then area, then month (the observation table's key order).
local function write_csv(file, codes, nmonths)
  created[#created + 1] = file
  local f = assert(io.open(file, "wb"))
  f:write("metric,area,period,value\n")
  local labels = {}
  for t = 0, nmonths - 1 do
    local mi = START + t
    labels[t] = string.format("%04d-%02d", mi // 12, mi % 12 + 1)
  end
  local buf, n, rows = {}, 0, 0
  for m = 0, NMETRICS - 1 do
    local mcode = string.format("bench_m%02d", m + 1)
    for a = 0, #codes - 1 do
      local prefix = mcode .. "," .. codes[a + 1] .. ","
      for t = 0, nmonths - 1 do
        n = n + 1
        buf[n] = string.format("%s%s,%.2f\n", prefix, labels[t],
                               ((m * 7919 + a * 104729 + t * 31) % 100000) / 4)
        if n == 4096 then f:write(table.concat(buf)); buf, n = {}, 0 end
      end
      rows = rows + nmonths
    end
  end
  f:write(table.concat(buf, "", 1, n))
  f:close()
  return rows
end

local function now()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("l"))
  p:close()
  return t or os.clock()
end

local function run()
  local results = {}
  local probe = fresh_store("-probe.db")
  local codes = english_councils(probe)
  probe:close()
  local per_month = NMETRICS * #codes
  local big_months = math.max(1, (rows_wanted + per_month - 1) // per_month)
  local small_months = math.max(1, big_months // 10)
  print(string.format("import: %d metrics x %d English councils; files of %d and %d months",
                      NMETRICS, #codes, small_months, big_months))

  local sizes = { { months = small_months, tag = "small" }, { months = big_months, tag = "big" } }
  for _, sz in ipairs(sizes) do
    local csv = path("-" .. sz.tag .. ".csv")
    sz.rows = write_csv(csv, codes, sz.months)
    collectgarbage("collect")
    local s = fresh_store("-" .. sz.tag .. "-import.db")
    local t0 = now()
    local r, msg = s:import(csv)
    local dt = now() - t0
    assert(r, msg)
    assert(r.new == sz.rows, "every row is new")
    s:close()
    collectgarbage("collect")
    sz.import_s = dt
    sz.rss = pmf.importer.peak_rss()
    print(string.format("  import %9d rows (%6.1f MB CSV): %6.2f s, %9.0f rows/s, peak RSS %d KiB",
                        sz.rows, (io.open(csv):seek("end")) / 1e6, dt, sz.rows / dt, sz.rss))
    if sz.tag == "small" then os.remove(csv) else sz.csv = csv end
  end

  for _, sz in ipairs(sizes) do
    local s = fresh_store("-" .. sz.tag .. "-raw.db")
    local _, ids = english_councils(s)
    local mids = {}
    for m = 1, NMETRICS do mids[m] = s:metric_id(string.format("bench_m%02d", m)) end
    local secs, n = pmf.importer.raw_insert(s, mids, ids, START, sz.months)
    s:close()
    assert(n == sz.rows)
    sz.raw_s = secs
    print(string.format("  raw SQLite %9d rows: %6.2f s, %9.0f rows/s; import / raw = %.2fx",
                        n, secs, n / secs, secs / sz.import_s))
  end
  -- Two more rounds of the big file, import and raw insert alternated, each the best of its
  -- three: the machine's speed varies by the minute (one import measured 0.98x and 0.58x
  -- the raw insert back to back), and no single pair of runs should decide the ratio.  (The
  -- peak RSS above is the first round's: the raw inserts hold every row in memory.)
  local big = sizes[2]
  for round = 2, 3 do
    local function gone(p) os.remove(p); os.remove(p .. "-wal"); os.remove(p .. "-shm") end
    local s = fresh_store("-big-import-" .. round .. ".db")
    local t0 = now()
    local r, msg = s:import(big.csv)
    local dt = now() - t0
    assert(r and r.new == big.rows, msg)
    s:close()
    gone(path("-big-import-" .. round .. ".db"))
    s = fresh_store("-big-raw-" .. round .. ".db")
    local _, ids = english_councils(s)
    local mids = {}
    for m = 1, NMETRICS do mids[m] = s:metric_id(string.format("bench_m%02d", m)) end
    local secs = pmf.importer.raw_insert(s, mids, ids, START, big.months)
    s:close()
    gone(path("-big-raw-" .. round .. ".db"))
    print(string.format("  round %d: import %.2f s, raw SQLite %.2f s (%.2fx)", round, dt, secs,
                        secs / dt))
    big.import_s = math.min(big.import_s, dt)
    big.raw_s = math.min(big.raw_s, secs)
  end
  os.remove(big.csv)
  results.import_rows_per_s = big.rows / big.import_s
  results.raw_rows_per_s = big.rows / big.raw_s
  results.ratio = big.raw_s / big.import_s
  results.rss_small_kib, results.rss_big_kib = sizes[1].rss, sizes[2].rss
  print(string.format("import: %.0f rows/s = %.2fx raw SQLite, each the best of 3 (goal >= 0.7x); peak RSS %d KiB " ..
                      "at %d rows, %d KiB at %d rows", results.import_rows_per_s, results.ratio,
                      sizes[1].rss, sizes[1].rows, sizes[2].rss, sizes[2].rows))
  return results
end

local ok, res = pcall(run)
cleanup()
if not ok then error(res, 0) end
return res
