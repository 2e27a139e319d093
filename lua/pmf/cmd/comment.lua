-- `pmf comment --framework F --kpi K --period P [--period-type T] [--area A] [--by NAME] "text"`: record the
-- commentary for one KPI and period (the single case of importing a commentary file: the
-- same checks, through pmf.import.import_one: known framework, KPI and area, the period read
-- with the framework's year start, a signed-off period refused).  Without text it prints the
-- commentary in force, and who wrote it when.
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "record a KPI's commentary for a period, or print the one in force",
  store = "existing",
  usage = "comment --framework F --kpi K --period P [--period-type T] [--area A] [--by NAME] [--author NAME] [TEXT]",
  help = [[
With TEXT, records it as the commentary for the KPI and period (for one area with --area),
the latest being the one reports show; --by is who records it (default $PMF_USER or $USER),
--author who wrote it when that is someone else.  Recording the same text again changes
nothing.  Without TEXT, prints the commentary in force and its author and time.
--period-type financial|academic|calendar says how a label such as "Q1 2025" (a calendar
or a financial quarter?) is read; without it such a label is refused, naming both readings.]],
  options = { framework = "value", kpi = "value", period = "value", area = "value", by = "value",
              author = "value", period_type = "value" },
  run = function(opts)
    if not opts.framework or not opts.kpi or not opts.period then
      cli.usage_error("--framework, --kpi and --period are required")
    end
    if #opts > 1 then cli.usage_error("one TEXT (quote it)") end
    if opts.period_type and not ({ financial = true, academic = true, calendar = true })[opts.period_type] then
      cli.usage_error("--period-type must be financial, academic or calendar")
    end
    local s = pmf.default_store()
    local text = opts[1]
    if text then
      local import = require "pmf.import"
      local r, msg = import.import_one(s, "commentary", {
        framework = opts.framework, kpi = opts.kpi, period = opts.period, area = opts.area,
        text = text, author = opts.author,
      }, { by = opts.by, name = "pmf comment", period_type = opts.period_type })
      if not r then io.stderr:write(msg, "\n"); return 1 end
      print(string.format("commentary for %s %s %s%s %s", opts.framework, opts.kpi, opts.period,
                          opts.area and (" " .. opts.area) or "",
                          r.unchanged > 0 and "unchanged" or "recorded"))
      return 0
    end
    local fw, err = pmf.framework.get(s, opts.framework)
    if not fw then return cli.fail("comment", err) end
    if not fw.kpis[opts.kpi] then
      return cli.fail("comment", "framework " .. opts.framework .. " has no KPI '" .. opts.kpi .. "'")
    end
    local p, perr
    if opts.period_type then
      p, perr = pmf.period.parse(opts.period, { year_start = fw.year_start or 4, year_type = opts.period_type })
    else
      p, perr = pmf.period.parse(opts.period, fw.year_start or 4)
    end
    if not p then return cli.fail("comment", perr) end
    if opts.area and not s:area_id(opts.area) then
      return cli.fail("comment", "unknown area '" .. opts.area .. "'")
    end
    local t, info = s:commentary(opts.framework, opts.kpi, p, opts.area)
    if not t then
      return cli.fail("comment", string.format("no commentary for %s %s %s%s", opts.framework,
                                               opts.kpi, tostring(p), opts.area and (" " .. opts.area) or ""))
    end
    print(t)
    print(string.format("-- %s, %s", info.by or "unknown", info.at))
    return 0
  end,
}
