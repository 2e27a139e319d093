-- `pmf report NAME --framework ID ...`: build a report and print or write it.
--
-- The period defaults to the latest financial quarter that had ended by the as-of date
-- (today without --as-of).  --as-of (here or pmf's global option) builds the report from
-- the store as it stood on that date: the same bytes every time.  --publish refuses (exit
-- 1, listing each blocker) while a red/amber KPI lacks commentary or the period is not
-- signed off; otherwise it records a publication (framework, report, params, framework
-- hash, as-of, output hash) and prints its id on stderr.  --republish ID rebuilds a
-- publication as of its recorded date and checks the output hash matches.
local pmf = require "pmf"
local cli = require "pmf.cli"

local function color_ok(opts)
  if opts.o or opts.format and opts.format ~= "text" then return false end
  if os.getenv("NO_COLOR") then return false end
  -- os.execute's shell inherits our stdout, so `test -t 1` asks about it
  return os.execute("test -t 1") == true
end

return {
  summary = "build a report (scorecard, exceptions, golden_thread, kpi, data_quality, calendar, benchmark, integrated)",
  store = "existing",
  usage = "report NAME --framework ID [--node ID] [--level WORD] [--kpi ID] [--period LABEL] " ..
          "[--as-of DATE] [--format text|md|csv|json|html|xlsx] [-o FILE] [--year] [--publish] " ..
          "| report --republish ID [-o FILE]",
  help = "Reports: scorecard, exceptions, golden_thread, kpi, data_quality, calendar, benchmark, integrated.\n" ..
         "The period defaults to the latest quarter ended by the as-of date (today).",
  options = { framework = "value", node = "value", level = "value", kpi = "value",
              period = "value", as_of = "value", format = "value", o = "value",
              output = "value", publish = "flag", republish = "value", area = "value",
              group = "value", year = "flag", by = "value" },
  run = function(opts)
    local report = require "pmf.report"
    local out_path = opts.o or opts.output
    local format = opts.format or (out_path and out_path:match("%.(%w+)$")) or "text"
    if format == "txt" then format = "text" end
    local known = { text = true, md = true, csv = true, json = true, html = true, xlsx = true }
    if not known[format] then cli.usage_error("unknown format '" .. format .. "'") end

    if opts.republish then
      local rep, fmt, pub = report.republish(nil, math.tointeger(tonumber(opts.republish)))
      if not rep then return cli.fail("report", fmt) end
      local data = rep:render(fmt)
      if report.hash(data) ~= pub.output_hash then
        return cli.fail("report", "publication " .. opts.republish .. " rebuilt with a different output hash ("
                        .. report.hash(data) .. " vs " .. tostring(pub.output_hash) .. ")")
      end
      if out_path then
        local ok, err = report.write_file(out_path, data)
        if not ok then return cli.fail("report", err) end
      else
        io.write(data)
      end
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
    local args = { framework = fw, node = opts.node, level = opts.level, kpi = opts.kpi,
                   period = opts.period, as_of = opts.as_of, area = opts.area,
                   group = opts.group, year = opts.year or nil }
    if opts.publish and not args.as_of and type((pmf.default_store():as_of())) ~= "string" then
      -- a publication is rebuilt as of the moment it was made
      args.as_of = pmf.now()
    end
    local rep, err = report.run(name, args)
    if not rep then return cli.fail("report", err) end

    local data
    if opts.publish then
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
    if out_path then
      if format == "xlsx" and not data then
        local ok, werr = rep:write(out_path, "xlsx")
        if not ok then return cli.fail("report", werr) end
        return 0
      end
      local ok, werr = report.write_file(out_path, data or rep:render(format))
      if not ok then return cli.fail("report", werr) end
      return 0
    end
    if format == "xlsx" and not opts.publish then
      return cli.fail("report", "xlsx output needs -o FILE")
    end
    io.write(data or rep:render(format, { color = color_ok(opts) }))
    return 0
  end,
}
