-- lua/pmf/report/publish.lua: publishing reports (module `pmf.report.publish`; its functions
-- are pmf.report's): what blocks a publication, the output hash, recording a publication,
-- rebuilding one as of its recorded date, and writing a set of reports in every format.
--
-- Design decisions:
-- - A report is publishable when no red or amber KPI lacks commentary and its period is
--   signed off: period_blockers owns that rule and its messages, and the quarterly round
--   (pmf.returns.round) lists the same ones as the quarter's readiness.  The publication row (framework, report, params, framework
--   hash, as of, output hash, batch) is written through the store layer (pmf.store), and in
--   the root store when the report was read from an as-of view.
-- - The publication's id is on the page ("Published (publication N)"), so the row is
--   recorded first and its output hash set once the report is rendered with it.
-- - republish rebuilds from the recorded params as of the recorded date; the caller compares
--   the output hash with the recorded one.
local pmf = require "pmf"
local store = require "pmf.store"

local P = {}

-- pmf.report, loaded by the time any of these runs (it loads this file).
local function report() return require "pmf.report" end

-- What blocks publishing a framework's period: the one list both the publish gate
-- (pmf.report.blockers, pmf.report.publish) and the quarterly round's readiness
-- (pmf.returns.round, the chase report) show.  The rules, in this order:
--   1. each KPI rated a status that needs commentary (red, amber) with none written, in
--      the framework's KPI order, naming its owner;
--   2. while the period is not signed off: each figure sign-off waits for (returns were
--      issued for the period and lack it: pmf.returns.missing), then the sign-off itself.
-- A figure missing from a period already signed off (--despite) blocks nothing.
-- facts (optional) holds what the caller has read already: exceptions (the rows of
-- pmf.kpi.exceptions for fw and p), awaited (pmf.returns.missing's list).
-- Returns a list of messages (empty when publishable).
function P.period_blockers(s, fw, p, facts)
  facts = facts or {}
  local out = {}
  local rows = facts.exceptions or pmf.kpi.exceptions{ store = s, framework = fw, period = p }
  for _, r in ipairs(rows) do
    if r.commentary_required and (r.commentary == nil or r.commentary == "") then
      out[#out + 1] = string.format("%s (%s) is %s and has no commentary (owner: %s)", r.kpi,
                                    r.title or "", r.rag, r.owner or "none")
    end
  end
  if not s:is_signed_off(fw.id, p) then
    local awaited = facts.awaited or require("pmf.returns").missing(s, fw, p)
    for _, m in ipairs(awaited) do out[#out + 1] = "figure missing: " .. m end
    out[#out + 1] = string.format("%s %s is not signed off", fw.id, tostring(p))
  end
  return out
end

-- pmf.report.blockers(report) -> what blocks publishing the report's framework and period
-- (period_blockers above).
function P.blockers(rep)
  local ctx = rep._ctx
  return P.period_blockers(ctx.store, ctx.fw, ctx.period)
end

-- The output hash a publication records (to show a rebuild is byte-identical): SHA-256
-- through pmf.framework.sha256, FNV-1a 64 when that is absent.
function P.hash(s)
  local f = pmf.framework
  if f and f.sha256 then return "sha256:" .. f.sha256(s) end
  local h = -3750763034362895579     -- 0xcbf29ce484222325
  for i = 1, #s do
    h = (h ~ s:byte(i)) * 1099511628211
  end
  return string.format("fnv1a64:%016x", h)
end

-- pmf.report.publish(report, {format=, by=}) -> id, output | nil, blockers (list)
-- The report must have been built as of a fixed date (publish builds one for "now" when
-- not).  Records a publication row (framework, report, params JSON, framework_hash,
-- as_of, output_hash, batch).
function P.publish(rep, opts)
  opts = opts or {}
  local blockers = P.blockers(rep)
  if #blockers > 0 then return nil, blockers end
  local format = opts.format or "html"
  local out
  local params = {}
  for k, v in pairs(rep.params) do params[k] = v end
  params.format = format
  local s = rep._ctx.args.store or pmf.store
  if s == nil or type((s:as_of())) == "string" then s = pmf.root_store end
  s = pmf.default_store(s)
  local id = s:transaction(function()
    local b = s:batch{ kind = "publish", by = opts.by, note = rep.name }
    local pid = store.write_publication(s, b, { framework = rep.framework, report = rep.name,
      params = pmf.render.json_encode(params), framework_hash = rep.framework_hash or "",
      as_of = rep.as_of })
    rep.status = "Published (publication " .. tostring(pid) .. ")"
    out = rep:render(format)
    store.set_publication_hash(s, pid, P.hash(out))
    return pid
  end)
  return id, out
end

-- pmf.report.republish(store, id) -> report, format, publication | nil, message: rebuild a
-- published report as of its recorded date; the caller compares output_hash.
function P.republish(s, id)
  s = pmf.default_store(s)
  if type((s:as_of())) == "string" and pmf.root_store then s = pmf.root_store end
  local pub = store.publication(s, id)
  if not pub then return nil, "no publication " .. tostring(id) end
  local params = require("cjson").decode(pub.params)
  local format = params.format or "html"
  params.format = nil
  params.framework = pub.framework
  params.as_of = pub.as_of
  params.store = s
  local rep, err = report().run(pub.report, params)
  if not rep then return nil, err end
  rep.status = "Published (publication " .. tostring(pub.id) .. ")"
  return rep, format, pub
end

-- pmf.report.write_reports(reports, dir [, args]) -> paths: each report (as write_all
-- returned it, named by its `file`) in every format (args.formats: a subset); pdf when
-- Chromium is installed, all the PDFs printed together; args.force replaces files.
function P.write_reports(reps, dir, args)
  args = args or {}
  local paths, pdfs = {}, {}
  local wopts = { force = args.force }
  for _, rep in ipairs(reps) do
    if type(rep.file) ~= "string" then error("write_reports: a report without its file name", 2) end
    for _, fmt in ipairs(args.formats or pmf.render.formats) do
      local ok_fmt = (fmt ~= "xlsx" or pmf.render.has_xlsx()) and (fmt ~= "pdf" or pmf.render.chromium())
      if ok_fmt then
        local path = dir .. "/" .. rep.file .. "." .. (fmt == "text" and "txt" or fmt)
        if fmt == "pdf" then
          pdfs[#pdfs + 1] = { rep, path }
        else
          local ok, err = rep:write(path, fmt, wopts)
          if not ok then error(err, 2) end
        end
        paths[#paths + 1] = path
      end
    end
  end
  if #pdfs > 0 then
    local ok, err = pmf.render.write_pdfs(pdfs, wopts)
    if not ok then error(err, 2) end
  end
  return paths
end

-- pmf.report.write_all(store, framework_id, period, dir [, args]) -> paths, reports: the
-- scorecard, exceptions and golden-thread reports (args.reports: other names, or
-- {name, {args}, file} triples) run, each named by its file (`framework-name` unless the
-- triple names it: report.file), and written by write_reports (args.formats: a subset;
-- {} runs them and writes nothing).
function P.write_all(s, framework_id, period, dir, args)
  args = args or {}
  local reps = {}
  for _, item in ipairs(args.reports or { "scorecard", "exceptions", "golden_thread" }) do
    local name, extra, file = item, {}, nil
    if type(item) == "table" then name, extra, file = item[1], item[2] or {}, item[3] end
    local a = { store = s, framework = framework_id, period = period }
    for k, v in pairs(args) do
      if k ~= "force" and k ~= "formats" and k ~= "reports" then a[k] = v end
    end
    for k, v in pairs(extra) do a[k] = v end
    local rep = assert(report().run(name, a))
    rep.file = file or (framework_id .. "-" .. name)
    reps[#reps + 1] = rep
  end
  local ok, paths = pcall(P.write_reports, reps, dir, args)
  if not ok then error(paths, 2) end
  return paths, reps
end

return P
