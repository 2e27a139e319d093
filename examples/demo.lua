-- examples/demo.lua: what `make demo` runs.
--
--   pmf --db out/demo.db examples/demo.lua [OUT]
--
-- Loads the five councils' frameworks (Dudley, Walsall, Sandwell, South Staffordshire,
-- Wolverhampton) side by side into one store, fills it with deterministic example data for
-- each council and its CIPFA nearest neighbours (with revisions, gaps, commentary, actions,
-- risks and a signed-off quarter), rates every KPI for the latest quarter, and writes each
-- framework's scorecard, exceptions and golden-thread reports in every format into OUT
-- (default out/), printing where they are.  Everything is reproducible: the same store and
-- the same bytes every run.
local pmf = require "pmf"

local out = arg[1] or "out"
local here = (arg[0] or ""):match("^(.*)/[^/]*$") or "."
local root = here .. "/.."
local COUNCILS = { "dudley", "walsall", "sandwell", "south_staffordshire", "wolverhampton" }

local s = pmf.default_store()
if #pmf.framework.list(s) > 0 then
  error("the demo needs a fresh store; remove " .. s:path() .. " first", 0)
end

-- 1. The frameworks, loaded as of the first day of the data.
local first, last = pmf.generate.range{}
io.write("Loading frameworks into ", s:path(), "\n")
for _, id in ipairs(COUNCILS) do
  local info, err = pmf.framework.load(s, root .. "/frameworks/" .. id .. ".lua",
                                       { at = first .. "T00:00:00", by = "pmf demo" })
  if not info then error(err, 0) end
  io.write("  ", info.message, "\n")
end

-- 2. Example data.
local summary, err = pmf.generate.run{ store = s, seed = 2025, by = "pmf demo" }
if not summary then error(err, 0) end
io.write(pmf.generate.describe(summary), "\n")

-- 3. The latest quarter with data, and each framework's reports.
local latest = pmf.period.parse(last:sub(1, 7)):quarter_of()
os.execute("mkdir -p '" .. out .. "'")
io.write("\nReports for ", tostring(latest), " (as known now) in ", out, "/:\n")
for _, id in ipairs(COUNCILS) do
  local fw = assert(pmf.framework.get(s, id))
  local p = pmf.period.parse(tostring(latest), fw.year_start)
  local dir = out .. "/" .. id
  os.execute("mkdir -p '" .. dir .. "'")
  -- the demo owns out/: its reports replace whatever an earlier demo (of any version) left
  local paths = pmf.report.write_all(s, id, tostring(p), dir, { force = true })
  local rows = pmf.kpi.rate{ store = s, framework = fw, period = tostring(p), benchmark = false }
  local count = {}
  for _, r in ipairs(rows) do count[r.rag] = (count[r.rag] or 0) + 1 end
  io.write(string.format("  %-20s %2d KPIs: %d green, %d amber, %d red, %d no data, %d data only  -> %s/ (%d files)\n",
    id, #rows, count.green or 0, count.amber or 0, count.red or 0, count.no_data or 0,
    count.data_only or 0, dir, #paths))
end

-- 4. One scorecard on the terminal, as the REPL would print it.
io.write("\nWalsall, Thriving and Happy scorecard, ", tostring(latest), ":\n")
local ok, sc = pcall(pmf.report.scorecard, { store = s, framework = "walsall",
                                             node = "thriving_happy", period = tostring(latest) })
if ok then
  local text = tostring(sc)
  local lines = 0
  for line in text:gmatch("[^\n]*\n?") do
    if lines < 18 then io.write(line) end
    lines = lines + 1
  end
  if lines > 18 then io.write("  ... (", lines - 18, " more lines in ", out, "/walsall/)\n") end
else
  io.write(tostring(sc), "\n")
end
io.write("\nOpen ", out, "/walsall/walsall-scorecard.html in a browser; the store is ", s:path(),
         " (try: build/pmf --db ", s:path(), ")\n")
