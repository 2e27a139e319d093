-- `pmf history METRIC AREA PERIOD`: every version of one figure, who recorded it and when
-- (as of --as-of when given).
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "every recorded version of one figure (who, when, value)",
  store = "existing",
  usage = "history METRIC AREA PERIOD [--breakdown KEY] [--format text|csv|json]",
  options = { breakdown = "value", format = "value" },
  run = function(opts)
    local m, a, p = opts[1], opts[2], opts[3]
    if not (m and a and p) then cli.usage_error("a metric, an area and a period are required") end
    local s = pmf.default_store()
    local ok, rows = pcall(s.history, s, m, a, p, opts.breakdown)
    if not ok then return cli.fail("history", tostring(rows):gsub("^[^:]*:%d+: ", "")) end
    if #rows == 0 then return cli.fail("history", "no figure for " .. m .. " " .. a .. " " .. p) end
    local out = {}
    for i, r in ipairs(rows) do
      out[i] = { version = i, value = r.value, numerator = r.numerator, denominator = r.denominator,
                 flags = table.concat(r.flags, "|"), recorded_at = r.recorded_at,
                 recorded_by = r.recorded_by, source = r.source, current = r.current and "yes" or "" }
    end
    io.write(pmf.render.rows(out, opts.format or "text", { "version", "value", "numerator",
      "denominator", "flags", "recorded_at", "recorded_by", "source", "current" }))
    return 0
  end,
}
