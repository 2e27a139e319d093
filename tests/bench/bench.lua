-- tests/bench/bench.lua: `make bench`.  Runs each benchmark beside its physical limit (raw
-- SQLite on the same rows, measured in the same run) and prints the ratios.
--
--   build/pmf tests/bench/bench.lua [--quick]
--
-- Each bench_*.lua file runs alone too, and when run from here returns a list of result
-- rows {name=, value=, unit=, limit=, ratio=, goal=, note=} that are summarised at the end.
local here = arg[0]:match("^(.-)[^/]*$")
local quick = arg[1] == "--quick"
_G.PMF_BENCH_QUICK = quick

local results = {}
for _, name in ipairs({ "bench_import", "bench_series", "bench_rate" }) do
  local path = here .. name .. ".lua"
  local f = io.open(path)
  if f then
    f:close()
    io.write("\n== ", name, " ==\n")
    io.flush()
    local ok, rows = pcall(dofile, path)
    if not ok then
      io.write("  FAILED: ", tostring(rows), "\n")
      results[#results + 1] = { name = name, note = "failed: " .. tostring(rows) }
    elseif type(rows) == "table" then
      for _, r in ipairs(rows) do results[#results + 1] = r end
    end
  end
end

io.write("\n== summary ==\n")
io.write(string.format("%-44s %16s %16s %8s  %s\n", "benchmark", "pmf", "raw SQLite", "ratio", "goal"))
for _, r in ipairs(results) do
  local function fmt(v) return v and string.format("%.0f %s", v, r.unit or "") or "-" end
  io.write(string.format("%-44s %16s %16s %8s  %s\n", r.name, fmt(r.value), fmt(r.limit),
    r.ratio and string.format("%.2fx", r.ratio) or "-", r.goal or r.note or ""))
end
