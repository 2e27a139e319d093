-- lua/pmf/render/json.lua: the JSON format and pmf's JSON encoder (module
-- `pmf.render.json`).
--
--   json.encode(value [, indent]) -> string: sorted keys, `indent` levels pretty-printed
--        (0 = compact); keys starting "_", functions and threads left out
--   json.render(report) -> string: the report as one document, "generator": "pmf" in it
--        (the mark by which -o knows an existing .json is a pmf report)
--
-- Design decisions: same input, same bytes (our own encoder, as cjson follows the table's
-- hash order); numbers as the shortest text that reads back the same, NaN and infinities as
-- null; every row carries every column's key (null where a row has none), the keys a csv
-- column adds included.
local cjson = require "cjson"
local C = require "pmf.render.common"
local csv = require "pmf.render.csv"
local format = require "pmf.format"

local M = {}
local suppressed, number_text = C.suppressed, format.number_text

local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

local function encode(v, out, indent, depth)
  local t = type(v)
  if v == nil or v == cjson.null then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = v and "true" or "false"
  elseif t == "number" then
    local t = number_text(v)
    out[#out + 1] = t ~= "" and t or "null"
  elseif t == "string" then out[#out + 1] = cjson.encode(v)
  elseif t == "table" then
    local nl = indent and depth < indent and ("\n" .. string.rep("  ", depth + 1)) or ""
    local close = indent and depth < indent and ("\n" .. string.rep("  ", depth)) or ""
    if is_array(v) then
      if #v == 0 then out[#out + 1] = "[]"; return end
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = nl
        encode(v[i], out, indent, depth + 1)
      end
      out[#out + 1] = close .. "]"
    else
      local keys = {}
      for k, x in pairs(v) do
        local tx = type(x)
        if type(k) == "string" and k:sub(1, 1) ~= "_" and tx ~= "function" and tx ~= "thread"
           and (tx ~= "userdata" or x == cjson.null) then keys[#keys + 1] = k end
      end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = nl .. cjson.encode(k) .. ":"
        encode(v[k], out, indent, depth + 1)
      end
      out[#out + 1] = close .. "}"
    end
  else
    out[#out + 1] = cjson.encode(tostring(v))
  end
end

-- JSON with sorted keys; `indent` levels are pretty-printed (0 = compact).
function M.encode(v, indent)
  local out = {}
  encode(v, out, indent, 0)
  return table.concat(out)
end

-- A row as JSON data: the rating row's own fields, a suppressed value dropped, the trend
-- as {periods = [...], values = [...]} with nulls for gaps.
local function json_row(row)
  local r = {}
  for k, v in pairs(row) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then r[k] = v end
  end
  if suppressed(row) then r.value = nil end
  if type(row.trend) == "table" then
    local vals = {}
    for i = 1, row.trend.n or #row.trend do
      vals[i] = type(row.trend[i]) == "number" and row.trend[i] or cjson.null
    end
    r.trend = { periods = row.trend.labels or {}, values = vals }
  end
  return r
end

local function json_columns(columns)
  local out = {}
  for i, c in ipairs(columns) do out[i] = { key = c.key, title = c.title, kind = c.kind } end
  return out
end

-- The rows as JSON data, each with the same keys: every field any row has and every
-- column's key (and the keys a csv column adds: display, n, ...), null where a row has none.
local function json_rows(rows, columns)
  local out, keys = {}, {}
  for i, r in ipairs(rows) do
    out[i] = json_row(r)
    for k in pairs(out[i]) do keys[k] = true end
  end
  for _, c in ipairs(csv.columns(columns)) do keys[c.key] = true end
  for _, r in ipairs(out) do
    for k in pairs(keys) do if r[k] == nil then r[k] = cjson.null end end
  end
  return out
end

function M.render(rep)
  local doc = {
    report = rep.name, title = rep.title, subtitle = rep.subtitle, framework = rep.framework,
    framework_title = rep.framework_title, period = rep.period, as_of = rep.as_of,
    params = rep.params, columns = json_columns(rep.columns),
    rows = json_rows(rep.rows, rep.columns), tree = rep.tree, projection = rep.projection,
    council = rep.council, council_name = rep.council_name, period_words = rep.period_words,
    period_dates = rep.period_dates, period_note = rep.period_note, status = rep.status,
    framework_hash = rep.framework_hash, framework_version = rep.framework_version,
    version_id = rep.version_id, footnotes = rep.footnotes, facts = rep.facts,
    benchmark = rep.benchmark, headline = rep.headline, headline_status = rep.headline_status,
    rollup_rule = rep.rollup_rule,
    rag_key = rep.rag_key and { rule = rep.rag_key.rule, dot = rep.rag_key.dot, statuses = (function()
      local t = {}
      for i, e in ipairs(rep.rag_key) do t[i] = { status = e[1], word = e[2], meaning = e[3] } end
      return t end)() },
    groups = rep.groups and (function()
      local t = {}
      for i, g in ipairs(rep.groups) do
        local ids = {}
        for j, r in ipairs(g.rows) do ids[j] = r.kpi end
        t[i] = { id = g.id, level = g.level, title = g.title, depth = g.depth, counts = g.counts,
                 status = g.status, kpis = ids }
      end
      return t end)(),
    generator = "pmf",      -- the mark by which -o knows an existing .json is a pmf report
  }
  if rep.sections then
    doc.sections = {}
    for i, s in ipairs(rep.sections) do
      doc.sections[i] = { title = s.title, columns = json_columns(s.columns),
                          rows = json_rows(s.rows, s.columns) }
    end
  end
  return M.encode(doc, 2) .. "\n"
end

return M
