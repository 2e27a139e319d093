-- lua/pmf/import_kinds.lua: the importable kinds other than observations (targets,
-- commentary, action updates, risk assessments): each kind's columns and its check of one
-- row (lua/pmf/import.lua and lua/pmf/import_rows.lua use them; pmf.import re-exports
-- kinds and detect).
--
-- A kind is its columns and a check.  The rows come from a row source (CSV through the C
-- reader, JSON items, an XLSX sheet): a source is
-- {name=, items=bool, header={names}|nil, next=function() -> line, rec, raw}, rec mapping
-- the kind's column names to the strings given, raw the row as given (for the rejects
-- file).  The per-kind check, the duplicate check, the comparison with the row known now
-- and the write (lua/pmf/store/) know nothing of the source.  The duplicate check keeps
-- one key per good row in memory: these files are a few thousand rows, not millions.
local pmf = require "pmf"

local M = {}

local function C()
  local c = rawget(pmf, "importer")
  if not c then error("this pmf was built without the importer (core/limport.c)", 3) end
  return c
end

local KINDS = {
  targets = { required = { "framework", "kpi", "area", "period", "value" },
              optional = { "note" }, noun = "targets" },
  commentary = { required = { "framework", "kpi", "period", "text" },
                 optional = { "author", "area" }, noun = "comments" },
  actions = { required = { "framework", "action", "status", "date" },
              optional = { "progress", "note", "milestone" }, noun = "action updates" },
  risks = { required = { "framework", "risk", "likelihood", "impact", "date" },
            optional = { "note" }, noun = "risk assessments" },
}
M.kinds = KINDS
local KIND_NAMES = { "observations", "targets", "commentary", "actions", "risks" }

-- The kind a header (a list of names, any case) is: observations unless it names a
-- framework (then an action, a risk, a text or a KPI decide).
function M.detect(names)
  local set = {}
  for _, n in ipairs(names) do set[tostring(n):lower():match("^%s*(.-)%s*$")] = true end
  if set.framework and not set.metric then
    if set.action then return "actions" end
    if set.risk then return "risks" end
    if set.text then return "commentary" end
    if set.kpi then return "targets" end
  end
  return "observations"
end

