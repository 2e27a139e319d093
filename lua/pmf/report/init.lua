-- lua/pmf/report/init.lua: the reports (module `pmf.report`): the registry of reports, the
-- Report object, and run(), which builds any of them.  Each report is a file of its own in
-- this folder; what they share is in shared.lua (context, scope, rating, trend, columns) and
-- present.lua (flags, roll-up, groups, RAG key, cover); publishing is in publish.lua.
--
-- A report is a Lua function that turns (store, framework, period, ...) into plain data: a
-- report object {name, title, framework, framework_title, period, as_of, params, columns,
-- rows, tree, sections, blockers}; renderers (pmf.render) turn that into text, md, csv,
-- json, html or xlsx.  Reports never format numbers themselves except through the rating
-- row's `display`, so a suppressed small number (display "suppressed", value nil) can never
-- reappear in any format.
--
--   pmf.report.run(name, args)           -> report | nil, message
--   pmf.report.scorecard{framework=, period=, node=|level=, as_of=, store=, rollup=}   (and
--   the other report names: exceptions, dashboard (node=), golden_thread, kpi, data_quality,
--   calendar, benchmark, integrated, returns)
--   report:render(format [, opts]) -> string
--   report:write(path [, format [, opts]]) -> path | nil, message  (opts.force, opts.raw:
--     see pmf.render's "writing outputs": a new file renamed into place, never the store,
--     never a file that is not a pmf report of that format unless force)
--   tostring(report) -> the text rendering (so it prints as a table at the REPL)
--   pmf.report.publish(report, {format=, by=}) -> publication id | nil, blockers
--   pmf.report.republish(store, id) -> report, format, publication row | nil, message
--   pmf.report.write_all(store, framework_id, period, dir [, args]) -> {paths}, {reports}
--     (raises on a file it may not replace; args.force as for write; args.formats = {} runs
--     the reports and writes nothing)
--   pmf.report.write_reports(reports, dir [, args]) -> {paths}: reports write_all ran, each
--     in every format (args.formats, args.force), named by its `file`
--   pmf.report.register(name, summary, fn [, needs]) adds a report of one's own.
--
-- Design decisions:
-- - One list of reports: each file here returns {summary=, needs=, build=function(ctx) ->
--   report fields | nil, message} and is registered below in the order `pmf report` lists
--   them, through the same register() a report of one's own uses.
-- - Reproducibility: a report prints its as-of date, never the time it was made; rows are
--   ordered by the framework's declaration order (kpi_order, node_order), and every map is
--   walked in sorted order, so a report rebuilt `--as-of` the same date gives the same bytes.
-- - Error contract: misuse (no framework given, unknown report name) raises; expected
--   failures (unknown framework, node or KPI, a period that does not parse) return
--   nil, message from run() and raise from the convenience functions (pmf.report.scorecard).
local pmf = require "pmf"
local shared = require "pmf.report.shared"
local present = require "pmf.report.present"
local publish = require "pmf.report.publish"

local M = {}
M.registry = {}     -- name -> {name, fn = function(ctx) -> report fields, summary, needs}
M.order = {}

-- The reports, in the order they are listed (a file lua/pmf/report/<name>.lua each).
local REPORTS = { "scorecard", "dashboard", "exceptions", "golden_thread", "kpi",
                  "data_quality", "calendar", "benchmark", "integrated", "returns" }

local Report = {}
Report.__index = Report
M.Report = Report

function Report:render(format, opts)
  return pmf.render.render(self, format or "text", opts)
end

-- report:write(path [, format [, opts]]): format defaults to the path's extension.
function Report:write(path, format, opts)
  format = format or path:match("%.(%w+)$") or "text"
  if format == "txt" then format = "text" end
  local o = { store = self._ctx and self._ctx.store }
  for k, v in pairs(opts or {}) do o[k] = v end
  return pmf.render.write(self, path, format, o)
end

Report.__tostring = function(r) return r:render("text") end

-- register(name, summary, fn [, needs]): adds report `name` (fn(ctx) -> report fields |
-- nil, message) to the list, and pmf.report.<name>(args), which raises where run() returns
-- nil, message.  needs = "kpi" for a report about one KPI, "node" for one about one node
-- (the CLI's usage line and M.run's error say so when --kpi or --node is missing).  A name
-- already taken (a report or a function of this module) raises.
local function register(name, summary, fn, needs)
  if type(name) ~= "string" or type(fn) ~= "function" then
    error("pmf.report.register(name, summary, fn [, needs]): a name and a function are required", 2)
  end
  if M.registry[name] or M[name] ~= nil then
    error("pmf.report.register: the name '" .. name .. "' is taken", 2)
  end
  M.registry[name] = { name = name, fn = fn, summary = summary, needs = needs }
  M.order[#M.order + 1] = name
  M[name] = function(args)
    local r, err = M.run(name, args)
    if not r then error(err, 2) end
    return r
  end
end
M.register = register

M.blockers, M.hash, M.publish, M.republish, M.write_all, M.write_reports =
  publish.blockers, publish.hash, publish.publish, publish.republish, publish.write_all,
  publish.write_reports

-- What the reports share, for scripts and renderers that lay reports out.
M.context, M.col, M.rag_keys = shared.context, shared.col, shared.rag_keys
M.sorted_keys, M.last_periods = shared.sorted_keys, shared.last_periods
M.FLAGS, M.rollup_rules = present.FLAGS, present.rollup_rules
M.date_words, M.period_words = present.date_words, present.period_words

-- ---- running ---------------------------------------------------------------------------

-- The params that identify a report (what a publication records to rebuild it).
local param_keys = { "node", "level", "kpi", "area", "group", "year" }

-- pmf.report.run(name, args) -> report | nil, message
function M.run(name, args)
  local entry = M.registry[name] or M.registry[(tostring(name):gsub("-", "_"))]
  if not entry then
    error("unknown report '" .. tostring(name) .. "' (" .. table.concat(M.order, ", ") .. ")", 2)
  end
  args = args or {}
  if args.framework == nil then error("report: 'framework' is required", 2) end
  if entry.needs == "kpi" and args.kpi == nil and args.node == nil then
    return nil, "the " .. entry.name .. " report is about one KPI: give its id (kpi = ID, --kpi ID)"
  end
  if entry.needs == "node" and args.node == nil then
    return nil, "the " .. entry.name .. " report is about one node of the golden thread: give its id (node = ID, --node ID)"
  end
  local ctx, err = shared.context(args)
  if not ctx then return nil, err end
  local rep, rerr = entry.fn(ctx)
  if not rep then return nil, rerr end
  rep.name = (tostring(name):gsub("-", "_"))
  rep.framework = ctx.fw.id
  rep.framework_title = ctx.fw.title
  rep.framework_hash = ctx.fw.hash
  rep.period = tostring(ctx.period)
  rep.as_of = ctx.as_of
  rep.params = { period = rep.period }
  for _, k in ipairs(param_keys) do if args[k] ~= nil then rep.params[k] = args[k] end end
  if args.rollup ~= nil then rep.params.rollup = type(args.rollup) == "string" and args.rollup or nil end
  present.cover(ctx, rep)
  rep._ctx = ctx
  return setmetatable(rep, Report)
end

for _, name in ipairs(REPORTS) do
  local r = require("pmf.report." .. name)
  register(name, r.summary, r.build, r.needs)
end
M.golden = M.golden_thread

return M
