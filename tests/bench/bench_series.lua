-- tests/bench/bench_series.lua: the series benchmark (aggregation), beside raw SQLite.
--
--   build/pmf tests/bench/bench_series.lua [metrics [areas [months]]]
--
-- Makes a fresh file store with 60 metrics x 333 areas x 100 months = 1,998,000 monthly
-- observations (one recursive-CTE INSERT in one transaction; the six aggregation rules in
-- turn), then times:
--   raw      SELECT metric, area, start, value FROM observation, stepped in C (the limit)
--   quarters pmf.series.aggregate_all(store, 3): every row read, versions resolved, months
--            combined into financial quarters by each metric's rule
--   matrix   pmf.series.matrix for every metric over all areas x 8 quarters
-- Goal: aggregate_all >= 2,000,000 input rows/s on one core.  Returns a table of results
-- (tests/bench/bench.lua dofiles this file).
local pmf = require "pmf"
local series = pmf.series

local NM = tonumber(arg and arg[1]) or 60
local NA = tonumber(arg and arg[2]) or 333
local NMONTHS = tonumber(arg and arg[3]) or 100
local FIRST = 2017 * 12 + 3              -- April 2017

local path = os.tmpname()
os.remove(path)
path = path .. ".pmf"
local s = assert(pmf.open(path))

local function clock() return os.clock() end
local function rate(n, t) return t > 0 and n / t or math.huge end
local function fmt(n) return tostring(math.floor(n + 0.5)):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "") end

-- data -----------------------------------------------------------------------------------------
local rules = { "sum", "mean", "last", "min", "max", "ratio" }
local t0 = clock()
s:transaction(function()
  for i = 1, NM do s:metric { id = string.format("bench_%02d", i), aggregation = rules[(i - 1) % 6 + 1] } end
  local b = s:batch { kind = "bench", note = "bench_series" }
  s:exec([[
    WITH RECURSIVE mo(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM mo WHERE k < ?3 - 1)
    INSERT INTO observation(metric, area, breakdown, start, len, batch, value, numerator,
                            denominator, flags)
    SELECT m.id, a.id, '', ?2 + mo.k, 1, ?1, (m.id * 7 + a.id * 3 + mo.k) % 1000,
           CASE WHEN m.aggregation = 'ratio' THEN (m.id * 7 + a.id * 3 + mo.k) % 1000 END,
           CASE WHEN m.aggregation = 'ratio' THEN 1000 END, 0
      FROM (SELECT id, aggregation FROM metric WHERE code LIKE 'bench\_%' ESCAPE '\') m,
           (SELECT id FROM area ORDER BY id LIMIT ?4) a, mo
     ORDER BY m.id, a.id, mo.k]], b, FIRST, NMONTHS, NA)
end)
local t_gen = clock() - t0
local nrows = s:query("SELECT count(*) AS n FROM observation")[1].n

-- raw scan, then the aggregation (each twice, best time: the first warms the page cache) ------
local function best(fn)
  local tbest, r1, r2 = math.huge, nil, nil
  for _ = 1, 2 do
    local t = clock()
    r1, r2 = fn()
    tbest = math.min(tbest, clock() - t)
  end
  return tbest, r1, r2
end

local t_raw, raw_rows = best(function() return series.raw_scan(s) end)
local t_agg, tot = best(function() return series.aggregate_all(s, 3, 4) end)

-- matrix: every metric, all areas, the last 8 quarters ----------------------------------------
local areas = {}
for _, r in ipairs(s:query("SELECT code FROM area ORDER BY id LIMIT ?", NA)) do areas[#areas + 1] = r.code end
local last = pmf.period.span(FIRST + NMONTHS - 1, 1)
local periods, q = {}, last:quarter_of() or last
for i = 8, 1, -1 do periods[i] = q; q = q:prev() end
local t_mat, cells = best(function()
  local n = 0
  for i = 1, NM do
    local _, info = series.matrix(s, string.format("bench_%02d", i), areas, periods)
    n = n + info.n
  end
  return n
end)
local mat_rows = NM * #areas * 24         -- months read: 8 quarters of 3 months

s:close()
for _, suffix in ipairs { "", "-wal", "-shm" } do os.remove(path .. suffix) end

local result = {
  rows = nrows, gen_s = t_gen,
  raw_s = t_raw, raw_rows_per_s = rate(raw_rows, t_raw),
  agg_s = t_agg, agg_rows_per_s = rate(tot.rows, t_agg), agg_cells = tot.cells,
  agg_complete = tot.complete,
  matrix_s = t_mat, matrix_cells = cells, matrix_rows_per_s = rate(mat_rows, t_mat),
  goal = 2000000,
}
print(string.format("series: %s observations (%d metrics x %d areas x %d months), generated in %.2f s",
                    fmt(nrows), NM, NA, NMONTHS, t_gen))
print(string.format("  raw scan (sqlite3_step, 4 columns)   %6.3f s  %12s rows/s", t_raw, fmt(result.raw_rows_per_s)))
print(string.format("  aggregate_all to quarters            %6.3f s  %12s rows/s  (%s cells, %.0f%% of raw speed)%s",
                    t_agg, fmt(result.agg_rows_per_s), fmt(tot.cells),
                    100 * result.agg_rows_per_s / result.raw_rows_per_s,
                    result.agg_rows_per_s >= result.goal and "" or "  BELOW GOAL of 2,000,000"))
print(string.format("  matrix (%d metrics x %d areas x 8 quarters) %6.3f s  %12s rows/s",
                    NM, #areas, t_mat, fmt(result.matrix_rows_per_s)))
return result
