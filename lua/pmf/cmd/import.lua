-- `pmf import FILE...`: import observations, targets, commentary, action updates or risk
-- assessments from CSV, JSON or XLSX files, each file in one transaction and one batch: all of a
-- file's rows or none, unless --skip-bad REJECTS.csv asks for the good rows and a file of the
-- refused ones.  A return workbook (`pmf returns`) is recognised by its hidden sheet and
-- taken back whole by pmf.returns.  Prints one summary line per file on stdout, or every error (up to
-- --max-errors) on stderr; exits 1 if any file was refused.
local pmf = require "pmf"
local cli = require "pmf.cli"
local import = require "pmf.import"
local returns = require "pmf.returns"

local help = [[
Each FILE is UTF-8 CSV with a header, JSON (an array of objects with the same fields) or a
sheet of an .xlsx workbook (--sheet; the first by default).  Its header says what it holds
(or --kind does):
  observations  metric,area,period,value[,breakdown,numerator,denominator,flag,source]
                (long form), or metric,area[,breakdown],2025-04,2025-05,... (wide form)
  targets       framework,kpi,area,period,value[,note]
  commentary    framework,kpi,period,text[,author][,area]
  actions       framework,action,status,date[,progress][,note][,milestone]
                (status: not_started, on_track, at_risk, off_track, complete, cancelled,
                deferred; progress 0-100; milestone: its number or title in the action)
  risks         framework,risk,likelihood,impact,date[,note]   (likelihood, impact 1-5)
Names in any case and any order.  Periods are read with the framework's year start; a
signed-off period is refused for figures, targets and commentary alike.  A row identical to
the one already stored is left alone ("unchanged"); a different one is stored as a new
version ("revised"), the old one kept.  A file with any bad row is refused whole, naming
file, line and column (number and name).  A return workbook written by `pmf returns` is
recognised and taken back whole (figures and commentary; see `pmf help returns`).  "-" reads CSV from standard input (observations
unless --kind says otherwise).

  --dry-run          check and count, write nothing to the store
  --kind K           observations, targets, commentary, actions or risks (default: the header)
  --skip-bad FILE    import the good rows; write every refused row to FILE (CSV: its fields
                     as given, then line and reason); the file is still refused whole for a
                     bad header; with --dry-run the rejects file is written, the store not
  --format F         long, wide, json (default: from the extension and the header)
  --source S         the source recorded for observations that have no source column
  --by NAME          who the import is recorded as (default $PMF_USER or $USER)
  --at ISO           when it is recorded as known (back-filling history)
  --year-start M     the financial year start for observations' period labels (default April)
  --max-errors N     errors to print per file (default 20)

Publishers' files (see README "Recipes"):
  --recipe NAME|PATH  read the file through a recipe: a shipped one by NAME (frameworks/
                     recipes/NAME.lua; `pmf import --recipes` lists them) or a recipe file
  --metric ID        every figure is of this metric (a constant column)
  --map COL=FIELD    the file's column COL is FIELD (metric, area, period, value, breakdown,
                     numerator, denominator, flag, source, or ignore); repeatable
  --missing M[=MEANING]  a missing-value marker: missing (no row, the default), suppressed
                     (a suppressed figure) or not_applicable (no row); repeatable
  --period-type T    financial, academic or calendar: how year labels such as 2023 or
                     2011-12 are read (ambiguous labels are otherwise errors)
  --sheet NAME       the sheet of an .xlsx workbook (default the first), for any kind
  --recipes          list the shipped recipes]]

