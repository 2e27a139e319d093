-- `pmf metrics`: the metrics in the store with the definition in force (as of --as-of, when
-- given): unit, aggregation rule, its version and who declared it (a framework or the
-- catalogue).  Definitions are versioned: see README "The metric catalogue".
local pmf = require "pmf"

return {
  summary = "list the metrics in the store (id, title, unit, aggregation, version, owner)",
  store = "existing",
  usage = "metrics [--format text|csv|json]",
  options = { format = "value" },
  run = function(opts)
    local cols = { "id", "title", "unit", "aggregation", "version", "owner", "source" }
    local rows = {}
    for i, m in ipairs(pmf.default_store():metrics()) do
      local r = {}
      for _, c in ipairs(cols) do r[c] = m[c] end
      rows[i] = r
    end
    io.write(pmf.render.rows(rows, opts.format or "text", cols))
    return 0
  end,
}
