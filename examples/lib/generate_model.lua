-- examples/lib/generate_model.lua: the example data generator's fixed parts: the
-- deterministic random stream, the scale tables, the words it writes, month arithmetic, and
-- the model (which metrics to write, for which areas, tied to what).  Used by generate.lua
-- (see its header for what the generator writes and why); nothing here writes to a store.
--
--   rng(seed, ...)      -> a stream keyed by the seed and any further parts (xorshift64*)
--   model(store, fws)   -> every metric to generate with its unit, rule, granularity, areas,
--                          relationships (rels) and breakdowns
--   POPULATION_BY_KIND, KNOWN_POPULATION, UNIT_BASE, KPI_UNIT_BASE, HINTS, DIMENSIONS: the
--   tables the levels are drawn from (scale only: nothing knows a council's metric by name
--   except HINTS).
--
-- Decisions: every random draw comes from a stream keyed by (seed, what, metric, area), so
-- the same seed gives the same figures whatever the order frameworks are loaded in, and
-- math.random is never used.
local M = {}

local ENGLAND = "E92000001"
M.ENGLAND = ENGLAND

-- ---- a deterministic random stream: xorshift64* ----------------------------------------

local Rng = {}
Rng.__index = Rng

-- FNV-1a over the seed and the key parts: a 64-bit state, never 0.  The state after each
-- key prefix is kept (part by part, per seed), so a key that differs from an earlier one only
-- in its last part (a month, a category) costs the hashing of that part alone: the streams
-- are drawn per figure, and hashing whole keys byte by byte was most of the generator's time.
local function mix(h, s)
  for j = 1, #s do h = (h ~ s:byte(j)) * 0x100000001b3 end
  return (h ~ 0xff) * 0x100000001b3
end

local prefix_state = {}      -- [seed state] = node; node[part] = node; node[0] = state

local function hash(seed, ...)
  local n = select("#", ...)
  local h0 = 0xcbf29ce484222325 ~ (math.tointeger(seed) or 0)
  local node = prefix_state[h0]
  if not node then node = { [0] = h0 }; prefix_state[h0] = node end
  for i = 1, n - 1 do
    local s = tostring((select(i, ...)))
    local child = node[s]
    if not child then child = { [0] = mix(node[0], s) }; node[s] = child end
    node = child
  end
  local h = node[0]
  if n >= 1 then h = mix(h, tostring((select(n, ...)))) end
  if h == 0 then h = 0x9e3779b97f4a7c15 end
  return h
end

-- M.rng(seed, ...) -> a stream keyed by the seed and any further parts.
function M.rng(seed, ...)
  local r = setmetatable({ s = hash(seed, ...) }, Rng)
  r:next(); r:next()
  return r
end

-- The next 64 random bits (an integer).  The draws below repeat its steps inline (the
-- generator makes a few million of them: a method call each was a fifth of its Lua time);
-- each gives the same numbers as these calls would.
function Rng:next()
  local x = self.s
  x = x ~ (x >> 12)
  x = x ~ (x << 25)
  x = x ~ (x >> 27)
  self.s = x
  return x * 0x2545F4914F6CDD1D
end

-- Uniform in (0, 1).
function Rng:uniform()
  local x = self.s
  x = x ~ (x >> 12); x = x ~ (x << 25); x = x ~ (x >> 27)
  self.s = x
  return (((x * 0x2545F4914F6CDD1D) >> 11) + 0.5) * 0x1p-53
end

-- Normal(mu, sd) by Box-Muller.
local sqrt, log, cos, TWO_PI = math.sqrt, math.log, math.cos, 2 * math.pi
function Rng:normal(mu, sd)
  local x = self.s
  x = x ~ (x >> 12); x = x ~ (x << 25); x = x ~ (x >> 27)
  local u = (((x * 0x2545F4914F6CDD1D) >> 11) + 0.5) * 0x1p-53
  x = x ~ (x >> 12); x = x ~ (x << 25); x = x ~ (x >> 27)
  self.s = x
  local v = (((x * 0x2545F4914F6CDD1D) >> 11) + 0.5) * 0x1p-53
  return (mu or 0) + (sd or 1) * sqrt(-2 * log(u)) * cos(TWO_PI * v)
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

-- the month's last day, "YYYY-MM-DD", by the engine's one calendar
local function month_end(m) return require("pmf").period.span(m, 1):end_date() end

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

M.age_variant, M.age_bands, M.GENERIC_DIMENSION = age_variant, age_bands, GENERIC_DIMENSION
M.SYNTHETIC_WARDS, M.COMMENTARY, M.ACTION_NOTES = SYNTHETIC_WARDS, COMMENTARY, ACTION_NOTES
M.month_label, M.month_end = month_label, month_end

return M
