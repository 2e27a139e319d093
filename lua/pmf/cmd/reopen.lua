-- `pmf reopen FRAMEWORK PERIOD --reason TEXT`: reopen a signed-off period, with a reason
-- that is kept in the audit trail.
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "reopen a signed-off period (a reason is required and audited)",
  usage = "reopen FRAMEWORK PERIOD --reason TEXT [--by NAME]",
  options = { reason = "value", by = "value" },
  run = function(opts)
    local fw, p = opts[1], opts[2]
    if not fw or not p then cli.usage_error("a framework id and a period are required") end
    if not opts.reason then cli.usage_error("--reason is required") end
    local s = pmf.default_store()
    local def = pmf.framework.get(s, fw)
    local ok, err = pcall(s.reopen, s, fw, p, { by = opts.by, reason = opts.reason,
                                               year_start = def and def.year_start })
    if not ok then return cli.fail("reopen", tostring(err):gsub("^[^:]*:%d+: ", "")) end
    print(string.format("reopened %s %s: %s", fw, p, opts.reason))
    return 0
  end,
}
