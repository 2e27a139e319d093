-- examples/lib/generate_series.lua: the example data generator's values: for a metric
-- and an area, its series by observation time, drawn from the model (generate_model.lua)
-- around a KPI's target and tolerance, or from a level per resident; and the breakdown
-- figures of a council.  Used by generate_rows.lua; nothing here writes to a store.
--
--   new_gen(store, model, {seed=, m0=, m1=}) -> g, the state of one run (memoised series)
--   series(g, m, code) -> values by observation time (nil = none)
--   times(g, m), area(g, code), choose_rel(g, m, code), categories(g, council, dim, age),
--   breakdown_value(g, m, code, cat, i, total, decimals), round(v, decimals),
--   decimals_of(m, v)
--
-- Decisions (see generate.lua's header for the whole): a pct/rate/ratio KPI makes its
-- numerator follow its denominator, a diff or custom formula whose inputs share a unit ties
-- them together, and the KPI's polarity, target and tolerance place the council's value so
-- that a scorecard shows a mix of green, amber and red.
local defs = require "generate_model"

local M = {}

local ENGLAND, GENERIC_DIMENSION, SYNTHETIC_WARDS = defs.ENGLAND, defs.GENERIC_DIMENSION, defs.SYNTHETIC_WARDS
local age_bands = defs.age_bands

-- ---- the generator -----------------------------------------------------------------------

local function unit_base(unit)
  return defs.UNIT_BASE[unit or ""] or { scaled = true, sum = 1, last = 5, decimals = 2 }
end

local function round(v, decimals)
  local f = 10 ^ (decimals or 0)
  local r = math.floor(v * f + 0.5) / f
  if (decimals or 0) == 0 then return math.tointeger(r) or r end
  return r
end

local function decimals_of(m, v)
  local b = defs.UNIT_BASE[m.unit or ""]
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
  local pop = defs.KNOWN_POPULATION[code]
  if not pop then
    local base = defs.POPULATION_BY_KIND[kind] or 150000
    pop = math.floor(base * math.exp(defs.rng(g.seed, "population", code):normal(0, 0.3)))
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
  local r = defs.rng(g.seed, "kpi", rel.key, code)
  local T, spread = rel.T, rel.spread
  if T == nil then
    T = defs.KPI_UNIT_BASE[rel.kunit or ""] or 50
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
  local r = defs.rng(g.seed, "anchor", m.id, code)
  local hint = defs.HINTS[m.id] or {}
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
  if defs.HINTS[m.id] then return nil end
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
  local r = defs.rng(g.seed, "series", m.id, code)
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
    local wards = {}
    for _, a in ipairs(g.s:areas{ kind = "ward" }) do            -- by code
      if a.parent == council then wards[#wards + 1] = a end
    end
    if #wards == 0 then
      for i = 1, SYNTHETIC_WARDS do wards[i] = { code = string.format("W%02d", i) } end
    end
    local r = defs.rng(g.seed, "wards", council)
    for i, w in ipairs(wards) do cats[i] = { w.code, 0.3 + r:uniform() } end
  else
    cats = defs.DIMENSIONS[dim] or GENERIC_DIMENSION
  end
  local r = defs.rng(g.seed, "shares", council, dim, age or "")
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
  local r = defs.rng(g.seed, "bd", m.id, code, c.key, i)
  local rel = choose_rel(g, m, code)
  if rel and rel.kind == "ratio" and rel.proportion then
    local den = g.model.metrics[rel.other]
    local dv = den and den.annual == m.annual and series(g, den, code)[i]
    if dv and dv > 0 then
      local dcat = breakdown_value(g, den, code, c, i, dv, decimals_of(den, dv))
      local f = math.exp(defs.rng(g.seed, "bdrate", m.id, code, c.key):normal(0, 0.12))
      return math.min(dcat, round(dcat * total / dv * f, dec))
    end
  end
  return math.max(0, round(total * c.share * (1 + r:normal(0, 0.04)), dec))
end

M.new_gen, M.series, M.times, M.area, M.choose_rel = new_gen, series, times, area, choose_rel
M.categories, M.breakdown_value, M.round, M.decimals_of = categories, breakdown_value, round, decimals_of

return M
