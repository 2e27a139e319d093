-- examples/lib/generate.lua: example data for the frameworks in a store: the demo's and
-- examples/generate.lua's generator (not part of the engine, not installed).  Load it from
-- this folder: package.path = "<examples>/lib/?.lua;" .. package.path; require "generate".
--
--   generate.run{store=, frameworks=, seed=, from=, to=, years=, by=, extras=}
--       -> summary | nil, msg
--   generate.describe(summary) -> one line
--   generate.rng(seed, ...)   -> a deterministic random stream (xorshift64*)
--   generate.model(store, fws) -> the plan it would write (for tests and tools)
--   generate.range(opts)     -> first and last day of the data ("2021-04-01", "2025-09-30")
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
-- The parts: generate_model.lua (random stream, tables, the model), generate_series.lua (the
-- values), generate_rows.lua (rows, revisions, breakdowns, writing, extras); this file the
-- options and the run.
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
local defs = require "generate_model"
local gen = require "generate_series"
local rows = require "generate_rows"

local period = pmf.period

local M = {}

local SOURCE = "pmf generate"

-- The public parts of the model (tests and tools use them).
M.rng, M.model = defs.rng, defs.model
for _, k in ipairs({ "POPULATION_BY_KIND", "KNOWN_POPULATION", "UNIT_BASE", "KPI_UNIT_BASE",
                     "HINTS", "DIMENSIONS" }) do
  M[k] = defs[k]
end
local month_label, month_end = defs.month_label, defs.month_end

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
  local model = defs.model(s, fws)
  local g = gen.new_gen(s, model, { seed = seed, m0 = m0, m1 = m1 })
  g.source = SOURCE .. " (seed " .. seed .. ")"
  g.buckets, g.bucket_order = {}, {}
  local summary = { frameworks = #fws, metrics = #model.metric_order, observations = 0,
                    breakdown_rows = 0, revisions = 0, comments = 0, action_updates = 0,
                    risk_assessments = 0, signoffs = {}, seed = seed,
                    from = month_label(m0), to = month_label(m1) }
  local timing = {}
  summary.timing = timing
  -- A page cache that holds the store being written (SQLite's default, 2 MB, spills the one
  -- transaction's pages to the WAL and reads them back: ~0.6 s of the demo's CPU).  It is
  -- this connection's setting only, put back afterwards.
  local cache = s:query("PRAGMA cache_size")[1].cache_size
  s:exec("PRAGMA cache_size = -65536")
  s:transaction(function()
    -- A marker batch: what was generated, with which seed (and the guard against a rerun).
    s:batch{ kind = "generate", by = run_opts.by, source = SOURCE,
             note = string.format("seed %d, %s to %s, %d frameworks", seed, summary.from,
                                  summary.to, #fws) }
    local c = os.clock()
    rows.make_rows(g, summary)
    timing.rows = os.clock() - c
    c = os.clock()
    summary.rows, summary.batches = rows.write_buckets(g, run_opts)
    timing.write = os.clock() - c
    timing.import = g.import_cpu
    c = os.clock()
    if opts.extras ~= false then rows.extras(g, run_opts, summary) end
    timing.extras = os.clock() - c
  end)
  s:exec("PRAGMA cache_size = " .. math.tointeger(cache))
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
