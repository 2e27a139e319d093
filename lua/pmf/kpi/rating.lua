-- lua/pmf/kpi/rating.lua: rating one KPI over a planned grid (what rate_matrix runs per
-- KPI): its values from the input metrics' grids, the published figure, targets, RAG,
-- direction of travel, benchmarks, the late flag, and the framework's own Lua (custom
-- formulas, function targets, rag overrides).
--
--   rating.rate_kpi(ctx, kpi) -> Grid (rows ctx.rows, columns ctx.cols.periods)
--   rating.formula_inputs(formula) -> the metric ids it reads
--
-- ctx is built by lua/pmf/kpi/matrix.lua: store, fw, ys, cols (plan), one (the column lists
-- of a single-version KPI, converted once), rules (a cache per call), rows, nrows, nreq,
-- metric(id, kpi [, into]) -> the metric's Grid (K itself when read into K), comparator(v) and target_group(v) (version v's
-- groups, resolved once per call), group_rows(gid) (a list), group_index(gid) (the same
-- as engine Indices, converted once), min_group(kpi, v), decimals(kpi),
-- stored targets, bench (benchmark group sizes out), errors ("kpi|i|j" -> message out),
-- spare (a grid of the call's shape the caller is done with: reset and rated in),
-- light_row (the row a rag override gets), deadline columns.
--
-- Design decisions:
-- - The grid kernels (core/engine.h through pmf.engine) do the work per cell in C:
--   combine, suppress, publish, rate, dot, benchmark, stats, late.  Lua runs per cell only
--   where the framework asks for Lua, under one sandbox budget per KPI per call (guarded).
-- - A KPI's versions split the columns: each version rates the columns of the periods it
--   is in force for, with its own formula, target, polarity and comparator.
-- - Targets: stored per-area targets override the framework's; baseline targets are
--   relative to the KPI's own value in the baseline period; benchmark targets are a
--   statistic of the group's published figures, nil below min_group.
local pmf = require "pmf"
local C = require "pmf.kpi.common"

local E = pmf.engine
local key, to_period, version_of = C.key, C.to_period, C.version_of
local guarded, fw_error, where_fn = C.guarded, C.fw_error, C.where_fn
local STATUSES = C.STATUSES

local M = {}

-- The input metrics of a formula: list of metric ids.
local function formula_inputs(F)
  if F == nil then return {} end
  if F.kind == "metric" then return { F.metric } end
  if F.kind == "ratio" then return { F.num, F.den } end
  if F.kind == "diff" then return { F.a, F.b } end
  local out = {}
  for _, id in pairs(F.inputs or {}) do out[#out + 1] = id end
  table.sort(out)
  return out
end

local function rule_of(v)
  return { polarity = v.polarity or "up", tolerance = v.tolerance, blue = v.blue,
           band = v.band and { v.band.lo or v.band[1], v.band.hi or v.band[2] } or nil }
end


-- Target of version v for column j (period p) over the grid K (values already in).
local function fill_targets(ctx, kpi, v, K, j, p)
  local T = v.target
  local na = ctx.nrows
  if T == nil then
    K:fill_target(j, nil)
  elseif type(T) == "number" then
    K:fill_target(j, T)
  elseif T.kind == "value" then
    K:fill_target(j, T.value)
  elseif T.kind == "periods" then
    K:fill_target(j, pmf.framework.target_value(T, p))
  elseif T.kind == "baseline" then
    local bj = ctx.cols.index[key(to_period(T.period, ctx.ys))]
    local ch = T.change or { abs = 0 }
    for i = 1, na do
      local b = K:value(i, bj)
      local t
      if b ~= nil then
        if ch.pct then t = b + math.abs(b) * ch.pct / 100 else t = b + (ch.abs or 0) end
      end
      K:set_target(i, j, t)
    end
  elseif T.kind == "benchmark" then
    local gid = ctx.target_group(v)
    local rows = ctx.group_rows(gid)
    local t
    if rows and #rows > 0 then
      local n, median, mean, q1, q3 = E.stats(K, ctx.group_index(gid), j, ctx.min_group(kpi, v))
      if median ~= nil then
        local stat = T.stat or "median"
        if stat == "median" then t = median
        elseif stat == "mean" then t = mean
        else t = (v.polarity == "down") and q1 or q3 end
      end
    end
    K:fill_target(j, t)
  elseif T.kind == "function" or type(T) == "function" then
    local fn = T.fn or T
    local failed = guarded(ctx, kpi, fn, "target", function()
      for i = 1, na do
        local ok, t = pcall(fn, { area = ctx.rows[i], period = p, kpi = kpi, framework = ctx.fw,
                                  value = K:value(i, j) })
        if ok then
          K:set_target(i, j, type(t) == "number" and t or nil)
        else
          ctx.errors[kpi.id .. "|" .. i .. "|" .. j] = fw_error(t, fn, kpi, "target")
        end
      end
    end)
    if failed then
      for i = 1, na do ctx.errors[kpi.id .. "|" .. i .. "|" .. j] = failed end
    end
  end
  -- targets stored per area override the framework's
  local st = ctx.stored[kpi.id]
  if st then
    for i = 1, na do
      local t = st[ctx.rows[i] .. "|" .. key(p)]
      if t ~= nil then K:set_target(i, j, t) end
    end
  end
end

-- Custom formula: fn(m, ctx) per cell of the columns.
local function custom_cells(ctx, kpi, v, K, grids, cols)
  local F = v.formula
  local failed = guarded(ctx, kpi, F.fn, "formula", function()
    for _, j in ipairs(cols) do
      local p = ctx.cols.periods[j]
      for i = 1, ctx.nrows do
        local m, missing = {}, false
        for name, id in pairs(F.inputs) do
          local x = grids[id]:value(i, j)
          if x == nil then missing = true end
          m[name] = x
        end
        local val
        if not missing then
          local ok, r = pcall(F.fn, m, { area = ctx.rows[i], period = p, kpi = kpi,
                                         framework = ctx.fw })
          if not ok then
            ctx.errors[kpi.id .. "|" .. i .. "|" .. j] = fw_error(r, F.fn, kpi, "formula")
          elseif type(r) == "number" and r == r and r ~= math.huge and r ~= -math.huge then
            val = r
          end
        end
        K:set_value(i, j, val)
      end
    end
  end)
  if failed then
    for _, j in ipairs(cols) do
      for i = 1, ctx.nrows do
        ctx.errors[kpi.id .. "|" .. i .. "|" .. j] = failed
        K:set_value(i, j, nil)
      end
    end
  end
end

-- The columns each version of a KPI rates, one set per version in force: {v, cj = every
-- column it is in force for, rc = the requested ones (once each), now/prev/year = its
-- requested columns (as asked) and their direction-of-travel columns}, each list also as
-- the kernels take it (cj_c, rc_c, now_c...).  A KPI with one version (most) takes the
-- call's lists, converted for C once per call (ctx.one), not once per KPI.
local function version_sets(ctx, kpi)
  if #kpi.versions == 1 then
    local one = ctx.one
    return { { v = kpi.versions[1], cj = one.all, cj_c = one.all_c, rc = one.req,
               rc_c = one.req_c, now_c = one.now_c, prev_c = one.prev_c,
               year_c = one.year_c } }
  end
  local cols = ctx.cols
  local sets, of, vof = {}, {}, {}
  for j, p in ipairs(cols.periods) do
    local v = version_of(kpi, p)
    local set = of[v]
    if not set then
      set = { v = v, cj = {}, rc = {}, now_c = {}, prev_c = {}, year_c = {} }
      of[v] = set
      sets[#sets + 1] = set
    end
    table.insert(set.cj, j)
    vof[j] = set
  end
  local seen = {}
  for k, j in ipairs(cols.req) do
    local set = vof[j]
    if not seen[j] then
      seen[j] = true
      table.insert(set.rc, j)
    end
    set.now_c[#set.now_c + 1] = j
    set.prev_c[#set.prev_c + 1] = cols.prev[k]
    set.year_c[#set.year_c + 1] = cols.year[k]
  end
  for _, set in ipairs(sets) do set.cj_c, set.rc_c = set.cj, set.rc end
  return sets
end

-- Version v's rule for the kernels (engine.rule: checked once per call, not per kernel).
local function rule(ctx, v)
  local r = ctx.rules[v]
  if not r then
    r = E.rule(rule_of(v))
    ctx.rules[v] = r
  end
  return r
end

-- Rate one KPI: returns its Grid.
local function rate_kpi(ctx, kpi)
  local cols = ctx.cols
  local K = ctx.spare                   -- the last KPI's grid, when the caller is done with it
  if K then
    ctx.spare = nil
    K:reset()
  else
    K = E.grid(ctx.nrows, #cols.periods)
  end
  local sets = version_sets(ctx, kpi)
  -- values
  for _, set in ipairs(sets) do
    local v, cj = set.v, set.cj_c
    local F = v.formula
    local ins = formula_inputs(F)
    local grids = {}
    if F ~= nil and F.kind == "metric" and set.cj == ctx.one.all then
      -- in force for every column: the metric is read straight into K when no other KPI
      -- of the call reads it (ctx.metric decides), else copied from its shared grid
      grids[F.metric] = ctx.metric(F.metric, kpi, K)
    else
      for _, id in ipairs(ins) do grids[id] = ctx.metric(id, kpi) end
    end
    if F == nil then
      -- no formula: no data
    elseif F.kind == "metric" then
      if grids[F.metric] ~= K then E.combine("copy", 1, grids[F.metric], nil, K, cj) end
    elseif F.kind == "ratio" then
      E.combine("div", F.scale or 1, grids[F.num], grids[F.den], K, cj)
    elseif F.kind == "diff" then
      E.combine("sub", 1, grids[F.a], grids[F.b], K, cj)
    elseif F.kind == "custom" then
      if ins[1] then E.combine("copy", 1, grids[ins[1]], nil, K, cj) end
      custom_cells(ctx, kpi, v, K, grids, set.cj)
    end
    if kpi.suppress_below then
      for _, id in ipairs(ins) do
        if grids[id] ~= K then E.suppress(grids[id], kpi.suppress_below, K, cj) end
      end
      E.suppress(K, kpi.suppress_below, K, cj)
    end
  end
  -- the published figure of every column: what RAG, DoT and ranks rate (engine.h)
  E.publish(K, ctx.decimals(kpi), ctx.one.all_c)
  -- targets and ratings for the requested columns
  for _, set in ipairs(sets) do
    local v, rc = set.v, set.rc
    if #rc > 0 then
      for _, j in ipairs(rc) do fill_targets(ctx, kpi, v, K, j, cols.periods[j]) end
      local rule = rule(ctx, v)
      E.rate(K, rule, set.rc_c)
      -- direction of travel
      E.dot(K, rule, v.dot_threshold, set.now_c, set.prev_c, "prev")
      E.dot(K, rule, v.dot_threshold, set.now_c, set.year_c, "year")
      if ctx.benchmark then
        local gid = ctx.comparator(v)
        local rows = ctx.group_rows(gid)
        if rows and #rows > 0 then
          local mg = ctx.min_group(kpi, v)
          E.benchmark(K, rule, ctx.group_index(gid), set.rc_c, mg)
          for _, j in ipairs(rc) do ctx.bench[kpi.id .. "|" .. j] = { size = #rows, min = mg } end
        end
      end
    end
  end
  if ctx.deadline_ms then E.late(K, ctx.deadline_cols, ctx.deadline_ms) end
  -- errors from framework code
  for k, msg in pairs(ctx.errors) do
    local id, i, j = k:match("^(.*)|(%d+)|(%d+)$")
    if id == kpi.id then
      K:set_status(tonumber(i), tonumber(j), "error")
    end
  end
  -- rag overrides, for the requested rows and columns
  for _, set in ipairs(sets) do
    local v = set.v
    if v.rag and #set.rc > 0 then
      local failed = guarded(ctx, kpi, v.rag, "rag rule", function()
        for _, j in ipairs(set.rc) do
          for i = 1, ctx.nreq do
            local ek = kpi.id .. "|" .. i .. "|" .. j
            if not ctx.errors[ek] then
              local r = ctx.light_row(kpi, K, i, j, v)
              local ok, s = pcall(v.rag, r, { area = r.area, period = ctx.cols.periods[j],
                                              kpi = kpi, framework = ctx.fw })
              if ok and STATUSES[s] then
                K:set_status(i, j, s)
              else
                ctx.errors[ek] = ok and (where_fn(v.rag, kpi) .. ": rag rule of KPI " .. kpi.id ..
                  ": returned " .. tostring(s) ..
                  " (want red, amber, green, blue, no_data, data_only or error)")
                  or fw_error(s, v.rag, kpi, "rag rule")
                K:set_status(i, j, "error")
              end
            end
          end
        end
      end)
      if failed then
        for _, j in ipairs(set.rc) do
          for i = 1, ctx.nreq do
            ctx.errors[kpi.id .. "|" .. i .. "|" .. j] = failed
            K:set_status(i, j, "error")
          end
        end
      end
    end
  end
  return K
end

M.rate_kpi = rate_kpi
M.formula_inputs = formula_inputs

return M
