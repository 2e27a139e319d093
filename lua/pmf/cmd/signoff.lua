-- `pmf signoff FRAMEWORK PERIOD`: sign a framework's period off, as councils sign off their
-- corporate PIs before Cabinet.  Imports and edits that touch it are refused until it is
-- reopened (`pmf reopen`); both steps stay in the audit trail (`pmf sql "SELECT * FROM audit"`).
-- While return workbooks issued for the period (`pmf returns`) still lack figures, sign-off
-- is refused, listing them, unless --despite "reason" says why: the reason and what was
-- missing are recorded with the sign-off in the audit trail.
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "sign off a framework's period (imports touching it are then refused)",
  store = "existing",
  usage = "signoff FRAMEWORK PERIOD [--note TEXT] [--despite REASON] [--by NAME]",
  help = "Refused while returns issued for the period (pmf returns) are missing figures, unless\n" ..
         "--despite REASON says why (recorded in the audit trail with what was missing).",
  options = { note = "value", by = "value", despite = "value" },
  run = function(opts)
    local note = opts.note
    if opts[1] and opts[2] then
      local missing = require("pmf.returns").missing(pmf.default_store(), opts[1], opts[2])
      if #missing > 0 then
        if not opts.despite or opts.despite:match("^%s*$") then
          io.stderr:write("pmf signoff: ", opts[1], " ", opts[2], ": returns are missing figures:\n")
          for _, m in ipairs(missing) do io.stderr:write("  - ", m, "\n") end
          io.stderr:write("chase them (pmf report returns --framework ", opts[1], " --period \"",
                          opts[2], "\"), or sign off --despite \"reason\"\n")
          return 1
        end
        note = (note and (note .. "; ") or "") .. "despite missing returns (" ..
               table.concat(missing, "; ") .. "): " .. opts.despite
      end
    end
    return cli.period_event("signoff", "signoff", opts, { by = opts.by, note = note },
                            "signed off %s %s")
  end,
}
