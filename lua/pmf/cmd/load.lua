-- `pmf load FILE...`: validate and store framework files.  Each file is one transaction: a
-- new version when the file changed (by SHA-256 of its bytes), metrics and groups upserted;
-- observations are untouched.  Prints "loaded walsall v2 (62 KPIs, 80 nodes)" or
-- "walsall unchanged (v2)"; exit 1 when a file does not validate (nothing of it is stored).
-- The file runs in pmf.sandbox under its limits, as for `pmf check`; so does every later re-run
-- of the stored source (pmf.framework.get, for `pmf frameworks` and the reports).
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "validate and store framework files (a new version when a file changed)",
  usage = "load FILE... [--by NAME]",
  options = { by = "value" },
  run = function(opts)
    if #opts == 0 then cli.usage_error("a framework file is required") end
    local s = pmf.default_store()
    local status = 0
    for _, path in ipairs(opts) do
      local info, err = pmf.framework.load(s, path, { by = opts.by })
      if info then
        io.write(info.message, "\n")
      else
        io.stderr:write(err, "\n", "pmf load: ", path, " not loaded\n")
        status = 1
      end
    end
    return status
  end,
}
