-- `pmf sql "SELECT ..."`: run read-only SQL against the store and print the rows (for
-- analysts who want to look underneath; writes go through the API).
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "run a read-only SQL query on the store and print the rows",
  store = "existing",
  usage = "sql \"SELECT ...\" [--format text|csv|json]",
  options = { format = "value" },
  run = function(opts)
    local sql = opts[1] or cli.usage_error("an SQL query is required")
    local s = pmf.default_store()
    local rows
    s:exec("PRAGMA query_only = ON")
    local ok, err = pcall(function() rows = s:query(sql) end)
    s:exec("PRAGMA query_only = OFF")
    if not ok then return cli.fail("sql", tostring(err)) end
    local render = pmf.render
    if render and render.rows then
      io.write(render.rows(rows, opts.format or "text"))
    else
      for _, r in ipairs(rows) do
        local parts = {}
        for k, v in pairs(r) do parts[#parts + 1] = k .. "=" .. tostring(v) end
        table.sort(parts)
        print(table.concat(parts, " "))
      end
    end
    return 0
  end,
}
