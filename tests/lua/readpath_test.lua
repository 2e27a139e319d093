-- tests/lua/readpath_test.lua: the public rating path's cheaper reads and calls give the same
-- figures as the one reader.  The KPI engine's Reader reads a figure's numerator and
-- denominator only for `ratio` metrics, keeps what it read between calls and reads ahead
-- when a series is walked; engine.rows converts a group's rows once.  Each case compares
-- pmf.kpi (the engine's path) with pmf.series.value (a plain read of every column) or a
-- hand-worked figure.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local s = assert(pmf.open(":memory:"))
local A, B, C = "E08000030", "E08000027", "E08000028"
s:group{ id = "rp:three", members = { A, B, C } }

local function fw_of(metric, agg)
  s:metric{ id = metric, aggregation = agg }
  return { id = "rp_" .. metric, title = "Read path", council = A, year_start = 4,
           comparator = "rp:three", kpis = { K = { id = "K", title = "K", unit = "count",
           decimals = 2, file = "readpath_test", line = 1,
           versions = { { formula = { kind = "metric", metric = metric }, polarity = "up",
                          target = { kind = "benchmark", stat = "median" } } } } },
           kpi_order = { "K" }, groups = {}, deadlines = {} }
end

-- 1. A `sum` metric stored with a NULL value and both parts (an import may store a figure
--    so): its value is numerator / denominator, read by key although the engine's Reader
--    reads no parts for a `sum` metric.  The quarter: 1 + 0.5 + 3 = 4.5.
local fw = fw_of("rp_sum", "sum")
local b = s:batch{ kind = "test", note = "readpath" }
local mid = s:query("SELECT id FROM metric WHERE code = 'rp_sum'")[1].id
local aid = s:area_id(A)
local apr = pmf.period.parse("2025-04", 4).start
s:exec([[INSERT INTO observation(metric, area, breakdown, start, len, batch, value, numerator,
         denominator, flags) VALUES (?1, ?2, '', ?3, 1, ?4, 1, NULL, NULL, 0),
         (?1, ?2, '', ?3 + 1, 1, ?4, NULL, 5, 10, 0), (?1, ?2, '', ?3 + 2, 1, ?4, 3, NULL, NULL, 1)]],
       mid, aid, apr, b)
T.near(pmf.series.value(s, "rp_sum", A, "2025/26 Q1"), 4.5, "pmf.series.value: parts give the value")
local rows = pmf.kpi.rate{ store = s, framework = fw, period = "2025/26 Q1" }
T.eq(#rows, 1, "one row: the council's")
T.near(rows[1].value, 4.5, "pmf.kpi.rate: a NULL value's parts are read for a sum metric too")
-- flags are still read: the third month is provisional (flag 1)
T.eq(rows[1].flags, { "provisional" }, "a figure's flags reach the row")

-- 2. A `ratio` metric: parts are read (they make the value): 100 * (1 + 3) / (4 + 4) = 50.
local fr = fw_of("rp_ratio", "ratio")
for i, nd in ipairs{ { 1, 4 }, { 3, 4 } } do
  s:observe{ metric = "rp_ratio", area = A, period = "2025-0" .. (3 + i), value = 100 * nd[1] / nd[2],
             numerator = nd[1], denominator = nd[2] }
end
s:observe{ metric = "rp_ratio", area = A, period = "2025-06", value = 0, numerator = 0,
           denominator = 0 }
local want = pmf.series.value(s, "rp_ratio", A, "2025/26 Q1")
T.near(want, 50, "pmf.series.value of the ratio quarter")
T.near(pmf.kpi.rate{ store = s, framework = fr, period = "2025/26 Q1" }[1].value, want,
       "pmf.kpi.rate: a ratio metric's parts are read")

-- 3. Walking a series quarter by quarter, forwards then backwards, through one store view
--    (one Reader, its cache and its read-ahead): every quarter's value and rank equal a
--    fresh read's, for all three areas.
local fw3 = fw_of("rp_walk", "mean")
local first = pmf.period.parse("2015-04", 4).start
local mw = s:query("SELECT id FROM metric WHERE code = 'rp_walk'")[1].id
local bw = s:batch{ kind = "test", note = "walk" }
for k, code in ipairs{ A, B, C } do
  s:exec([[WITH RECURSIVE mo(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM mo WHERE m < 119)
           INSERT INTO observation(metric, area, breakdown, start, len, batch, value, flags)
           SELECT ?1, ?2, '', ?3 + m, 1, ?4, (m * 7 + ?5 * 13) % 50, 0 FROM mo]],
         mw, s:area_id(code), first, bw, k)
end
local view = s:as_of("9999-12-31")
local quarters = pmf.period.range(pmf.period.parse("2015/16 Q1", 4), pmf.period.parse("2024/25 Q4", 4))
T.eq(#quarters, 40, "forty quarters")
local order = {}
for i = 1, #quarters do order[#order + 1] = quarters[i] end
for i = #quarters, 1, -1 do order[#order + 1] = quarters[i] end
local bad = 0
for _, q in ipairs(order) do
  local r = pmf.kpi.rate{ store = view, framework = fw3, period = q, areas = { A, B, C } }
  for _, row in ipairs(r) do
    local v = pmf.series.value(s, "rp_walk", row.area, q)
    if math.abs(row.value - v) > 1e-9 then bad = bad + 1 end
  end
  local fresh = pmf.kpi.rate{ store = s:as_of("9999-12-31"), framework = fw3, period = q,
                              areas = { A, B, C } }
  for i, row in ipairs(r) do
    if row.rank ~= fresh[i].rank or row.dot_prev ~= fresh[i].dot_prev or
       row.dot_year ~= fresh[i].dot_year or row.rag ~= fresh[i].rag then
      bad = bad + 1
    end
  end
end
T.eq(bad, 0, "80 calls walking 40 quarters both ways: every value, rank, DoT and RAG as read fresh")

-- 4. engine.rows: a list of rows converted once, taken wherever a list of indices is.
local E = pmf.engine
local g = E.grid(4, 1)
for i, v in ipairs{ 10, 20, 30, 40 } do g:set_value(i, 1, v) end
E.publish(g, -1, { 1 })
local n1, med1 = E.stats(g, { 1, 2, 3 }, 1)
local n2, med2 = E.stats(g, E.rows{ 1, 2, 3 }, 1)
T.eq({ n2, med2 }, { n1, med1 }, "stats over Indices equal stats over the table")
T.eq({ n2, med2 }, { 3, 20 }, "the median of 10, 20, 30")
T.err(function() E.stats(g, E.rows{ 1, 5 }, 1) end, "index is not 1..4",
      "an Indices reaching past the grid's rows is refused")
T.err(function() E.rows{ 1, 0 } end, "index 2 is not a positive integer",
      "engine.rows refuses 0")
T.err(function() E.rows{ 1, "x" } end, "index 2 is not a positive integer",
      "engine.rows refuses a non-number")

-- 5. Figures written by store:exec inside a transaction begun by an earlier store:exec are
--    packed when it commits (a series not packed reads its rows: slower, never wrong).
s:exec("BEGIN")
s:exec([[INSERT INTO observation(metric, area, breakdown, start, len, batch, value, flags)
         VALUES (?1, ?2, '', ?3, 1, ?4, 7, 0)]], mid, s:area_id(B), apr, b)
T.eq(s:query("SELECT count(*) AS n FROM series_dirty")[1].n, 1, "inside the transaction: its series listed dirty")
s:exec("COMMIT")
T.eq(s:query("SELECT count(*) AS n FROM series_dirty")[1].n, 0, "after COMMIT: packed, nothing dirty")
T.near(pmf.series.value(s, "rp_sum", B, "2025-04"), 7, "and read from its pack")

s:close()
T.done()
