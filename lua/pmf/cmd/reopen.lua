-- `pmf reopen FRAMEWORK PERIOD --reason TEXT`: reopen a signed-off period, with a reason
-- that is kept in the audit trail.
local cli = require "pmf.cli"

return {
  summary = "reopen a signed-off period (a reason is required and audited)",
  store = "existing",
  usage = "reopen FRAMEWORK PERIOD --reason TEXT [--by NAME]",
  options = { reason = "value", by = "value" },
  run = function(opts)
    if not opts.reason then cli.usage_error("--reason is required") end
    return cli.period_event("reopen", "reopen", opts, { by = opts.by, reason = opts.reason },
                            "reopened %s %s: " .. opts.reason:gsub("%%", "%%%%"))
  end,
}
