-- lua/pmf/recipe.lua: import recipes, the DSL side.  A recipe is a small declarative Lua file
-- run in pmf.sandbox (text only, size-limited, under the C time/instruction/memory limits)
-- that describes a publisher's file once; `pmf import --recipe NAME|PATH FILE` reads the file
-- through it, and `pmf check RECIPE.lua` validates it.
--
--   M.read(path) -> spec | nil, "FILE:LINE: message"      (run and check a recipe file)
--   M.from_flags(opts) -> spec | nil, message             (--metric, --map, --missing, ...)
--   M.find(name_or_path) -> path | nil, message           (NAME: frameworks/recipes/NAME.lua)
--   M.list() -> { name... }                               (the shipped recipes)
--   M.compile(spec) -> Recipe                             (C struct, core/recipe_lua.c)
--   M.is_recipe(src) -> true when a file's text starts a recipe (`recipe "..."`)
--
-- The words (each at most once; every one but `recipe` optional):
--   recipe "title"                     names the recipe (first)
--   format "csv" | "xlsx"              (default: from the file's extension)
--   sheet "Name"; range "A5:Z"         xlsx: the sheet, and the header row and columns
--   layout "long" | "wide_periods" | "wide_measures"
--   columns { metric = "Short Desc", area = "gss_code", period = "Years", value = "Values" }
--                                      (also breakdown, numerator, denominator, flag, source;
--                                      metric = { "indicator", "unit" }: the measure is the
--                                      columns' texts joined by " | ", blank ones left out)
--   constant { metric = "id", source = "DfE LAIT", period = "2023" }
--   ignore { "LA Number", ... } or ignore "*" (every column not named)
--   measures { ["RTA"] = "metric_id", ["KS2"] = { metric = "ks2", year_type = "academic" },
--              ["U75 | Male"] = { metric = "u75", breakdown = "sex=male" } }
--   unmapped "skip" | "error"          measures outside the map (default error)
--   missing { ["NA"] = "missing", [":"] = "missing", ["c"] = "suppressed", ["z"] = "not_applicable" }
--   value { thousands = true, percent = true, pound = true, scale = 1000 }
--   year_type "financial" | "academic" | "calendar"
--   period_label "30 June {}"          the label made of the period column's text ({})
--   period_fix { ["31 September 2015"] = "30 September 2015" }   a publisher's mislabel, declared
--   areas { by = "code" | "name" | "la_number" | "any", skip = { "region", "country" } }
--   skip_rows { { column = "ONS Code", equals = "*Total" }, { column = "Region", starts_with = "*" } }
--   row(function(r) ... return r end)  the odd case: called for each figure AFTER the words
--                                      above, r = the row's columns (name -> text) and the
--                                      derived metric, area, period, value, breakdown, ...;
--                                      returns r (changed or not), nil to skip the figure, or
--                                      raises to refuse the row
--
-- Design decisions: the words only describe; nothing of the file's rows runs in Lua unless
-- the recipe has a row function.  The checked spec is compiled once into a C struct
-- (core/recipe.c) that rewrites each row on the importer's row path, so a recipe import runs
-- at the plain importer's speed.  The row function is called from C (core/recipe_rowfn.c) under
-- pmf.sandbox's limits (the options below read once per import, each call limited as a
-- pmf.sandbox.run), every call of one import sharing ONE budget (time, instructions) made by
-- M.compile: a runaway function stops the import naming the recipe's file and line.  It runs
-- after the declarative mapping so that it sees (and may fix) what the engine derived.  A word used
-- wrongly raises at the recipe's own line (error level 2), so every recipe error reads
-- "FILE:LINE: message".
local pmf = require "pmf"
local sandbox = require "pmf.sandbox"

local M = {}

local FIELDS = { metric = true, area = true, period = true, value = true, breakdown = true,
                 numerator = true, denominator = true, flag = true, source = true }
local FIELD_ORDER = { "metric", "area", "period", "value", "breakdown", "numerator",
                      "denominator", "flag", "source" }
local MEANINGS = { missing = true, suppressed = true, not_applicable = true }
local YEAR_TYPES = { financial = true, academic = true, calendar = true }
local LAYOUTS = { long = true, wide_periods = true, wide_measures = true }
local AREA_BY = { code = true, name = true, la_number = true, any = true }

local function fail(msg) error(msg, 0) end   -- re-raised at the recipe's line by word()

local function sorted_keys(t)
  local k = {}
  for key in pairs(t) do k[#k + 1] = key end
  table.sort(k, function(a, b) return tostring(a) < tostring(b) end)
  return k
end

local function need(cond, msg) if not cond then fail(msg) end end

local function one_of(v, set, what)
  if type(v) ~= "string" or not set[v] then
    fail(string.format("%s must be one of %s, not %s", what, table.concat(sorted_keys(set), ", "),
                       type(v) == "string" and ("'" .. v .. "'") or type(v)))
  end
  return v
end

-- The words, writing into spec.  Each may be used once.
local function words(spec)
  local used = {}
  local function word(name, fn)
    return function(...)
      if used[name] then error(string.format("'%s' is given twice (first at line %d)", name, used[name]), 2) end
      local info = debug.getinfo(2, "l")
      used[name] = info and info.currentline or 0
      if name ~= "recipe" and not used.recipe then error("a recipe starts with recipe \"title\"", 2) end
      local ok, e = pcall(fn, ...)
      if not ok then error(tostring(e), 2) end
    end
  end
  local w = {}
  w.recipe = word("recipe", function(title)
    need(type(title) == "string" and title ~= "", 'recipe "title" expected')
    spec.title = title
  end)
  w.format = word("format", function(v) spec.format = one_of(v, { csv = true, xlsx = true }, "format") end)
  w.sheet = word("sheet", function(v) need(type(v) == "string" and v ~= "", 'sheet "Name" expected'); spec.sheet = v end)
  w.range = word("range", function(v) need(type(v) == "string" and v:match("^%u+%d*:?%u*%d*$"), 'range "A5:Z" expected'); spec.range = v end)
  w.layout = word("layout", function(v) spec.layout = one_of(v, LAYOUTS, "layout") end)
  w.columns = word("columns", function(t)
    need(type(t) == "table", "columns { field = \"column name\", ... } expected")
    for _, k in ipairs(sorted_keys(t)) do
      if not FIELDS[k] then fail("columns: unknown field '" .. tostring(k) .. "' (fields: " .. table.concat(FIELD_ORDER, ", ") .. ")") end
      local v = t[k]
      if k == "metric" and type(v) == "table" then   -- { "indicator", "unit" }: joined by " | "
        need(#v >= 1 and type(v[1]) == "string", "columns: metric = { \"column\", \"column\" } expected")
        spec.measure_also = {}
        for i = 2, #v do
          need(type(v[i]) == "string", "columns: metric's columns must be column names")
          spec.measure_also[#spec.measure_also + 1] = v[i]
        end
        v = v[1]
      end
      need(type(v) == "string" and v ~= "", "columns: " .. k .. " must be a column name")
      spec.map[#spec.map + 1] = { v, k }
    end
  end)
  w.constant = word("constant", function(t)
    need(type(t) == "table", "constant { field = \"value\", ... } expected")
    for _, k in ipairs(sorted_keys(t)) do
      if not FIELDS[k] or k == "value" then fail("constant: unknown field '" .. tostring(k) .. "'") end
      need(type(t[k]) == "string", "constant: " .. k .. " must be text")
      spec.const[k] = t[k]
    end
  end)
  w.ignore = word("ignore", function(t)
    if t == "*" then spec.ignore = { "*" } return end
    need(type(t) == "table", 'ignore { "column", ... } or ignore "*" expected')
    for _, c in ipairs(t) do
      need(type(c) == "string", "ignore: column names expected")
      spec.ignore[#spec.ignore + 1] = c
    end
  end)
  w.measures = word("measures", function(t)
    need(type(t) == "table", 'measures { ["publisher name"] = "metric_id", ... } expected')
    for _, k in ipairs(sorted_keys(t)) do
      local v = t[k]
      need(type(k) == "string", "measures: keys must be the publisher's names or codes")
      if type(v) == "string" then v = { metric = v } end
      need(type(v) == "table" and type(v.metric) == "string",
           "measures: '" .. k .. "' must map to a metric id or { metric = \"id\", year_type = ... }")
      for f in pairs(v) do
        if f ~= "metric" and f ~= "year_type" and f ~= "breakdown" then
          fail("measures: '" .. k .. "': unknown field '" .. tostring(f) .. "' (metric, year_type, breakdown)")
        end
      end
      if v.year_type ~= nil then one_of(v.year_type, YEAR_TYPES, "measures: '" .. k .. "': year_type") end
      need(v.breakdown == nil or (type(v.breakdown) == "string" and v.breakdown:find("=", 1, true)),
           "measures: '" .. k .. "': breakdown must be \"key=value\"")
      spec.measures[#spec.measures + 1] = { k, v.metric, v.year_type or false, v.breakdown }
    end
  end)
  w.unmapped = word("unmapped", function(v) spec.unmapped = one_of(v, { skip = true, error = true }, "unmapped") end)
  w.missing = word("missing", function(t)
    need(type(t) == "table", 'missing { ["NA"] = "missing", ... } expected')
    for _, k in ipairs(sorted_keys(t)) do
      need(type(k) == "string", "missing: markers are text")
      spec.markers[#spec.markers + 1] = { k, one_of(t[k], MEANINGS, "missing: '" .. k .. "'") }
    end
  end)
  w.value = word("value", function(t)
    need(type(t) == "table", "value { thousands = true, percent = true, pound = true, scale = N } expected")
    for _, k in ipairs(sorted_keys(t)) do
      if k == "scale" then
        need(type(t.scale) == "number" and t.scale > 0 and t.scale < 1e12, "value: scale must be a positive number")
        spec.scale = t.scale
      elseif k == "thousands" or k == "percent" or k == "pound" then
        need(type(t[k]) == "boolean", "value: " .. k .. " must be true or false")
        spec[k] = t[k]
      else fail("value: unknown field '" .. tostring(k) .. "' (thousands, percent, pound, scale)") end
    end
  end)
  w.period_label = word("period_label", function(v)
    need(type(v) == "string" and v:find("{}", 1, true), 'period_label "30 June {}" expected ({} is the period column\'s text)')
    spec.period_template = v
  end)
  w.period_fix = word("period_fix", function(t)
    need(type(t) == "table", 'period_fix { ["31 September 2015"] = "30 September 2015" } expected')
    spec.period_fix = {}
    for _, k in ipairs(sorted_keys(t)) do
      need(type(k) == "string" and type(t[k]) == "string", "period_fix: label = \"label\" pairs expected")
      spec.period_fix[#spec.period_fix + 1] = { k, t[k] }
    end
  end)
  w.year_type = word("year_type", function(v) spec.year_type = one_of(v, YEAR_TYPES, "year_type") end)
  w.areas = word("areas", function(t)
    need(type(t) == "table", 'areas { by = "any", skip = { "region" } } expected')
    for k in pairs(t) do
      if k ~= "by" and k ~= "skip" then fail("areas: unknown field '" .. tostring(k) .. "' (by, skip)") end
    end
    if t.by ~= nil then spec.area_by = one_of(t.by, AREA_BY, "areas: by") end
    for _, kind in ipairs(t.skip or {}) do
      need(type(kind) == "string", "areas: skip lists kinds of area (region, country, ...)")
      spec.skip_area_kinds[#spec.skip_area_kinds + 1] = kind
    end
  end)
  w.skip_rows = word("skip_rows", function(t)
    need(type(t) == "table", 'skip_rows { { column = "C", equals = "X" }, ... } expected')
    for i, r in ipairs(t) do
      need(type(r) == "table" and type(r.column) == "string", "skip_rows: rule " .. i .. " needs a column")
      local v, prefix = r.equals, false
      if r.starts_with ~= nil then v, prefix = r.starts_with, true end
      need(type(v) == "string" and (r.equals == nil or r.starts_with == nil),
           "skip_rows: rule " .. i .. " needs equals = \"text\" or starts_with = \"text\"")
      spec.skip[#spec.skip + 1] = { r.column, v, prefix }
    end
  end)
  w.row = word("row", function(fn)
    need(type(fn) == "function", "row(function(r) ... return r end) expected")
    spec.row = fn
    spec.row_line = debug.getinfo(fn, "S").linedefined
  end)
  return w
end

local function new_spec(name)
  return { name = name, map = {}, ignore = {}, const = {}, measures = {}, markers = {},
           skip_area_kinds = {}, skip = {} }
end

-- Cross-field checks (after the file ran); message or nil.
local function check_spec(spec)
  local given = {}
  for _, m in ipairs(spec.map) do given[m[2]] = true end
  for k in pairs(spec.const) do
    if given[k] then return "'" .. k .. "' is both a column and a constant" end
    given[k] = true
  end
  local layout = spec.layout or "long"
  if layout == "wide_measures" and #spec.measures == 0 then
    return "layout wide_measures needs measures { ... } naming the measure columns"
  end
  if (spec.sheet or spec.range) and spec.format == "csv" then return "sheet and range are for xlsx" end
  return nil
end

function M.is_recipe(src)
  return src:match("^%s*recipe%s*[\"'(]") ~= nil or src:match("\n%s*recipe%s*[\"'(]") ~= nil
end

-- M.read(path) -> spec | nil, "FILE:LINE: message"
function M.read(path)
  local src, err = sandbox.read_file(path)
  if not src then return nil, err end
  local spec = new_spec(path)
  local w = words(spec)
  local env = sandbox.env({ words = w })
  local fn, lerr = sandbox.load(src, "@" .. path, env)
  if not fn then return nil, tostring(lerr) end
  local ok, rerr = sandbox.run(fn, { name = path, chunk = "@" .. path })
  if not ok then return nil, tostring(rerr) end
  if not spec.title then return nil, path .. ":1: a recipe starts with recipe \"title\"" end
  local msg = check_spec(spec)
  if msg then return nil, path .. ": " .. msg end
  return spec
end

-- M.dir() -> the shipped recipes' folder
function M.dir() return (pmf.home or ".") .. "/frameworks/recipes" end

local function exists(p)
  local f = io.open(p, "rb")
  if f then f:close() return true end
  return false
end

function M.list()
  local out = {}
  local idx = io.open(M.dir() .. "/INDEX", "rb")
  if idx then
    for line in idx:lines() do
      local n = line:match("^(%S+)")
      if n and not n:match("^#") then out[#out + 1] = n end
    end
    idx:close()
  end
  return out
end

-- M.find(name) -> path | nil, message: a path to a file, else a shipped recipe's name.
function M.find(name)
  if name:find("/", 1, true) or name:match("%.lua$") then
    if exists(name) then return name end
    return nil, "recipe file " .. name .. " not found"
  end
  local p = M.dir() .. "/" .. name .. ".lua"
  if exists(p) then return p end
  return nil, string.format("no recipe '%s' (shipped recipes: %s)", name, table.concat(M.list(), ", "))
end

-- M.from_flags(opts) -> spec | nil, message.  opts: metric, map = {"col=field"...},
-- missing = {"MARKER[=meaning]"...}, period_type, sheet.  Columns named as pmf's own are
-- taken as they are; every other column must be mapped (or is refused).
function M.from_flags(o, spec)
  spec = spec or new_spec("given by the flags")
  local function add_map(col, field)
    for i = #spec.map, 1, -1 do if spec.map[i][2] == field then table.remove(spec.map, i) end end
    spec.map[#spec.map + 1] = { col, field }
  end
  for _, m in ipairs(o.map or {}) do
    local col, field = m:match("^(.-)=(%w+)$")
    if not col or col == "" then return nil, "--map must be COLUMN=FIELD, not '" .. m .. "'" end
    if field == "ignore" then spec.ignore[#spec.ignore + 1] = col
    elseif not FIELDS[field] then
      return nil, "--map " .. m .. ": the field must be one of " .. table.concat(FIELD_ORDER, ", ") .. " or ignore"
    else add_map(col, field) end
  end
  if o.metric then
    for i = #spec.map, 1, -1 do if spec.map[i][2] == "metric" then table.remove(spec.map, i) end end
    spec.const.metric = o.metric
  end
  for _, m in ipairs(o.missing or {}) do
    local marker, meaning = m:match("^(.-)=([%w_]+)$")
    if not marker then marker, meaning = m, "missing" end
    if meaning == "not-applicable" or meaning == "na" then meaning = "not_applicable" end
    if not MEANINGS[meaning] then
      return nil, "--missing " .. m .. ": the meaning must be missing, suppressed or not_applicable"
    end
    spec.markers[#spec.markers + 1] = { marker, meaning }
  end
  if o.period_type then
    if not YEAR_TYPES[o.period_type] then return nil, "--period-type must be financial, academic or calendar" end
    spec.year_type = o.period_type
  end
  if o.sheet then spec.sheet = o.sheet end
  return spec
end

-- The columns a flags-only spec takes as they are: pmf's own names found in the header.
function M.default_columns(spec, header)
  local given = {}
  for _, m in ipairs(spec.map) do given[m[2]] = true; given["col:" .. m[1]:lower()] = true end
  for k in pairs(spec.const) do given[k] = true end
  for _, h in ipairs(header or {}) do
    local n = h:lower():match("^%s*(.-)%s*$")
    if FIELDS[n] and not given[n] and not given["col:" .. n] then spec.map[#spec.map + 1] = { h, n } end
  end
  return spec
end

function M.compile(spec)
  local c = {}
  for k, v in pairs(spec) do c[k] = v end
  c.name = spec.name
  if spec.row then   -- one budget for the whole import's calls
    local lim = sandbox.limits()
    c.row_opts = { name = string.format("%s:%d (the recipe's row function)", spec.name, spec.row_line or 0),
                   chunk = "@" .. spec.name,
                   budget = { seconds = lim.seconds, instructions = lim.instructions } }
  end
  return rawget(pmf, "importer").recipe(c)
end

return M
