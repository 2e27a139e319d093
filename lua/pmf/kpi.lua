-- lua/pmf/kpi.lua: the KPI engine: values, targets, RAG, direction of travel, benchmarks.
--
--   pmf.kpi.rate{store=, framework=, period=, kpis=, areas=, benchmark=true} -> rows
--   pmf.kpi.exceptions{...same}                 -> the rows needing exception reporting
--   pmf.kpi.rate_matrix{store=, framework=, kpis=, areas=, periods=, benchmark=true}
--       -> columnar result (see below); what rate{} is built on and the benchmark drives
--   pmf.kpi.row(result, kpi_id, area, period)   -> one rating row from a rate_matrix result
--   pmf.kpi.value(store, fw, kpi_id, area, period) -> value | nil, reason
--   pmf.kpi.series(store, fw, kpi_id, area, periods) -> values (nil holes; n = #periods)
--   pmf.kpi.history(store, fw, kpi_id, area, from, to) -> rows for each period from..to
--   pmf.kpi.display(value, unit, decimals)     -> "71.4%", "£1,234,567", "12.5 days", "1,234"
--
-- The period a KPI is rated for (rate{} and exceptions{}):
--   A KPI is rated for the latest period of ITS OWN frequency (monthly 1, quarterly 3,
--   half-yearly 6, annual 12 months, aligned to the framework's year start) that ends on or
--   before the end of the requested period.  An annual KPI in the "2025/26 Q2" scorecard is
--   rated for "2024/25" (never part of a year against an annual target); a quarterly KPI
--   asked for month "2025-08" is rated for "2025/26 Q1"; "2025-09" (Q2's last month) gives
--   "2025/26 Q2".  When the requested period is at least as long as the KPI's frequency it
--   is rated as asked (a monthly KPI for a quarter aggregates the quarter's months).
--   The row's `period` is the period rated; when that differs from the one asked for, the
--   row also carries `requested_period` (label) and `frequency`.  Direction of travel,
--   benchmarks, targets and the late flag are those of the rated period; commentary is the
--   requested period's, else the rated period's.  rate_matrix, value, series and history
--   rate exactly the periods given.
--
-- Values (core/reader.h, the one read contract): each input metric's value over a period by
-- its own rule, exactly as pmf.series.value gives it.  Nothing is borrowed from another
-- period unless the metric or the KPI asks (`carry = "12 months"`): a carried value is
-- flagged "carried" and its row names the period it came from (`carried_from`).
--
-- Ratings (core/engine.h): RAG, direction of travel and benchmarks use the published figure
-- (the value rounded to the KPI's decimals) unless the framework or KPI says
-- rate_on = "unrounded".  Benchmarks count only areas with a figure for the rated period,
-- and give no rank, quartile, median or mean below min_group (default 3; framework or KPI):
-- the row's benchmark_note says why.
--
-- Design decisions:
-- - One path for everything: rate{} is rate_matrix over the period, its previous period and
--   the same period last year (plus baseline periods), for the requested areas, the
--   comparator group's areas and England; then row tables for the requested cells only.
--   The previous period and last year are read for the requested areas only (nothing of a
--   comparator's row but its rated period is shown), so a call reads about a third of what
--   the three periods for every comparator would cost.
-- - rate_matrix works per KPI on Grids (core/lengine.c): each input metric is fetched once
--   for every area and period (engine.fetch through a Reader kept per store view, which
--   reads only the months of the periods asked and caches them, so rating period after
--   period reads each row once), combined in C (ratio
--   = sum of numerators over sum of denominators over the period, because each input is
--   aggregated by its own rule before dividing), rated, compared and benchmarked in C.  Lua
--   only runs per cell where the framework asks for Lua: custom formulas, function targets,
--   rag overrides.  Metric grids are shared between KPIs in one call.
-- - No data is never NaN or inf in a row: a missing input, division by zero or a result that
--   is not finite gives value nil with reason "no data".
-- - Errors in framework code (custom formula, target function, rag override) never crash a
--   report: the cell gets rag "error" and the message names the framework file and line.
--   That code runs under pmf.sandbox's limits (time, instructions, memory), one budget per
--   KPI per call shared by its formula, its target over every column and its rag rule; a
--   limit reached makes the KPI's cells "error", never a rating (see guarded below).
-- - Small-number suppression (suppress_below = N): a cell whose KPI value, or any input of
--   its formula, is below N is withheld: value nil, display "suppressed", rag "no_data",
--   flag "suppressed", and it takes no part in benchmarks.
-- - Targets: stored per-area targets (store:set_target) override the framework's.  Baseline
--   targets are relative to the KPI's own value in the baseline period, "better" through
--   the polarity: change "-5%" on polarity down means 5% lower, on polarity up 5% lower too
--   (the sign says the direction; write "+5%" for up).  Benchmark targets: median, mean, or
--   top_quartile (= upper_quartile: the 75th percentile for polarity up, the 25th for down,
--   linear interpolation) of the group's values for the period.
-- - The late flag: the figure in force was recorded after fw.deadlines.data_entry (N working
--   days after the period end); a revision recorded after the deadline counts as late.
local pmf = require "pmf"

local period = pmf.period
local E = pmf.engine
local SUPPRESSED, CARRIED = E.SUPPRESSED, E.CARRIED

local M = {}
local published_decimals, carry_months, reader_of

local ENGLAND = "E92000001"
local STATUSES = { red = true, amber = true, green = true, blue = true, no_data = true,
                   data_only = true, error = true }
local FLAG_NAMES = { { 1, "provisional" }, { 2, "estimated" }, { 4, "proxy" },
                     { 8, "suppressed" }, { 16, "incomplete" }, { 32, "suppressed" },
                     { 64, "late" }, { 128, "carried" } }
local FREQ_MONTHS = { monthly = 1, quarterly = 3, ["half-yearly"] = 6, annual = 12 }
local MONTHS = { january = 1, february = 2, march = 3, april = 4, may = 5, june = 6,
                 july = 7, august = 8, september = 9, october = 10, november = 11,
                 december = 12 }

-- ---- small helpers ---------------------------------------------------------------------

local function year_start(fw)
  local ys = fw.year_start
  if type(ys) == "string" then ys = MONTHS[ys:lower()] or tonumber(ys) end
  return ys or 4
end

local function to_period(p, ys)
  if type(p) == "userdata" then return p end
  local q, err = period.parse(tostring(p), ys)
  if not q then error(err, 3) end
  return q
end

local function key(p) return p.start * 4096 + p.len end

local function resolve_fw(store, fw)
  if type(fw) == "table" then return fw end
  local f = pmf.framework.get(store, fw)
  if not f then error("unknown framework '" .. tostring(fw) .. "'", 3) end
  return f
end

-- The version in force for period p: the DSL owns effective dating.
local version_of = pmf.framework.kpi_version
M.version_of = version_of

-- Where a function was defined, "file:line", for messages.
local function where_fn(fn, kpi)
  local info = debug.getinfo(fn, "S")
  if info and info.source:sub(1, 1) == "@" then
    return info.source:sub(2) .. ":" .. info.linedefined
  end
  return tostring(kpi.file or "?") .. ":" .. tostring(kpi.line or "?")
end

-- An error message from framework code, made to name the file and line.
local function fw_error(err, fn, kpi, what)
  local msg = tostring(err)
  if not msg:match("^[^:%s]+%.lua:%d+:") then msg = where_fn(fn, kpi) .. ": " .. msg end
  return msg .. " (" .. what .. " of KPI " .. kpi.id .. ")"
end

-- Run body (a loop that calls a framework's function for every cell of one KPI) under the
-- sandbox's limits (pmf.sandbox.run: time, instructions, memory, PMF_LIMIT_*).  ONE budget
-- per KPI per call: the formula's, the target's (every period column) and the rag rule's
-- runs share ctx.budgets[kpi.id], so a slow function cannot take a fresh second per column.
-- An infinite loop, a catastrophic pattern or a memory bomb stops that KPI with an error
-- naming the file and line it had reached, and the engine carries on with the others.
-- Ordinary errors are still caught per cell by the body's own pcall; a limit cannot be (the
-- hook keeps firing), so it ends the whole body.  Returns nil, or the message for every cell.
local function guarded(ctx, kpi, fn, what, body)
  ctx.budgets = ctx.budgets or {}
  local budget = ctx.budgets[kpi.id]
  if not budget then
    local lim = pmf.sandbox.limits()
    budget = { seconds = lim.seconds, instructions = lim.instructions }
    ctx.budgets[kpi.id] = budget
  end
  local info = debug.getinfo(fn, "S")
  local ok, err = pmf.sandbox.run(body, { name = where_fn(fn, kpi), chunk = info and info.source,
                                          budget = budget })
  if ok then return nil end
  return tostring(err) .. " (" .. what .. " of KPI " .. kpi.id .. ")"
end

-- What a comparator names ("cipfa", "dfe_sn", a group) and the data vintage: decided in one
-- place, lua/pmf/framework/comparators.lua.
local comparators = require "pmf.framework.comparators"
local group_id, comparator = comparators.group_id, comparators.of

-- ---- display -----------------------------------------------------------------------------

local format = require "pmf.format"    -- figures as text: one implementation, format.lua
M.display = format.display

-- The decimals a KPI's figure is published with: its own, else display's default (0 for
-- counts and money, 1 otherwise).
published_decimals = function(kpi)
  return kpi.decimals or format.default_decimals(kpi.unit)
end

-- A KPI's carry rule in months (framework.lua checked its text).
carry_months = function(kpi)
  local m, err = E.carry_months(kpi.carry)
  if not m then error("KPI " .. kpi.id .. ": " .. err, 0) end
  return m
end

local function flag_list(bits)
  if bits == 0 then return {} end
  local out, seen = {}, {}
  for _, f in ipairs(FLAG_NAMES) do
    if bits & f[1] ~= 0 and not seen[f[2]] then
      out[#out + 1] = f[2]
      seen[f[2]] = true
    end
  end
  return out
end

-- The column of the previous period / last year of column j (nil if j is not requested).
local function related(res, j)
  local map = res.related
  if not map then
    map = {}
    for k, c in ipairs(res.req) do map[c] = { res.prev[k], res.year[k] } end
    res.related = map
  end
  local m = map[j]
  if m then return m[1], m[2] end
end

-- ---- the bulk path ---------------------------------------------------------------------

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

-- The columns needed for the requested periods: {periods, index by key, requested cols,
-- prev cols, year cols} with extra columns for prev / last year / baseline periods.
local function plan_columns(fw, kpis, periods)
  local cols, index = {}, {}
  local function col(p)
    local k = key(p)
    if not index[k] then
      cols[#cols + 1] = p
      index[k] = #cols
    end
    return index[k]
  end
  local req, prev, year = {}, {}, {}
  for i, p in ipairs(periods) do req[i] = col(p) end
  for i, p in ipairs(periods) do
    prev[i] = col(p:prev())
    year[i] = col(p:last_year())
  end
  local full = {}                 -- columns every row needs: requested and baseline ones
  for _, j in ipairs(req) do full[j] = true end
  for _, kpi in ipairs(kpis) do
    for _, v in ipairs(kpi.versions) do
      local T = v.target
      if type(T) == "table" and T.kind == "baseline" and T.period then
        full[col(to_period(T.period, year_start(fw)))] = true
      end
    end
  end
  local related_only = {}         -- previous period and last year: the DoT of a row
  for j = 1, #cols do
    if not full[j] then related_only[#related_only + 1] = j end
  end
  return { periods = cols, index = index, req = req, prev = prev, year = year,
           related_only = related_only }
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
    local rows = ctx.group_rows(group_id(ctx.fw, T.group) or comparator(ctx.fw, v))
    local t
    if rows and #rows > 0 then
      local n, median, mean, q1, q3 = E.stats(K, rows, j, ctx.min_group(kpi, v))
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

-- Rate one KPI: returns its Grid.
local function rate_kpi(ctx, kpi)
  local cols = ctx.cols
  local K = E.grid(ctx.nrows, #cols.periods)
  -- versions per column
  local vcols, vlist, vof = {}, {}, {}
  for j, p in ipairs(cols.periods) do
    local v = version_of(kpi, p)
    if not vcols[v] then
      vcols[v] = {}
      vlist[#vlist + 1] = v
    end
    table.insert(vcols[v], j)
    vof[j] = v
  end
  -- values
  for _, v in ipairs(vlist) do
    local F, cj = v.formula, vcols[v]
    local ins = formula_inputs(F)
    local grids = {}
    for _, id in ipairs(ins) do grids[id] = ctx.metric(id, kpi) end
    if F == nil then
      -- no formula: no data
    elseif F.kind == "metric" then
      E.combine("copy", 1, grids[F.metric], nil, K, cj)
    elseif F.kind == "ratio" then
      E.combine("div", F.scale or 1, grids[F.num], grids[F.den], K, cj)
    elseif F.kind == "diff" then
      E.combine("sub", 1, grids[F.a], grids[F.b], K, cj)
    elseif F.kind == "custom" then
      if ins[1] then E.combine("copy", 1, grids[ins[1]], nil, K, cj) end
      custom_cells(ctx, kpi, v, K, grids, cj)
    end
    if kpi.suppress_below then
      for _, id in ipairs(ins) do E.suppress(grids[id], kpi.suppress_below, K, cj) end
      E.suppress(K, kpi.suppress_below, K, cj)
    end
  end
  -- the published figure of every column: what RAG, DoT and ranks rate (engine.h)
  local all = {}
  for j = 1, #cols.periods do all[j] = j end
  E.publish(K, ctx.decimals(kpi), all)
  -- targets and ratings for the requested columns
  local rcols = {}
  for _, v in ipairs(vlist) do rcols[v] = {} end
  local seen = {}
  for _, j in ipairs(cols.req) do
    if not seen[j] then
      seen[j] = true
      table.insert(rcols[vof[j]], j)
    end
  end
  for _, v in ipairs(vlist) do
    local cj = rcols[v]
    if #cj > 0 then
      for _, j in ipairs(cj) do fill_targets(ctx, kpi, v, K, j, cols.periods[j]) end
      local rule = rule_of(v)
      E.rate(K, rule, cj)
      -- direction of travel
      local now, prev, year = {}, {}, {}
      for k, j in ipairs(cols.req) do
        if vof[j] == v then
          now[#now + 1] = j
          prev[#prev + 1] = cols.prev[k]
          year[#year + 1] = cols.year[k]
        end
      end
      E.dot(K, rule, v.dot_threshold, now, prev, "prev")
      E.dot(K, rule, v.dot_threshold, now, year, "year")
      if ctx.benchmark then
        local gid = comparator(ctx.fw, v)
        local rows = ctx.group_rows(gid)
        if rows and #rows > 0 then
          local mg = ctx.min_group(kpi, v)
          E.benchmark(K, rule, rows, cj, mg)
          for _, j in ipairs(cj) do ctx.bench[kpi.id .. "|" .. j] = { size = #rows, min = mg } end
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
  for _, v in ipairs(vlist) do
    if v.rag and #rcols[v] > 0 then
      local failed = guarded(ctx, kpi, v.rag, "rag rule", function()
        for _, j in ipairs(rcols[v]) do
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
        for _, j in ipairs(rcols[v]) do
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

-- The KPIs of a framework by id list (default: all, in order).
local function kpi_list(fw, ids)
  local out = {}
  for _, id in ipairs(ids or fw.kpi_order or {}) do
    local k = fw.kpis[id]
    if not k then error("framework '" .. tostring(fw.id) .. "' has no KPI '" .. tostring(id) .. "'", 3) end
    out[#out + 1] = k
  end
  return out
end

-- One Reader per store view, kept while the view lives: its cache of figures (dropped by
-- the reader itself when the store's data changes) makes rating period after period read
-- each row once, so a call costs the rows of its periods, not the series' history.
local readers = setmetatable({}, { __mode = "k" })
reader_of = function(store)
  local r = readers[store]
  if not r then
    r = E.reader(store)
    readers[store] = r
  end
  return r
end

-- rate_matrix{store=, framework=, kpis=, areas=, periods=, benchmark=true [, own_rows_only]}
--   -> result {framework=fw, kpis = {KPI...}, areas = {codes} (requested first), periods =
--      {Period} (every column), req = {column of each requested period}, grid = {kpi_id =
--      Grid}, errors = {"kpi|i|j" = message}, row = function(kpi_id, i, j) -> row table}
-- Rows 1..#areas of each grid are the requested areas; more rows follow for the comparator
-- group and England.  Columns: result.req[k] is the column of periods[k].  own_rows_only
-- (what rate{} asks): the previous-period and last-year columns are read for the requested
-- rows only (their direction of travel); the comparator rows have no data there.
function M.rate_matrix(t)
  local store = pmf.default_store(t.store)
  local fw = resolve_fw(store, t.framework)
  local ys = year_start(fw)
  local kpis = kpi_list(fw, t.kpis)
  local areas = t.areas or { fw.council }
  if #areas == 0 then error("rate_matrix: no areas", 2) end
  local plist = {}
  for i, p in ipairs(t.periods or { t.period }) do plist[i] = to_period(p, ys) end
  if #plist == 0 then error("rate_matrix: no periods", 2) end

  local ctx = { store = store, fw = fw, ys = ys, errors = {}, benchmark = t.benchmark ~= false,
                stored = store:stored_targets(fw.id) }
  ctx.cols = plan_columns(fw, kpis, plist)

  -- rows: requested areas, then group members and England
  local rows, rindex = {}, {}
  local function row(code)
    if not rindex[code] then
      rows[#rows + 1] = code
      rindex[code] = #rows
    end
    return rindex[code]
  end
  for _, a in ipairs(areas) do row(a) end
  ctx.nreq = #rows
  local groups = {}
  local function add_group(gid)
    if gid and groups[gid] == nil then
      local members = store:group_members(gid)
      groups[gid] = false
      if members then
        local idx = {}
        for _, c in ipairs(members) do idx[#idx + 1] = row(c) end
        groups[gid] = idx
      end
    end
  end
  for _, kpi in ipairs(kpis) do
    for _, v in ipairs(kpi.versions) do
      if ctx.benchmark then add_group(comparator(fw, v)) end
      local T = v.target
      if type(T) == "table" and T.kind == "benchmark" then
        add_group(group_id(fw, T.group) or comparator(fw, v))
      end
    end
  end
  row(ENGLAND)
  ctx.rows, ctx.nrows = rows, #rows
  ctx.group_rows = function(gid) return gid and groups[gid] or nil end

  -- metric grids, fetched once each (per carry rule) through the one reader, for the
  -- columns needed only: a call costs the months of its periods, not the whole history
  local ids = {}
  for i, c in ipairs(rows) do ids[i] = store:area_id(c) or -1 end
  local reader = reader_of(store)
  local cache = {}
  ctx.metric = function(id, kpi)
    local carry = kpi and kpi.carry and carry_months(kpi)
    local k = carry and (id .. "|" .. carry) or id
    local g = cache[k]
    if g then return g end
    if t.own_rows_only and #ctx.cols.related_only > 0 then
      g = E.fetch(reader, id, ids, ctx.cols.periods, carry, ctx.cols.related_only, ctx.nreq)
    else
      g = E.fetch(reader, id, ids, ctx.cols.periods, carry)
    end
    cache[k] = g
    return g
  end
  ctx.bench = {}
  ctx.min_group = function(kpi, v)
    return kpi.min_group or (v and v.min_group) or fw.min_group or 3
  end
  ctx.decimals = function(kpi)
    local on = kpi.rate_on or fw.rate_on or "published"
    if on == "unrounded" then return -1 end
    return published_decimals(kpi)
  end

  -- data-entry deadlines
  local dl = fw.deadlines and fw.deadlines.data_entry
  if dl and dl.working_days then
    ctx.deadline_cols, ctx.deadline_ms = {}, {}
    local seen = {}
    for _, j in ipairs(ctx.cols.req) do
      if not seen[j] then
        seen[j] = true
        ctx.deadline_cols[#ctx.deadline_cols + 1] = j
        ctx.deadline_ms[#ctx.deadline_ms + 1] =
          pmf.asof_ms(ctx.cols.periods[j]:deadline(dl.working_days))
      end
    end
  end

  local result = { framework = fw, kpis = kpis, areas = rows, nreq = ctx.nreq,
                   periods = ctx.cols.periods, req = ctx.cols.req, prev = ctx.cols.prev,
                   year = ctx.cols.year, grid = {}, errors = ctx.errors, store = store,
                   row_index = rindex, col_index = ctx.cols.index, bench = ctx.bench }
  -- The row a rag override gets: the common fields at once, the rest (DoT, benchmark,
  -- display...) filled in from the full row on first use, so a rule reading only value and
  -- target costs little over 800,000 cells.
  local labels = {}
  for j, p in ipairs(ctx.cols.periods) do labels[j] = tostring(p) end
  ctx.light_row = function(kpi, K, i, j, v)
    local pj, yj = related(result, j)
    local r = { framework = fw.id, kpi = kpi.id, area = rows[i], period = labels[j],
                value = K:value(i, j), target = K:target(i, j), rag = K:status(i, j),
                polarity = v.polarity, unit = kpi.unit,
                prev = pj and K:value(i, pj), last_year = yj and K:value(i, yj) }
    return setmetatable(r, { __index = function(t, k)
      setmetatable(t, nil)
      for kk, vv in pairs(M.cell_row(result, kpi, K, i, j)) do
        if rawget(t, kk) == nil then rawset(t, kk, vv) end
      end
      return rawget(t, k)
    end })
  end
  for _, kpi in ipairs(kpis) do result.grid[kpi.id] = rate_kpi(ctx, kpi) end
  return result
end

-- cell_row(result, kpi, K, i, j) -> the rating row of area row i, column j.
function M.cell_row(res, kpi, K, i, j)
  local fw = res.framework
  local p = res.periods[j]
  local v = version_of(kpi, p)
  local value, flags, target, rag, dot_prev, dot_year, rank, quartile = K:cell(i, j)
  local fl = flag_list(flags)
  local suppressed = flags & SUPPRESSED ~= 0
  local pj, yj = related(res, j)
  local n, median, mean = K:stat(j)
  local ei = res.row_index[ENGLAND]
  local err = next(res.errors) ~= nil and res.errors[kpi.id .. "|" .. i .. "|" .. j] or nil
  local labels = res.labels
  if not labels then
    labels = {}
    res.labels = labels
  end
  local label = labels[j]
  if not label then
    label = tostring(p)
    labels[j] = label
  end
  local r = {
    framework = fw.id, kpi = kpi.id, title = kpi.title, area = res.areas[i],
    period = label, value = value, unit = kpi.unit,
    display = suppressed and "suppressed" or M.display(value, kpi.unit, kpi.decimals),
    target = target, rag = rag, polarity = v.polarity,
    prev = pj and not suppressed and K:value(i, pj) or nil, dot_prev = dot_prev,
    last_year = yj and not suppressed and K:value(i, yj) or nil, dot_year = dot_year,
    rank = rank, quartile = quartile, n = n, group_median = median, group_mean = mean,
    england = ei and K:value(ei, j) or nil,
    commentary = nil, commentary_required = false,
    owner = kpi.owner, directorate = kpi.directorate, parents = kpi.parents or {},
    flags = fl, error = err,
  }
  if value == nil and not suppressed and r.rag ~= "error" then r.reason = "no data" end
  if flags & CARRIED ~= 0 then
    local s, l = K:source(i, j)
    if s then r.carried_from = tostring(period.span(s, l, p.year_start)) end
  end
  local b = res.bench and res.bench[kpi.id .. "|" .. j]
  if b and (n or 0) < b.min then
    r.benchmark_note = string.format("%d of %d areas have a figure (min %d)", n or 0, b.size,
                                     b.min)
  end
  return r
end

-- row(result, kpi_id, area, period) -> the rating row of one cell of a rate_matrix result.
function M.row(res, kpi_id, area, p)
  local fw = res.framework
  local kpi = fw.kpis[kpi_id]
  local i = res.row_index[area]
  local j = res.col_index[key(to_period(p, year_start(fw)))]
  if not kpi or not i or not j then return nil end
  return M.cell_row(res, kpi, res.grid[kpi_id], i, j)
end

-- ---- rows for reports --------------------------------------------------------------------

-- rated_period(kpi, p, ys) -> the period kpi is rated for when p is asked for (see the top):
-- the latest block of the KPI's frequency, aligned to the year start, ending by p's end.
local function rated_period(kpi, p, ys)
  local f = FREQ_MONTHS[kpi.frequency]
  if not f or p.len >= f then return p end
  local e = p.start + p.len                           -- first month after p
  local b = (e - 1) - ((e - 1) - (ys - 1)) % f        -- block holding p's last month
  if b + f > e then b = b - f end                     -- not over by p's end: the one before
  return period.span(b, f, ys)
end
M.rated_period = function(kpi, p, ys)
  ys = ys or 4
  return rated_period(kpi, to_period(p, ys), ys)
end

-- rate{store=, framework=, period=, kpis=, areas=, benchmark=true} -> rows (KPI order, then
-- area order).
function M.rate(t)
  local store = pmf.default_store(t.store)
  local fw = resolve_fw(store, t.framework)
  local ys = year_start(fw)
  local p = to_period(t.period or error("rate: 'period' is required", 2), ys)
  local kpis = kpi_list(fw, t.kpis)
  if t.areas and #t.areas == 0 then error("rate_matrix: no areas", 2) end
  -- the KPIs by the period each is rated for: one rate_matrix per distinct period
  local sets, order = {}, {}
  for _, kpi in ipairs(kpis) do
    local rp = rated_period(kpi, p, ys)
    local k = key(rp)
    if not sets[k] then
      sets[k] = { period = rp, ids = {} }
      order[#order + 1] = k
    end
    table.insert(sets[k].ids, kpi.id)
  end
  local comments = store:commentary_map(fw.id, p)
  local needs = fw.commentary_statuses or { red = true, amber = true }
  local rows_of = {}
  for _, k in ipairs(order) do
    local set = sets[k]
    local res = M.rate_matrix{ store = store, framework = fw, kpis = set.ids, areas = t.areas,
                               periods = { set.period }, benchmark = t.benchmark,
                               own_rows_only = true }
    local moved = set.period ~= p
    local rcomments = moved and store:commentary_map(fw.id, set.period) or comments
    local j = res.req[1]
    for _, kpi in ipairs(res.kpis) do
      local K, list = res.grid[kpi.id], {}
      for i = 1, res.nreq do
        local r = M.cell_row(res, kpi, K, i, j)
        if moved then
          r.requested_period = tostring(p)
          r.frequency = kpi.frequency
        end
        r.commentary = comments[kpi.id] or rcomments[kpi.id]
        r.commentary_required = needs[r.rag] == true and r.commentary == nil
        list[i] = r
      end
      rows_of[kpi.id] = list
    end
  end
  local out = {}
  for _, kpi in ipairs(kpis) do
    for _, r in ipairs(rows_of[kpi.id]) do out[#out + 1] = r end
  end
  return out
end

-- exceptions{...} -> the rows whose status needs exception commentary (fw.commentary_statuses,
-- default red and amber), commentary_required = true where none has been written.
function M.exceptions(t)
  local store = pmf.default_store(t.store)
  local fw = resolve_fw(store, t.framework)
  local needs = fw.commentary_statuses or { red = true, amber = true }
  local out = {}
  for _, r in ipairs(M.rate{ store = store, framework = fw, period = t.period, kpis = t.kpis,
                             areas = t.areas, benchmark = t.benchmark }) do
    if needs[r.rag] then out[#out + 1] = r end
  end
  return out
end

-- value(store, fw, kpi_id, area, period) -> value | nil, reason ("no data", "suppressed",
-- or the error message of a custom formula).
function M.value(store, fw, kpi_id, area, p)
  store = pmf.default_store(store)
  fw = resolve_fw(store, fw)
  local res = M.rate_matrix{ store = store, framework = fw, kpis = { kpi_id }, areas = { area },
                             periods = { p }, benchmark = false }
  local j = res.req[1]
  local K = res.grid[kpi_id]
  local v = K:value(1, j)
  if v ~= nil then return v end
  local err = res.errors[kpi_id .. "|1|" .. j]
  if err then return nil, err end
  if K:flags(1, j) & E.SUPPRESSED ~= 0 then return nil, "suppressed" end
  return nil, "no data"
end

-- series(store, fw, kpi_id, area, periods) -> {values..., n = #periods} (nil for no data)
function M.series(store, fw, kpi_id, area, periods)
  store = pmf.default_store(store)
  fw = resolve_fw(store, fw)
  local out = { n = #periods }
  if #periods == 0 then return out end
  local res = M.rate_matrix{ store = store, framework = fw, kpis = { kpi_id }, areas = { area },
                             periods = periods, benchmark = false }
  local K = res.grid[kpi_id]
  for k, j in ipairs(res.req) do out[k] = K:value(1, j) end
  return out
end

-- history(store, fw, kpi_id, area, from, to [, benchmark]) -> rating rows for each period
-- from..to (periods of from's kind), oldest first: for trend tables.
function M.history(store, fw, kpi_id, area, from, to, benchmark)
  store = pmf.default_store(store)
  fw = resolve_fw(store, fw)
  local ys = year_start(fw)
  local list = period.range(to_period(from, ys), to_period(to, ys))
  if #list == 0 then return {} end
  local res = M.rate_matrix{ store = store, framework = fw, kpis = { kpi_id }, areas = { area },
                             periods = list, benchmark = benchmark == true }
  local out = {}
  local kpi = fw.kpis[kpi_id]
  for k, j in ipairs(res.req) do out[k] = M.cell_row(res, kpi, res.grid[kpi_id], 1, j) end
  return out
end

return M