local function columns_of(kind)
  local k, out = KINDS[kind], {}
  for _, c in ipairs(k.required) do out[#out + 1] = c end
  for _, c in ipairs(k.optional) do out[#out + 1] = c end
  return out
end

-- Text from a file as a message shows it: control characters, NUL and bytes that are not
-- UTF-8 as \xNN (the C importer's rule), whole.
local function shown_text(v)
  v = tostring(v)
  local out, i = {}, 1
  while i <= #v do
    local at = C().text_check(v:sub(i))
    local good = at and v:sub(i, i + at - 2) or v:sub(i)
    out[#out + 1] = (good:gsub("[%z\1-\31\127]", function(c) return string.format("\\x%02X", c:byte()) end))
    if not at then break end
    local bad = v:byte(i + at - 1)
    if bad == 0 then out[#out + 1] = "\\x00" else out[#out + 1] = string.format("\\x%02X", bad) end
    i = i + at
  end
  return table.concat(out)
end

local function trim(v) return v and v:match("^%s*(.-)%s*$") end
local function blank(v) return v == nil or v:match("^%s*$") ~= nil end

-- A number as a file gives it: decimal only (no hex, inf or nan), spaces around allowed.
local function number(v)
  v = trim(v)
  if not v:match("^[+-]?%d*%.?%d*[eE]?[+-]?%d*$") or not v:match("%d") then return nil end
  local n = tonumber(v)
  if not n or n ~= n or n == math.huge or n == -math.huge then return nil end
  return n
end

-- A date as the one calendar reads it (core/calendar.c, through pmf.period.day_number).
local function is_date(v)
  return pmf.period.day_number(v) ~= nil
end

-- The framework of a row (cached per id): fw | nil, message.
local function framework_of(ctx, id)
  local c = ctx.fws[id]
  if c == nil then
    local framework = require "pmf.framework"
    local store = require "pmf.store"
    local ok, fw, err = pcall(framework.get, ctx.s, id)
    if ok and fw then
      local locks = store.framework_locks(ctx.s, id)
      c = { fw = fw, year_start = store.framework_year_start(ctx.s, id) or fw.year_start or 4,
            locks = locks }
    elseif ok and not store.framework_year_start(ctx.s, id) then
      c = { err = "unknown framework '" .. shown_text(id) .. "' (load it with `pmf load FILE`)" }
    else
      c = { err = "framework '" .. shown_text(id) .. "' cannot be read: " ..
                  tostring(ok and err or fw):match("^[^\n]*") }
    end
    ctx.fws[id] = c
  end
  return c
end

-- The checks each kind shares.  Each returns the value, or nil, column, message.
local function need_framework(ctx, rec)
  local id = trim(rec.framework)
  if blank(id) then return nil, "framework", "a framework is required" end
  local c = framework_of(ctx, id)
  if c.err then return nil, "framework", c.err end
  return c, id
end

local function need_period(ctx, c, rec, signed)
  local label = trim(rec.period)
  if blank(label) then return nil, "period", "a period is required" end
  local p, err
  if ctx.year_type then   -- declared (--period-type): labels such as "Q1 2025" read by it
    p, err = pmf.period.parse(label, { year_start = c.year_start, year_type = ctx.year_type })
  else
    p, err = pmf.period.parse(label, c.year_start)
    if not p and tostring(err):find("declare the year type", 1, true) then
      err = err .. " (--period-type financial, academic or calendar)"
    end
  end
  if not p then return nil, "period", err end
  if signed then
    for _, l in ipairs(c.locks) do
      if p.start < l.start + l.len and l.start < p.start + p.len then
        return nil, "period", string.format("%s is signed off by framework %s (%s): reopen it " ..
                    "first (`pmf reopen`)", tostring(p), c.fw.id, tostring(pmf.period.span(l.start, l.len)))
      end
    end
  end
  return p
end

local function need_area(ctx, rec, required)
  local code = trim(rec.area)
  if blank(code) then
    if required then return nil, "area", "an area is required" end
    return false
  end
  local id = ctx.s:area_id(code)
  if not id then return nil, "area", "unknown area '" .. shown_text(code) .. "'" end
  return id, code
end

local function need_date(rec)
  local d = trim(rec.date)
  if blank(d) then return nil, "date", "a date is required (YYYY-MM-DD)" end
  if not is_date(d) then return nil, "date", "'" .. shown_text(d) .. "' is not a date YYYY-MM-DD" end
  return d
end

local function opt_text(rec, col)
  local v = rec[col]
  if blank(v) then return nil end
  return v
end

local same_num = function(a, b) return a == b or (a ~= nil and b ~= nil and math.abs(a - b) <= 1e-9 * math.max(1, math.abs(a))) end

-- Per kind: check(ctx, rec) -> row | nil, column, message.  row = {key=, what=, current=fn,
-- same=fn(cur), write=fn(b)}.
local checks = {}

function checks.targets(ctx, rec)
  local c, fwid, fmsg = need_framework(ctx, rec)
  if not c then return nil, fwid, fmsg end
  local kpi = trim(rec.kpi)
  if blank(kpi) then return nil, "kpi", "a KPI is required" end
  if not c.fw.kpis[kpi] then
    return nil, "kpi", "framework " .. fwid .. " has no KPI '" .. shown_text(kpi) .. "'"
  end
  local aid, code, amsg = need_area(ctx, rec, true)
  if not aid then return nil, code, amsg end
  local p, col, msg = need_period(ctx, c, rec, true)
  if not p then return nil, col, msg end
  if blank(rec.value) then return nil, "value", "a value is required" end
  local v = number(rec.value)
  if not v then return nil, "value", "'" .. shown_text(rec.value) .. "' is not a number" end
  local note = opt_text(rec, "note")
  local store = require "pmf.store"
  return {
    key = table.concat({ fwid, kpi, aid, p.start, p.len }, "\0"),
    what = string.format("target for %s %s, area %s, period %s", fwid, kpi, code, tostring(p)),
    current = function() return store.current_target(ctx.s, fwid, kpi, aid, p.start, p.len) end,
    same = function(cur) return same_num(cur.value, v) and cur.note == note end,
    write = function(b) store.write_target(ctx.s, b, fwid, kpi, aid, p.start, p.len, v, note) end,
  }
end

function checks.commentary(ctx, rec)
  local c, fwid, fmsg = need_framework(ctx, rec)
  if not c then return nil, fwid, fmsg end
  local kpi = trim(rec.kpi)
  if blank(kpi) then return nil, "kpi", "a KPI is required" end
  if not c.fw.kpis[kpi] then
    return nil, "kpi", "framework " .. fwid .. " has no KPI '" .. shown_text(kpi) .. "'"
  end
  local p, col, msg = need_period(ctx, c, rec, true)
  if not p then return nil, col, msg end
  local aid, code, amsg = need_area(ctx, rec, false)
  if aid == nil then return nil, code, amsg end
  aid = aid or nil
  if blank(rec.text) then return nil, "text", "the commentary text is required" end
  local text, author = rec.text, opt_text(rec, "author")
  local store = require "pmf.store"
  return {
    key = table.concat({ fwid, kpi, aid or "", p.start, p.len }, "\0"),
    what = string.format("commentary for %s %s, period %s%s", fwid, kpi, tostring(p),
                         code and (", area " .. code) or ""),
    current = function() return store.current_comment(ctx.s, fwid, kpi, aid, p.start, p.len) end,
    same = function(cur) return cur.text == text and cur.author == author end,
    write = function(b) store.write_comment(ctx.s, b, fwid, kpi, aid, p.start, p.len, text, author) end,
  }
end

function checks.actions(ctx, rec)
  local c, fwid, fmsg = need_framework(ctx, rec)
  if not c then return nil, fwid, fmsg end
  local id = trim(rec.action)
  if blank(id) then return nil, "action", "an action is required" end
  local action = c.fw.actions[id]
  if not action then
    return nil, "action", "framework " .. fwid .. " has no action '" .. shown_text(id) .. "'"
  end
  -- A milestone update is stored as the action "ACTION#N" (N its number in the action's list).
  local key = id
  if not blank(rec.milestone) then
    local m = trim(rec.milestone)
    local list, n = action.milestones or {}, math.tointeger(tonumber(m))
    if not (n and list[n]) then
      n = nil
      for i, ms in ipairs(list) do if ms.title == m then n = i end end
    end
    if not n then
      return nil, "milestone", "action " .. id .. " has no milestone '" .. shown_text(m) ..
             "' (give its number 1-" .. #list .. " or its title)"
    end
    key = id .. "#" .. n
  end
  local status = trim(rec.status or ""):lower()
  local store = require "pmf.store"
  if blank(status) then return nil, "status", "a status is required" end
  if not store.action_statuses[status] then
    return nil, "status", "'" .. shown_text(rec.status) .. "' is not a status (not_started, " ..
           "on_track, at_risk, off_track, complete, cancelled, deferred)"
  end
  local progress
  if not blank(rec.progress) then
    progress = number(tostring(rec.progress):gsub("%%%s*$", ""))
    if not progress or progress < 0 or progress > 100 then
      return nil, "progress", "'" .. shown_text(rec.progress) .. "' is not a percentage 0-100"
    end
  end
  local date, dcol, dmsg = need_date(rec)
  if not date then return nil, dcol, dmsg end
  local note = opt_text(rec, "note")
  return {
    key = table.concat({ fwid, key, date }, "\0"),
    what = string.format("update of %s %s on %s", fwid, key, date),
    current = function() return store.current_action(ctx.s, fwid, key, date) end,
    same = function(cur) return cur.status == status and same_num(cur.progress, progress)
                                and cur.note == note end,
    write = function(b) store.write_action(ctx.s, b, fwid, key, status, progress, date, note) end,
  }
end

function checks.risks(ctx, rec)
  local c, fwid, fmsg = need_framework(ctx, rec)
  if not c then return nil, fwid, fmsg end
  local id = trim(rec.risk)
  if blank(id) then return nil, "risk", "a risk is required" end
  if not c.fw.risks[id] then
    return nil, "risk", "framework " .. fwid .. " has no risk '" .. shown_text(id) .. "'"
  end
  local score = {}
  for _, col in ipairs({ "likelihood", "impact" }) do
    local n = not blank(rec[col]) and math.tointeger(number(rec[col]))
    if not n or n < 1 or n > 5 then
      return nil, col, "'" .. shown_text(rec[col] or "") .. "' is not a whole number 1-5"
    end
    score[col] = n
  end
  local date, dcol, dmsg = need_date(rec)
  if not date then return nil, dcol, dmsg end
  local note = opt_text(rec, "note")
  local store = require "pmf.store"
  return {
    key = table.concat({ fwid, id, date }, "\0"),
    what = string.format("assessment of %s %s on %s", fwid, id, date),
    current = function() return store.current_risk(ctx.s, fwid, id, date) end,
    same = function(cur) return cur.likelihood == score.likelihood and cur.impact == score.impact
                                and cur.note == note end,
    write = function(b) store.write_risk(ctx.s, b, fwid, id, score.likelihood, score.impact, date, note) end,
  }
end

M.importer = C   -- pmf.importer (the C binding), or an error when pmf was built without it
M.names = KIND_NAMES
M.columns_of = columns_of
M.shown_text = shown_text
M.checks = checks

return M
