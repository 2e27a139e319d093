-- lua/pmf/returns/round.lua: what the quarterly round asks of whom (module
-- `pmf.returns.round`; its functions are pmf.returns'): each owner's figures and commentary
-- due, the data-entry deadline and working days to it, and the round's state: what was
-- received, what is missing or late, and what still blocks publishing (the chase report's
-- data, and the figures sign-off waits for).  What blocks publishing is
-- pmf.report.publish's period_blockers, the publish gate's own list.
local pmf = require "pmf"
local storelib = require "pmf.store"
local framework = require "pmf.framework"
local publish = require "pmf.report.publish"

local M = {}

-- owner_label(owner) -> "Name, Role" (or the name, role or id alone); "(no owner)" for nil.
local function owner_label(o)
  if not o then return "(no owner)" end
  local who = o.name or o.role or o.id
  if o.name and o.role then who = o.name .. ", " .. o.role end
  return who
end
M.owner_label = owner_label

-- The deadline date for data entry (framework deadline "data_entry"), or nil.
function M.deadline(fw, p)
  local dl = fw.deadlines and fw.deadlines.data_entry
  return dl and p:deadline(dl.working_days) or nil, dl and dl.working_days
end

-- What is due from each owner: owner id -> {owner=, metrics = {ids}, kpis = {ids}}, in the
-- framework's declaration order; `order` lists owner ids.
function M.due(fw)
  local due, order = {}, {}
  for _, id in ipairs(fw.owner_order or {}) do
    due[id] = { owner = fw.owners[id], metrics = {}, kpis = {} }
    order[#order + 1] = id
  end
  local metric_ids = {}
  for _, id in ipairs(fw.owner_order or {}) do
    for _, m in ipairs(fw.owners[id].supplies) do metric_ids[#metric_ids + 1] = { m, id } end
  end
  for _, mi in ipairs(metric_ids) do table.insert(due[mi[2]].metrics, mi[1]) end
  for _, kid in ipairs(fw.kpi_order) do
    local o = fw.kpis[kid].owner_id
    if o and due[o] then table.insert(due[o].kpis, kid) end
  end
  return due, order
end

-- resolve(store, framework (table or id), period (Period or label)) -> fw, Period | nil, message.
local function resolve(s, fw, p)
  if type(fw) ~= "table" then
    local f, err = framework.get(s, fw)
    if not f then return nil, err or ("unknown framework '" .. tostring(fw) .. "'") end
    fw = f
  end
  if type(p) ~= "userdata" then
    local q, err = pmf.period.parse(tostring(p), fw.year_start)
    if not q then return nil, err end
    p = q
  end
  return fw, p
end
M.resolve = resolve

-- ---- the round: what is due, received, missing and late --------------------------------

-- Working days from date a to date b (positive when b is later; 0 on the same day).
local function working_days_between(a, b)
  if a == b then return 0 end
  local sign, from, to = 1, a, b
  if b < a then sign, from, to = -1, b, a end
  local n, d = 0, from
  while true do
    d = pmf.period.add_working_days(d, 1)
    if d > to then break end
    n = n + 1
  end
  return sign * n
end
M.working_days_between = working_days_between

-- awaited(round) -> the figures sign-off waits for: the round's missing figures once any
-- return workbook was issued for the period (none before).
local function awaited(res)
  return res.issued and res.missing or {}
end

-- returns.round(store, fw, period, today) -> {deadline=, owners = {...}, items = {...},
-- blockers = {...}, missing = {messages}, issued = bool}; fw a framework table, period a
-- Period, today "YYYY-MM-DD".  An item is a figure or a commentary due from an owner.
function M.round(s, fw, p, today)
  local due, order = M.due(fw)
  local deadline = M.deadline(fw, p)
  local issues = storelib.latest_issues(s, fw.id, p.start, p.len)
  local receipts = storelib.receipts(s, fw.id, p.start, p.len)
  local exc = {}
  local rated = pmf.kpi.exceptions{ store = s, framework = fw, period = p }
  for _, r in ipairs(rated) do
    if r.area == nil or r.area == fw.council then exc[r.kpi] = r end
  end
  local wd = deadline and working_days_between(today, deadline)
  local late = deadline and today > deadline
  local res = { deadline = deadline, owners = {}, items = {}, blockers = {}, missing = {},
                issued = next(issues) ~= nil, today = today }
  for _, oid in ipairs(order) do
    local d, o = due[oid], fw.owners[oid]
    local row = { owner = oid, who = owner_label(o), team = o.team, email = o.email,
                  figures_due = #d.metrics, figures_in = 0, comments_due = 0, comments_in = 0,
                  issued = issues[oid] and issues[oid].issued_at:sub(1, 10) or nil,
                  received = receipts[oid] and receipts[oid].received_at:sub(1, 10) or nil }
    local missing = {}
    for _, mid in ipairs(d.metrics) do
      local v = s:metric_id(mid) and fw.council and s:get(mid, fw.council, p)
      local item = { owner = oid, kind = "figure", item = mid, status = v and "received" or (late and "late" or "missing") }
      if v then row.figures_in = row.figures_in + 1 else missing[#missing + 1] = mid end
      res.items[#res.items + 1] = item
    end
    for _, kid in ipairs(d.kpis) do
      local e = exc[kid]
      if e then
        row.comments_due = row.comments_due + 1
        local has = e.commentary ~= nil and e.commentary ~= ""
        if has then row.comments_in = row.comments_in + 1 else missing[#missing + 1] = kid .. " commentary" end
        res.items[#res.items + 1] = { owner = oid, kind = "commentary (" .. tostring(e.rag) .. ")", item = kid,
                                      status = has and "received" or (late and "late" or "missing") }
      end
    end
    if row.figures_due + row.comments_due > 0 or issues[oid] then
      local complete = #missing == 0
      row.status = complete and "complete" or late and "late" or "outstanding"
      row.missing = table.concat(missing, ", ")
      if deadline then
        row.working_days = complete and nil or wd
        row.deadline_note = complete and "" or
          (wd >= 0 and (wd .. " working days to the deadline") or ((-wd) .. " working days past the deadline"))
      end
      res.owners[#res.owners + 1] = row
      for _, mid in ipairs(missing) do
        if not mid:match(" commentary$") then
          res.missing[#res.missing + 1] = string.format("%s (%s): %s", oid, row.who, mid)
        end
      end
    end
  end
  res.blockers = publish.period_blockers(s, fw, p, { exceptions = rated, awaited = awaited(res) })
  return res
end

-- returns.missing(store, framework id, period label) -> the figures still missing from
-- owners who were issued returns for the period (empty when none were issued): sign-off
-- refuses while there are any, unless told why.
function M.missing(s, fw, p)
  local f, q = resolve(s, fw, p)
  if not f then return {} end
  if not next(storelib.latest_issues(s, f.id, q.start, q.len)) then return {} end
  return awaited(M.round(s, f, q, pmf.period.today()))
end

return M
