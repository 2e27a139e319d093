-- examples/demo.lua: what `make demo` runs.
--
--   pmf --db out/demo.db examples/demo.lua [OUT [SHOTS]]
--
-- Loads the five councils' frameworks (Dudley, Walsall, Sandwell, South Staffordshire,
-- Wolverhampton) side by side into one store, fills it with deterministic example data for
-- each council and its CIPFA nearest neighbours (with revisions, gaps, commentary, actions,
-- risks and a signed-off quarter), and writes into OUT/<council>/ (default out/) for the
-- latest period with figures:
--   - the scorecard and exceptions, grouped under the golden thread's levels with roll-ups,
--     and the golden thread itself;
--   - a dashboard for each top-level priority (the first level of the thread with more
--     than one node);
--   - the benchmark of the council's first KPI with a ranked comparator group, with its chart;
-- each in text, Markdown, CSV, JSON, HTML and XLSX, and the whole set as one PDF per council
-- (<council>-pack.pdf: a Cabinet report pack, a page break per report).  With Chromium
-- installed it also refreshes the README's screenshots in SHOTS (default docs/screenshots/):
-- Walsall's scorecard, exceptions, dashboard and benchmark.  The packs and the screenshots
-- come from one Chromium (a pmf.render.pdf printer, through pmf.render.chromium), started
-- before the data are generated and handed each council's pack as soon as its reports have
-- run (before their files are written): Chromium starts up and prints on the machine's other
-- core while this script writes this council's files and the next council's reports, and
-- the script waits for it only at the end.  The example data come from examples/lib/ (generate.lua: example code beside this
-- script, not part of the engine).
-- Everything is reproducible: the same store and the same bytes every run (the PDFs and
-- PNGs are made by Chromium and carry its own dates).
local pmf = require "pmf"

