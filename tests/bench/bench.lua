-- tests/bench/bench.lua: `make bench`.  Runs each benchmark beside its physical limit (raw
-- SQLite on the same rows, measured in the same run) and prints the ratios.
--
--   build/pmf tests/bench/bench.lua [--quick]
--
-- Each bench_*.lua file runs alone too, and when run from here returns a list of result
-- rows {name=, value=, unit=, limit=, ratio=, goal=, note=} that are summarised at the end.
local here = arg[0]:match("^(.-)[^/]*$")
local quick, pmf_bin = false, "build/pmf"
for i = 1, #arg do
  if arg[i] == "--quick" then quick = true end
  if arg[i] == "--pmf" then pmf_bin = arg[i + 1] end
end
local cjson = require "cjson"

-- Each benchmark runs in a process of its own (tests/bench/bench_one.lua), so that none pays
-- for the heap an earlier one left (measured: the public path's 33 calls ran 1.5x slower
-- after bench_rate in the same process) nor gains from its warm caches.  Its printed lines
-- stream through; what it returns comes back as JSON.
local function run(name)
  local out = os.tmpname()
  local cmd = string.format("%s --db :memory: %sbench_one.lua %s%s.lua %s%s", pmf_bin, here,
                            here, name, out, quick and " --quick" or "")
  io.flush()
  local ok = os.execute(cmd)
  local f = io.open(out)
  local text = f and f:read("a")
  if f then f:close() end
  os.remove(out)
  if not ok or not text or text == "" then return nil, "the benchmark failed (" .. cmd .. ")" end
  local dok, rows = pcall(cjson.decode, text)
  if not dok then return nil, rows end
  return rows
end

-- Each bench file returns its own figures; these turn them into summary rows.
local summarise = {
  bench_import = function(r) return {
    { name = "import CSV (rows/s)", value = r.import_rows_per_s, limit = r.raw_rows_per_s,
      ratio = r.ratio, goal = ">= 0.7x raw" },
    { name = "import peak RSS small / large file (KiB)", value = r.rss_small_kib,
      limit = r.rss_big_kib, goal = "flat in file size" } } end,
  bench_recipe = function(r) return {
    { name = "import CSV through a recipe (rows/s)", value = r.recipe_rows_per_s,
      limit = r.plain_rows_per_s, ratio = r.ratio, goal = ">= 0.8x plain import (limit column)" },
    { name = "the same with a Lua row function (rows/s)", value = r.rowfn_rows_per_s,
      limit = r.plain_rows_per_s, ratio = r.rowfn_ratio, goal = ">= 0.5x plain import (limit column)" },
    { name = "  plain import, same rows (rows/s)", value = r.plain_rows_per_s,
      limit = r.raw_rows_per_s, ratio = r.plain_rows_per_s / r.raw_rows_per_s },
    { name = string.format("import XLSX %d rows through a recipe (s)", r.xlsx_rows),
      value = r.xlsx_seconds, goal = "100,000 rows < 3 s", fmt = "%.2f s" } } end,
  bench_series = function(r) return {
    { name = "quarterly aggregation (input rows/s)", value = r.agg_rows_per_s,
      limit = r.raw_rows_per_s, ratio = r.agg_rows_per_s / r.raw_rows_per_s,
      goal = ">= 2,000,000 rows/s" },
    { name = "series matrix (rows/s)", value = r.matrix_rows_per_s, limit = r.raw_rows_per_s,
      ratio = r.matrix_rows_per_s / r.raw_rows_per_s } } end,
  bench_rate = function(r) return {
    { name = string.format("rate %d KPI ratings, default rules (s)", r.ratings), value = r.seconds,
      limit = r.sqlite_seconds, ratio = r.sqlite_seconds / r.seconds, goal = "< 1 s",
      fmt = "%.3f s" },
    { name = "ratings/s, default rules", value = r.ratings / r.seconds },
    { name = "ratings/s, Lua-defined rag rule", value = r.ratings / r.lua_seconds } } end,
  bench_public = function(r) return {
    { name = "33 quarters, public path, 333 areas' rows (s)", value = r.public_seconds,
      limit = r.raw_seconds, ratio = r.public_seconds / r.raw_seconds, goal = "<= 1.5x raw",
      fmt = "%.3f" },
    { name = "  ... against the matrix (s)", value = r.public_seconds, limit = r.matrix_seconds,
      ratio = r.public_seconds / r.matrix_seconds, goal = "<= 1.2x matrix (limit column)",
      fmt = "%.3f" },
    { name = "33 quarters, public path, council's rows (s)", value = r.council_seconds,
      limit = r.raw_seconds, ratio = r.council_seconds / r.raw_seconds, goal = "<= 1.5x raw",
      fmt = "%.3f" },
    { name = "  ... against the matrix (s)", value = r.council_seconds, limit = r.matrix_seconds,
      ratio = r.council_seconds / r.matrix_seconds, goal = "<= 1.2x matrix (limit column)",
      fmt = "%.3f" },
    { name = "  non-read work: council's 33 calls again (s)", value = r.council_cached_seconds,
      limit = r.matrix_cached_seconds, ratio = r.council_cached_seconds / r.matrix_cached_seconds,
      note = "the work left once reads cost nothing (limit column: the matrix's)", fmt = "%.3f" },
    { name = "one council's scorecard, one quarter (ms)", value = r.scorecard_seconds * 1000,
      goal = "< 20 ms", fmt = "%.1f" } } end,
}

local results = {}
for _, name in ipairs({ "bench_import", "bench_recipe", "bench_series", "bench_rate", "bench_public" }) do
  local path = here .. name .. ".lua"
  local f = io.open(path)
  if f then
    f:close()
    io.write("\n== ", name, " ==\n")
    io.flush()
    local rows, err = run(name)
    local ok = rows ~= nil
    if not ok then rows = err end
    if not ok then
      io.write("  FAILED: ", tostring(rows), "\n")
      results[#results + 1] = { name = name, note = "failed: " .. tostring(rows) }
    elseif type(rows) == "table" then
      local ok2, list = pcall(summarise[name], rows)
      if not ok2 then
        io.write("  FAILED to summarise: ", tostring(list), "\n")
        results[#results + 1] = { name = name, note = "failed to summarise: " .. tostring(list) }
      end
      for _, r in ipairs(ok2 and list or {}) do results[#results + 1] = r end
    end
  end
end

for _, name in ipairs({ "bench_xlsx", "bench_returns" }) do
  io.write("\n== ", name, " ==\n")
  local rows, err = run(name)
  if not rows then results[#results + 1] = { name = name, note = "failed: " .. tostring(err) } end
  for _, r in ipairs(rows or {}) do results[#results + 1] = r end
end

io.write("\n== summary ==\n")
io.write(string.format("%-44s %16s %16s %8s  %s\n", "benchmark", "pmf", "raw SQLite", "ratio", "goal"))
for _, r in ipairs(results) do
  local function fmt(v) return v and string.format(r.fmt or "%.0f", v) or "-" end
  io.write(string.format("%-44s %16s %16s %8s  %s\n", r.name, fmt(r.value), fmt(r.limit),
    r.ratio and string.format("%.2fx", r.ratio) or "-", r.goal or r.note or ""))
end
