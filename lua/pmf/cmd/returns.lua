-- `pmf returns --framework F --period P [-o DIR]`: write one return workbook per owner for a
-- framework's period (pmf.returns): the figures they supply and commentary on the KPIs they
-- own, due by the framework's data_entry deadline.  Each workbook is recorded in the store
-- as issued; `pmf import DIR/*.xlsx` takes them back, `pmf report returns` chases them.
local pmf = require "pmf"
local cli = require "pmf.cli"

local help = [[
Writes DIR/FRAMEWORK_PERIOD_OWNER.xlsx for each owner the framework declares (owner "id"
{ name =, role =, team =, email =, supplies = { metric ids } }) that supplies a figure or owns
a KPI.  Sheets: Cover (council, period, deadline in working days, instructions), Figures (one
row per figure due: definition, unit, the last four periods and the KPI targets for context;
yellow input cells for value, numerator and denominator where the metric is a ratio, and a
flag), Commentary (one row per KPI the owner owns: required if the framework's rule rates it
red or amber), and a hidden sheet naming framework, period, owner and the workbook's id.
Everything but the yellow cells is locked.  Issuing the same workbook again changes nothing;
a workbook that differs (new targets, revised history) replaces the earlier one, which is
then refused as stale.

  --framework ID   the framework (required)
  --period LABEL   the period the figures are for (required), e.g. "2025/26 Q2"
  -o DIR           where to write them (default ./returns)
  --by NAME        who issued them (default $PMF_USER or $USER)]]

return {
  summary = "write each owner's return workbook for a period (figures and commentary due)",
  store = "existing",
  usage = "returns --framework ID --period LABEL [-o DIR] [--by NAME]",
  help = help,
  options = { framework = "value", period = "value", o = "value", output = "value", by = "value" },
  run = function(opts)
    local fw = opts.framework or cli.usage_error("--framework ID is required")
    local p = opts.period or cli.usage_error("--period LABEL is required")
    local returns = require "pmf.returns"
    local out, err = returns.generate(pmf.default_store(), { framework = fw, period = p,
                                      dir = opts.o or opts.output or "returns", by = opts.by })
    if not out then return cli.fail("returns", err) end
    for _, o in ipairs(out) do
      print(string.format("%s: %s (%d figures, %d KPIs for commentary; workbook %s)", o.owner, o.path,
                          o.figures, o.kpis, o.id))
    end
    return 0
  end,
}
