-- lua/pmf/import.lua: pmf.import(path, opts) and store:import(path, opts): observations,
-- targets, commentary, action updates and risk assessments.
--
-- Observations are imported in C (below).  The other kinds (lua/pmf/import_kinds.lua, their
-- columns and checks; lua/pmf/import_rows.lua, their rows) are checked in Lua, row by row
-- from a row source (CSV through core/csv.c's reader, bound as pmf.importer.rows; JSON
-- items; a sheet of an .xlsx workbook, its kind told by its header like a CSV file's),
-- with every field's text through the same C check (pmf.importer.text_check), and written
-- through lua/pmf/store/ (no SQL here), one transaction and one batch per file.
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
-- terminal), name (observations from CSV or XLSX: what the batch and the messages call the
-- file, default its path; for a temporary file written by a program).
--
-- Returns the summary {kind=, rows=, new=, revised=, unchanged=, errors=0, batch=, dry_run=,
-- file=, refused= and rejects= with skip_bad} or, for a file that cannot be read or is
-- rejected (nothing written), nil, message, errors (a list of messages, errors.total = the count of all errors).  Misuse raises.
local pmf = require "pmf"
local kinds = require "pmf.import_kinds"
local krows = require "pmf.import_rows"
local Store = pmf.Store

local M = {}

local fields = {
  metric = true, area = true, period = true, value = true, breakdown = true,
  numerator = true, denominator = true, flag = true, source = true,
}
M.fields = fields

local formats = { csv = "auto", long = "long", wide = "wide", json = "json" }

local C = kinds.importer   -- pmf.importer, or an error naming core/limport.c

-- The metrics a KPI formula (as pmf.framework normalises it) reads.
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
  for _, row in ipairs(s:framework_rows()) do
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
    by = opts.by, at = opts.at, source = opts.source, progress = opts.progress, name = opts.name,
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

-- The other importable kinds (targets, commentary, actions, risks) are
-- lua/pmf/import_kinds.lua (columns and checks) and lua/pmf/import_rows.lua (sources, rows).
local KINDS, KIND_NAMES, columns_of = kinds.kinds, kinds.names, kinds.columns_of
local import_rows, csv_source, json_source = krows.import_rows, krows.csv_source, krows.json_source
M.kinds = KINDS
M.detect = kinds.detect
M.grid_source = krows.grid_source
M.import_grid = krows.import_grid
M.import_one = krows.import_one

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

-- The header of an xlsx sheet (for flags-only recipes, and a workbook's kind), or nil.
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
  local kind = opts.kind
  local recipe_flags = opts.recipe or opts.metric or opts.map or opts.missing
  if format == "xlsx" and not recipe_flags and path ~= "-" then
    -- a workbook: observations through the C importer, the other kinds by the sheet's header
    kind = kind or M.detect(xlsx_header(path, { sheet = opts.sheet }) or {})
    if kind == "observations" then return M.import_recipe(s, path, opts, format) end
  elseif recipe_flags or opts.sheet or format == "xlsx" then
    return M.import_recipe(s, path, opts, format)
  end
  if not formats[format] and format ~= "xlsx" then
    error("import: format must be csv, long, wide, json or xlsx, not '" .. tostring(format) .. "'", 2)
  end
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
  elseif format == "xlsx" then
    header = xlsx_header(path, { sheet = opts.sheet })
  else
    header = peek_header(path)
    kind = kind or (header and M.detect(header)) or "observations"
  end
  if kind ~= "observations" and (format == "long" or format == "wide") then
    error("import: format " .. format .. " is for observations; " .. kind .. " are csv, json or xlsx", 2)
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
    elseif format == "xlsx" then
      src, msg, errs = krows.xlsx_source(path, kind, opts)
      if not src then return nil, msg, errs or { msg, total = 1 } end
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
  if r.rows == 1 then noun = noun:sub(1, -2) end   -- "1 row", "1 target" 
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