-- `pmf sql "SELECT ..."`: run read-only SQL against the store and print the rows (for
-- analysts who want to look underneath; writes go through the API).  Columns come in the
-- SELECT's order (store:columns), every row with every column; --csv-raw as for reports.
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "run a read-only SQL query on the store and print the rows",
  store = "existing",
  usage = "sql \"SELECT ...\" [--format text|csv|json] [--csv-raw]",
  options = { format = "value", csv_raw = "flag" },
  run = function(opts)
    local sql = opts[1] or cli.usage_error("an SQL query is required")
    local s = pmf.default_store()
    local rows, names
    s:exec("PRAGMA query_only = ON")
    local ok, err = pcall(function()
      names = s:columns(sql)
      rows = s:query(sql)
    end)
    s:exec("PRAGMA query_only = OFF")
    if not ok then return cli.fail("sql", tostring(err)) end
    local out, werr = pmf.render.write_stdout(pmf.render.rows(rows, opts.format or "text", names,
                                                              { raw = opts.csv_raw }))
    if not out then return cli.fail("sql", werr) end
    return 0
  end,
}
