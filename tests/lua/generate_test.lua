-- tests/lua/generate_test.lua: examples/lib/generate.lua, the example data generator (not
-- part of the engine: loaded from examples/lib/ as the demo loads it).
-- Run: build/pmf tests/lua/generate_test.lua (from the repository root).
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local root = (arg[0]:match("^(.-)tests/lua/[^/]*$") or "./")
package.path = root .. "examples/lib/?.lua;" .. package.path
local G = require "generate"
local FRAMEWORKS = { "dudley", "walsall", "sandwell", "south_staffordshire", "wolverhampton" }

-- A fresh store with the council frameworks loaded as of the data's first day.
local function store_with(names, opts)
  local s = assert(pmf.open(":memory:"))
  local first = G.range(opts or {})
  for _, name in ipairs(names) do
    local path = root .. "frameworks/" .. name .. ".lua"
    local f = io.open(path)
    if f then
      f:close()
      assert(pmf.framework.load(s, path, { at = first .. "T00:00:00" }))
    end
  end
  return s
end

-- Every figure, in key order, as text: equal stores give equal strings.
local function checksum(s)
  local parts = {}
  for _, row in ipairs(s:query([[
      SELECT m.code AS m, a.code AS a, o.breakdown AS b, o.start AS st, o.len AS len,
             o.value AS v, o.flags AS f
        FROM observation o JOIN metric m ON m.id = o.metric JOIN area a ON a.id = o.area
       ORDER BY m.code, a.code, o.breakdown, o.start, o.len, o.value]])) do
    parts[#parts + 1] = string.format("%s|%s|%s|%d|%d|%.17g|%d", row.m, row.a, row.b, row.st,
                                      row.len, row.v, row.f)
  end
  return #parts .. ":" .. pmf.framework.sha256(table.concat(parts, "\n"))
end

-- Every batch but the run's marker (recorded when the run was made), in id order, as text.
local function batches(s)
  local out = {}
  for _, b in ipairs(s:query([[SELECT id, kind, recorded_at, recorded_by, source, note FROM batch
                               WHERE kind <> 'generate' ORDER BY id]])) do
    out[#out + 1] = table.concat({ b.id, b.kind, b.recorded_at, tostring(b.recorded_by),
                                   tostring(b.source), tostring(b.note) }, "|")
  end
  return out
end

-- ---- the random stream ---------------------------------------------------------------

do
  local a, b, c = G.rng(1, "x", "y"), G.rng(1, "x", "y"), G.rng(1, "x", "z")
  local same, differ = true, false
  for _ = 1, 100 do
    local x, y, z = a:next(), b:next(), c:next()
    if x ~= y then same = false end
    if x ~= z then differ = true end
  end
  T.ok(same, "rng: the same seed and key give the same stream")
  T.ok(differ, "rng: another key gives another stream")
  T.ok(G.rng(1, "x"):next() ~= G.rng(2, "x"):next(), "rng: another seed gives another stream")
  local r = G.rng(42, "stats")
  local n, sum, sum2, lo, hi, nsum, nsum2 = 20000, 0, 0, 1, 0, 0, 0
  for _ = 1, n do
    local u = r:uniform()
    sum, sum2 = sum + u, sum2 + u * u
    if u < lo then lo = u end
    if u > hi then hi = u end
    local z = r:normal()
    nsum, nsum2 = nsum + z, nsum2 + z * z
  end
  T.ok(lo > 0 and hi < 1, "rng: uniform draws lie in (0, 1)")
  T.near(sum / n, 0.5, "rng: uniform mean about 1/2", 0.01)
  T.near(sum2 / n - (sum / n) ^ 2, 1 / 12, "rng: uniform variance about 1/12", 0.005)
  T.near(nsum / n, 0, "rng: normal mean about 0", 0.03)
  T.near(math.sqrt(nsum2 / n - (nsum / n) ^ 2), 1, "rng: normal sd about 1", 0.03)
  local seen = {}
  for _ = 1, 200 do seen[r:int(1, 3)] = true end
  T.eq(seen, { true, true, true }, "rng: int(1, 3) gives 1, 2 and 3 only")
end

-- ---- options -------------------------------------------------------------------------

