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
-- - rate_matrix works per KPI on Grids (core/lengine.c): each input metric is fetched once
--   for every area and period and combined in C (ratio = sum of numerators over sum of
--   denominators over the period, because each input is aggregated by its own rule before
--   dividing), rated, compared and benchmarked in C.  Lua only runs per cell where the
--   framework asks for Lua: custom formulas, function targets, rag overrides.
-- - No data is never NaN or inf in a row: a missing input, division by zero or a result that
--   is not finite gives value nil with reason "no data".
-- - Errors in framework code (custom formula, target function, rag override) never crash a
--   report: the cell gets rag "error" and the message names the framework file and line.
--   That code runs under pmf.sandbox's limits (time, instructions, memory), one budget per
--   KPI per call shared by its formula, its target over every column and its rag rule; a
--   limit reached makes the KPI's cells "error", never a rating (kpi/common.lua: guarded).
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
--
-- The stages live in lua/pmf/kpi/: common.lua (shared helpers: periods, lookups, comparator
-- groups, sandboxed framework calls), display.lua (figures as text, published decimals),
-- rating.lua (one KPI's grid: values, targets, RAG, DoT, benchmarks), matrix.lua
-- (rate_matrix and the row of one cell).  This file is the public API: the rows for
-- reports (rate, exceptions) and the single-KPI reads (value, series, history).
local pmf = require "pmf"
local C = require "pmf.kpi.common"
local D = require "pmf.kpi.display"
local matrix = require "pmf.kpi.matrix"

local period = pmf.period
local E = pmf.engine
local year_start, to_period, key, resolve_fw = C.year_start, C.to_period, C.key, C.resolve_fw
local kpi_list, FREQ_MONTHS = C.kpi_list, C.FREQ_MONTHS

local M = {}

M.version_of = C.version_of
M.display = D.display
M.rate_matrix = matrix.rate_matrix
M.cell_row = matrix.cell_row
M.row = matrix.row

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
    local moved = set.period ~= p
    local rcomments = moved and store:commentary_map(fw.id, set.period) or comments
    -- each KPI's rows as soon as it is rated (its grid is then free for the next KPI)
    local function rows_for(res, kpi, K)
      local j, list = res.req[1], {}
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
    M.rate_matrix{ store = store, framework = fw, kpis = set.ids, areas = t.areas,
                   periods = { set.period }, benchmark = t.benchmark, own_rows_only = true,
                   each = rows_for }
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
