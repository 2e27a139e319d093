-- `pmf signoff FRAMEWORK PERIOD`: sign a framework's period off, as councils sign off their
-- corporate PIs before Cabinet.  Imports and edits that touch it are refused until it is
-- reopened (`pmf reopen`); both steps stay in the audit trail (`pmf sql "SELECT * FROM audit"`).
local cli = require "pmf.cli"

return {
  summary = "sign off a framework's period (imports touching it are then refused)",
  store = "existing",
  usage = "signoff FRAMEWORK PERIOD [--note TEXT] [--by NAME]",
  options = { note = "value", by = "value" },
  run = function(opts)
    return cli.period_event("signoff", "signoff", opts, { by = opts.by, note = opts.note },
                            "signed off %s %s")
  end,
}