do
  T.eq({ G.range({}) }, { "2021-04-01", "2025-09-30" }, "range: 2021/22 to 2025/26 Q2 by default")
  T.eq({ G.range({ years = 2 }) }, { "2024-04-01", "2025-09-30" }, "range: years counts back from to")
  T.eq({ G.range({ from = "2024/25", to = "2024/25 Q4" }) }, { "2024-04-01", "2025-03-31" },
       "range: from and to")
  T.err(function() G.range({ to = "2025/26 Q7" }) end, "generate: to", "range: a bad label raises")
  T.err(function() G.range({ years = 0 }) end, "years", "range: years must be >= 1")
  local s = assert(pmf.open(":memory:"))
  local r, err = G.run{ store = s }
  T.eq(r, nil, "run: nothing to do without frameworks")
  T.ok(err and err:find("no frameworks"), "run: says why")
  T.err(function() G.run{ store = s, seed = 1.5 } end, "seed", "run: the seed is an integer")
end

-- ---- a full run over the five councils ---------------------------------------------------

local s = store_with(FRAMEWORKS)
local nfw = #pmf.framework.list(s)
local clock = os.clock()
local r = assert(G.run{ store = s, seed = 1 })
local cpu = os.clock() - clock
print(G.describe(r))
T.ok(nfw >= 3, "five (at least three) council frameworks loaded")
T.eq(r.frameworks, nfw, "every loaded framework generated for")
print(string.format("generate: %.1f s CPU", cpu))   -- a figure to read, not a test: no timing assertions
T.ok(r.observations > 100000, "many figures written")
T.ok(r.batches > 12, "one batch per recording date")

-- Every council, its comparator group (council + 15 neighbours) and England.
do
  local areas = s:query([[SELECT count(DISTINCT a.code) AS n FROM observation o
                          JOIN metric m ON m.id = o.metric JOIN area a ON a.id = o.area
                          WHERE m.code = 'household_waste_total_tonnes' AND o.breakdown = '']])[1].n
  T.ok(areas >= 17, "a shared metric has figures for the councils, their neighbours and England (" ..
       areas .. ")")
  for _, code in ipairs(s:group_members("cipfa_2024:E08000028")) do
    T.ok(s:get("household_waste_total_tonnes", code, "2024-05") ~= nil or
         s:get("household_waste_total_tonnes", code, "2024-06") ~= nil,
         "Sandwell's comparator " .. code .. " has figures")
  end
  T.ok(s:get("complaints_responded_on_time", "E92000001", "2024-05") ~= nil,
       "England has figures for percentage numerators")
  T.eq(s:get("fly_tipping_incidents", "E92000001", "2024-05"), nil,
       "England has none for a plain count")
end

-- Scale: population of the right order per area kind; percentages are proportions.
do
  local sandwell = s:get("population_all", "E08000028", "2024-06")
  local district = s:get("households", "E07000196", "2024-06")
  local england = s:get("population_all", "E92000001", "2024-06")
  T.ok(sandwell and sandwell > 250000 and sandwell < 450000, "a metropolitan borough: ~340,000 people")
  T.ok(district and district > 35000 and district < 65000, "a district: ~46,000 households")
  T.ok(england and england > 5e7, "England: ~57 million")
  local bad = s:query([[
    SELECT count(*) AS n FROM observation a JOIN observation b
        ON b.area = a.area AND b.start = a.start AND b.len = a.len AND b.breakdown = a.breakdown
     WHERE a.metric = (SELECT id FROM metric WHERE code = 'household_waste_recycled_tonnes')
       AND b.metric = (SELECT id FROM metric WHERE code = 'household_waste_total_tonnes')
       AND a.value > b.value]])[1].n
  T.eq(bad, 0, "a numerator never exceeds its denominator")
  local rows = pmf.kpi.rate{ store = s, framework = "sandwell", period = "2025/26 Q1" }
  local pct_ok, statuses = true, {}
  for _, row in ipairs(rows) do
    if row.unit == "%" and row.value and row.kpi ~= "FC01" and (row.value < 0 or row.value > 100) then
      pct_ok = false
    end
    statuses[row.rag] = true
  end
  T.ok(pct_ok, "percentage KPIs lie in 0-100")
  T.ok(statuses.green and statuses.amber and statuses.red,
       "a scorecard shows green, amber and red")