return {
  summary = "import observations, targets, commentary, actions or risks (all or nothing per file)",
  usage = "import FILE... [--dry-run] [--kind K] [--skip-bad REJECTS.csv] [--format long|wide|json] " ..
          "[--source S] [--by NAME] [--at ISO] [--year-start M] [--max-errors N] [--recipe R] " ..
          "[--metric ID] [--map COL=FIELD]... [--missing M[=MEANING]]... [--period-type T] [--sheet S]",
  help = help,
  options = {
    dry_run = "flag", format = "value", source = "value", by = "value", at = "value",
    year_start = "value", max_errors = "value", kind = "value", skip_bad = "value",
    recipe = "value", metric = "value", map = "list", missing = "list", period_type = "value",
    sheet = "value", recipes = "flag",
  },
  run = function(opts)
    if opts.recipes then
      local R = require "pmf.recipe"
      for _, n in ipairs(R.list()) do
        local sp = R.read(R.dir() .. "/" .. n .. ".lua")
        io.write(string.format("%-24s %s\n", n, sp and sp.title or "(does not check: pmf check it)"))
      end
      return 0
    end
    if #opts == 0 then cli.usage_error("at least one FILE is required") end
    if opts.period_type and not ({ financial = true, academic = true, calendar = true })[opts.period_type] then
      cli.usage_error("--period-type must be financial, academic or calendar")
    end
    local recipe_opts = opts.recipe or opts.metric or opts.map or opts.missing
    if recipe_opts and opts.kind and opts.kind ~= "observations" then
      cli.usage_error("--recipe, --metric, --map and --missing are for observations")
    end
    local max_errors = opts.max_errors and math.tointeger(tonumber(opts.max_errors))
    if opts.max_errors and (not max_errors or max_errors < 1) then
      cli.usage_error("--max-errors must be a whole number of 1 or more")
    end
    local ys = opts.year_start and (tonumber(opts.year_start) or opts.year_start)
    if ys and not pcall(pmf.period.parse, "2025/26", ys) then
      cli.usage_error("--year-start must be a month: 1-12 or a name such as April")
    end
    if opts.at and not pmf.asof_ms(opts.at) then
      cli.usage_error("--at must be a date or date-time: YYYY-MM-DD[THH:MM[:SS]]")
    end
    if opts.format and not ({ long = true, wide = true, json = true, csv = true, xlsx = true })[opts.format] then
      cli.usage_error("--format must be long, wide, json or xlsx")
    end
    if opts.kind and opts.kind ~= "observations" and not import.kinds[opts.kind] then
      cli.usage_error("--kind must be observations, targets, commentary, actions or risks")
    end
    if opts.kind and opts.kind ~= "observations" and (opts.format == "long" or opts.format == "wide") then
      cli.usage_error("--format " .. opts.format .. " is for observations")
    end
    if opts.skip_bad and #opts > 1 then
      cli.usage_error("--skip-bad writes one rejects file: import one FILE at a time with it")
    end
    local s = pmf.default_store()
    local status = 0
    for _, path in ipairs(opts) do
      local r, msg, errs
      if returns.is_return(path) then   -- a return workbook (pmf returns) goes back whole
        r, msg, errs = returns.import(s, path, { by = opts.by, at = opts.at, dry_run = opts.dry_run })
      else r, msg, errs = import.import(s, path, {
        format = opts.format, dry_run = opts.dry_run, source = opts.source, by = opts.by,
        at = opts.at, year_start = ys, max_errors = max_errors, progress = true,
        kind = opts.kind, skip_bad = opts.skip_bad, recipe = opts.recipe, metric = opts.metric,
        map = opts.map, missing = opts.missing, period_type = opts.period_type, sheet = opts.sheet,
      }) end
      if r then
        io.write(r.summary or import.describe(r), "\n")
        if r.rejects_error then
          io.stderr:write("pmf import: ", r.rejects_error, " (the refused rows were not written)\n")
          status = 1
        end
      else
        status = 1
        for _, e in ipairs(errs or { msg }) do io.stderr:write(e, "\n") end
        local total = errs and errs.total or 1
        if total > #(errs or { msg }) then
          io.stderr:write(string.format("... and %d more error%s\n", total - #errs,
                                        total - #errs == 1 and "" or "s"))
        end
        io.stderr:write(string.format("pmf import: %s: refused (%d error%s); nothing was " ..
                                      "imported from it\n", path, total, total == 1 and "" or "s"))
      end
    end
    return status
  end,
}
