-- lua/pmf/import.lua: pmf.import(path, opts) and store:import(path, opts).
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
-- the extension, CSV's layout from its header), year_start (1-12 or a month name; April),
-- dry_run, max_errors (20), source (the observations' source where a row has none), by and
-- at (who and when, for the batch), progress (a bar on stderr for a large file on a
-- terminal).
--
-- Returns the summary {rows=, new=, revised=, unchanged=, errors=0, batch=, dry_run=,
-- file=} or, for a file that cannot be read or is rejected (nothing written), nil, message,
-- errors (a list of messages, errors.total = the count of all errors).  Misuse raises.
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
    breakdown_keys = M.declared_keys(s),
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

local function import_json(s, path, opts)
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
  local imp, berr = C().begin(s, path, copts(s, opts, { items = true }))
  if not imp then return nil, berr, { berr, total = 1 } end
  local ok, a, b, c = pcall(function()
    for i, item in ipairs(data) do
      if type(item) ~= "table" or (next(item) ~= nil and #item > 0) then
        imp:fail(i, "not an object")
      else
        local good = true
        for k, v in pairs(item) do
          if not fields[k] then
            imp:fail(i, "unknown field '" .. shown(k) .. "' (metric, area, period, value, " ..
                     "breakdown, numerator, denominator, flag, source)")
            good = false
          elseif type(v) ~= "string" and type(v) ~= "number" and v ~= cjson.null then
            imp:fail(i, "field '" .. k .. "' must be a string or a number, not a " .. type(v))
            good = false
          end
        end
        if good then imp:row(i, item) end
      end
    end
    return imp:finish()
  end)
  if not ok then
    imp:close()
    error(a, 0)
  end
  if a then a.file = path end
  return a, b, c
end

-- M.import(store, path, opts) -> summary | nil, message, errors
function M.import(s, path, opts)
  opts = opts or {}
  if type(path) ~= "string" then error("import: a file path expected", 2) end
  if type(opts) ~= "table" then error("import: options must be a table", 2) end
  local format = opts.format
  if format == nil then format = path:lower():match("%.json$") and "json" or "csv" end
  if not formats[format] then
    error("import: format must be csv, long, wide or json, not '" .. tostring(format) .. "'", 2)
  end
  if format == "json" then return import_json(s, path, opts) end
  local r, msg, errs = C().csv(s, path, copts(s, opts, { layout = formats[format] }))
  if r then r.file = path end
  return r, msg, errs
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

-- A one-line summary: "data.csv: 1200 rows: 1000 new, 150 revised, 50 unchanged (batch 7)"
function M.describe(r)
  return string.format("%s: %d rows: %d new, %d revised, %d unchanged%s", r.file or "import",
                       r.rows, r.new, r.revised, r.unchanged,
                       r.dry_run and " (dry run: nothing written)" or
                       (r.batch and (" (batch " .. r.batch .. ")") or ""))
end

return M
