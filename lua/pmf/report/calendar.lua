-- lua/pmf/report/calendar.lua: the calendar (`pmf report calendar [--year]`): what is due
-- from whom, to which board, by when, for a period or its financial year: the data-entry
-- deadline of each period, and what each board receives at its cadence.
local pmf = require "pmf"
local shared = require "pmf.report.shared"

local sorted_keys, col = shared.sorted_keys, shared.col

-- Periods of a cadence inside `within` (a Period), in order.
local function periods_in(within, cadence)
  local first
  local sd = within:start_date()
  local y, m = sd:match("^(%d%d%d%d)%-(%d%d)")
  local month = pmf.period.parse(y .. "-" .. m, within.year_start)
  if cadence == "monthly" then first = month
  elseif cadence == "quarterly" then first = month:quarter_of()
  elseif cadence == "half-yearly" then first = month:half_of()
  else first = month:year_of() end
  local out, p = {}, first
  while p and within:contains(p) do out[#out + 1] = p; p = p:next() end
  if #out == 0 and first and first:contains(within) then out[1] = first end
  return out
end

return {
  summary = "what is due from whom, to which board, by when, for a period or a year",
  build = function(ctx)
    local fw = ctx.fw
    local within = ctx.args.year and ctx.period:year_of() or ctx.period
    local rows = {}
    local owners = {}
    for _, id in ipairs(fw.kpi_order or sorted_keys(fw.kpis)) do
      local o = fw.kpis[id].owner
      if o then owners[o] = true end
    end
    local owner_list = table.concat(sorted_keys(owners), "; ")
    local dl = fw.deadlines and fw.deadlines.data_entry
    local seen = {}
    for _, bid in ipairs(fw.board_order or sorted_keys(fw.boards)) do
      local b = fw.boards[bid]
      for _, p in ipairs(periods_in(within, b.cadence or "quarterly")) do
        if dl and not seen[tostring(p)] then
          seen[tostring(p)] = true
          rows[#rows + 1] = { due = p:deadline(dl.working_days), period = tostring(p),
                              what = "data entry", from = owner_list, to = "pmf store", board = "" }
        end
        for _, what in ipairs(b.receives or {}) do
          rows[#rows + 1] = { due = b.after_days and p:deadline(b.after_days) or p:end_date(),
                              period = tostring(p), what = what, from = "performance team",
                              to = b.title or bid, board = bid }
        end
      end
    end
    table.sort(rows, function(a, b)
      if a.due ~= b.due then return a.due < b.due end
      if a.board ~= b.board then return a.board < b.board end
      return a.what < b.what
    end)
    return {
      title = "Calendar: " .. tostring(within),
      columns = { col("due", "Due by"), col("period", "Period"), col("what", "What"),
                  col("from", "From", "text", { wrap = 40 }), col("to", "To") },
      rows = rows,
    }
  end,
}
