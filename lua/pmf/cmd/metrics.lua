-- `pmf metrics`: the metrics in the store, with unit and aggregation rule.
local pmf = require "pmf"

return {
  summary = "list the metrics in the store (id, title, unit, aggregation)",
  store = "existing",
  usage = "metrics [--format text|csv|json]",
  options = { format = "value" },
  run = function(opts)
    local rows = pmf.default_store():metrics()
    io.write(pmf.render.rows(rows, opts.format or "text",
                             { "id", "title", "unit", "aggregation", "source" }))
    return 0
  end,
}
