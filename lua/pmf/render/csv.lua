-- lua/pmf/render/csv.lua: the CSV format (module `pmf.render.csv`): a report's rows, one
-- line each, every column of the report (a "value" column gives value and display, "rank"
-- rank and n, "spark" the trend's values joined by ';', ...).
--
--   csv.render(report, opts) -> string   (opts.raw: no formula neutralising)
--   csv.columns(columns) -> {{key, get(row) [, trusted]}}: the machine columns of a report's
--        columns (json adds the same keys to every row)
--
-- Design decisions: numbers as the shortest text that reads back the same (number_text);
-- text a spreadsheet would run as a formula gets a leading ' unless opts.raw (OWASP), but
-- text that is only a number as pmf writes one is never touched; the first line is the
-- header, by which -o knows an existing .csv is the same report.
local C = require "pmf.render.common"
local format = require "pmf.format"

local M = {}
local suppressed, cell_number = C.suppressed, C.cell_number
local number, number_text = format.number, format.number_text

-- A CSV field.  Numbers as number_text; text that a spreadsheet would take for a formula
-- (first character = + - @, tab or CR) gets a leading ' unless raw, except text that is
-- only a number as pmf writes one ("-5", "-1,234.5", "-5.0%", "-£1,234").
local function numeric_text(v)
  local body = v:gsub("^[-+]", "", 1)
  if body:sub(1, #"£") == "£" then body = body:sub(#"£" + 1) end
  return body:find("^%d[%d,]*%.?%d*%%?$") ~= nil
end

local function csv_field(v, raw)
  if v == nil then return "" end
  if type(v) == "number" then return number_text(v) end
  v = tostring(v)
  if not raw and v:find("^[=+%-@\t\r]") and not numeric_text(v) then
    v = "'" .. v
  end
  if v:find('[",\r\n]') then return '"' .. v:gsub('"', '""') .. '"' end
  return v
end

-- CSV columns: a "value" column gives value and display, "rank" gives rank and n, a
-- "spark" the trend values joined by ';'.
local function csv_columns(columns)
  local out = {}
  for _, c in ipairs(columns) do
    if c.kind == "period" then
      out[#out + 1] = { key = c.key, get = function(r) return r[c.key] end }
    elseif c.kind == "value" then
      out[#out + 1] = { key = c.key, get = function(r) return cell_number(r, c.key) end }
      out[#out + 1] = { key = "display", get = function(r)
        return suppressed(r) and "suppressed" or r.display or number(r[c.key]) end }
    elseif c.kind == "rank" then
      out[#out + 1] = { key = "rank", get = function(r) return r.rank end }
      out[#out + 1] = { key = "n", get = function(r) return r.n end }
    elseif c.kind == "spark" then
      out[#out + 1] = { key = c.key, trusted = true, get = function(r)   -- numbers only
        local t = r[c.key]
        if type(t) ~= "table" then return nil end
        local vs = {}
        for i = 1, t.n or #t do vs[i] = type(t[i]) == "number" and number_text(t[i]) or "" end
        return table.concat(vs, ";")
      end }
    elseif c.kind == "tree" then
      out[#out + 1] = { key = "depth", get = function(r) return r.depth end }
      out[#out + 1] = { key = "kind", get = function(r) return r.kind end }
      out[#out + 1] = { key = "id", get = function(r) return r.id end }
      out[#out + 1] = { key = c.key, get = function(r) return r[c.key] end }
    elseif c.kind == "target" then
      out[#out + 1] = { key = c.key, get = function(r) return type(r[c.key]) == "number" and r[c.key] or nil end }
      out[#out + 1] = { key = c.key .. "_display", get = function(r)
        return type(r[c.key]) == "number" and (r.target_display or number(r[c.key])) or nil end }
    elseif c.kind == "flags" then
      out[#out + 1] = { key = "flags", get = function(r)
        local t = r.flags
        return type(t) == "table" and #t > 0 and table.concat(t, ";") or nil end }
      out[#out + 1] = { key = "carried_from", get = function(r) return r.carried_from end }
    elseif c.kind == "commentary" then
      out[#out + 1] = { key = c.key, get = function(r) return r[c.key] end }
      out[#out + 1] = { key = "commentary_required", get = function(r)
        if r.commentary_required == nil then return nil end
        return r.commentary_required and "true" or "false" end }
    else
      out[#out + 1] = { key = c.key, get = function(r)
        local v = r[c.key]
        if type(v) == "table" then return table.concat(v, ";") end
        if type(v) == "boolean" then return v and "true" or "false" end
        return v
      end }
    end
  end
  return out
end
M.columns = csv_columns

function M.render(rep, opts)
  local cols = csv_columns(rep.columns)
  local out, head = {}, {}
  for i, c in ipairs(cols) do head[i] = csv_field(c.key, opts.raw) end
  out[1] = table.concat(head, ",")
  for _, row in ipairs(rep.rows) do
    local f = {}
    for i, c in ipairs(cols) do f[i] = csv_field(c.get(row), opts.raw or c.trusted) end
    out[#out + 1] = table.concat(f, ",")
  end
  return table.concat(out, "\n") .. "\n"
end

return M
