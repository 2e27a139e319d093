-- tests/lua/kpi_test.lua: the KPI engine (pmf.kpi) against a real in-memory store.
-- Framework definitions are built by hand in the shape the contract fixes (what
-- pmf.framework produces), so these tests pin the engine alone.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local P = function(l) return pmf.period(l) end

local WALSALL, DUDLEY, SANDWELL, WOLVES, BHAM =
  "E08000030", "E08000027", "E08000028", "E08000031", "E08000025"

local s = assert(pmf.open(":memory:"))
s:group{ id = "t:wm", members = { WALSALL, DUDLEY, SANDWELL, WOLVES, BHAM } }

local metric_n = 0
-- A fresh metric; obs = {[area] = {[period] = value or {value, num, den, at=}}}
local function metric(agg, obs)
  metric_n = metric_n + 1
  local id = "m" .. metric_n
  s:metric{ id = id, aggregation = agg or "sum" }
  for area, byp in pairs(obs or {}) do
    for p, v in pairs(byp) do
      if type(v) == "table" then
        s:observe{ metric = id, area = area, period = p, value = v[1], numerator = v.num,
                   denominator = v.den, at = v.at, flags = v.flags }
      else
        s:observe{ metric = id, area = area, period = p, value = v }
      end
    end
  end
  return id
end

