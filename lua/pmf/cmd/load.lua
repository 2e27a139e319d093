-- `pmf load FILE...`: validate and store framework files.  Each file is one transaction: a
-- new version when the file changed (by SHA-256 of its bytes), metrics and groups upserted;
-- observations are untouched.  Prints "loaded walsall v2 (62 KPIs, 80 nodes)" or
-- "walsall unchanged (v2)"; exit 1 when a file does not validate (nothing of it is stored).
-- The file runs in pmf.sandbox under its limits, as for `pmf check`; so does every later re-run
-- of the stored source (pmf.framework.get, for `pmf frameworks` and the reports).
-- --at ISO back-fills history: the version is recorded as loaded then, so a report as of a
-- later date uses it; a changed file dated before the latest stored version is refused
-- (load the history oldest first: version numbers follow time).
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "validate and store framework files (a new version when a file changed)",
  usage = "load FILE... [--by NAME] [--at ISO]",
  help = [==[
--at ISO (YYYY-MM-DD[THH:MM[:SS]]) back-fills a framework's history: the version is recorded
as loaded at that time, and views as of a later date (report --as-of) use it.  A changed file
may not be dated before the latest version already stored: load old versions oldest first.]==],
  options = { by = "value", at = "value" },
  run = function(opts)
    if #opts == 0 then cli.usage_error("a framework file is required") end
    if opts.at and not pmf.asof_ms(opts.at) then
      cli.usage_error("--at must be a date or date-time: YYYY-MM-DD[THH:MM[:SS]]")
    end
    local s = pmf.default_store()
    local status = 0
    for _, path in ipairs(opts) do
      local info, err = pmf.framework.load(s, path, { by = opts.by, at = opts.at })
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
