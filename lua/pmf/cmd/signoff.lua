-- `pmf signoff FRAMEWORK PERIOD`: sign a framework's period off, as councils sign off their
-- corporate PIs before Cabinet.  Imports and edits that touch it are refused until it is
-- reopened (`pmf reopen`); both steps stay in the audit trail (`pmf sql "SELECT * FROM audit"`).
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "sign off a framework's period (imports touching it are then refused)",
  usage = "signoff FRAMEWORK PERIOD [--note TEXT] [--by NAME]",
  options = { note = "value", by = "value" },
  run = function(opts)
    local fw, p = opts[1], opts[2]
    if not fw or not p then cli.usage_error("a framework id and a period are required") end
    local s = pmf.default_store()
    local def = pmf.framework.get(s, fw)
    local ok, err = pcall(s.signoff, s, fw, p, { by = opts.by, note = opts.note,
                                                 year_start = def and def.year_start })
    if not ok then return cli.fail("signoff", tostring(err):gsub("^[^:]*:%d+: ", "")) end
    print(string.format("signed off %s %s", fw, p))
    return 0
  end,
}
