-- `pmf report NAME --framework ID ...`: build a report and print or write it.
--
-- The period defaults to the latest quarter for which the framework has figures (the
-- report's heading says so).  --as-of (here or pmf's global option) builds the report from
-- the store as it stood on that date: the same bytes every time.  --publish refuses (exit
-- 1, listing each blocker) while a red/amber KPI lacks commentary or the period is not
-- signed off; otherwise it records a publication (framework, report, params, framework
-- hash, as-of, output hash) and prints its id on stderr.  --republish ID rebuilds a
-- publication as of its recorded date and checks the output hash matches.
--
-- Output: -o FILE goes through pmf.render.write (a new file renamed into place; never the
-- store; an existing file only when it is a pmf report of the same format, or with
-- --force); standard output is flushed and checked.  A failed write exits 1 naming the
-- path and the system's reason.  --csv-raw turns off the CSV formula neutralising.
local pmf = require "pmf"
local cli = require "pmf.cli"

local function color_ok(opts)
  if opts.o or opts.format and opts.format ~= "text" then return false end
  if os.getenv("NO_COLOR") then return false end
  -- os.execute's shell inherits our stdout, so `test -t 1` asks about it
  return os.execute("test -t 1") == true
end

-- The report names come from the registry (pmf.report.order), so a report added there is
-- listed here too.
local names = table.concat(require("pmf.report").order, ", ")

return {
  summary = "build a report (" .. names .. ")",
  store = "existing",
  usage = "report NAME --framework ID [--node ID] [--level WORD] [--kpi ID] [--period LABEL] " ..
          "[--as-of DATE] [--format text|md|csv|json|html|xlsx|pdf] [-o FILE] [--force] [--csv-raw] " ..
          "[--year] [--rollup worst|majority] [--publish] | report --republish ID [-o FILE] [--force]",
  help = "Reports: " .. names .. ".\ndashboard needs --node ID; kpi and benchmark need --kpi ID; returns\n" ..
         "is the chase report of the quarterly round.  pdf prints the html through headless Chromium.\n" ..
         "The period defaults to the latest period for which the framework has figures.",
  options = { framework = "value", node = "value", level = "value", kpi = "value",
              period = "value", as_of = "value", format = "value", o = "value",
              output = "value", publish = "flag", republish = "value", area = "value",
              group = "value", year = "flag", by = "value", force = "flag", csv_raw = "flag",
              rollup = "value" },
  run = function(opts)
    local report = require "pmf.report"
    local render = pmf.render
    local out_path = opts.o or opts.output
    local wopts = { force = opts.force, raw = opts.csv_raw }
    -- bytes to -o FILE or standard output; 0, or 1 with the reason
    local function emit(data, fmt)
      local ok, err
      if out_path then ok, err = render.write_data(out_path, data, fmt, wopts)
      else ok, err = render.write_stdout(data) end
      if not ok then return cli.fail("report", err) end
      return 0
    end
    local format = opts.format or (out_path and out_path:match("%.(%w+)$")) or "text"
    if format == "txt" then format = "text" end
    local known = { text = true, md = true, csv = true, json = true, html = true, xlsx = true, pdf = true }
    if not known[format] then cli.usage_error("unknown format '" .. format .. "'") end

    if opts.republish then
      local rep, fmt, pub = report.republish(nil, math.tointeger(tonumber(opts.republish)))
      if not rep then return cli.fail("report", fmt) end
      local data = rep:render(fmt)
      if report.hash(data) ~= pub.output_hash then
        return cli.fail("report", "publication " .. opts.republish .. " rebuilt with a different output hash ("
                        .. report.hash(data) .. " vs " .. tostring(pub.output_hash) .. ")")
      end
      if emit(data, fmt) ~= 0 then return 1 end
      io.stderr:write("publication ", opts.republish, " rebuilt: ", pub.output_hash, "\n")
      return 0
    end

    local name = opts[1] or cli.usage_error("a report name is required (" .. table.concat(report.order, ", ") .. ")")
    name = name:gsub("-", "_")
    if not report.registry[name] then
      cli.usage_error("unknown report '" .. name .. "' (" .. table.concat(report.order, ", ") .. ")")
    end
    local fw = opts.framework or cli.usage_error("--framework ID is required")
    if report.registry[name].needs == "kpi" and not opts.kpi and not opts.node then
      cli.usage_error("the " .. name .. " report needs --kpi ID")
    end
    if report.registry[name].needs == "node" and not opts.node then
      cli.usage_error("the " .. name .. " report needs --node ID (a priority or other node of the golden thread)")
    end
    local args = { framework = fw, node = opts.node, level = opts.level, kpi = opts.kpi,
                   period = opts.period, as_of = opts.as_of, area = opts.area,
                   group = opts.group, year = opts.year or nil, rollup = opts.rollup }
    if opts.publish and not args.as_of and type((pmf.default_store():as_of())) ~= "string" then
      -- a publication is rebuilt as of the moment it was made
      args.as_of = pmf.now()
    end
    local rep, err = report.run(name, args)
    if not rep then return cli.fail("report", err) end

    local data
    if opts.publish then
      if out_path then   -- a publication is not recorded for a file that would be refused
        local ok, werr = render.check_output(out_path, format, rep:render(format), wopts)
        if not ok then return cli.fail("report", werr) end
      end
      local id, res = report.publish(rep, { format = format, by = opts.by })
      if not id then
        io.stderr:write("pmf report: cannot publish ", rep.name, " for ", rep.framework, " ",
                        rep.period, ":\n")
        for _, b in ipairs(res) do io.stderr:write("  - ", b, "\n") end
        return 1
      end
      io.stderr:write("published as publication ", tostring(id), " (pmf report --republish ",
                      tostring(id), ")\n")
      data = res
    end
    if data then return emit(data, format) end
    if out_path then
      local ok, werr = rep:write(out_path, format, wopts)
      if not ok then return cli.fail("report", werr) end
      return 0
    end
    if format == "xlsx" or format == "pdf" then return cli.fail("report", format .. " output needs -o FILE") end
    return emit(rep:render(format, { color = color_ok(opts), raw = opts.csv_raw }), format)
  end,
}
