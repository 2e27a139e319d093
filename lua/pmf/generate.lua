-- lua/pmf/generate.lua: example data for the frameworks in a store (module pmf.generate).
--
--   pmf.generate.run{store=, frameworks=, seed=, from=, to=, years=, by=, extras=}
--       -> summary | nil, msg
--   pmf.generate.describe(summary) -> one line
--   pmf.generate.rng(seed, ...)   -> a deterministic random stream (xorshift64*)
--   pmf.generate.model(store, fws) -> the plan it would write (for tests and tools)
--   pmf.generate.range(opts)     -> first and last day of the data ("2021-04-01", "2025-09-30")
--
-- What it writes, for every metric a loaded framework's KPIs read, for each framework's
-- council, its comparator groups (the KPI's or the framework's, e.g. cipfa_2024:<code>: the
-- council and 15 neighbours), the framework's own groups, and England for the metrics of
-- rates and percentages:
--   * month by month (or by financial year where every KPI using the metric is annual) from
--     2021/22 to 2025/26 Q2 by default;
--   * a level per area drawn around a sensible base: from the KPI's target where there is
--     one (the council's own target for the council, the mean of the councils' targets for
--     the others, population-scaled for counts and money), else from a small table of base
--     levels by unit, and the hint table below for the few metrics whose scale matters;
--   * a trend, noise, winter seasonality for counts, gaps (missing months, and comparators
--     whose last months are not published yet), provisional flags on the latest months;
--   * breakdown rows (sex=F, age_band=18-24, ward=...) for the council of every KPI with
--     `breakdowns`, with some small counts so that suppression shows;
--   * revisions: later batches restating a few figures (the latest provisional months,
--     and an older quarter), so reports as of different dates differ;
--   * commentary on some (not all) red and amber KPIs, action updates, risk assessments, and
--     one past quarter signed off per framework.
--
-- Decisions:
-- - Nothing here knows a council's metrics by name, except the hint table (scale only).
--   Relationships come from the definitions: a pct/rate/ratio KPI makes its numerator follow
--   its denominator (so a percentage stays 0-100 and aggregates right), a diff or custom
--   formula whose inputs share a unit ties them together (budget and outturn), and the KPI's
--   polarity, target and tolerance place the council's value so that a scorecard shows a mix
--   of green, amber and red.
-- - Deterministic: every random draw comes from a stream keyed by (seed, what, metric, area),
--   so the same seed gives the same figures whatever the order frameworks are loaded in, and
--   math.random is never used.
-- - Figures are written through the importer (pmf.import of a long-form CSV written to a
--   temporary file), one import per recording date (each month's return a few working days
--   after the month, now and then late), all inside one store transaction; without the
--   importer, store:observe inside the same transaction.  Benchmark figures are recorded
--   with the council's (a simplification: real benchmark data arrive later).
-- - A metric with the ratio rule is written as numerator and denominator, value their
--   quotient (the series engine's own rule); a percentage KPI of two count metrics is the
--   usual and better form.
-- - Wards for `ward` breakdowns are the store's areas of kind "ward" under the council;
--   where there are none, synthetic keys W01..W20 stand in (never invented ONS codes).
-- - Frameworks should be loaded with `at` on or before the first day of the data
--   (M.range), so that reports as of earlier dates can see them: examples/generate.lua does.
-- - The store must not already hold generated data (sign-offs would refuse a second run):
--   run() returns nil, message then.  A batch of kind "generate" records the run.
--
-- Error contract: run() raises on misuse (a bad option type, an unparsable period label);
-- returns nil, message when there is nothing to do (no frameworks) or the store already has
-- generated data; an import that fails raises (it cannot happen with well-formed input, and
-- the transaction is rolled back).
local pmf = require "pmf"

local period = pmf.period

local M = {}

local ENGLAND = "E92000001"
local SOURCE = "pmf generate"

-- ---- a deterministic random stream: xorshift64* ----------------------------------------

local Rng = {}
Rng.__index = Rng

-- FNV-1a over the seed and the key parts: a 64-bit state, never 0.
local function hash(seed, ...)
  local h = 0xcbf29ce484222325 ~ (math.tointeger(seed) or 0)
  for i = 1, select("#", ...) do
    local s = tostring((select(i, ...)))
    for j = 1, #s do h = (h ~ s:byte(j)) * 0x100000001b3 end
    h = (h ~ 0xff) * 0x100000001b3
  end
  if h == 0 then h = 0x9e3779b97f4a7c15 end
  return h
end

-- M.rng(seed, ...) -> a stream keyed by the seed and any further parts.
function M.rng(seed, ...)
  local r = setmetatable({ s = hash(seed, ...) }, Rng)
  r:next(); r:next()
  return r
end

-- The next 64 random bits (an integer).
function Rng:next()
  local x = self.s
  x = x ~ (x >> 12)
  x = x ~ (x << 25)
  x = x ~ (x >> 27)
  self.s = x
  return x * 0x2545F4914F6CDD1D
end

-- Uniform in (0, 1).
function Rng:uniform() return ((self:next() >> 11) + 0.5) * 0x1p-53 end

-- Normal(mu, sd) by Box-Muller.
function Rng:normal(mu, sd)
  local u, v = self:uniform(), self:uniform()
  return (mu or 0) + (sd or 1) * math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)
end

function Rng:chance(p) return self:uniform() < p end

-- A whole number in [lo, hi].
function Rng:int(lo, hi) return lo + math.floor(self:uniform() * (hi - lo + 1)) end

