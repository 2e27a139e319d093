-- tests/bench/bench_returns.lua: the quarterly round at a council's scale, beside its floor.
--
--   build/pmf tests/bench/bench_returns.lua      (also dofile'd by tests/bench/bench.lua)
--
-- A framework of 40 owners, each supplying 10 metrics (400 figures) and owning their 10
-- KPIs, loaded into a store in memory with four quarters of history.  Times (processor
-- seconds): `generate`, pmf.returns.generate writing the 40 workbooks; `import`,
-- pmf.returns.import taking the 40 filled workbooks back (read, checked, stored); against
-- raw SQLite inserting the same 400 figures in one transaction.  Filling them in (the
-- owners' part) is not timed.  The goal (issue 15): generate + import under 2 s.
local pmf = require "pmf"
local returns = require "pmf.returns"

local OWNERS, PER = 40, 10

local function time(fn)
  local t0 = os.clock()
  local r = fn()
  return os.clock() - t0, r
end

local function run()
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir -p '" .. dir .. "'")
  local src = { 'framework "bench" { title = "Bench", council = "E08000027", levels = { "p" } }',
                'p "top" { title = "Top" }', 'deadline "data_entry" { working_days = 10 }' }
  for o = 1, OWNERS do
    local supplies = {}
    for i = 1, PER do
      local m = string.format("m%02d_%02d", o, i)
      supplies[#supplies + 1] = '"' .. m .. '"'
      src[#src + 1] = string.format('metric "%s" { title = "Metric %s", unit = "count", aggregation = "sum", definition = "A count." }', m, m)
      src[#src + 1] = string.format('kpi "K%02d_%02d" { title = "KPI %s", parent = "top", formula = "%s", polarity = "up", target = 100, tolerance = 5, owner = "o%02d" }',
                                    o, i, m, m, o)
    end
    src[#src + 1] = string.format('owner "o%02d" { name = "Owner %d", role = "Head of Service %d", supplies = { %s } }',
                                  o, o, o, table.concat(supplies, ", "))
  end
  local fwpath = dir .. "/bench.lua"
  local f = assert(io.open(fwpath, "w"))
  f:write(table.concat(src, "\n"), "\n")
  f:close()
  local s = assert(pmf.open(":memory:"))
  assert(pmf.framework.load(s, fwpath))
  s:transaction(function()
    local b = s:batch{ kind = "import" }
    for o = 1, OWNERS do
      for i = 1, PER do
        for _, q in ipairs({ "2024/25 Q3", "2024/25 Q4", "2025/26 Q1" }) do
          s:observe{ metric = string.format("m%02d_%02d", o, i), area = "E08000027", period = q,
                     value = 100 + i, batch = b }
        end
      end
    end
  end)
  local gen_s, out = time(function()
    return assert(returns.generate(s, { framework = "bench", period = "2025/26 Q2", dir = dir }))
  end)
  local filled = {}
  for k, w in ipairs(out) do
    local values = {}
    for i = 1, PER do values[string.format("m%02d_%02d", k, i)] = 90 + i end
    filled[k] = dir .. "/filled_" .. k .. ".xlsx"
    assert(returns.fill(w.path, filled[k], { values = values }))
  end
  local imp_s, n = time(function()
    local figures = 0
    for _, p in ipairs(filled) do
      local r = assert(returns.import(s, p))
      figures = figures + r.new
    end
    return figures
  end)
  assert(n == OWNERS * PER, "every figure stored")
  local raw = assert(pmf.open(":memory:"))
  raw:exec("CREATE TABLE fig(metric TEXT, area TEXT, start INTEGER, len INTEGER, value REAL)")
  local raw_s = time(function()
    raw:transaction(function()
      for o = 1, OWNERS do
        for i = 1, PER do
          raw:exec("INSERT INTO fig VALUES (?, ?, ?, ?, ?)", string.format("m%02d_%02d", o, i), "E08000027", 0, 3, 90 + i)
        end
      end
    end)
  end)
  os.execute("rm -rf '" .. dir .. "'")
  io.write(string.format("  %d owners, %d figures: generate %.3f s, import %.3f s, total %.3f s (goal < 2 s); raw SQLite insert %.4f s\n",
                         OWNERS, OWNERS * PER, gen_s, imp_s, gen_s + imp_s, raw_s))
  return { { name = "returns: 40 owners, 400 figures, generate + import (s)", value = gen_s + imp_s,
             limit = raw_s, ratio = (gen_s + imp_s) / raw_s, goal = "< 2 s", fmt = "%.3f" },
           { name = "  ... generate (s)", value = gen_s, fmt = "%.3f" },
           { name = "  ... import (s)", value = imp_s, fmt = "%.3f" } }
end

local rows = run()
return rows
