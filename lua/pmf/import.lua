-- lua/pmf/import.lua: pmf.import(path, opts) and store:import(path, opts): observations,
-- targets, commentary, action updates and risk assessments.
--
-- Observations are imported in C (below).  The other kinds (see "the other importable kinds"
-- further down) are checked here, row by row from a row source (CSV through core/csv.c's
-- reader, bound as pmf.importer.rows; JSON items; an XLSX sheet can be one more source),
-- with every field's text through the same C check (pmf.importer.text_check), and written
-- through lua/pmf/store.lua (no SQL here), one transaction and one batch per file.
-- opts.kind chooses the kind (default: the CSV header, or the JSON's first item);
-- opts.skip_bad = REJECTS path refuses bad rows alone (for every kind) and writes them,
-- with their line and reason, through pmf.render's checked atomic output.
--
-- The work is done in C (core/import.c through pmf.importer): CSV is streamed, validated
-- and written in one transaction per file.  This file chooses the format, and reads JSON:
-- a JSON file is an array of objects with the long form's fields
--   [{"metric": "m", "area": "E08000027", "period": "2025-04", "value": 12.5,
--     "breakdown": "", "numerator": null, "denominator": null, "flag": "provisional",
--     "source": "..."}, ...]
-- decoded whole with cjson (so, unlike CSV, its memory grows with the file: split very
-- large JSON files, or use CSV), then fed to the same C importer row by row; messages name
-- the item ("data.json: item 17: field 'value': 'n/a' is not a number"); JSON that does not
-- parse is named by line and column ("data.json:3:14: not valid JSON: ...").
--
-- Breakdowns: where the frameworks loaded in the store declare `breakdowns` on KPIs, each
-- metric those KPIs' formulas use accepts only the keys declared (the union over its KPIs);
-- other metrics accept any well-formed key=value (core/breakdown.h has the rules).
--
-- opts: store (default pmf.store), format ("csv" | "long" | "wide" | "json"; default from
-- the extension, CSV's layout from its header), kind, skip_bad (see above), year_start (1-12
-- or a month name; April; observations only: the other kinds use their framework's),
-- dry_run, max_errors (20), source (the observations' source where a row has none), by and
-- at (who and when, for the batch), progress (a bar on stderr for a large file on a
-- terminal).
--
-- Returns the summary {kind=, rows=, new=, revised=, unchanged=, errors=0, batch=, dry_run=,
-- file=, refused= and rejects= with skip_bad} or, for a file that cannot be read or is
-- rejected (nothing written), nil, message, errors (a list of messages, errors.total = the count of all errors).  Misuse raises.
local pmf = require "pmf"
local Store = pmf.Store

local M = {}

local fields = {
  metric = true, area = true, period = true, value = true, breakdown = true,
  numerator = true, denominator = true, flag = true, source = true,
}
M.fields = fields

local formats = { csv = "auto", long = "long", wide = "wide", json = "json" }

local function C()
  local c = rawget(pmf, "importer")
  if not c then error("this pmf was built without the importer (core/limport.c)", 3) end
  return c
end

-- The metrics a KPI formula (as framework.lua normalises it) reads.
local function formula_metrics(f, out)
  if type(f) ~= "table" then return end
  if f.kind == "metric" then out[#out + 1] = f.metric
  elseif f.kind == "ratio" then out[#out + 1] = f.num; out[#out + 1] = f.den
  elseif f.kind == "diff" then out[#out + 1] = f.a; out[#out + 1] = f.b
  elseif f.kind == "custom" then for _, m in pairs(f.inputs or {}) do out[#out + 1] = m end
  end
end

-- {[metric code] = "k1,k2"}: the breakdown keys declared for each metric by the KPIs of the
-- frameworks loaded in store s.  A framework that no longer compiles declares nothing here
-- (reports say why it does not compile).
function M.declared_keys(s)
  local framework = require "pmf.framework"
  local keys = {}
  for _, row in ipairs(s:query("SELECT id FROM framework ORDER BY id")) do
    local ok, fw = pcall(framework.get, s, row.id)
    if ok and type(fw) == "table" then
      for _, kpi in pairs(fw.kpis or {}) do
        if type(kpi.breakdowns) == "table" and #kpi.breakdowns > 0 then
          local used = {}
          for _, v in ipairs(kpi.versions or {}) do formula_metrics(v.formula, used) end
          for _, m in ipairs(used) do
            local set = keys[m] or {}
            keys[m] = set
            for _, k in ipairs(kpi.breakdowns) do set[tostring(k):lower()] = true end
          end
        end
      end
    end
  end
  local out = {}
  for m, set in pairs(keys) do
    local list = {}
    for k in pairs(set) do list[#list + 1] = k end
    table.sort(list)
    out[m] = table.concat(list, ",")
  end
  return out
end

local function copts(s, opts, extra)
  local o = {
    year_start = opts.year_start, dry_run = opts.dry_run, max_errors = opts.max_errors,
    by = opts.by, at = opts.at, source = opts.source, progress = opts.progress,
    breakdown_keys = M.declared_keys(s), year_type = opts.period_type,
  }
  for k, v in pairs(extra) do o[k] = v end
  return o
end

local function reject(msg)
  return nil, msg, { msg, total = 1 }
end

-- Text from a file as a message shows it: control characters and NUL as \xNN.
local function shown(v)
  return (tostring(v):gsub("[%z\1-\31\127]", function(c) return string.format("\\x%02X", c:byte()) end))
end

-- "LINE:COL" of the byte at 1-based offset `at` in text.
local function line_col(text, at)
  at = math.max(1, math.min(at, #text + 1))
  local line, start = 1, 1
  for nl in text:sub(1, at - 1):gmatch("()\n") do
    line = line + 1
    start = nl + 1
  end
  return line, at - start + 1
end

local function import_json(s, path, opts, data)
  local cjson = require "cjson.safe"
  local imp, berr = C().begin(s, path, copts(s, opts, { items = true, skip_bad = opts.skip_bad and true }))
  if not imp then return nil, berr, { berr, total = 1 } end
  local rejects = {}
  local order = { "metric", "area", "period", "value", "breakdown", "numerator", "denominator",
                  "flag", "source" }
  local function raw_of(item)
    local raw = {}
    for i, k in ipairs(order) do
      local v = type(item) == "table" and item[k]
      raw[i] = type(v) == "number" and string.format("%.15g", v) or type(v) == "string" and v or ""
    end
    return raw
  end
  -- An item that is not even a row: an error of the file, or (skip_bad) refused alone.
  local function bad_item(i, item, msg)
    if opts.skip_bad then
      rejects[#rejects + 1] = { line = i, fields = raw_of(item),
                                reason = string.format("%s: item %d: %s", path, i, msg) }
    else
      imp:fail(i, msg)
    end
  end
  local ok, a, b, c = pcall(function()
    for i, item in ipairs(data) do
      if type(item) ~= "table" or (next(item) ~= nil and #item > 0) then
        bad_item(i, item, "not an object")
      else
        local good = true
        for k, v in pairs(item) do
          if not fields[k] then
            bad_item(i, item, "unknown field '" .. shown(k) .. "' (metric, area, period, value, " ..
                     "breakdown, numerator, denominator, flag, source)")
            good = false
            if opts.skip_bad then break end
          elseif type(v) ~= "string" and type(v) ~= "number" and v ~= cjson.null then
            bad_item(i, item, "field '" .. k .. "' must be a string or a number, not a " .. type(v))
            good = false
            if opts.skip_bad then break end
          end
        end
        if good then
          local rok, why = imp:row(i, item)
          if not rok and opts.skip_bad then
            rejects[#rejects + 1] = { line = i, fields = raw_of(item), reason = why or "refused" }
          end
        end
      end
    end
    return imp:finish()
  end)
  if not ok then
    imp:close()
    error(a, 0)
  end
  if a then
    a.file = path
    a.rows = a.rows + #rejects - (a.refused or 0)   -- the items refused here never reached C
    a.rejects = rejects
    a.refused = #rejects
    a.header = order
  end
  return a, b, c
end

-- ---- the other importable kinds: targets, commentary, actions, risks ---------------------
--
-- A kind is its columns and a check.  The rows come from a row source (CSV through the C
-- reader, JSON items; an XLSX sheet is meant to be one more source): a source is
-- {name=, items=bool, header={names}|nil, next=function() -> line, rec, raw}, rec mapping
-- the kind's column names to the strings given, raw the row as given (for the rejects
-- file).  The per-kind check, the duplicate check, the comparison with the row known now
-- and the write (lua/pmf/store.lua) know nothing of the source.  The duplicate check keeps
-- one key per good row in memory: these files are a few thousand rows, not millions.

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

local function is_date(v)
  local y, m, d = v:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return false end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 then return false end
  local mdays = { 31, (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 29 or 28,
                  31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  return d <= mdays[m]
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
  local p, err = pmf.period.parse(label, c.year_start)
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

-- Raised inside the transaction to roll it back (the store's handler adds a traceback, so it
-- is found by this text).
local ROLLBACK = "pmf.import: rolled back (errors or a dry run)"

-- Import the rows of source `src` as `kind`.  Returns as M.import.
local function import_rows(s, kind, src, opts)
  local max = opts.max_errors or 20
  local ctx = { s = s, fws = {} }
  local msgs, total = {}, 0
  local sum = { kind = kind, rows = 0, new = 0, revised = 0, unchanged = 0, errors = 0,
                refused = 0, dry_run = opts.dry_run and true or false, rejects = {} }
  local function where(line, col)
    if src.single then return src.name .. ": " .. (col and ("--" .. col .. ": ") or "") end
    if line == 0 then return src.name .. ": " end
    if src.items then
      return string.format("%s: item %d: ", src.name, line) .. (col and ("field '" .. col .. "': ") or "")
    end
    if col then return string.format("%s:%d:%d: column '%s': ", src.name, line, src.colno[col], col) end
    return string.format("%s:%d: ", src.name, line)
  end
  local function file_error(msg)
    total = total + 1
    if #msgs < max then msgs[#msgs + 1] = msg end
  end
  -- A bad row: refused alone (skip_bad) or an error of the file.
  local function bad_row(line, raw, msg)
    if opts.skip_bad then
      sum.refused = sum.refused + 1
      sum.rejects[#sum.rejects + 1] = { line = line, fields = raw, reason = msg }
    else
      file_error(msg)
    end
  end
  local check = checks[kind]
  local seen = {}
  local function run()
    local b = s:batch{ kind = "import", by = opts.by, at = opts.at, source = src.name, note = kind }
    while true do
      local rok, line, rec, raw = pcall(src.next)
      if not rok then            -- the row source's own error (bad CSV), naming the file
        file_error((tostring(line):gsub("^[^\n]-: ([^\n]-:%d+)", "%1")))
        break
      end
      if not line then break end
      sum.rows = sum.rows + 1
      local msg
      if type(rec) == "string" then msg = where(line) .. rec
      else
        -- every field's text first: UTF-8 without NUL (core/breakdown.h's check)
        for _, col in ipairs(src.columns) do
          local v = rec[col]
          if v ~= nil then
            local at, why = C().text_check(v)
            if at then
              msg = where(line, col) .. string.format("'%s' contains %s (byte %d)", shown_text(v), why, at)
              break
            end
          end
        end
      end
      local row
      if not msg then
        local col, m
        row, col, m = check(ctx, rec)
        if not row then msg = where(line, col) .. m end
      end
      if not msg then
        local first = seen[row.key]
        if first then
          msg = where(line) .. string.format("duplicate: the %s is also on %s %d (a key may appear once in a file; the later row is the one refused)",
                                              row.what, src.items and "item" or "line", first)
        end
      end
      if msg then bad_row(line, raw, msg)
      else
        seen[row.key] = line
        local cur = row.current()
        if cur and row.same(cur) then sum.unchanged = sum.unchanged + 1
        else
          if cur then sum.revised = sum.revised + 1 else sum.new = sum.new + 1 end
          row.write(b)
        end
      end
    end
    if total > 0 or opts.dry_run then error(ROLLBACK, 0) end
    local audit = require("pmf.store").audit
    audit(s, b, "import", string.format("%s: %s: %d rows, %d new, %d revised, %d unchanged%s",
                                        src.name, kind, sum.rows, sum.new, sum.revised, sum.unchanged,
                                        sum.refused > 0 and (", " .. sum.refused .. " refused (--skip-bad)") or ""))
    return b
  end
  local ok, b = pcall(s.transaction, s, run)
  if src.close then src.close() end
  if not ok and not tostring(b):find(ROLLBACK, 1, true) then error(b, 0) end
  if total > 0 then
    local first = msgs[1]
    if total > 1 then first = string.format("%s (%d errors; the file was not imported)", first, total) end
    msgs.total = total
    return nil, first, msgs
  end
  if ok then sum.batch = b end
  sum.file = src.name
  sum.header = src.header
  return sum
end

-- A row source over a grid (CSV): the header is read first; a header that is not the kind's
-- is an error of the file (returned as nil, message, errors).
--
-- M.grid_source(name, rows, kind) makes such a source of any grid of text: rows is
-- {next = function(self) -> line, {field, ...} | nil (raises "NAME:LINE: ..." when
-- unreadable), close = function(self)}, its first row the header.  The CSV reader is one;
-- an XLSX sheet's reader can be another, and then feeds the same checks.
function M.grid_source(name, rows, kind)
  local ok, line, header = pcall(rows.next, rows)
  if not ok then rows:close(); return nil, line end
  if not line then rows:close(); return nil, name .. ": the file is empty (a header row is needed)" end
  local k = KINDS[kind]
  local allowed, colno, problems, index = {}, {}, {}, {}
  for _, c in ipairs(columns_of(kind)) do allowed[c] = true end
  for i, h in ipairs(header) do
    local n = h:lower():match("^%s*(.-)%s*$")
    if i == 1 then n = n:gsub("^\239\187\191", "") end
    local at, why = C().text_check(h)
    if at then
      problems[#problems + 1] = string.format("%s:%d:%d: column name '%s' contains %s (byte %d)",
                                              name, line, i, shown_text(h), why, at)
    elseif not allowed[n] then
      problems[#problems + 1] = string.format("%s:%d:%d: unknown column '%s' for %s (expected %s)",
                                              name, line, i, shown_text(h), kind,
                                              table.concat(columns_of(kind), ", "))
    elseif colno[n] then
      problems[#problems + 1] = string.format("%s:%d:%d: column '%s' appears twice", name, line, i, n)
    else
      colno[n] = i
      index[i] = n
    end
  end
  local missing = {}
  for _, c in ipairs(k.required) do if not colno[c] then missing[#missing + 1] = "'" .. c .. "'" end end
  if #missing > 0 then
    problems[#problems + 1] = string.format("%s:%d: missing column%s %s for %s", name, line,
                                            #missing > 1 and "s" or "", table.concat(missing, ", "), kind)
  end
  if #problems > 0 then
    rows:close()
    problems.total = #problems
    return nil, problems[1], problems
  end
  local cols = {}
  for i = 1, #header do if index[i] then cols[#cols + 1] = index[i] end end
  local nh = #header
  return {
    name = name, header = header, colno = colno, columns = cols,
    next = function()
      local l, f = rows:next()
      if not l then return nil end
      if #f ~= nh then
        return l, string.format("%d field%s where the header has %d", #f, #f == 1 and "" or "s", nh), f
      end
      local rec = {}
      for i, v in ipairs(f) do if index[i] then rec[index[i]] = v end end
      return l, rec, f
    end,
    close = function() rows:close() end,
  }
end

-- M.import_grid(store, name, rows, kind, opts) -> as M.import: the rows of any grid (see
-- grid_source) as `kind`, with the same checks, transaction and batch as a CSV file.
function M.import_grid(s, name, rows, kind, opts)
  if not KINDS[kind] then error("import_grid: kind must be targets, commentary, actions or risks", 2) end
  local src, msg, errs = M.grid_source(name, rows, kind)
  if not src then return nil, msg, errs or { msg, total = 1 } end
  return import_rows(s, kind, src, opts or {})
end

local function csv_source(path, kind)
  local rows, err = C().rows(path)
  if not rows then return nil, err end
  return M.grid_source(path == "-" and "<stdin>" or path, rows, kind)
end

-- A JSON row source over decoded items (a list of objects with the kind's fields).
local function json_source(path, kind, data)
  local cjson = require "cjson.safe"
  local cols, allowed = columns_of(kind), {}
  for _, c in ipairs(cols) do allowed[c] = true end
  local i = 0
  return {
    name = path, items = true, header = cols, columns = cols,
    next = function()
      i = i + 1
      local item = data[i]
      if item == nil then return nil end
      local raw = {}
      if type(item) ~= "table" or (next(item) ~= nil and #item > 0) then
        return i, "not an object", raw
      end
      for n, c in ipairs(cols) do
        local v = item[c]
        raw[n] = type(v) == "number" and string.format("%.15g", v) or type(v) == "string" and v or ""
      end
      local rec = {}
      for k, v in pairs(item) do
        if not allowed[k] then
          return i, "unknown field '" .. shown_text(k) .. "' for " .. kind .. " (" ..
                    table.concat(cols, ", ") .. ")", raw
        elseif type(v) == "number" then rec[k] = math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
        elseif type(v) == "string" then rec[k] = v
        elseif v ~= cjson.null then
          return i, "field '" .. k .. "' must be a string or a number, not a " .. type(v), raw
        end
      end
      return i, rec, raw
    end,
  }
end

-- Read and decode a JSON file: data | nil, message, errors.
local function read_json(path)
  local f, err = io.open(path, "rb")
  if not f then return reject(err) end
  local text = f:read("a")
  f:close()
  local cjson = require "cjson.safe"
  local data, derr = cjson.decode(text)
  if data == nil then
    derr = tostring(derr)
    local at = tonumber(derr:match("at character (%d+)"))
    if at then
      local line, col = line_col(text, at)
      return reject(string.format("%s:%d:%d: not valid JSON: %s", path, line, col,
                                  (derr:gsub(" at character %d+", ""))))
    end
    return reject(path .. ": not valid JSON: " .. derr)
  end
  if type(data) ~= "table" or (next(data) ~= nil and #data == 0) then
    return reject(path .. ": expected a JSON array of objects")
  end
  return data
end

-- The header of a CSV file (for --kind auto), or nil when it cannot be peeked (stdin).
local function peek_header(path)
  if path == "-" then return nil end
  local rows = C().rows(path)
  if not rows then return nil end
  local ok, _, header = pcall(rows.next, rows)
  rows:close()
  return ok and header or nil
end

-- M.import_one(store, kind, rec, opts) -> summary | nil, message, errors: one row given as
-- {column = "text"} (the CLI's single case, `pmf comment`), checked and written exactly as
-- a file's row would be; messages name the option ("pmf comment: --kpi: ...").
function M.import_one(s, kind, rec, opts)
  if not KINDS[kind] then error("import_one: unknown kind '" .. tostring(kind) .. "'", 2) end
  opts = opts or {}
  local done = false
  local src = {
    name = opts.name or ("pmf " .. kind), single = true, columns = columns_of(kind),
    next = function()
      if done then return nil end
      done = true
      return 1, rec, {}
    end,
  }
  return import_rows(s, kind, src, { by = opts.by, at = opts.at, dry_run = opts.dry_run })
end

-- A CSV field quoted when it must be.
local function csv_field(v)
  v = tostring(v)
  if v:find('[,"\r\n]') or v:match("^%s") or v:match("%s$") then
    return '"' .. v:gsub('"', '""') .. '"'
  end
  return v
end

-- The rejects file's bytes: the header as given plus line and reason, then every refused row
-- as given (a row shorter than the header padded with empty fields).
function M.rejects_csv(header, rejects)
  local out = {}
  local h = {}
  for i, v in ipairs(header or {}) do h[i] = csv_field(v) end
  h[#h + 1] = "line"
  h[#h + 1] = "reason"
  out[1] = table.concat(h, ",")
  local n = #(header or {})
  for _, r in ipairs(rejects) do
    local f = {}
    for i = 1, math.max(n, #r.fields) do f[i] = csv_field(r.fields[i] or "") end
    f[#f + 1] = tostring(r.line)
    f[#f + 1] = csv_field(r.reason)
    out[#out + 1] = table.concat(f, ",")
  end
  return table.concat(out, "\n") .. "\n"
end

-- M.import(store, path, opts) -> summary | nil, message, errors.  opts.kind: observations,
-- targets, commentary, actions or risks (default: from the header, or the JSON's first
-- item); opts.skip_bad = REJECTS path: bad rows are refused alone and written there.
function M.import(s, path, opts)
  opts = opts or {}
  if type(path) ~= "string" then error("import: a file path expected", 2) end
  if type(opts) ~= "table" then error("import: options must be a table", 2) end
  local format = opts.format
  if format == nil then
    format = path:lower():match("%.json$") and "json" or path:lower():match("%.xlsx$") and "xlsx" or "csv"
  end
  if opts.recipe or opts.metric or opts.map or opts.missing or opts.sheet or format == "xlsx" then
    return M.import_recipe(s, path, opts, format)
  end
  if not formats[format] then
    error("import: format must be csv, long, wide or json, not '" .. tostring(format) .. "'", 2)
  end
  local kind = opts.kind
  if kind ~= nil and kind ~= "observations" and not KINDS[kind] then
    error("import: kind must be " .. table.concat(KIND_NAMES, ", ") .. ", not '" .. tostring(kind) .. "'", 2)
  end
  if opts.skip_bad ~= nil and (type(opts.skip_bad) ~= "string" or opts.skip_bad == "") then
    error("import: skip_bad must be the path of the rejects file", 2)
  end
  if opts.skip_bad and opts.skip_bad == path then
    return reject(path .. ": the rejects file cannot be the file being imported")
  end
  local data, header
  if format == "json" then
    local d, msg, errs = read_json(path)
    if not d then return nil, msg, errs end
    data = d
    if not kind then
      local keys = {}
      if type(data[1]) == "table" then for k in pairs(data[1]) do keys[#keys + 1] = tostring(k) end end
      kind = M.detect(keys)
    end
  else
    header = peek_header(path)
    kind = kind or (header and M.detect(header)) or "observations"
  end
  if kind ~= "observations" and (format == "long" or format == "wide") then
    error("import: format " .. format .. " is for observations; " .. kind .. " are csv or json", 2)
  end
  local render = require "pmf.render"
  local function rejects_header(r)
    if kind == "observations" then
      return r.header and #r.header > 0 and r.header or
             { "metric", "area", "period", "value", "breakdown", "numerator", "denominator", "flag", "source" }
    end
    return r.header or header or columns_of(kind)
  end
  -- The rejects file goes through the reports' checked, atomic output: never the store; an
  -- existing file only when it is an earlier rejects file (its header ends line,reason).
  local wopts = { store = s }
  if opts.skip_bad then
    local f = io.open(opts.skip_bad, "rb")
    local first = f and f:read("l")
    if f then f:close() end
    if first and first:match(",line,reason\r?$") then wopts.force = true end
  end
  local function rejects_err(err)
    return (tostring(err):gsub(" %(%-%-force replaces it%)$", ": give the rejects file a new name"))
  end
  if opts.skip_bad then                -- can the rejects file be written?  Asked before importing.
    local ok, err = render.check_output(opts.skip_bad, "csv", M.rejects_csv(header or columns_of(
      kind ~= "observations" and kind or "targets"), {}), wopts)
    if not ok then return reject(rejects_err(err)) end
  end
  local r, msg, errs
  if kind == "observations" then
    if format == "json" then r, msg, errs = import_json(s, path, opts, data)
    else
      r, msg, errs = C().csv(s, path, copts(s, opts, { layout = formats[format],
                                                       skip_bad = opts.skip_bad and true }))
      if r then r.file = path end
    end
    if r then r.kind = "observations" end
  else
    local src
    if format == "json" then src = json_source(path, kind, data)
    else
      src, msg, errs = csv_source(path, kind)
      if not src then return nil, msg, errs or { msg, total = 1 } end
    end
    r, msg, errs = import_rows(s, kind, src, opts)
  end
  if not r then return nil, msg, errs end
  if opts.skip_bad then
    local ok, err = render.write_data(opts.skip_bad, M.rejects_csv(rejects_header(r), r.rejects or {}),
                                      "csv", wopts)
    if not ok then r.rejects_error = rejects_err(err) end
    r.rejects_file = opts.skip_bad
  end
  return r
end

-- The header of an xlsx sheet (for flags-only recipes), or nil.
local function xlsx_header(path, spec)
  local x = rawget(pmf, "xlsxread")
  if not x then return nil end
  local r = x.open(path, { sheet = spec.sheet, range = spec.range })
  if not r then return nil end
  local header
  for row in r:rows() do header = row break end
  r:close()
  return header
end

-- M.import_recipe(store, path, opts, format) -> as M.import: observations read through a
-- recipe (opts.recipe: a checked spec from pmf.recipe, or nil for a plain xlsx sheet);
-- opts.metric/map/missing/period_type/sheet add to it (the CLI's flags).  The summary
-- gains skipped (rows or figures skipped by a declared rule) and skipped_by (per reason).
function M.import_recipe(s, path, opts, format)
  local R = require "pmf.recipe"
  local spec = opts.recipe
  if type(spec) == "string" then
    local p, err = R.find(spec)
    if not p then return reject(err) end
    local sp, rerr = R.read(p)
    if not sp then return reject(rerr) end
    spec = sp
  end
  local flags = opts.metric or opts.map or opts.missing or opts.period_type or opts.sheet
  local plain = spec == nil
  if flags or plain then   -- the flags add to the recipe (a fresh spec, read for this import)
    local sp, err = R.from_flags(opts, spec)
    if not sp then return reject(err) end
    spec = sp
    if plain then
      local header = (spec.format or format) == "xlsx" and xlsx_header(path, spec) or peek_header(path)
      R.default_columns(spec, header)
    end
  end
  local fmt = opts.format == "xlsx" and "xlsx" or spec.format or format
  if fmt ~= "xlsx" and fmt ~= "csv" then fmt = "csv" end
  local co = copts(s, opts, { skip_bad = opts.skip_bad and true, recipe = R.compile(spec),
                              sheet = spec.sheet, range = spec.range,
                              year_type = opts.period_type or spec.year_type })
  local r, msg, errs
  if fmt == "xlsx" then r, msg, errs = C().xlsx(s, path, co)
  else r, msg, errs = C().csv(s, path, co) end
  if not r then return nil, msg, errs end
  r.file, r.kind, r.recipe = path, "observations", spec.title or spec.name
  if opts.skip_bad then
    local render = require "pmf.render"
    local ok, err = render.write_data(opts.skip_bad, M.rejects_csv(r.header or {}, r.rejects or {}),
                                      "csv", { store = s })
    if not ok then r.rejects_error = tostring(err) end
    r.rejects_file = opts.skip_bad
  end
  return r
end

-- pmf.import(path, opts): into opts.store or the default store.
function pmf.import(path, opts)
  local s = pmf.default_store(opts and opts.store)
  return M.import(s, path, opts)
end

-- store:import(path, opts)
function Store:import(path, opts)
  return M.import(self, path, opts)
end

-- A one-line summary: "data.csv: 1200 rows: 1000 new, 150 revised, 50 unchanged (batch 7)";
-- other kinds name theirs ("targets.csv: 12 targets: ..."); with --skip-bad, "N imported,
-- N refused (see REJECTS.csv)".
local SKIP_WORDS = { rule = "by skip_rows", missing = "missing values",
                     not_applicable = "not applicable", area_kind = "areas of a skipped kind",
                     measure = "unmapped measures", row_function = "by the row function" }
function M.describe(r)
  local noun = r.kind and KINDS[r.kind] and KINDS[r.kind].noun or "rows"
  if noun ~= "rows" and r.rows == 1 then noun = noun:sub(1, -2) end
  local counts = string.format("%d new, %d revised, %d unchanged", r.new, r.revised, r.unchanged)
  if r.rejects_file then
    counts = string.format("%d imported (%s), %d refused (see %s)", r.new + r.revised + r.unchanged,
                           counts, r.refused or 0, r.rejects_file)
  end
  if r.skipped and r.skipped > 0 then
    local parts = {}
    for _, k in ipairs({ "rule", "missing", "not_applicable", "area_kind", "measure", "row_function" }) do
      local n = r.skipped_by and r.skipped_by[k] or 0
      if n > 0 then parts[#parts + 1] = string.format("%d %s", n, SKIP_WORDS[k]) end
    end
    counts = counts .. string.format("; %d skipped as the recipe declares (%s)", r.skipped,
                                     table.concat(parts, ", "))
  end
  return string.format("%s: %d %s: %s%s", r.file or "import", r.rows, noun, counts,
                       r.dry_run and " (dry run: nothing written)" or
                       (r.batch and (" (batch " .. r.batch .. ")") or ""))
end

return M