function Rng:pick(list) return list[self:int(1, #list)] end

-- ---- scale tables ----------------------------------------------------------------------

-- Typical resident population by area kind (areas.csv kinds), and a few councils whose size
-- the example frameworks make visible (approximate mid-2022 estimates, for scale only).
M.POPULATION_BY_KIND = {
  ["metropolitan district"] = 320000, ["london borough"] = 290000, unitary = 250000,
  county = 800000, district = 110000, ["former district"] = 90000,
  ["welsh unitary"] = 140000, ["scottish council"] = 160000, ["ni district"] = 170000,
  country = 57100000,
}
M.KNOWN_POPULATION = {
  E92000001 = 57100000, E08000025 = 1150000, E08000026 = 345000, E08000027 = 323000,
  E08000028 = 344000, E08000029 = 217000, E08000030 = 286000, E08000031 = 264000,
  E07000196 = 110000,
}

-- Base levels by unit: per 1,000 residents (per month for summed metrics) where `scaled`,
-- else absolute.  sum = the level of a summed (flow) metric, last = of a snapshot.
M.UNIT_BASE = {
  count      = { scaled = true, sum = 1, last = 5, decimals = 0 },
  number     = { scaled = true, sum = 1, last = 5, decimals = 0 },
  people     = { scaled = true, sum = 1, last = 100, decimals = 0 },
  households = { scaled = true, sum = 1, last = 420, decimals = 0 },
  FTE        = { scaled = true, sum = 1, last = 10, decimals = 1 },
  ["£"]      = { scaled = true, sum = 60000, last = 800000, decimals = 0 },
  ["£k"]     = { scaled = true, sum = 60, last = 800, decimals = 1 },
  ["£m"]     = { scaled = true, sum = 0.06, last = 1, decimals = 2 },
  tonnes     = { scaled = true, sum = 35, last = 35, decimals = 1 },
  km         = { scaled = true, sum = 3, last = 3, decimals = 1 },
  hours      = { scaled = true, sum = 20, last = 20, decimals = 0 },
  days       = { scaled = true, sum = 10, last = 30, decimals = 1, absolute_last = true },
  ["%"]      = { last = 50, sum = 50, decimals = 1 },
  seconds    = { last = 120, sum = 120, decimals = 0 },
  minutes    = { last = 15, sum = 15, decimals = 1 },
  weeks      = { last = 12, sum = 12, decimals = 1 },
  kg         = { last = 100, sum = 100, decimals = 1 },
  points     = { last = 50, sum = 50, decimals = 1 },
  score      = { last = 50, sum = 50, decimals = 1 },
  ratio      = { last = 5, sum = 5, decimals = 2 },
}
-- A KPI's own unit, when it has no numeric target: its typical value.
M.KPI_UNIT_BASE = {
  ["%"] = 60, ["per 1,000"] = 20, ["per 10,000"] = 80, ["per 100,000"] = 500, ratio = 6,
  days = 8, count = 100,
}

-- The hint table: metrics whose scale matters.  per_1000 = per 1,000 residents (per month
-- for summed metrics), by area kind where it differs; base = absolute; fy_constant = one
-- value per financial year (estimates and budgets).
M.HINTS = {
  population_all     = { per_1000 = 1000, fy_constant = true },
  population_0_17    = { per_1000 = 225, fy_constant = true },
  population_10_17   = { per_1000 = 105, fy_constant = true },
  population_16_64   = { per_1000 = 620, fy_constant = true },
  population_18_64   = { per_1000 = 590, fy_constant = true },
  population_65_plus = { per_1000 = 175, fy_constant = true },
  households         = { per_1000 = 420, fy_constant = true },
  electorate_registered = { per_1000 = 730, fy_constant = true },
  school_pupils      = { per_1000 = 150, fy_constant = true },
  cohort_16_17       = { per_1000 = 24 },
  cohort_16_18       = { per_1000 = 36 },
  staff_fte          = { per_1000 = { default = 11, district = 3.5, county = 7 } },
  staff_headcount    = { per_1000 = { default = 13.5, district = 4.2, county = 8.5 } },
  staff_ethnicity_declared = { per_1000 = { default = 11.5, district = 3.6, county = 7.2 } },
  staff_disability_declared = { per_1000 = { default = 11, district = 3.4, county = 7 } },
  revenue_budget     = { per_1000 = { default = 850000, district = 140000, county = 700000 },
                         fy_constant = true },
  capital_budget     = { per_1000 = { default = 250000, district = 60000 }, fy_constant = true },
  council_tax_due    = { per_1000 = { default = 33000, district = 60000, county = 0 } },
  business_rates_due = { per_1000 = { default = 12000, district = 8000, county = 0 } },
  complaints_received = { per_1000 = 0.5 },
  residual_household_waste_tonnes = { per_1000 = 15 },
  median_house_price = { base = 220000, fy_constant = true },
  median_earnings_workplace = { base = 32000, fy_constant = true },
  gva_all_industries = { per_1000 = 25, fy_constant = true },
}

-- Breakdown dimensions and their categories' typical shares.
M.DIMENSIONS = {
  sex = { { "F", 0.51 }, { "M", 0.49 } },
  age_band = { { "18-24", 0.17 }, { "25-34", 0.24 }, { "35-49", 0.28 }, { "50-64", 0.21 },
               { "65+", 0.10 } },
  ethnicity = { { "White", 0.64 }, { "Asian", 0.19 }, { "Black", 0.08 }, { "Mixed", 0.05 },
                { "Other", 0.04 } },
  disability = { { "Yes", 0.14 }, { "No", 0.78 }, { "Unknown", 0.08 } },
  sen_status = { { "No SEN", 0.83 }, { "SEN support", 0.13 }, { "EHC plan", 0.04 } },
  free_school_meals = { { "Eligible", 0.25 }, { "Not eligible", 0.75 } },
}
-- Age bands for measures about children (the KPI's title speaks of children, pupils or
-- young people); a title naming ages ("16-17 year olds") gets those single years.
local CHILD_AGE_BANDS = { { "0-4", 0.22 }, { "5-9", 0.22 }, { "10-15", 0.36 }, { "16-17", 0.20 } }
local GENERIC_DIMENSION = { { "A", 0.5 }, { "B", 0.3 }, { "C", 0.2 } }

-- The age bands a KPI's breakdowns use, from its title.
local function age_variant(title)
  title = (title or ""):lower()
  local lo, hi = title:match("(%d+)%s*%-%s*(%d+)%s*year")
  lo, hi = tonumber(lo), tonumber(hi)
  if lo and hi and hi <= 25 and hi - lo <= 3 and hi >= lo then return lo .. "-" .. hi end
  if title:find("child") or title:find("pupil") or title:find("young") or title:find("school") then
    return "child"
  end
  return "adult"
end

local function age_bands(variant)
  if variant == "adult" then return M.DIMENSIONS.age_band end
  if variant == "child" then return CHILD_AGE_BANDS end
  local lo, hi = variant:match("^(%d+)%-(%d+)$")
  local out = {}
  for a = tonumber(lo), tonumber(hi) do out[#out + 1] = { tostring(a), 1 } end
  return out
end
local SYNTHETIC_WARDS = 20

local COMMENTARY = {
  "Below target: demand has risen faster than planned. Recovery actions are agreed with the " ..
  "service and the position is expected to be back within tolerance by year end.",
  "Vacancies in the team affected performance this period. Recruitment has completed and " ..
  "the measure is being tracked monthly by the directorate management team.",
  "Seasonal pressure over the period. The underlying trend is improving and a deep dive is " ..
  "scheduled for the next performance clinic.",
  "The latest month's data is provisional; the validated figure is expected to be closer to " ..
  "target. Data quality checks are under way with the system owner.",
  "Partner capacity has slowed delivery. An improvement plan has been agreed with the lead " ..
  "officer and progress will be reported to the next meeting.",
}
local ACTION_NOTES = {
  on_track = "Progressing to plan.", at_risk = "Some slippage; mitigation agreed.",
  off_track = "Behind plan; recovery plan requested.", complete = "Completed.",
  not_started = "Not started yet.", deferred = "Deferred to next year's plan.",
}

-- ---- months and dates ----------------------------------------------------------------------
-- A month is an integer, year * 12 + (month - 1), the same as a pmf.Period's start.

local function month_label(m) return string.format("%04d-%02d", m // 12, m % 12 + 1) end

local MDAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
local function month_end(m)
  local y, mo = m // 12, m % 12 + 1
  local d = MDAYS[mo]
  if mo == 2 and ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then d = 29 end
  return string.format("%04d-%02d-%02d", y, mo, d)
end

-- ---- options -----------------------------------------------------------------------------

local function parse_label(label, ys, what)
  local p, err = period.parse(tostring(label), ys or 4)
  if not p then error("generate: " .. what .. ": " .. tostring(err), 3) end
  return p
end

-- The frameworks to generate for: definitions or ids (default: every one loaded).
local function frameworks_of(s, list)
  local out = {}
  if list == nil then
    for _, r in ipairs(pmf.framework.list(s)) do
      local fw = pmf.framework.get(s, r.id)
      if fw then out[#out + 1] = fw end
    end
    return out
  end
  if type(list) ~= "table" then error("generate: frameworks must be a list of ids or definitions", 3) end
  for _, f in ipairs(list) do
    if type(f) == "string" then
      local fw, err = pmf.framework.get(s, f)
      if not fw then error("generate: " .. tostring(err), 3) end
      out[#out + 1] = fw
    elseif type(f) == "table" and f.kpis then
      out[#out + 1] = f
    else
      error("generate: frameworks must be a list of ids or definitions", 3)
    end
  end
  return out
end

-- ---- the model: metrics, their relationships and areas -----------------------------------

local MONTHS_OF = { monthly = 1, quarterly = 3, ["half-yearly"] = 6, annual = 12 }

-- A margin (tolerance) as an absolute amount against target t, or nil.
local function margin(v, t)
  if type(v) == "number" then return v end
  if type(v) == "string" then
    local x = tonumber((v:gsub("[%s%%]", "")))
    if x then return x / 100 * math.abs(t or 0) end
  end
  if type(v) == "table" then
    if v.abs then return v.abs end
    if v.pct then return v.pct / 100 * math.abs(t or 0) end
  end
  return nil
end

-- The numeric target of a version (the value, or the latest of a by-year/profile table).
local function numeric_target(T)
  if not T then return nil end
  if T.kind == "value" then return T.value end
  if T.kind == "periods" and #T.list > 0 then return T.list[#T.list].value end
  return nil
end

local function add_area(set, list, code)
  if code and not set[code] then set[code] = true; list[#list + 1] = code end
end

-- M.model(store, fws) -> model: every metric to generate with its unit, rule, granularity,
-- areas, relationships (rels) and breakdowns.  Pure reading.
function M.model(s, fws)
  local model = { metrics = {}, metric_order = {}, councils = {}, frameworks = fws }
  local function metric(id, fw)
    local m = model.metrics[id]
    if m then return m end
    local def = s:metric_info(id) or (fw.metrics and fw.metrics[id])
    if not def then return nil end
    m = { id = id, unit = def.unit, agg = def.aggregation or "sum", annual = true,
          areas = {}, area_set = {}, rels = {}, breakdowns = {}, england = false }
    model.metrics[id] = m
    model.metric_order[#model.metric_order + 1] = id
    return m
  end
  for _, fw in ipairs(fws) do
    local council = fw.council
    if council then model.councils[council] = fw end
    -- The areas every metric of this framework is generated for.
    local fw_areas, fw_set = {}, {}
    add_area(fw_set, fw_areas, council)
    local groups = {}
    if fw.comparator then groups[#groups + 1] = fw.comparator end
    for _, g in pairs(fw.groups or {}) do
      for _, code in ipairs(g.members or {}) do add_area(fw_set, fw_areas, code) end
    end
    for _, kid in ipairs(fw.kpi_order or {}) do
      local k = fw.kpis[kid]
      for _, v in ipairs(k.versions or {}) do
        if v.comparator then groups[#groups + 1] = v.comparator end
      end
    end
    for _, g in ipairs(groups) do
      for _, code in ipairs(s:group_members(g) or {}) do add_area(fw_set, fw_areas, code) end
    end
    table.sort(fw_areas)
    local ys = fw.year_start or 4
    for _, kid in ipairs(fw.kpi_order or {}) do
      local k = fw.kpis[kid]
      local months = MONTHS_OF[k.frequency or "quarterly"] or 3
      local seen = {}     -- one relationship per metric per KPI, whatever its versions
      for vi, v in ipairs(k.versions or {}) do
        local F = v.formula or (vi > 1 and k.versions[1].formula)
        local last = k.versions[#k.versions]
        local T = numeric_target(last.target) or numeric_target(v.target)
        local pol = last.polarity or v.polarity or "up"
        local band = last.band or v.band
        if pol == "band" and band then T = (band.lo + band.hi) / 2 end
        local spread = (pol == "band" and band) and (band.hi - band.lo) / 2
                       or margin(last.tolerance or v.tolerance, T)
        -- The spread of values around the target: the tolerance (the width of amber), else
        -- 5% of the target; never under 0.5% of it.
        if T and (not spread or spread == 0) then spread = 0.05 * math.abs(T) end
        if T then spread = math.max(spread, 0.005 * math.abs(T)) end
        if T and spread == 0 then spread = 1 end
        local base = { fw = fw, kpi = kid, council = council, T = T, spread = spread,
                       dir = pol == "down" and -1 or 1, months = months, kunit = k.unit,
                       ys = ys }
        local ids = {}
        if F and F.kind == "metric" then
          ids = { F.metric }
          local m = metric(F.metric, fw)
          if m and not seen[F.metric] then
            seen[F.metric] = true
            local r = setmetatable({ kind = "direct", key = "direct:" .. F.metric,
                                     metric_id = F.metric }, { __index = base })
            m.rels[#m.rels + 1] = r
            if k.unit == "%" or (k.unit or ""):match("^per ") then m.england = true end
          end
        elseif F and F.kind == "ratio" then
          ids = { F.num, F.den }
          local num, den = metric(F.num, fw), metric(F.den, fw)
          if num and den and not seen[F.num] then
            seen[F.num] = true
            local r = setmetatable({ kind = "ratio", other = F.den, scale = F.scale,
                                     metric_id = F.num,
                                     key = "ratio:" .. F.num .. "/" .. F.den .. "*" .. F.scale,
                                     proportion = F.scale == 100 and num.unit == den.unit },
                                   { __index = base })
            num.rels[#num.rels + 1] = r
            num.england, den.england = true, true
          end
        elseif F and F.kind == "diff" then
          ids = { F.a, F.b }
          local a, b = metric(F.a, fw), metric(F.b, fw)
          if a and b and not seen[F.a] then
            seen[F.a] = true
            a.rels[#a.rels + 1] = setmetatable({ kind = "diff", other = F.b, metric_id = F.a,
                                                 key = "diff:" .. F.a .. "-" .. F.b },
                                               { __index = base })
          end
        elseif F and F.kind == "custom" then
          local list = {}
          for _, id in pairs(F.inputs or {}) do
            if metric(id, fw) then list[#list + 1] = id end
          end
          table.sort(list)
          ids = list
          -- Inputs of one unit are tied to the first input of that unit (budget and outturn).
          local first_of = {}
          for _, id in ipairs(list) do
            local a = model.metrics[id]
            local u = a.unit
            if u ~= nil and first_of[u] and not seen[id] then
              seen[id] = true
              a.rels[#a.rels + 1] = setmetatable({ kind = "tie", other = first_of[u],
                                                   metric_id = id,
                                                   key = "tie:" .. id .. "~" .. first_of[u] },
                                                 { __index = base })
            elseif u ~= nil and not first_of[u] then
              first_of[u] = id
            end
          end
        end
        for _, id in ipairs(ids) do
          local m = model.metrics[id]
          if m then
            if months < 12 or ys ~= 4 then m.annual = false end
            for _, code in ipairs(fw_areas) do add_area(m.area_set, m.areas, code) end
            if council and k.breakdowns and #k.breakdowns > 0 then
              local bd = m.breakdowns[council] or { dims = {}, set = {}, age = age_variant(k.title) }
              m.breakdowns[council] = bd
              for _, d in ipairs(k.breakdowns) do
                if not bd.set[d] then bd.set[d] = true; bd.dims[#bd.dims + 1] = d end
              end
            end
          end
        end
      end
    end
  end
  for _, id in ipairs(model.metric_order) do
    local m = model.metrics[id]
    if m.england then add_area(m.area_set, m.areas, ENGLAND) end
  end
  return model
end

-- ---- the generator -----------------------------------------------------------------------

local function unit_base(unit)
  return M.UNIT_BASE[unit or ""] or { scaled = true, sum = 1, last = 5, decimals = 2 }
end

local function round(v, decimals)
  local f = 10 ^ (decimals or 0)
  local r = math.floor(v * f + 0.5) / f
  if (decimals or 0) == 0 then return math.tointeger(r) or r end
  return r
end

local function decimals_of(m, v)
  local b = M.UNIT_BASE[m.unit or ""]
  if b then return b.decimals end
  local a = math.abs(v)
  return a >= 100 and 0 or a >= 1 and 2 or 4
end

-- The state of one run: the model, the timeline, areas, memoised series.
local function new_gen(s, model, opts)
  local g = { s = s, model = model, seed = opts.seed, memo = {}, busy = {}, areas = {},
              kval = {}, rec = {}, cats = {} }
  g.m0, g.m1 = opts.m0, opts.m1
  g.months = {}
  for m = g.m0, g.m1 do g.months[#g.months + 1] = m end
  -- Complete financial years (April) inside the range.
  g.years = {}
  local fy = g.m0 + ((3 - g.m0) % 12)
  while fy + 11 <= g.m1 do g.years[#g.years + 1] = fy; fy = fy + 12 end
  return g
end

-- Area facts: kind and population (deterministic per code).
local function area(g, code)
  local a = g.areas[code]
  if a then return a end
  local info = g.s:area_info(code)
  local kind = info and info.kind or "other"
  local pop = M.KNOWN_POPULATION[code]
  if not pop then
    local base = M.POPULATION_BY_KIND[kind] or 150000
    pop = math.floor(base * math.exp(M.rng(g.seed, "population", code):normal(0, 0.3)))
  end
  a = { code = code, kind = kind, pop = pop }
  g.areas[code] = a
  return a
end

-- The observation times of a metric: months, or the start months of financial years.
local function times(g, m) return m.annual and g.years or g.months end

-- The KPI value model for (rel, area): centre, slope; then the value at month t.
local function kpi_centre(g, rel, code)
  local key = rel.key .. "@" .. code .. "@" .. tostring(rel.council)
  local c = g.kval[key]
  if c then return c end
  local r = M.rng(g.seed, "kpi", rel.key, code)
  local T, spread = rel.T, rel.spread
  if T == nil then
    T = M.KPI_UNIT_BASE[rel.kunit or ""] or 50
    spread = 0.1 * math.abs(T)
  end
  local centre
  if rel.council == code then
    centre = T + rel.dir * spread * r:normal(0.25, 0.9)
  elseif code == ENGLAND then
    centre = T + rel.dir * spread * r:normal(0, 0.4)
  else
    -- Another council: around the mean of the councils' targets for the same relation.
    local sum, n = 0, 0
    for _, other in ipairs(g.model.metrics[rel.metric_id].rels) do
      if other.key == rel.key and other.T then sum, n = sum + other.T, n + 1 end
    end
    if n > 0 then T = sum / n end
    centre = T + rel.dir * spread * r:normal(0, 1.4)
  end
  c = { centre = centre, spread = spread, slope = r:normal(0.3, 0.6), dir = rel.dir }
  g.kval[key] = c
  return c
end

local function kpi_value(g, c, month, r)
  return c.centre + c.dir * c.spread * (c.slope * (month - g.m1) / 12) + r:normal(0, 0.3 * c.spread)
end

-- The aggregate of a series over months [ps, ps + len) by the metric's rule.
local function aggregate(g, m, vals, ps, len)
  if m.annual then
    local idx = nil
    for i, fy in ipairs(g.years) do if fy <= ps and ps < fy + 12 then idx = i end end
    return idx and vals[idx]
  end
  local sum, n, last = 0, 0, nil
  for mo = ps, ps + len - 1 do
    local v = vals[mo - g.m0 + 1]
    if v then sum, n, last = sum + v, n + 1, v end
  end
  if n == 0 then return nil end
  if m.agg == "sum" then return sum end
  if m.agg == "mean" then return sum / n end
  return last
end

-- Seasonality (a winter peak) for summed counts.
local function season(amp, month)
  return 1 + amp * math.cos(2 * math.pi * (month % 12) / 12)
end

local series   -- forward

-- An anchor series: a level (per area) with growth, seasonality and noise.
local function anchor_series(g, m, code, level)
  local r = M.rng(g.seed, "anchor", m.id, code)
  local hint = M.HINTS[m.id] or {}
  local a = area(g, code)
  if not level then
    local ub = unit_base(m.unit)
    local per = hint.per_1000
    if type(per) == "table" then per = per[a.kind] or per.default end
    if hint.base then
      level = hint.base
    elseif per then
      level = per * a.pop / 1000
    elseif ub.scaled and not (m.agg ~= "sum" and ub.absolute_last) then
      level = (m.agg == "sum" and ub.sum or ub.last) * a.pop / 1000
    else
      level = m.agg == "sum" and ub.sum or ub.last
    end
    if m.annual and m.agg == "sum" and (per or ub.scaled) and not hint.base then
      level = level * 12
    end
    if m.id ~= "population_all" then level = level * math.exp(r:normal(0, 0.12)) end
  end
  local growth = hint.fy_constant and r:normal(0.006, 0.004) or r:normal(0.01, 0.025)
  local amp = (m.agg == "sum" and not m.annual) and (0.03 + 0.1 * r:uniform()) or 0
  local cv = m.agg == "sum" and 0.04 or 0.006
  local out = {}
  local fyv
  for i, t in ipairs(times(g, m)) do
    local yrs = (t - g.m1) / 12
    local v
    if hint.fy_constant then
      local fy = t - ((t - 3) % 12)
      if fyv == nil or fyv.fy ~= fy then
        fyv = { fy = fy, v = level * (1 + growth) ^ ((fy - g.m1) / 12) }
      end
      v = fyv.v
    else
      v = level * (1 + growth) ^ yrs * season(amp, t) * (1 + r:normal(0, cv))
      if m.agg == "sum" and level < 2000 then
        v = v + r:normal(0, math.sqrt(math.max(level, 0)) * 0.5)   -- Poisson-like spread
      end
    end
    out[i] = math.max(0, v)
  end
  return out
end

-- Choose the relationship that makes a metric's series for an area.
local KIND_RANK = { ratio = 1, diff = 2, tie = 3, direct = 4 }
local function choose_rel(g, m, code)
  local own
  for _, r in ipairs(m.rels) do
    if r.council == code and (r.kind ~= "direct" or r.T) and
       (not own or KIND_RANK[r.kind] < KIND_RANK[own.kind]) then own = r end
  end
  if own then return own end
  if M.HINTS[m.id] then return nil end
  for _, kind in ipairs({ "ratio", "tie", "diff", "direct" }) do
    for _, r in ipairs(m.rels) do
      if r.kind == kind and (kind ~= "direct" or r.T) then return r end
    end
  end
  return nil
end

-- The series of metric m for area code: values by observation time (nil = none).
function series(g, m, code)
  local key = m.id .. "@" .. code
  if g.memo[key] then return g.memo[key] end
  if g.busy[key] then return nil end      -- a cycle: the caller falls back to an anchor
  g.busy[key] = true
  local rel = choose_rel(g, m, code)
  local out
  local r = M.rng(g.seed, "series", m.id, code)
  if rel and (rel.kind == "ratio" or rel.kind == "tie" or rel.kind == "diff") then
    local other = g.model.metrics[rel.other]
    local ov = other and series(g, other, code)
    if ov then
      out = {}
      local c = kpi_centre(g, rel, code)
      local ts = times(g, m)
      local e_fy, fy_of = 0, nil
      for i, t in ipairs(ts) do
        local len = m.annual and 12 or rel.months
        local ps = t - ((t - (rel.ys - 1)) % len)
        if rel.kind == "ratio" then
          local den = aggregate(g, other, ov, ps, len)
          if den then
            local v = kpi_value(g, c, t, r)
            if rel.proportion then v = math.min(math.max(v, 0.2), 99.8) end
            v = math.max(v, 0)
            local n = (m.agg == "sum" and not m.annual) and len or 1
            out[i] = v / rel.scale * den / n
          end
        else
          local idx = other.annual == m.annual and i or nil
          if not idx then
            -- Different granularities: the other's value over the same span.
            local base = aggregate(g, other, ov, ps, len)
            idx = base and -1
            if base then out[i] = base end
          else
            out[i] = ov[idx]
          end
          if out[i] then
            if rel.kind == "diff" and rel.council == code and rel.T then
              local n = (m.agg == "sum" and not m.annual) and len or 1
              out[i] = math.max(0, out[i] + kpi_value(g, c, t, r) / n)
            else
              -- tie: an offset per financial year that builds through the year (a
              -- forecast outturn drifting from its budget), plus a little noise
              local fy = t - ((t - 3) % 12)
              if fy ~= fy_of then fy_of, e_fy = fy, r:normal(0, 0.012) end
              local through = m.annual and 1 or (((t - 3) % 12) + 1) / 12
              out[i] = out[i] * (1 + e_fy * (0.4 + 0.6 * through) + r:normal(0, 0.002))
            end
          end
        end
      end
    end
  elseif rel and rel.kind == "direct" then
    local c = kpi_centre(g, rel, code)
    local ub = unit_base(m.unit)
    local scaled = (m.agg == "sum" or ub.scaled) and not (m.agg ~= "sum" and ub.absolute_last)
    if rel.council == code or not scaled then
      -- The council's own KPI (or a non-scaled measure): the KPI value model.
      out = {}
      local amp = (m.agg == "sum" and not m.annual) and (0.03 + 0.1 * r:uniform()) or 0
      for i, t in ipairs(times(g, m)) do
        local len = m.annual and 12 or rel.months
        local n = (m.agg == "sum" and not m.annual) and len or 1
        local v = kpi_value(g, c, t, r) / n * season(amp, t)
        if m.unit == "%" then v = math.min(math.max(v, 0.1), 99.9) end
        out[i] = math.max(0, v)
      end
    else
      -- Another area: the councils' level per resident, scaled to this area.
      local sum, nn = 0, 0
      for _, other in ipairs(m.rels) do
        if other.kind == "direct" and other.T and other.council then
          local n = (m.agg == "sum" and not m.annual) and other.months or 1
          sum, nn = sum + other.T / n / area(g, other.council).pop, nn + 1
        end
      end
      if nn > 0 then
        out = anchor_series(g, m, code, sum / nn * area(g, code).pop * math.exp(r:normal(0, 0.2)))
      end
    end
  end
  out = out or anchor_series(g, m, code)
  g.busy[key] = nil
  g.memo[key] = out
  return out
end

-- The breakdown keys of a dimension for a council, with shares that sum to 1 (the same
-- for every metric, so that a numerator's categories line up with its denominator's).
-- Wards are the store's areas of kind "ward" under the council, or W01..W20 when it has none.
local function categories(g, council, dim, age)
  local key = council .. "|" .. dim .. "|" .. (age or "")
  if g.cats[key] then return g.cats[key] end
  local cats
  if dim == "age_band" then
    cats = age_bands(age or "adult")
  elseif dim == "ward" then
    cats = {}
    local wards = g.s:query("SELECT code FROM area WHERE kind = 'ward' AND parent = ? ORDER BY code",
                            council)
    if #wards == 0 then
      for i = 1, SYNTHETIC_WARDS do wards[i] = { code = string.format("W%02d", i) } end
    end
    local r = M.rng(g.seed, "wards", council)
    for i, w in ipairs(wards) do cats[i] = { w.code, 0.3 + r:uniform() } end
  else
    cats = M.DIMENSIONS[dim] or GENERIC_DIMENSION
  end
  local r = M.rng(g.seed, "shares", council, dim, age or "")
  local out, total = {}, 0
  for i, c in ipairs(cats) do
    out[i] = { key = dim .. "=" .. c[1], share = c[2] * math.exp(r:normal(0, 0.08)) }
    total = total + out[i].share
  end
  for _, c in ipairs(out) do c.share = c.share / total end
  g.cats[key] = out
  return out
end

-- A breakdown figure of metric m for a council at observation i: the total's share with a
-- little noise of its own; a proportion's numerator follows its denominator's category
-- (never above it), with a rate that differs a little by category.
local function breakdown_value(g, m, code, c, i, total, dec)
  local r = M.rng(g.seed, "bd", m.id, code, c.key, i)
  local rel = choose_rel(g, m, code)
  if rel and rel.kind == "ratio" and rel.proportion then
    local den = g.model.metrics[rel.other]
    local dv = den and den.annual == m.annual and series(g, den, code)[i]
    if dv and dv > 0 then
      local dcat = breakdown_value(g, den, code, c, i, dv, decimals_of(den, dv))
      local f = math.exp(M.rng(g.seed, "bdrate", m.id, code, c.key):normal(0, 0.12))
      return math.min(dcat, round(dcat * total / dv * f, dec))
    end
  end
  return math.max(0, round(total * c.share * (1 + r:normal(0, 0.04)), dec))
end

-- ---- writing -------------------------------------------------------------------------------

-- Buckets of rows by recording date: each month's return a few working days after the
-- month (now and then late), each year's annual figures after the year.
local function recorded_at(g, m, t)
  local key = (m.annual and "y" or "m") .. t
  local d = g.rec[key]
  if d then return d end
  local r = M.rng(g.seed, "recorded", m.annual and "year" or "month", t)
  local last = m.annual and t + 11 or t
  local wd = r:chance(0.12) and r:int(12, 16) or r:int(4, 9)
  d = period.add_working_days(month_end(last), wd)
  g.rec[key] = d
  return d
end

local function fmt(v)
  if math.type(v) == "integer" then return tostring(v) end
  return string.format("%.12g", v)
end

-- A row is kept as its CSV line: metric,area,period,value,breakdown,flag (no field holds a
-- comma or a quote).
local function add_row(g, date, r)
  local b = g.buckets[date]
  if not b then
    b = { date = date, rows = {} }
    g.buckets[date] = b
    g.bucket_order[#g.bucket_order + 1] = date
  end
  b.rows[#b.rows + 1] = r.metric .. "," .. r.area .. "," .. r.period .. "," .. fmt(r.value) ..
                        "," .. (r.breakdown or "") .. "," .. (r.flag or "") ..
                        (r.numerator and ("," .. fmt(r.numerator) .. "," .. fmt(r.denominator))
                         or ",,")
end

local function row_fields(line)
  local m, a, p, v, bd, fl, num, den =
    line:match("^([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)$")
  return { metric = m, area = a, period = p, value = tonumber(v),
           breakdown = bd ~= "" and bd or nil, flag = fl ~= "" and fl or nil,
           numerator = tonumber(num), denominator = tonumber(den) }
end

-- A figure of a metric with the ratio rule is stored as numerator and denominator (the
-- series engine adds them up over a period) and value = numerator / denominator, the
-- engine's own rule: the proportion v (a percentage when the unit is "%") of a count that
-- scales with the area.
local function ratio_parts(g, m, code, key, t, v, share)
  local r = M.rng(g.seed, "ratioden", m.id, code, key or "", t)
  local level = area(g, code).pop / 1000 * 1.5 * (m.annual and 12 or 1) * (share or 1)
  local den = math.max(1, round(level * (1 + r:normal(0, 0.05)), 0))
  local p = m.unit == "%" and v / 100 or v
  local num = math.max(0, round(p * den, 0))
  if m.unit == "%" and num > den then num = den end
  return num / den, num, den
end

-- Write the buckets in date order through the importer (or store:observe).
local function write_buckets(g, opts)
  table.sort(g.bucket_order)
  local s = g.s
  local importer = rawget(pmf, "importer") and pmf.import
  local total, batches = 0, 0
  for _, date in ipairs(g.bucket_order) do
    local b = g.buckets[date]
    local at = date .. "T09:00:00"
    if importer then
      local path = os.tmpname()
      local f = assert(io.open(path, "wb"))
      f:write("metric,area,period,value,breakdown,flag,numerator,denominator\n")
      f:write(table.concat(b.rows, "\n"), "\n")
      f:close()
      local ci = os.clock()
      local res, err, errs = pmf.import(path, { store = s, format = "long", at = at,
                                                by = opts.by, source = g.source, year_start = 4 })
      os.remove(path)
      g.import_cpu = (g.import_cpu or 0) + os.clock() - ci
      if not res then
        error("generate: import of the " .. date .. " batch failed: " .. tostring(err) ..
              (errs and errs[2] and ("\n" .. table.concat(errs, "\n", 2)) or ""), 0)
      end
      total = total + (res.new or 0) + (res.revised or 0)
    else
      local batch = s:batch{ kind = "import", by = opts.by, at = at, source = g.source }
      for _, line in ipairs(b.rows) do
        local r = row_fields(line)
        local st = s:observe{ metric = r.metric, area = r.area, period = r.period, value = r.value,
                              breakdown = r.breakdown, flags = r.flag, batch = batch,
                              numerator = r.numerator, denominator = r.denominator }
        if st ~= "unchanged" then total = total + 1 end
      end
    end
    batches = batches + 1
  end
  return total, batches
end

-- ---- run -------------------------------------------------------------------------------------

local function label_of(t, annual)
  if annual then return tostring(period.span(t, 12)) end
  return month_label(t)
end

-- The metric whose return a metric's figures come with: a ratio's numerator follows its
-- denominator, down the chain.
local function gap_root(g, m, code, depth)
  local rel = choose_rel(g, m, code)
  if rel and rel.kind == "ratio" and (depth or 0) < 8 then
    local den = g.model.metrics[rel.other]
    if den and den.annual == m.annual then return gap_root(g, den, code, (depth or 0) + 1) end
  end
  return m.id
end

-- Rows for every metric, area and time; breakdowns for councils; gaps, flags, revisions.
local function make_rows(g, summary)
  local model = g.model
  local m_last_q = g.m1 - ((g.m1 - 3 + 1) % 3)       -- last month of the last whole quarter
  -- The revision dates: the latest months restated some weeks after they were first
  -- recorded; an older quarter restated in a later month.
  local late_date = period.add_working_days(month_end(g.m1), 35)
  local old_q_end = m_last_q - 9                      -- three quarters before the last
  local old_date = period.add_working_days(month_end(old_q_end), 45)
  g.revise_old = { from = old_q_end - 2, to = old_q_end, date = old_date }
  g.revise_late = { from = g.m1 - 1, to = g.m1, date = late_date }
  summary.revised_as_of = { old_date, late_date }
  for _, id in ipairs(model.metric_order) do
    local m = model.metrics[id]
    local ts = times(g, m)
    for _, code in ipairs(m.areas) do
      local vals = series(g, m, code)
      local is_council = model.councils[code] ~= nil
      local r = M.rng(g.seed, "rows", id, code)
      -- Gaps and publication lags belong to a return, not a figure: a numerator shares its
      -- denominator's (so a percentage is never made of mismatched months).
      local root = gap_root(g, m, code)
      local rg = M.rng(g.seed, "lag", root, code)
      local lag = (not is_council and code ~= ENGLAND and rg:chance(0.25)) and rg:int(1, 3) or 0
      local gap_p = is_council and 0.004 or 0.015
      local rgap = M.rng(g.seed, "gap", root, code)     -- one draw per time, in time order
      local revise_old = is_council and r:chance(0.12)
      local revise_late = r:chance(is_council and 0.35 or 0.1)
      -- Restatements are small for snapshots (budgets, stocks), larger for counts.
      local rev_sd = m.agg == "sum" and 0.03 or 0.004
      local crel = choose_rel(g, m, code)
      local cap_rel = crel and crel.kind == "ratio" and crel.proportion and
                      g.model.metrics[crel.other]
      if cap_rel and cap_rel.annual ~= m.annual then cap_rel = nil end
      for i, t in ipairs(ts) do
        local v = vals[i]
        local tend = m.annual and t + 11 or t
        local missing = rgap:chance(gap_p)
        local gap = missing or (not m.annual and tend > g.m1 - lag)
        if v and not gap then
          local dec = decimals_of(m, v)
          local value = round(v, dec)
          local flag = nil
          if (not m.annual and tend >= g.m1 - 1) or (m.annual and tend >= g.m1 - 6 and r:chance(0.5)) then
            flag = "provisional"
          end
          local row = { metric = id, area = code, period = label_of(t, m.annual),
                        value = value, flag = flag }
          if m.agg == "ratio" then
            row.value, row.numerator, row.denominator = ratio_parts(g, m, code, nil, t, v)
          end
          add_row(g, recorded_at(g, m, t), row)
          summary.observations = summary.observations + 1
          -- Revisions: a restated figure in a later batch.
          local rv
          if revise_late and flag and not m.annual and tend >= g.revise_late.from then
            rv = g.revise_late.date
          elseif revise_old and not m.annual and t >= g.revise_old.from and t <= g.revise_old.to then
            rv = g.revise_old.date
          end
          if rv and m.agg ~= "ratio" then
            -- Restated upwards, except numerators, which stay within their denominator.
            local nv = round(v * (1 + math.abs(r:normal(0, rev_sd))) +
                             ((dec == 0 and v < 1000) and r:int(0, 2) or 0), dec)
            if cap_rel then
              local dv = series(g, cap_rel, code)[i]
              if dv then nv = math.min(nv, round(dv, decimals_of(cap_rel, dv))) end
            end
            if m.unit == "%" then nv = math.min(math.max(nv, 0), 100) end
            if nv < 0 then nv = 0 end
            add_row(g, rv, { metric = id, area = code, period = row.period, value = nv })
            summary.revisions = summary.revisions + 1
          end
          -- Breakdown rows for the council of a KPI with breakdowns.
          local bd = m.breakdowns[code]
          if bd then
            for _, dim in ipairs(bd.dims) do
              for _, c in ipairs(categories(g, code, dim, bd.age)) do
                local brow = { metric = id, area = code, period = row.period, breakdown = c.key,
                               flag = flag }
                if m.agg == "ratio" then
                  brow.value, brow.numerator, brow.denominator =
                    ratio_parts(g, m, code, c.key, t, v, c.share)
                else
                  brow.value = breakdown_value(g, m, code, c, i, v, dec)
                end
                add_row(g, recorded_at(g, m, t), brow)
                summary.breakdown_rows = summary.breakdown_rows + 1
              end
            end
          end
        end
      end
    end
  end
end

-- Commentary for some red/amber KPIs, action updates, risk assessments, one sign-off.
local function extras(g, opts, summary)
  local s = g.s
  local m_last_q = g.m1 - ((g.m1 - 3 + 1) % 3)
  local q_last = tostring(period.span(m_last_q - 2, 3))
  local q_prev = tostring(period.span(m_last_q - 5, 3))
  local last_month = month_label(g.m1)
  local signoff_date = period.add_working_days(month_end(m_last_q - 3), 25)
  local end_date = period.add_working_days(month_end(g.m1), 20)
  local has_kpi = pcall(function() return pmf.kpi.exceptions end)
  local function comment_period(fw, label, date, ok_kpi)
    if not has_kpi then return end
    local good, rows = pcall(pmf.kpi.exceptions, { store = s, framework = fw, period = label,
                                                   benchmark = false })
    if not good or type(rows) ~= "table" then return end
    for _, row in ipairs(rows) do
      local r = M.rng(g.seed, "comment", fw.id, row.kpi, label)
      if (not ok_kpi or ok_kpi(row.kpi)) and r:chance(0.6) then
        s:comment{ framework = fw.id, kpi = row.kpi, period = label, area = row.area,
                   text = r:pick(COMMENTARY), by = opts.by, at = date .. "T10:00:00" }
        summary.comments = summary.comments + 1
      end
    end
  end
  for _, fw in ipairs(g.model.frameworks) do
    local loaded = s:query("SELECT 1 AS x FROM framework WHERE id = ?", fw.id)[1]
    if fw.council and s:area_id(fw.council) then
      comment_period(fw, q_prev, period.add_working_days(month_end(m_last_q - 3), 12))
      comment_period(fw, q_last, period.add_working_days(month_end(m_last_q), 12))
      comment_period(fw, last_month, period.add_working_days(month_end(g.m1), 12), function(k)
        return fw.kpis[k] and fw.kpis[k].frequency == "monthly"
      end)
    end
    -- Action updates: quarterly, through to completion (or slippage) by the due date.
    for _, aid in ipairs(fw.action_order or {}) do
      local a = fw.actions[aid]
      local r = M.rng(g.seed, "action", fw.id, aid)
      local due = a.due or end_date
      local start = a.start or period.add_working_days(due, -400)
      local until_ = period.add_working_days(due, 70)
      local all = {}
      for q = g.m0 + 2, g.m1, 3 do
        local d = period.add_working_days(month_end(q), 10)
        if d >= start and d <= until_ then all[#all + 1] = d end
      end
      if #all == 0 then all[1] = period.add_working_days(month_end(g.m0 + 2), 10) end
      local dates = {}
      local step = math.max(1, math.ceil(#all / 6))
      for k = #all, 1, -step do table.insert(dates, 1, all[k]) end
      local slips = r:chance(0.25)
      local state, progress = "not_started", 0
      for k, d in ipairs(dates) do
        local frac = k / #dates
        if d >= due then
          state = slips and (r:chance(0.5) and "off_track" or "deferred") or "complete"
          progress = state == "complete" and 100 or math.floor(70 + 20 * r:uniform())
        else
          progress = math.min(95, math.max(progress, math.floor(90 * frac + 8 * r:uniform())))
          state = (slips and frac > 0.5) and "at_risk" or "on_track"
        end
        s:action_update{ framework = fw.id, action = aid, status = state, progress = progress,
                         date = d, note = ACTION_NOTES[state], by = opts.by,
                         at = d .. "T11:00:00" }
        summary.action_updates = summary.action_updates + 1
        if state == "complete" or state == "deferred" then break end
      end
    end
    -- Risk assessments: quarterly over the last two years, a gentle random walk.
    for _, rid in ipairs(fw.risk_order or {}) do
      local rk = fw.risks[rid]
      local r = M.rng(g.seed, "risk", fw.id, rid)
      local l, i = rk.likelihood or 3, rk.impact or 3
      for q = math.max(g.m0 + 2, g.m1 - 23), g.m1, 3 do
        local d = period.add_working_days(month_end(q), 8)
        if r:chance(0.4) then l = math.min(5, math.max(1, l + (r:chance(0.5) and 1 or -1))) end
        if r:chance(0.15) then i = math.min(5, math.max(1, i + (r:chance(0.5) and 1 or -1))) end
        s:risk_assess{ framework = fw.id, risk = rid, likelihood = l, impact = i, date = d,
                       note = "Quarterly review.", by = opts.by, at = d .. "T12:00:00" }
        summary.risk_assessments = summary.risk_assessments + 1
      end
    end
    -- Sign off the quarter before the last (its figures were final by then).
    if loaded and not s:is_signed_off(fw.id, q_prev) then
      s:signoff(fw.id, q_prev, { by = opts.by, note = "Signed off for Cabinet (generated example)",
                                 at = signoff_date .. "T16:00:00" })
      summary.signoffs[#summary.signoffs + 1] = fw.id .. " " .. q_prev
    end
  end
end

-- M.run{store=, frameworks=, seed=, from=, to=, years=, by=, extras=} -> summary | nil, msg
--   frameworks: ids or definitions (default: every framework loaded in the store)
--   seed: integer (default 1); from/to: period labels (default "2021/22" .. "2025/26 Q2");
--   years: instead of from, that many financial years ending with to's; by: the recorder
--   (default "pmf generate"); extras = false: figures only (no commentary, actions, risks,
--   sign-off).
-- summary = {frameworks, metrics, areas, observations, breakdown_rows, revisions, rows,
--            batches, comments, action_updates, risk_assessments, signoffs = {...}, seconds,
--            revised_as_of = {date, date}, seed, from, to, timing = {rows, write, import,
--            extras} (CPU seconds)}
-- The months a run covers: m0, m1 (see run's from, to and years).  Raises on bad options.
local function months_of(opts)
  local to = parse_label(opts.to or "2025/26 Q2", 4, "to")
  local m1 = to.start + to.len - 1
  local m0
  if opts.years then
    if math.type(opts.years) ~= "integer" or opts.years < 1 then
      error("generate: years must be a whole number >= 1", 3)
    end
    local fy = m1 - ((m1 - 3) % 12)
    m0 = fy - 12 * (opts.years - 1)
  else
    m0 = parse_label(opts.from or "2021/22", 4, "from").start
  end
  if m0 > m1 then error("generate: from is after to", 3) end
  return m0, m1
end

-- M.range(opts) -> first day, last day of the data a run with these options writes
-- ("2021-04-01", "2025-09-30" by default): load frameworks with `at` on or before the first
-- so that reports as of earlier dates can see them.
function M.range(opts)
  local m0, m1 = months_of(opts or {})
  return string.format("%04d-%02d-01", m0 // 12, m0 % 12 + 1), month_end(m1)
end

function M.run(opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("generate: options must be a table", 2) end
  local s = pmf.default_store(opts.store)
  pmf._checkwritable(s)
  local seed = opts.seed or 1
  if math.type(seed) ~= "integer" then error("generate: seed must be an integer", 2) end
  local m0, m1 = months_of(opts)
  local fws = frameworks_of(s, opts.frameworks)
  table.sort(fws, function(a, b) return a.id < b.id end)   -- the same figures in any order
  if #fws == 0 then return nil, "no frameworks to generate for (load some first: pmf load FILE)" end
  local prior = s:query("SELECT recorded_at AS at, note FROM batch WHERE kind = 'generate' LIMIT 1")[1]
  if prior then
    return nil, "this store already holds generated data (" .. tostring(prior.note) ..
                "): use a fresh store"
  end
  local clock = os.clock()
  local run_opts = { by = opts.by or SOURCE }
  local model = M.model(s, fws)
  local g = new_gen(s, model, { seed = seed, m0 = m0, m1 = m1 })
  g.source = SOURCE .. " (seed " .. seed .. ")"
  g.buckets, g.bucket_order = {}, {}
  local summary = { frameworks = #fws, metrics = #model.metric_order, observations = 0,
                    breakdown_rows = 0, revisions = 0, comments = 0, action_updates = 0,
                    risk_assessments = 0, signoffs = {}, seed = seed,
                    from = month_label(m0), to = month_label(m1) }
  local timing = {}
  summary.timing = timing
  s:transaction(function()
    -- A marker batch: what was generated, with which seed (and the guard against a rerun).
    s:batch{ kind = "generate", by = run_opts.by, source = SOURCE,
             note = string.format("seed %d, %s to %s, %d frameworks", seed, summary.from,
                                  summary.to, #fws) }
    local c = os.clock()
    make_rows(g, summary)
    timing.rows = os.clock() - c
    c = os.clock()
    summary.rows, summary.batches = write_buckets(g, run_opts)
    timing.write = os.clock() - c
    timing.import = g.import_cpu
    c = os.clock()
    if opts.extras ~= false then extras(g, run_opts, summary) end
    timing.extras = os.clock() - c
  end)
  local n = 0
  for _ in pairs(g.areas) do n = n + 1 end
  summary.areas = n
  summary.seconds = os.clock() - clock
  return summary
end

-- A one-line description of a summary.
function M.describe(r)
  return string.format("generated %d figures (%d breakdown rows, %d revisions) for %d metrics " ..
                       "and %d areas, %s to %s, seed %d, in %d batches; %d comments, %d action " ..
                       "updates, %d risk assessments; signed off: %s (%.1fs)",
                       r.observations + r.breakdown_rows, r.breakdown_rows, r.revisions,
                       r.metrics, r.areas, r.from, r.to, r.seed, r.batches, r.comments,
                       r.action_updates, r.risk_assessments,
                       #r.signoffs > 0 and table.concat(r.signoffs, ", ") or "none", r.seconds)
end

return M