end

-- Granularity: monthly for monthly/quarterly measures, yearly for annual ones.
do
  local function lens(code)
    local out = {}
    for _, row in ipairs(s:query([[SELECT DISTINCT o.len AS len FROM observation o
                                    JOIN metric m ON m.id = o.metric WHERE m.code = ?]], code)) do
      out[#out + 1] = row.len
    end
    return out
  end
  T.eq(lens("households_temporary_accommodation"), { 1 }, "a monthly measure: month by month")
  T.eq(lens("net_additional_dwellings"), { 12 }, "an annual measure: by financial year")
  T.ok(s:get("net_additional_dwellings", "E08000028", "2024/25") ~= nil, "annual figures by FY label")
  T.eq(s:get("net_additional_dwellings", "E08000028", "2025/26"), nil,
       "no annual figure for a year not yet ended")
end

-- Seasonality: winter months above summer ones for a summed count, on average.
do
  local winter, summer = 0, 0
  for _, code in ipairs(s:group_members("cipfa_2024:E08000030")) do
    for y = 2021, 2024 do
      winter = winter + (s:get("fly_tipping_incidents", code, string.format("%d-01", y + 1)) or 0)
      summer = summer + (s:get("fly_tipping_incidents", code, string.format("%d-07", y)) or 0)
    end
  end
  T.ok(winter > summer, "counts peak in winter (" .. winter .. " > " .. summer .. ")")
end

-- Breakdowns and small numbers.
do
  local keys = {}
  for _, k in ipairs(s:breakdowns("children_in_care", "E08000031")) do keys[k] = true end
  T.ok(keys["sex=F"] and keys["sex=M"], "breakdown rows by sex")
  T.ok(keys["ward=W01"], "breakdown rows by ward")
  T.ok(keys["ethnicity=White"] and keys["disability=Yes"], "by ethnicity and disability")
  T.ok(keys["age_band=0-4"] and not keys["age_band=50-64"], "children get children's age bands")
  local ages = {}
  for _, k in ipairs(s:breakdowns("claimants_16_64", "E08000031")) do ages[k] = true end
  T.ok(ages["age_band=18-24"], "adults get adults' age bands")
  local small = s:query([[SELECT count(*) AS n FROM observation o JOIN metric m ON m.id = o.metric
                          WHERE m.code = 'homelessness_prevented' AND o.breakdown <> ''
                            AND o.value < 5]])[1].n
  T.ok(small > 0, "some breakdown counts are small enough to be suppressed")
  T.eq(#s:breakdowns("children_in_care", "E08000027"), 1, "no breakdowns where no KPI asks for them")
end

-- Gaps, provisional flags, revisions, as-of views.
do
  local months = s:query([[SELECT count(DISTINCT o.start) AS n FROM observation o
                           JOIN metric m ON m.id = o.metric JOIN area a ON a.id = o.area
                           WHERE o.breakdown = '' AND o.len = 1 GROUP BY m.code, a.code
                           ORDER BY n LIMIT 1]])[1].n
  T.ok(months < 54, "some series have gaps (missing months)")
  local prov = s:query([[SELECT count(*) AS n FROM observation WHERE flags & 1 = 1]])[1].n
  T.ok(prov > 0, "some figures are provisional")
  local rev = s:query([[SELECT m.code AS metric, a.code AS area, o.start AS start, count(*) AS n
                        FROM observation o JOIN metric m ON m.id = o.metric
                        JOIN area a ON a.id = o.area
                        WHERE o.breakdown = '' AND a.code = 'E08000028' AND o.len = 1
                        GROUP BY o.metric, o.area, o.start HAVING count(*) > 1 LIMIT 1]])[1]
  T.ok(rev ~= nil, "some figures were revised by a later batch")
  if rev then
    local label = string.format("%04d-%02d", rev.start // 12, rev.start % 12 + 1)
    local h = s:history(rev.metric, rev.area, label)
    T.ok(#h >= 2 and h[1].recorded_at < h[#h].recorded_at, "the revision was recorded later")
    local before = assert(s:as_of(h[#h].recorded_at:sub(1, 10) == h[1].recorded_at:sub(1, 10)
                                  and h[1].recorded_at or h[1].recorded_at:sub(1, 10)))
    T.eq(before:get(rev.metric, rev.area, label), h[1].value, "as of before: the first figure")
    T.eq(s:get(rev.metric, rev.area, label), h[#h].value, "as known now: the revision")
  end
  local d1, d2 = r.revised_as_of[1], r.revised_as_of[2]
  T.ok(d1 < d2, "two revision dates")
end

-- Commentary on some red/amber KPIs but not all; actions, risks, sign-off.
do
  local ex = pmf.kpi.exceptions{ store = s, framework = "sandwell", period = "2025/26 Q2" }
  local with, without = 0, 0
  for _, row in ipairs(ex) do
    if row.commentary then with = with + 1 else without = without + 1 end
  end
  T.ok(#ex > 0, "sandwell has exceptions in 2025/26 Q2")
  T.ok(r.comments > 0, "commentary recorded")
  local any_with, any_without = with > 0, without > 0
  for _, id in ipairs({ "dudley", "walsall", "south_staffordshire", "wolverhampton" }) do
    for _, p in ipairs({ "2025/26 Q1", "2025/26 Q2" }) do
      local ok, rows = pcall(pmf.kpi.exceptions, { store = s, framework = id, period = p })
      for _, row in ipairs(ok and rows or {}) do
        if row.commentary then any_with = true else any_without = true end
      end
    end
  end
  T.ok(any_with and any_without, "exception reports show commented and uncommented KPIs")
  T.ok(s:action_status("sandwell", "IP01") ~= nil, "action updates recorded")
  T.ok(s:risk_status("sandwell", "R01") ~= nil, "risk assessments recorded")
  T.ok(s:is_signed_off("sandwell", "2025/26 Q1"), "one past quarter signed off")
  T.ok(not s:is_signed_off("sandwell", "2025/26 Q2"), "the latest quarter is open")
  T.eq(#r.signoffs, nfw, "one sign-off per framework")
  local again, msg = G.run{ store = s, seed = 1 }
  T.eq(again, nil, "a second run on the same store is refused")
  T.ok(msg and msg:find("already holds generated data"), "and says why")
end

-- ---- determinism ---------------------------------------------------------------------------

do
  local opts = { years = 1, extras = false }
  local a = store_with({ "sandwell", "wolverhampton" }, opts)
  local b = store_with({ "wolverhampton", "sandwell" }, opts)
  local c = store_with({ "sandwell", "wolverhampton" }, opts)
  assert(G.run{ store = a, seed = 5, years = 1, extras = false })
  assert(G.run{ store = b, seed = 5, years = 1, extras = false,
                frameworks = { "wolverhampton", "sandwell" } })
  assert(G.run{ store = c, seed = 6, years = 1, extras = false })
  T.eq(checksum(a), checksum(b), "the same seed gives the same figures, whatever the order")
  T.ok(checksum(a) ~= checksum(c), "another seed gives other figures")
  T.eq(a:query("SELECT count(*) AS n FROM signoff")[1].n, 0, "extras = false: no sign-off")
  local d = store_with({ "sandwell", "wolverhampton" }, opts)
  assert(G.run{ store = d, seed = 5, years = 1, extras = false })
  T.eq(batches(d), batches(a), "the same inputs give the same batches, named alike")
  T.eq(a:query("SELECT DISTINCT source FROM batch WHERE kind = 'import' ORDER BY 1"),
       { { source = "pmf generate (seed 5)" } }, "each named by the generator and seed, not a file path")
end

-- ---- without the importer: store:observe writes the same figures --------------------------

do
  local opts = { years = 1, extras = false }
  local a = store_with({ "south_staffordshire" }, opts)
  local b = store_with({ "south_staffordshire" }, opts)
  assert(G.run{ store = a, seed = 9, years = 1, extras = false })
  local importer = rawget(pmf, "importer")
  rawset(pmf, "importer", nil)
  local ok, rb = pcall(G.run, { store = b, seed = 9, years = 1, extras = false })
  rawset(pmf, "importer", importer)
  T.ok(ok and rb, "runs without the importer")
  T.eq(checksum(b), checksum(a), "store:observe writes what the importer writes")
  T.eq(b:query("SELECT count(DISTINCT batch) AS n FROM observation")[1].n,
       a:query("SELECT count(DISTINCT batch) AS n FROM observation")[1].n,
       "in as many batches")
  T.eq(batches(b), batches(a), "named alike")
end

-- ---- nothing known by name: a framework of made-up metrics -------------------------------

do
  local path = T.tmpname(".lua")
  local f = assert(io.open(path, "w"))
  f:write([[
framework "madeup" { title = "Made-up", council = "E06000001", levels = { "aim" },
                     comparator = "cipfa_2024:E06000001" }
aim "a" { title = "An aim" }
metric "zz_gadgets_fixed" { title = "Gadgets fixed", unit = "gadgets", aggregation = "sum" }
metric "zz_gadgets_broken" { title = "Gadgets broken", unit = "gadgets", aggregation = "sum" }
metric "zz_queue_minutes" { title = "Queue", unit = "minutes", aggregation = "mean" }
metric "zz_spend" { title = "Spend", unit = "£", aggregation = "last" }
metric "zz_plan" { title = "Plan", unit = "£", aggregation = "last" }
metric "zz_share" { title = "Share", unit = "proportion", aggregation = "ratio" }
kpi "Z1" { title = "Gadgets fixed", parent = "a", formula = pct("zz_gadgets_fixed", "zz_gadgets_broken"),
           unit = "%", polarity = "up", frequency = "quarterly", target = 75, tolerance = 5 }
kpi "Z2" { title = "Queue", parent = "a", formula = "zz_queue_minutes", unit = "minutes",
           polarity = "down", frequency = "monthly", target = 12, tolerance = 2 }
kpi "Z3" { title = "Spend vs plan", parent = "a", unit = "%", polarity = "down",
           frequency = "quarterly", target = 0, tolerance = 2,
           formula = custom { inputs = { s = "zz_spend", p = "zz_plan" },
                              fn = function(m) return (m.s - m.p) / m.p * 100 end } }
kpi "Z4" { title = "Share", parent = "a", formula = "zz_share", unit = "proportion",
           polarity = "up", frequency = "quarterly", target = 0.8, tolerance = 0.05 }
]])
  f:close()
  local s2 = assert(pmf.open(":memory:"))
  assert(pmf.framework.load(s2, path, { at = "2021-01-01T00:00:00" }))
  os.remove(path)
  local r2 = assert(G.run{ store = s2, seed = 3, years = 2 })
  T.ok(r2.observations > 0, "made-up metrics are generated from their definitions")
  local rows = pmf.kpi.rate{ store = s2, framework = "madeup", period = "2025/26 Q1" }
  local v = {}
  for _, row in ipairs(rows) do v[row.kpi] = row.value end
  T.ok(v.Z1 and v.Z1 > 50 and v.Z1 <= 100, "a pct KPI lands near its target (" .. tostring(v.Z1) .. ")")
  T.ok(v.Z2 and v.Z2 > 5 and v.Z2 < 20, "a direct KPI lands near its target (" .. tostring(v.Z2) .. ")")
  T.ok(v.Z3 and math.abs(v.Z3) < 10, "same-unit custom inputs are tied (" .. tostring(v.Z3) .. ")")
  T.ok(v.Z4 and v.Z4 > 0.5 and v.Z4 <= 1, "a ratio-rule metric lands near its target (" ..
       tostring(v.Z4) .. ")")
  local _, row = s2:get("zz_share", "E06000001", "2024-05")
  T.ok(row and row.numerator and row.denominator and row.denominator > 0 and
       math.abs(row.value - row.numerator / row.denominator) < 1e-9,
       "a ratio-rule figure carries its numerator and denominator")
  T.ok(#s2:group_members("cipfa_2024:E06000001") >= 16, "the comparator group is there")
  T.ok(s2:get("zz_gadgets_broken", "E92000001", "2024-05") ~= nil, "England for a percentage's inputs")
end

T.done()