-- A framework with one KPI per entry: {id, formula=, target=, polarity=, ...}.
local function fw_of(kpis, extra)
  local fw = { id = "t", title = "Test", council = WALSALL, year_start = 4,
               kpis = {}, kpi_order = {}, groups = { wm = { id = "t:wm" } },
               deadlines = {}, commentary_statuses = { red = true, amber = true } }
  for k, v in pairs(extra or {}) do fw[k] = v end
  for i, k in ipairs(kpis) do
    local kpi = { id = k.id or ("K" .. i), title = k.title or "KPI", unit = k.unit,
                  decimals = k.decimals, suppress_below = k.suppress_below,
                  frequency = k.frequency, carry = k.carry, min_group = k.min_group,
                  rate_on = k.rate_on,
                  owner = "Owner", parents = { "p1" }, file = "frameworks/t.lua", line = 10 + i,
                  versions = k.versions or { {
                    formula = k.formula, target = k.target, polarity = k.polarity or "up",
                    tolerance = k.tolerance, blue = k.blue, band = k.band, rag = k.rag,
                    comparator = k.comparator, dot_threshold = k.dot_threshold } } }
    fw.kpis[kpi.id] = kpi
    fw.kpi_order[#fw.kpi_order + 1] = kpi.id
  end
  return fw
end

local function one(fw, p, area, opts)
  opts = opts or {}
  local rows = pmf.kpi.rate{ store = opts.store or s, framework = fw, period = p,
                             areas = { area or WALSALL }, benchmark = opts.benchmark }
  return rows[1]
end

local function val(v) return { kind = "value", value = v } end
local Q = "2025/26 Q2"

-- ---- polarity and tolerance -------------------------------------------------------------
do
  local up = metric("last", { [WALSALL] = { [Q] = 70 }, [DUDLEY] = { [Q] = 65 },
                              [SANDWELL] = { [Q] = 64.9 }, [WOLVES] = { [Q] = 80 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = up }, target = val(70),
                      polarity = "up", tolerance = 5, blue = 10, decimals = 1 } }
  T.eq(one(fw, Q, WALSALL).rag, "green", "up: exactly on target is green")
  T.eq(one(fw, Q, DUDLEY).rag, "amber", "up: exactly on the abs tolerance edge is amber")
  T.eq(one(fw, Q, SANDWELL).rag, "red", "up: beyond the tolerance is red")
  T.eq(one(fw, Q, WOLVES).rag, "blue", "up: target + blue margin is blue")
  local r = one(fw, Q, WALSALL)
  T.eq({ r.value, r.target, r.polarity, r.kpi, r.area, r.period, r.framework },
       { 70, 70, "up", "K1", WALSALL, Q, "t" }, "row fields")

  local down = metric("last", { [WALSALL] = { [Q] = 100 }, [DUDLEY] = { [Q] = 110 },
                                [SANDWELL] = { [Q] = 110.5 } })
  fw = fw_of{ { formula = { kind = "metric", metric = down }, target = val(100),
                polarity = "down", tolerance = "10%", decimals = 1 } }
  T.eq(one(fw, Q, WALSALL).rag, "green", "down: on target green")
  T.eq(one(fw, Q, DUDLEY).rag, "amber", "down: on the 10% edge amber")
  T.eq(one(fw, Q, SANDWELL).rag, "red", "down: beyond 10% red")

  fw = fw_of{ { formula = { kind = "metric", metric = down }, polarity = "band",
                band = { lo = 95, hi = 105 }, tolerance = 5, target = val(100), decimals = 1 } }
  T.eq(one(fw, Q, WALSALL).rag, "green", "band: inside green")
  T.eq(one(fw, Q, DUDLEY).rag, "amber", "band: within tolerance of hi amber")
  T.eq(one(fw, Q, SANDWELL).rag, "red", "band: beyond red")

  fw = fw_of{ { formula = { kind = "metric", metric = up }, polarity = "up" } }
  T.eq(one(fw, Q, WALSALL).rag, "data_only", "no target: data_only")
  T.eq(one(fw, Q, BHAM).rag, "no_data", "no value: no_data")
  T.eq(one(fw, Q, BHAM).display, "no data", "no value displays 'no data'")
  T.eq(one(fw, Q, BHAM).value, nil, "no value: nil")
end

-- ---- formulas ---------------------------------------------------------------------------
do
  local num = metric("sum", { [WALSALL] = { ["2025-07"] = 1, ["2025-08"] = 9, ["2025-09"] = 90 },
                              [DUDLEY] = { [Q] = 5 } })
  local den = metric("sum", { [WALSALL] = { ["2025-07"] = 10, ["2025-08"] = 10, ["2025-09"] = 100 },
                              [DUDLEY] = { [Q] = 0 } })
  local fw = fw_of{ { formula = { kind = "ratio", num = num, den = den, scale = 100 },
                      unit = "%", decimals = 1 } }
  local r = one(fw, Q, WALSALL)
  T.near(r.value, 100 * 100 / 120, "pct: sum of numerators over sum of denominators")
  T.ok(math.abs(r.value - (10 + 90 + 90) / 3) > 1, "pct is not the mean of monthly percentages")
  T.eq(r.display, "83.3%", "pct display")
  r = one(fw, Q, DUDLEY)
  T.eq({ r.value, r.rag, r.display }, { nil, "no_data", "no data" }, "division by zero: no data")

  local pop = metric("last", { [WALSALL] = { [Q] = 50000 } })
  fw = fw_of{ { formula = { kind = "ratio", num = num, den = pop, scale = 1000 },
                unit = "per 1,000", decimals = 2 } }
  r = one(fw, Q, WALSALL)
  T.near(r.value, 100 / 50000 * 1000, "rate per 1,000")
  T.eq(r.display, "2.00 per 1,000", "rate display")

  fw = fw_of{ { formula = { kind = "diff", a = den, b = num } } }
  T.eq(one(fw, Q, WALSALL).value, 20, "diff")

  local src = "return function(m, ctx) return m.crimes / m.pop * 1000 + (ctx.area == 'E08000030' and 0 or 1) end"
  local fn = load(src, "@frameworks/t.lua")()
  fw = fw_of{ { formula = { kind = "custom", inputs = { crimes = num, pop = pop }, fn = fn } } }
  T.near(one(fw, Q, WALSALL).value, 2, "custom formula gets named inputs and ctx")
  local bad = load("return function(m) return m.crimes / 0 end", "@frameworks/t.lua")()
  fw = fw_of{ { formula = { kind = "custom", inputs = { crimes = num }, fn = bad } } }
  T.eq(one(fw, Q, WALSALL).value, nil, "custom giving inf: no data")
  local boom = load("return function(m)\n  error('bad input')\nend", "@frameworks/t.lua")()
  fw = fw_of{ { formula = { kind = "custom", inputs = { crimes = num }, fn = boom } } }
  r = one(fw, Q, WALSALL)
  T.eq(r.rag, "error", "custom formula raising: rag error")
  T.ok(r.error and r.error:find("frameworks/t.lua:2:", 1, true), "error names file:line: " .. tostring(r.error))

  T.eq(pmf.kpi.display(1234567, "GBP"), "£1,234,567", "GBP display")
  T.eq(pmf.kpi.display(12.5, "days", 1), "12.5 days", "days display")
  T.eq(pmf.kpi.display(1234, "count"), "1,234", "count display")
  T.eq(pmf.kpi.display(-1234.5, "£", 2), "-£1,234.50", "negative money")
end

-- ---- targets ----------------------------------------------------------------------------
do
  local m = metric("last", { [WALSALL] = { [Q] = 72, ["2024/25 Q2"] = 100, ["2026/27 Q2"] = 72 },
                             [DUDLEY] = { [Q] = 10 }, [SANDWELL] = { [Q] = 20 },
                             [WOLVES] = { [Q] = 30 }, [BHAM] = { [Q] = 40 } })
  local F = { kind = "metric", metric = m }
  local byyear = { kind = "periods", by_year = true, values = { ["2025/26"] = 70, ["2026/27"] = 75 },
                   list = { { period = P"2025/26", value = 70 }, { period = P"2026/27", value = 75 } } }
  local fw = fw_of{ { formula = F, target = byyear } }
  T.eq(one(fw, Q).target, 70, "per-FY target for a quarter of that year")
  T.eq(one(fw, "2026/27 Q2").target, 75, "per-FY target differs by year")
  T.eq(one(fw, "2026/27 Q2").rag, "red", "rated against the year's target")
  local profile = { kind = "periods", by_year = false, values = { [Q] = 72, ["2025/26 Q3"] = 71 },
                    list = { { period = P(Q), value = 72 }, { period = P"2025/26 Q3", value = 71 } } }
  fw = fw_of{ { formula = F, target = profile } }
  T.eq(one(fw, Q).target, 72, "profile target per period label")
  T.eq(one(fw, Q).rag, "green", "on profile target")
  fw = fw_of{ { formula = F, polarity = "down",
                target = { kind = "baseline", period = P"2024/25 Q2", change = { pct = -5 } } } }
  T.near(one(fw, Q).target, 95, "baseline -5% of the KPI's own baseline value")
  T.eq(one(fw, Q).rag, "green", "72 beats baseline target 95 (down)")
  fw = fw_of{ { formula = F, target = { kind = "baseline", period = P"2024/25 Q2", change = { abs = 10 } } } }
  T.near(one(fw, Q).target, 110, "baseline absolute change")
  fw = fw_of{ { formula = F, target = { kind = "benchmark", group = "wm", stat = "median" } } }
  T.eq(one(fw, Q).target, 30, "benchmark median of the group (10,20,30,40,72)")
  fw = fw_of{ { formula = F, target = { kind = "benchmark", group = "t:wm", stat = "top_quartile" } } }
  T.eq(one(fw, Q).target, 40, "top quartile, polarity up: 75th percentile")
  fw = fw_of{ { formula = F, polarity = "down",
                target = { kind = "benchmark", group = "t:wm", stat = "top_quartile" } } }
  T.eq(one(fw, Q).target, 20, "top quartile, polarity down: 25th percentile")
  fw = fw_of{ { formula = F, target = { kind = "benchmark", group = "t:wm", stat = "mean" } } }
  T.near(one(fw, Q).target, (10 + 20 + 30 + 40 + 72) / 5, "benchmark mean")
  fw = fw_of{ { formula = F, target = { kind = "function", fn = function(ctx)
    return ctx.period.quarter == 2 and 50 or 60 end } } }
  T.eq(one(fw, Q).target, 50, "function target")
  fw = fw_of{ { formula = F, target = val(80), id = "ST" } }
  T.eq(one(fw, Q).rag, "red", "before a stored target: framework target 80")
  s:set_target{ framework = "t", kpi = "ST", area = WALSALL, period = Q, value = 72 }
  T.eq(one(fw, Q).target, 72, "stored per-area target overrides the framework's")
  T.eq(one(fw, Q, DUDLEY).target, 80, "other areas keep the framework's target")
end

-- ---- effective-dated versions -------------------------------------------------------------
do
  local m = metric("last", { [WALSALL] = { ["2025/26 Q4"] = 68, ["2026/27 Q1"] = 68 } })
  local F = { kind = "metric", metric = m }
  local fw = fw_of{ { versions = {
    { formula = F, target = val(70), polarity = "down", tolerance = 0 },
    { from = P"2026/27 Q1", formula = F, target = val(65), polarity = "down", tolerance = "5%" } } } }
  T.eq({ one(fw, "2025/26 Q4").target, one(fw, "2025/26 Q4").rag }, { 70, "green" },
       "before `from`: the old version")
  T.eq({ one(fw, "2026/27 Q1").target, one(fw, "2026/27 Q1").rag }, { 65, "amber" },
       "from `from` on: the new version")
end

-- ---- direction of travel --------------------------------------------------------------------
do
  local m = metric("last", { [WALSALL] = { ["2024/25 Q2"] = 50, ["2025/26 Q1"] = 60, [Q] = 60.5 },
                             [DUDLEY] = { ["2024/25 Q2"] = 70, ["2025/26 Q1"] = 50, [Q] = 60 } })
  local F = { kind = "metric", metric = m }
  local fw = fw_of{ { formula = F, decimals = 1 } }
  local r = one(fw, Q)
  T.eq({ r.prev, r.dot_prev, r.last_year, r.dot_year }, { 60, "better", 50, "better" },
       "DoT vs previous quarter and same quarter last year")
  fw = fw_of{ { formula = F } }
  T.eq(one(fw, Q).dot_prev, "same",
       "published with 0 decimals, 60.5 shows as 60: the same as last quarter's 60")
  fw = fw_of{ { formula = F, dot_threshold = "1%" } }
  T.eq(one(fw, Q).dot_prev, "same", "within the 1% threshold: same")
  fw = fw_of{ { formula = F, polarity = "down" } }
  r = one(fw, Q, DUDLEY)
  T.eq({ r.dot_prev, r.dot_year }, { "worse", "better" }, "DoT through polarity down")
  fw = fw_of{ { formula = F } }
  T.eq(one(fw, "2024/25 Q2").dot_prev, nil, "no previous value: no DoT")
end

-- ---- benchmarking: ranks and quartiles -------------------------------------------------
do
  local codes = { WALSALL, DUDLEY, SANDWELL, WOLVES, BHAM }
  local m = metric("last", { [WALSALL] = { [Q] = 90 }, [DUDLEY] = { [Q] = 80 },
                             [SANDWELL] = { [Q] = 80 }, [WOLVES] = { [Q] = 70 },
                             ["E92000001"] = { [Q] = 75 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m }, comparator = "wm" } }
  local rows = pmf.kpi.rate{ store = s, framework = fw, period = Q, areas = codes }
  local ranks, quarts = {}, {}
  for i, r in ipairs(rows) do ranks[i], quarts[i] = r.rank, r.quartile end
  T.eq(ranks, { 1, 2, 2, 4 }, "ties rank 1-2-2-4 (BHAM has no value, unranked)")
  T.eq(rows[1].n, 4, "n counts values present")
  T.eq(rows[1].group_median, 80, "group median")
  T.eq(rows[1].group_mean, 80, "group mean")
  T.eq(rows[1].england, 75, "England's value")
  T.eq(quarts, { 1, 2, 2, 4 }, "quartiles for n=4 with ties")
  local want = { [1] = { 1 }, [2] = { 1, 3 }, [3] = { 1, 2, 3 }, [4] = { 1, 2, 3, 4 },
                 [5] = { 1, 1, 2, 3, 4 } }
  for n = 1, 5 do
    local obs = {}
    for i = 1, n do obs[codes[i]] = { [Q] = 100 - i } end
    local mm = metric("last", obs)
    local sub = {}
    for i = 1, n do sub[i] = codes[i] end
    s:group{ id = "t:g" .. n, members = sub }
    local f = fw_of({ { formula = { kind = "metric", metric = mm }, comparator = "t:g" .. n } },
                    { min_group = 1 })
    local got = {}
    for i, r in ipairs(pmf.kpi.rate{ store = s, framework = f, period = Q, areas = sub }) do
      got[i] = r.quartile
    end
    T.eq(got, want[n], "quartiles for n = " .. n)
  end
end

-- ---- rag overrides ---------------------------------------------------------------------------
do
  local m = metric("last", { [WALSALL] = { [Q] = 91, ["2024/25 Q2"] = 80 },
                             [DUDLEY] = { [Q] = 85, ["2024/25 Q2"] = 80 },
                             [SANDWELL] = { [Q] = 85, ["2024/25 Q2"] = 90 } })
  -- green within 10% of target; amber when off but improved on the same quarter last year
  local council = load([[return function(r, ctx)
    if r.value == nil then return "no_data" end
    if r.value >= r.target * 0.9 then return "green" end
    if r.last_year and r.value > r.last_year then return "amber" end
    return "red"
  end]], "@frameworks/t.lua")()
  local fw = fw_of{ { formula = { kind = "metric", metric = m }, target = val(100), rag = council } }
  T.eq(one(fw, Q, WALSALL).rag, "green", "override: within 10% of target is green")
  T.eq(one(fw, Q, DUDLEY).rag, "amber", "override: off target but improved on last year is amber")
  T.eq(one(fw, Q, SANDWELL).rag, "red", "override: off and not improved is red")
  local broken = load("return function(r, ctx)\n\n  return r.nothing.here\nend", "@frameworks/t.lua")()
  fw = fw_of{ { formula = { kind = "metric", metric = m }, target = val(100), rag = broken } }
  local r = one(fw, Q, WALSALL)
  T.eq(r.rag, "error", "override raising: rag error, no crash")
  T.ok(r.error and r.error:find("frameworks/t.lua:3:", 1, true), "names file:line: " .. tostring(r.error))
  local silly = load("return function(r) return 'purple' end", "@frameworks/t.lua")()
  fw = fw_of{ { formula = { kind = "metric", metric = m }, target = val(100), rag = silly } }
  r = one(fw, Q, WALSALL)
  T.eq(r.rag, "error", "override returning a non-status: error")
  T.ok(r.error and r.error:find("frameworks/t.lua:1", 1, true) and r.error:find("purple"),
       "names the file and the bad status: " .. tostring(r.error))
end

-- ---- exceptions and commentary ----------------------------------------------------------------
do
  local m = metric("last", { [WALSALL] = { [Q] = 50 } })
  local m2 = metric("last", { [WALSALL] = { [Q] = 97 } })
  local m3 = metric("last", { [WALSALL] = { [Q] = 120 } })
  local fw = fw_of({ { id = "X1", formula = { kind = "metric", metric = m }, target = val(100), tolerance = 5 },
                     { id = "X2", formula = { kind = "metric", metric = m2 }, target = val(100), tolerance = 5 },
                     { id = "X3", formula = { kind = "metric", metric = m3 }, target = val(100), tolerance = 5 } },
                   { id = "tx" })
  s:comment{ framework = "tx", kpi = "X1", period = Q, text = "Recovery plan agreed" }
  local ex = pmf.kpi.exceptions{ store = s, framework = fw, period = Q }
  T.eq(#ex, 2, "exceptions: the red and the amber KPI")
  T.eq({ ex[1].kpi, ex[1].rag, ex[1].commentary, ex[1].commentary_required },
       { "X1", "red", "Recovery plan agreed", false }, "red with commentary")
  T.eq({ ex[2].kpi, ex[2].rag, ex[2].commentary, ex[2].commentary_required },
       { "X2", "amber", nil, true }, "amber without commentary: commentary required")
end

-- ---- suppression, late, as-of ------------------------------------------------------------------
do
  local m = metric("last", { [WALSALL] = { [Q] = 3 }, [DUDLEY] = { [Q] = 12 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m }, suppress_below = 5, unit = "count" } }
  local r = one(fw, Q, WALSALL)
  T.eq({ r.value, r.display, r.rag }, { nil, "suppressed", "no_data" }, "count below 5 suppressed")
  T.ok(table.concat(r.flags, ","):find("suppressed"), "suppressed flag")
  T.eq(one(fw, Q, DUDLEY).display, "12", "count at or above 5 shown")

  local lm = metric("last")
  -- Q2 ends 2025-09-30; 10 working days later is 2025-10-14
  s:observe{ metric = lm, area = WALSALL, period = Q, value = 1, at = "2025-10-14T12:00:00" }
  s:observe{ metric = lm, area = DUDLEY, period = Q, value = 1, at = "2025-10-15T09:00:00" }
  fw = fw_of({ { formula = { kind = "metric", metric = lm } } },
             { deadlines = { data_entry = { working_days = 10 } } })
  T.ok(not table.concat(one(fw, Q, WALSALL).flags, ","):find("late"), "on the deadline day: not late")
  T.ok(table.concat(one(fw, Q, DUDLEY).flags, ","):find("late"), "after the deadline: late")

  local am = metric("last")
  s:observe{ metric = am, area = WALSALL, period = Q, value = 10, at = "2025-10-01T09:00:00",
             flags = "provisional" }
  s:observe{ metric = am, area = WALSALL, period = Q, value = 20, at = "2025-11-01T09:00:00" }
  fw = fw_of{ { formula = { kind = "metric", metric = am } } }
  T.eq(one(fw, Q).value, 20, "now: the revision")
  local view = s:as_of("2025-10-15")
  r = one(fw, Q, WALSALL, { store = view })
  T.eq(r.value, 10, "as of before the revision: the first figure")
  T.eq(r.flags, { "provisional" }, "observation flags reach the row")
end

-- ---- value, series, rate_matrix -------------------------------------------------------------
do
  -- (a sum metric: a level would carry Q2 into Q3, see "levels borrow" below)
  local m = metric("sum", { [WALSALL] = { ["2025/26 Q1"] = 1, [Q] = 2, ["2025/26 Q4"] = 4 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m }, target = val(2) } }
  T.eq(pmf.kpi.value(s, fw, "K1", WALSALL, Q), 2, "value")
  T.eq({ pmf.kpi.value(s, fw, "K1", WALSALL, "2025/26 Q3") }, { nil, "no data" }, "value: no data")
  T.eq(pmf.kpi.series(s, fw, "K1", WALSALL, { "2025/26 Q1", Q, "2025/26 Q3", "2025/26 Q4" }),
       { 1, 2, nil, 4, n = 4 }, "series with a hole")
  local h = pmf.kpi.history(s, fw, "K1", WALSALL, "2025/26 Q1", "2025/26 Q4")
  T.eq(#h, 4, "history: one row per period")
  T.eq(h[2].rag, "green", "history rows are rated")
  local res = pmf.kpi.rate_matrix{ store = s, framework = fw, areas = { WALSALL },
                                   periods = { "2025/26 Q1", Q } }
  T.eq(res.grid.K1:count({ res.req[1], res.req[2] }).green, 1, "rate_matrix counts")
  T.eq(pmf.kpi.row(res, "K1", WALSALL, Q).value, 2, "row from a matrix")
  T.err(function() pmf.kpi.rate{ store = s, framework = fw, period = Q, kpis = { "nope" } } end,
        "no KPI 'nope'", "unknown KPI raises")
end

-- ---- frequency: a KPI is rated for the latest period of its own frequency ---------------
do
  local yr = metric("sum", { [WALSALL] = { ["2023/24"] = 90, ["2024/25"] = 100,
                                           ["2025/26 Q1"] = 30, [Q] = 40 } })
  local qm = metric("sum", { [WALSALL] = { ["2024/25 Q4"] = 5, ["2025/26 Q1"] = 6, [Q] = 7 } })
  local hm = metric("sum", { [WALSALL] = { ["2024/25 H2"] = 6, ["2025/26 H1"] = 8 } })
  local fw = fw_of{
    { id = "A", formula = { kind = "metric", metric = yr }, target = val(120),
      frequency = "annual" },
    { id = "Qk", formula = { kind = "metric", metric = qm }, target = val(6),
      frequency = "quarterly" },
    { id = "H", formula = { kind = "metric", metric = hm }, target = val(6),
      frequency = "half-yearly" },
    { id = "M", formula = { kind = "metric", metric = qm }, target = val(6),
      frequency = "monthly" } }
  local rows = pmf.kpi.rate{ store = s, framework = fw, period = Q }
  T.eq({ rows[1].kpi, rows[2].kpi, rows[3].kpi, rows[4].kpi }, { "A", "Qk", "H", "M" },
       "rows keep the KPI order across rated periods")
  local a = rows[1]
  T.eq({ a.period, a.requested_period, a.frequency, a.value, a.rag },
       { "2024/25", Q, "annual", 100, "red" },
       "annual KPI in a quarter: rated for the last whole year, not part of this one")
  T.eq({ a.prev, a.dot_prev, a.last_year }, { 90, "better", 90 },
       "DoT of a moved KPI is relative to the rated period")
  T.eq({ rows[2].period, rows[2].requested_period, rows[2].frequency, rows[2].value },
       { Q, nil, nil, 7 }, "quarterly KPI in its own period: as asked, no extra fields")
  T.eq({ rows[3].period, rows[3].requested_period, rows[3].value }, { "2025/26 H1", Q, 8 },
       "half-yearly KPI: Q2 ends H1, so H1")
  T.eq({ rows[4].period, rows[4].value, rows[4].requested_period }, { Q, 7, nil },
       "monthly KPI for a quarter: the quarter, as before")

  local r = pmf.kpi.rate{ store = s, framework = fw, period = "2025-08", kpis = { "Qk" } }[1]
  T.eq({ r.period, r.requested_period, r.value, r.prev },
       { "2025/26 Q1", "2025-08", 6, 5 }, "quarterly KPI for a month: the last whole quarter")
  r = pmf.kpi.rate{ store = s, framework = fw, period = "2025-09", kpis = { "Qk" } }[1]
  T.eq({ r.period, r.requested_period }, { Q, "2025-09" }, "the quarter's last month: that quarter")
  r = pmf.kpi.rate{ store = s, framework = fw, period = "2025/26 Q1", kpis = { "H" } }[1]
  T.eq({ r.period, r.value }, { "2024/25 H2", 6 }, "half-yearly KPI in Q1: the previous half")
  r = pmf.kpi.rate{ store = s, framework = fw, period = "2025/26", kpis = { "A" } }[1]
  T.eq({ r.period, r.requested_period }, { "2025/26", nil },
       "annual KPI for its own year: rated as asked")
  r = pmf.kpi.rate{ store = s, framework = fw, period = "2025/26 Q4", kpis = { "A" } }[1]
  T.eq(r.period, "2025/26", "Q4 ends the year: that year")

  local ex = pmf.kpi.exceptions{ store = s, framework = fw, period = Q }
  T.eq({ #ex, ex[1] and ex[1].kpi, ex[1] and ex[1].period, ex[1] and ex[1].commentary_required },
       { 1, "A", "2024/25", true }, "exceptions follow the rule (the annual KPI, for 2024/25)")

  -- a January year start: the year is the calendar year
  local fwj = fw_of({ { id = "A", formula = { kind = "metric", metric = yr }, target = val(1),
                        frequency = "annual" } }, { year_start = 1 })
  r = pmf.kpi.rate{ store = s, framework = fwj, period = "2025 Q2" }[1]
  T.eq({ r.period, r.requested_period }, { "2024", "2025 Q2" }, "aligned to the year start")
  T.eq(tostring(pmf.kpi.rated_period({ frequency = "annual" }, "2025/26 Q2")), "2024/25",
       "rated_period helper")
end

-- ---- no silent carry; snapshots by reference date (core/reader.h) -----------------------
do
  local pop = metric("last", { [WALSALL] = { ["2025/26"] = 200000 } })
  local popc = metric("last", { [WALSALL] = { ["2025"] = 100000 } })
  s:metric{ id = "popmid", aggregation = "last", reference = "mid-year" }
  s:observe{ metric = "popmid", area = WALSALL, period = "2025", value = 100000 }
  s:metric{ id = "popcarry", aggregation = "last", carry = "12 months" }
  s:observe{ metric = "popcarry", area = WALSALL, period = "2025/26", value = 200000 }
  local crime = metric("sum", { [WALSALL] = { ["2025/26 Q1"] = 2000, [Q] = 2400,
                                              ["2025/26 Q4"] = 1000, ["2026/27 Q1"] = 3000 } })
  local avg = metric("mean", { [WALSALL] = { ["2025/26"] = 3.5 } })
  local fw = fw_of{
    { id = "R", formula = { kind = "ratio", num = crime, den = pop, scale = 1000 },
      target = val(10), polarity = "down" },
    { id = "RM", formula = { kind = "ratio", num = crime, den = "popmid", scale = 1000 },
      target = val(10), polarity = "down" },
    { id = "RC", formula = { kind = "ratio", num = crime, den = "popcarry", scale = 1000 },
      target = val(10), polarity = "down" },
    { id = "RK", formula = { kind = "ratio", num = crime, den = pop, scale = 1000 },
      carry = "12 months", target = val(10), polarity = "down" },
    { id = "C", formula = { kind = "metric", metric = popc } },
    { id = "V", formula = { kind = "metric", metric = avg } } }
  local function row(id, p) return pmf.kpi.rate{ store = s, framework = fw, period = p,
                                                 kpis = { id } }[1] end
  -- fails on the old main: the year's population was borrowed for each quarter
  T.eq({ pmf.kpi.value(s, fw, "R", WALSALL, Q) }, { nil, "no data" },
       "a year's snapshot is not any quarter's but the one holding its date (no silent fill)")
  T.eq(pmf.kpi.value(s, fw, "R", WALSALL, "2025/26 Q4"), 5,
       "2025/26's population (at 31 March 2026) counts for Q4")
  T.eq({ pmf.kpi.value(s, fw, "V", WALSALL, Q) }, { nil, "no data" },
       "a mean over the year is no quarter's value")
  T.eq(pmf.kpi.value(s, fw, "C", WALSALL, "2025/26 Q3"), 100000,
       "calendar 2025 (at 31 December 2025) is 2025/26 Q3's")
  T.eq({ pmf.kpi.value(s, fw, "C", WALSALL, "2025/26 Q4") }, { nil, "no data" },
       "and not carried into Q4 without a carry rule")
  T.eq(pmf.kpi.value(s, fw, "RM", WALSALL, "2025/26 Q1"), 20,
       "reference = mid-year: calendar 2025 is at 30 June 2025, in 2025/26 Q1")
  local r = row("RC", "2026/27 Q1")
  T.eq({ r.value, r.flags, r.carried_from }, { 15, { "carried" }, "2025/26" },
       "metric carry = 12 months: carried into 2026/27 Q1, flagged, with its period")
  T.eq({ pmf.kpi.value(s, fw, "RC", WALSALL, "2027/28 Q1") }, { nil, "no data" },
       "not beyond 12 months")
  r = row("RK", "2026/27 Q1")
  T.eq({ r.value, r.flags, r.carried_from }, { 15, { "carried" }, "2025/26" },
       "a KPI's carry = asks for it too")
  r = row("R", "2026/27 Q1")
  T.eq({ r.value, r.carried_from }, { nil, nil }, "the same inputs without carry: no data")
  -- pmf.series.value agrees
  local v, info = pmf.series.value(s, "popcarry", WALSALL, "2026/27 Q1")
  T.eq({ v, info.flags, info.carried_from }, { 200000, { "carried" }, "2025/26" },
       "series.value: carried, flagged, from 2025/26")
  T.eq((pmf.series.value(s, pop, WALSALL, Q)), nil, "series.value: no silent fill either")
end

-- ---- issue case 3: benchmarks only over areas with a figure, min_group --------------------
do
  s:group{ id = "t:three", members = { DUDLEY, SANDWELL, WALSALL } }
  local m = metric("last", { [DUDLEY] = { ["2024/25 Q1"] = 50, ["2024/25 Q2"] = 40 },
                             [SANDWELL] = { ["2024/25 Q1"] = 90 },
                             [WALSALL] = { ["2024/25 Q1"] = 60, ["2024/25 Q2"] = 70 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m }, comparator = "t:three" } }
  local rows = pmf.kpi.rate{ store = s, framework = fw, period = "2024/25 Q2",
                             areas = { DUDLEY, SANDWELL, WALSALL } }
  -- fails on the old main: Sandwell was ranked first on its Q1 value
  T.eq({ rows[2].value, rows[2].rank, rows[1].rank, rows[3].rank },
       { nil, nil, nil, nil }, "2 of 3 areas have a Q2 figure: below min_group 3, nobody ranked")
  T.eq({ rows[1].n, rows[1].group_median, rows[1].quartile }, { 2, nil, nil },
       "n counts the figures; no median or quartile")
  T.eq(rows[1].benchmark_note, "2 of 3 areas have a figure (min 3)", "and the row says why")
  fw = fw_of({ { formula = { kind = "metric", metric = m }, comparator = "t:three" } },
             { min_group = 2 })
  rows = pmf.kpi.rate{ store = s, framework = fw, period = "2024/25 Q2",
                       areas = { DUDLEY, SANDWELL, WALSALL } }
  T.eq({ rows[1].rank, rows[2].rank, rows[3].rank, rows[1].group_median },
       { 2, nil, 1, 55 }, "min_group = 2: the two with a figure, Sandwell unranked")
  rows = pmf.kpi.rate{ store = s, framework = fw, period = "2024/25 Q1",
                       areas = { DUDLEY, SANDWELL, WALSALL } }
  T.eq({ rows[1].rank, rows[2].rank, rows[3].rank, rows[1].benchmark_note },
       { 3, 1, 2, nil }, "Q1: all three have a figure")
end

-- ---- rate what is published --------------------------------------------------------------
do
  local m = metric("last", { [WALSALL] = { [Q] = 59.98 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m }, unit = "%", decimals = 1,
                      target = val(60), polarity = "up", tolerance = 0 } }
  local r = one(fw, Q)
  T.eq({ r.display, r.rag, r.value }, { "60.0%", "green", 59.98 },
       "59.98 published as 60.0% against 60 is green (the stored value is kept)")
  fw = fw_of({ { formula = { kind = "metric", metric = m }, unit = "%", decimals = 1,
                 target = val(60), polarity = "up", tolerance = 0 } }, { rate_on = "unrounded" })
  T.eq(one(fw, Q).rag, "red", "rate_on = unrounded: 59.98 < 60")
  fw = fw_of{ { formula = { kind = "metric", metric = m }, unit = "%", decimals = 1,
                rate_on = "unrounded", target = val(60), polarity = "up", tolerance = 0 } }
  T.eq(one(fw, Q).rag, "red", "a KPI can choose unrounded too")
end

-- ---- the public path reads each row once, but never a stale one ---------------------------
do
  local m = metric("sum", { [WALSALL] = { ["2025/26 Q1"] = 10 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m } } }
  T.eq(pmf.kpi.value(s, fw, "K1", WALSALL, "2025/26 Q1"), 10, "first read")
  s:observe{ metric = m, area = WALSALL, period = "2025/26 Q1", value = 15 }
  T.eq(pmf.kpi.value(s, fw, "K1", WALSALL, "2025/26 Q1"), 15, "a revision is seen at once")
  s:observe{ metric = m, area = WALSALL, period = "2025/26 Q2", value = 7 }
  T.eq(pmf.kpi.series(s, fw, "K1", WALSALL, { "2025/26 Q1", "2025/26 Q2" }), { 15, 7, n = 2 },
       "and a new figure")
end

-- a metric redefined between two calls on one store: the second reads by the new rule (the
-- reader keeps the rules it looked up only until the store's data changes)
do
  local m = metric("sum", { [WALSALL] = { ["2025-04"] = 10, ["2025-05"] = 20, ["2025-06"] = 30 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m } } }
  T.eq(pmf.kpi.value(s, fw, "K1", WALSALL, "2025/26 Q1"), 60, "the quarter's sum")
  s:metric{ id = m, aggregation = "mean" }
  T.eq(pmf.kpi.value(s, fw, "K1", WALSALL, "2025/26 Q1"), 20, "then its mean, once redefined")
end

-- ---- unknown area codes among known ones: each row keeps its own value ----------------
do
  local m = metric("sum", { [WALSALL] = { [Q] = 10 }, [DUDLEY] = { [Q] = 20 } })
  local fw = fw_of{ { formula = { kind = "metric", metric = m } } }
  local got = {}
  for k, r in ipairs(pmf.kpi.rate{ store = s, framework = fw, period = Q, benchmark = false,
                                   areas = { "X1", WALSALL, "X2", DUDLEY, "X3" } }) do
    got[k] = r.value or false
  end
  T.eq(got, { false, 10, false, 20, false }, "unknown areas read as no data, in place")
end

-- ---- a Reader never outlives its store -------------------------------------------------
do
  local s2 = assert(pmf.open(":memory:"))
  local r = pmf.engine.reader(s2)
  s2:close()
  local ok, err = pcall(pmf.engine.fetch, r, "x", { 1 }, { "2025/26 Q1" })
  T.ok(not ok and tostring(err):find("closed"), "fetching through a closed store raises: " ..
       tostring(err))
end

T.done()
