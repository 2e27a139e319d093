-- lua/pmf/report/returns.lua: the chase report (`pmf report returns`): for a framework's
-- period, each owner's figures and commentary received, missing and late, with working
-- days to or past the data_entry deadline, and the quarter's readiness (what still blocks
-- --publish).
--
-- The data is pmf.returns.round's: a figure counts as received when the store holds it for
-- the council's area and period, whichever way it came (a return, a CSV, store:observe);
-- commentary is due for each KPI the owner owns that the framework's rule rates red or
-- amber.  Every renderer (text, md, csv, json, html, xlsx) draws it like any other report.
local shared = require "pmf.report.shared"

local col = shared.col

return {
  summary = "the quarterly round: each owner's figures and commentary received, " ..
            "missing and late, and what still blocks --publish",
  build = function(ctx)
    local returns = require "pmf.returns"
    local today = ctx.as_of:sub(1, 10)
    local r = returns.round(ctx.store, ctx.fw, ctx.period, today)
    local sub
    if r.deadline then
      local wd = returns.working_days_between(today, r.deadline)
      sub = string.format("Returns due %s (%s)", r.deadline,
                          wd >= 0 and (wd .. " working days to go") or ((-wd) .. " working days past"))
    else
      sub = "No data_entry deadline declared"
    end
    if not r.issued then sub = sub .. "; no return workbooks issued yet (pmf returns)" end
    local ready = {}
    for _, b in ipairs(r.blockers) do ready[#ready + 1] = { blocker = b } end
    if #ready == 0 then ready[1] = { blocker = "nothing: ready to publish" } end
    return {
      title = "Returns",
      subtitle = sub,
      columns = {
        col("owner", "Owner"), col("who", "Name", "text", { wrap = 36 }), col("team", "Team"),
        col("issued", "Issued"), col("received", "Received"),
        col("figures_due", "Figures due", "int"), col("figures_in", "Figures in", "int"),
        col("comments_due", "Commentary due", "int"), col("comments_in", "Commentary in", "int"),
        col("status", "Status", "status"), col("deadline_note", "Deadline", "text", { wrap = 30 }),
        col("missing", "Missing", "text", { wrap = 40 }), col("email", "Email"),
      },
      rows = r.owners,
      sections = {
        { title = "Items", columns = { col("owner", "Owner"), col("kind", "What"), col("item", "Item"),
                                       col("status", "Status", "status") }, rows = r.items },
        { title = "Readiness: what blocks --publish", columns = { col("blocker", "Blocker", "text", { wrap = 90 }) },
          rows = ready },
      },
    }
  end,
}