local out = arg[1] or "out"
local here = (arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/lib/?.lua;" .. package.path
local generate = require "generate"          -- examples/lib/: example code, not the engine's
local root = here .. "/.."
local shots = arg[2] or (root .. "/docs/screenshots")
local COUNCILS = { "dudley", "walsall", "sandwell", "south_staffordshire", "wolverhampton" }

local s = pmf.default_store()
if #pmf.framework.list(s) > 0 then
  error("the demo needs a fresh store; remove " .. s:path() .. " first", 0)
end

-- The PDF printer: Chromium starts now, beside the work below (nil without Chromium).
local printer = pmf.render.chromium() and assert(pmf.render.printer({ force = true }))

-- 1. The frameworks, loaded as of the first day of the data.
local first = generate.range{}
io.write("Loading frameworks into ", s:path(), "\n")
for _, id in ipairs(COUNCILS) do
  local info, err = pmf.framework.load(s, root .. "/frameworks/" .. id .. ".lua",
                                       { at = first .. "T00:00:00", by = "pmf demo" })
  if not info then error(err, 0) end
  io.write("  ", info.message, "\n")
end

-- 2. Example data.
local summary, err = generate.run{ store = s, seed = 2025, by = "pmf demo" }
if not summary then error(err, 0) end
io.write(generate.describe(summary), "\n")

-- The top-level priorities: the first level below the roots with more than one node.
local function top_priorities(fw)
  local ids = fw.roots or {}
  while #ids == 1 and #(fw.nodes[ids[1]].children or {}) > 0 do ids = fw.nodes[ids[1]].children end
  return ids
end

-- The KPI to benchmark: the first whose council figure is ranked in its group.
local function bench_kpi(rows)
  for _, r in ipairs(rows) do if r.rank then return r.kpi end end
  return rows[1] and rows[1].kpi
end

-- 3. Each framework's reports, for the latest period with figures (the reports' default).
os.execute("mkdir -p '" .. out .. "'")
local FORMATS = { "text", "md", "csv", "json", "html", "xlsx" }
local period
io.write("\nReports (latest period with figures, as known now) in ", out, "/:\n")
for _, id in ipairs(COUNCILS) do
  local fw = assert(pmf.framework.get(s, id))
  local dir = out .. "/" .. id
  os.execute("mkdir -p '" .. dir .. "'")
  local list = { "scorecard", "exceptions", "golden_thread" }
  for _, node in ipairs(top_priorities(fw)) do
    list[#list + 1] = { "dashboard", { node = node }, id .. "-dashboard-" .. node }
  end
  -- The reports are run first (write_all with no formats writes nothing), the pack handed
  -- to Chromium, and only then each report written in every format: Chromium is the last
  -- to finish, so it gets each pack as soon as the reports exist (~0.3 s sooner a council
  -- than after the writing).
  local opts = { force = true, reports = list, formats = {} }
  local _, all = pmf.report.write_all(s, id, nil, dir, opts)
  local sc = all[1]
  period = sc.period
  -- the benchmark of a KPI the scorecard ranks (the scorecard is not run twice for it)
  local bk = bench_kpi(sc.rows)
  if bk then
    list[#list + 1] = { "benchmark", { kpi = bk }, id .. "-benchmark-" .. bk }
    opts.reports = { list[#list] }
    local _, reps = pmf.report.write_all(s, id, nil, dir, opts)
    all[#all + 1] = reps[1]
  end
  local reps = {}
  for _, rep in ipairs(all) do
    if rep.name ~= "golden_thread" then reps[#reps + 1] = rep end
  end
  -- the council's pack printed while its files and the next council's reports are written
  if printer then
    assert(printer:pack(reps, dir .. "/" .. id .. "-pack.pdf",
                        "Report pack | " .. (reps[1].council_name or id) .. " | " .. sc.period))
  end
  -- every report in every format, named as write_all named them (the demo owns out/: its
  -- reports replace whatever an earlier demo, of any version, left)
  local paths = pmf.report.write_reports(all, dir, { formats = FORMATS, force = true })
  -- Walsall's screenshots, of the pages just written
  if printer and id == "walsall" then
    local pages = { scorecard = dir .. "/walsall-scorecard.html", exceptions = dir .. "/walsall-exceptions.html",
                    dashboard = dir .. "/walsall-dashboard-" .. top_priorities(fw)[1] .. ".html",
                    benchmark = bk and (dir .. "/walsall-benchmark-" .. bk .. ".html") }
    os.execute("mkdir -p '" .. shots .. "'")
    local pngs = {}
    for _, kind in ipairs({ "scorecard", "exceptions", "dashboard", "benchmark" }) do
      if pages[kind] then pngs[#pngs + 1] = { pages[kind], shots .. "/" .. kind .. ".png" } end
    end
    assert(printer:shots(pngs))
  end
  local count = {}
  for _, r in ipairs(sc.rows) do count[r.rag] = (count[r.rag] or 0) + 1 end
  io.write(string.format("  %-20s %2d KPIs: %d green, %d amber, %d red, %d no data, %d data only  -> %s/ (%d files)\n",
    id, #sc.rows, count.green or 0, count.amber or 0, count.red or 0, count.no_data or 0,
    count.data_only or 0, dir, #paths + 1))
end

-- 4. One scorecard for the terminal, as the REPL would print it: made while Chromium prints.
local ok, shown = pcall(pmf.report.scorecard, { store = s, framework = "walsall", node = "thriving_happy" })
local text = tostring(shown)

-- 5. The PDF packs and the README's screenshots: the printer's last answers awaited, each
-- PDF checked and put in place.
if printer then
  assert(printer:finish())
  io.write("PDF packs: ", out, "/<council>/<council>-pack.pdf\n")
  io.write("Screenshots: ", shots, "/{scorecard,exceptions,dashboard,benchmark}.png\n")
else
  io.write("PDF packs and screenshots skipped: pdf output needs chromium (apt-get install chromium)\n")
end

io.write("\nWalsall, Thriving and Happy scorecard, ", tostring(period), ":\n")
if ok then
  local lines = 0
  for line in text:gmatch("[^\n]*\n?") do
    if lines < 18 then io.write(line) end
    lines = lines + 1
  end
  if lines > 18 then io.write("  ... (", lines - 18, " more lines in ", out, "/walsall/)\n") end
else
  io.write(text, "\n")
end
io.write("\nOpen ", out, "/walsall/walsall-scorecard.html in a browser; the store is ", s:path(),
         " (try: build/pmf --db ", s:path(), ")\n")
