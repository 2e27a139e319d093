-- tests/bench/bench_rate.lua: rate 60 KPIs x 333 areas x 40 quarters (~800,000 ratings, with
-- benchmarks over the whole 333-area group per period and direction of travel), from a store
-- of generated data.  Prints ratings/s for the default rules, with a Lua-defined rag rule,
-- and a raw-SQLite baseline (the time to SELECT the same observation rows).
--
-- The Lua rule rates r.value, the stored figure, so its statuses are checked, cell by cell,
-- against the built-in rule rating the same figures (rate_on = "unrounded", an untimed run):
-- the default rates the published (rounded) figure, and would differ on rounding alone.
--
--   build/pmf tests/bench/bench_rate.lua        (the lead's bench.lua may dofile it)
local pmf = require "pmf"

local NKPI_DIRECT, NKPI_PCT, NKPI_RATE = 30, 20, 10
local NAREA, NQ = 333, 40

local s = assert(pmf.open(":memory:"))
local clock = os.clock

-- areas: the first 333 council codes, as one group
local areas = {}
for _, a in ipairs(s:areas{}) do
  if a.kind ~= "country" and a.kind ~= "former district" and #areas < NAREA then
    areas[#areas + 1] = a.code
  end
end
assert(#areas == NAREA, "need 333 areas, found " .. #areas)
s:group{ id = "bench:all", members = areas }

-- metrics
local metrics = {}
for i = 1, NKPI_DIRECT do metrics[#metrics + 1] = "bm_d" .. i end
for i = 1, NKPI_PCT do metrics[#metrics + 1] = "bm_n" .. i; metrics[#metrics + 1] = "bm_e" .. i end
for i = 1, NKPI_RATE do metrics[#metrics + 1] = "bm_r" .. i end
metrics[#metrics + 1] = "bm_pop"
for _, id in ipairs(metrics) do s:metric{ id = id, aggregation = "sum" } end

-- quarters: 40 from 2016/17 Q1, and one year more before for DoT
local first = pmf.period("2016/17 Q1")
local periods = pmf.period.range(first, first:next(NQ - 1))
assert(#periods == NQ)
local start0 = first:last_year().start

local t0 = clock()
s:transaction(function()
  local b = s:batch{ kind = "import", by = "bench", at = "2020-01-01T00:00:00" }
  s:exec([[
    INSERT INTO observation(metric, area, breakdown, start, len, batch, value, flags)
    WITH RECURSIVE q(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM q WHERE i < ?)
    SELECT m.id, a.id, '', ? + 3 * q.i, 3, ?,
           CASE WHEN m.code LIKE 'bm_e%' OR m.code = 'bm_pop' THEN 1000 + abs(random() % 9000)
                ELSE abs(random() % 1000) END, 0
      FROM metric m JOIN area_group_member g ON g.group_id = 'bench:all'
      JOIN area a ON a.id = g.area, q
     WHERE m.code LIKE 'bm_%'
     ORDER BY 1, 2, 4]], NQ + 4 - 1, start0, b)
end)
local nobs = s:query("SELECT count(*) AS n FROM observation")[1].n
print(string.format("bench_rate: generated %d observations in %.2f s", nobs, clock() - t0))

-- the framework (built as pmf.framework would load it)
local function fw_with(rag, rate_on)
  local fw = { id = "bench", title = "Bench", council = areas[1], year_start = 4, rate_on = rate_on,
               comparator = "bench:all", kpis = {}, kpi_order = {}, groups = {},
               deadlines = { data_entry = { working_days = 10 } },
               commentary_statuses = { red = true, amber = true } }
  local function add(id, formula, i)
    local v = { formula = formula, target = { kind = "value", value = i % 2 == 0 and 500 or 40 },
                polarity = i % 2 == 0 and "up" or "down", tolerance = "5%", dot_threshold = "1%",
                rag = rag }
    fw.kpis[id] = { id = id, title = id, unit = "count", versions = { v },
                    file = "bench", line = i }
    fw.kpi_order[#fw.kpi_order + 1] = id
  end
  for i = 1, NKPI_DIRECT do add("D" .. i, { kind = "metric", metric = "bm_d" .. i }, i) end
  for i = 1, NKPI_PCT do
    add("P" .. i, { kind = "ratio", num = "bm_n" .. i, den = "bm_e" .. i, scale = 100 }, i)
  end
  for i = 1, NKPI_RATE do
    add("R" .. i, { kind = "ratio", num = "bm_r" .. i, den = "bm_pop", scale = 1000 }, i)
  end
  return fw
end

local function run(fw)
  local t = clock()
  local res = pmf.kpi.rate_matrix{ store = s, framework = fw, areas = areas, periods = periods }
  local dt = clock() - t
  local n, counts = 0, {}
  local cols = {}
  for k, j in ipairs(res.req) do cols[k] = j end
  for _, id in ipairs(fw.kpi_order) do
    for st, c in pairs(res.grid[id]:count(cols)) do
      counts[st] = (counts[st] or 0) + c
      n = n + c
    end
  end
  return n, dt, counts, res
end

-- differing(a, b) -> how many requested cells two rate_matrix results rate differently.
local function differing(a, b)
  local d = 0
  for _, id in ipairs(a.framework.kpi_order) do
    local KA, KB = a.grid[id], b.grid[id]
    for _, j in ipairs(a.req) do
      for i = 1, a.nreq do
        if KA:status(i, j) ~= KB:status(i, j) then d = d + 1 end
      end
    end
  end
  return d
end

local n, dt, counts = run(fw_with(nil))
print(string.format("bench_rate: default rules: %d ratings in %.3f s = %.0f ratings/s " ..
                    "(red %d, amber %d, green %d)", n, dt, n / dt, counts.red, counts.amber,
                    counts.green))
local lua_rule = function(r)
  if r.value == nil then return "no_data" end
  local t = r.target
  if r.polarity == "up" then
    return r.value >= t and "green" or r.value >= t * 0.95 and "amber" or "red"
  end
  return r.value <= t and "green" or r.value <= t * 1.05 and "amber" or "red"
end
local n2, dt2, _, lua_res = run(fw_with(lua_rule))
local _, _, _, unrounded = run(fw_with(nil, "unrounded"))
local diff = differing(lua_res, unrounded)
print(string.format("bench_rate: Lua rag rule:  %d ratings in %.3f s = %.0f ratings/s " ..
                    "(same statuses as the built-in rule on the same unrounded figures: %s, " ..
                    "%d cells differ)", n2, dt2, n2 / dt2, tostring(diff == 0), diff))

-- raw SQLite: select the same rows (every input metric over the 44 quarters, all areas)
local t = clock()
local rows = 0
for _, id in ipairs(metrics) do
  local r = s:query([[SELECT count(*) AS n, sum(value) AS v FROM observation
                      WHERE metric = ? AND breakdown = '' AND start >= ? AND start < ?]],
                    s:metric_id(id), start0, first.start + 3 * NQ)[1]
  rows = rows + r.n
end
local draw = clock() - t
print(string.format("bench_rate: raw SQLite SELECT of the %d input rows: %.3f s", rows, draw))
return { ratings = n, seconds = dt, lua_seconds = dt2, sqlite_seconds = draw }
