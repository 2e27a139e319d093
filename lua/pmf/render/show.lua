-- lua/pmf/render/show.lua: the REPL's tables (module `pmf.render.show`): any list of rows
-- as an aligned table that fits the terminal (pmf.show, and core/main.c's printing of a
-- result).
--
--   show.show(rows [, columns]), show.show_text(rows [, columns [, width]]) -> string,
--   show.repl_value(v), show.is_rows(v)
--
-- Design decisions: the table is the text format's (pmf.render.text), so a cell looks the
-- same at the REPL and in a report; long text wraps first, and the columns that still do
-- not fit are left off and named, never cut mid-value.
local text_format = require "pmf.render.text"
local C = require "pmf.render.common"

local M = {}
local ulen = C.ulen

-- The terminal's width: $COLUMNS, else `tput cols`, else 100.
local function term_width()
  local w = tonumber(os.getenv("COLUMNS") or "")
  if not w then
    local f = io.popen("tput cols 2>/dev/null")
    w = f and tonumber(f:read("l") or "")
    if f then f:close() end
  end
  return (w and w >= 20) and w or 100
end

-- Does v look like a list of rows (a non-empty array of plain tables with named fields)?
function M.is_rows(v)
  if type(v) ~= "table" or getmetatable(v) ~= nil or type(v[1]) ~= "table" then return false end
  if getmetatable(v[1]) ~= nil then return false end
  for k in pairs(v[1]) do if type(k) == "string" then return true end end
  return false
end

local RATING_COLUMNS = { { key = "kpi", title = "KPI", kind = "text" },
  { key = "area", title = "Area", kind = "text" }, { key = "period", title = "Period", kind = "text" },
  { key = "title", title = "Measure", kind = "text", wrap = 40 },
  { key = "value", title = "Value", kind = "value" }, { key = "target", title = "Target", kind = "target" },
  { key = "rag", title = "RAG", kind = "rag" }, { key = "dot_prev", title = "vs prev", kind = "dot" },
  { key = "rank", title = "Rank", kind = "rank" }, { key = "owner", title = "Owner", kind = "text" } }

-- show_text(rows [, columns [, width]]) -> the rows as an aligned table that fits `width`
-- (the terminal's): long text wraps, and columns that still do not fit are left off (and
-- named).  columns: a list of keys or {key=, title=, kind=} (default: a rating row's usual
-- columns, else every key).
function M.show_text(rows, columns, width)
  width = width or term_width()
  local cols = {}
  if columns then
    for i, c in ipairs(columns) do
      cols[i] = type(c) == "table" and c or { key = c, title = tostring(c), kind = "text" }
    end
  elseif rows[1] and rows[1].kpi and rows[1].rag ~= nil then
    for _, c in ipairs(RATING_COLUMNS) do
      for _, r in ipairs(rows) do if r[c.key] ~= nil then cols[#cols + 1] = c; break end end
    end
  else
    local seen, keys = {}, {}
    for _, r in ipairs(rows) do
      for k in pairs(r) do if type(k) == "string" and not seen[k] then seen[k] = true; keys[#keys + 1] = k end end
    end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local kind = "text"
      if k == "rag" then kind = "rag" elseif k:match("^dot") then kind = "dot" end
      cols[#cols + 1] = { key = k, title = k, kind = kind, wrap = 30 }
    end
  end
  local function widest(t)
    local w = 0
    for l in t:gmatch("[^\n]+") do w = math.max(w, ulen(l)) end
    return w
  end
  local dropped = {}
  local text = text_format.table(cols, rows, {})
  while widest(text) > width and #cols > 1 do
    local shrunk = false
    for _, c in ipairs(cols) do
      if c.kind == "text" and (c.wrap or 99) > 16 then
        local copy = {}
        for k, v in pairs(c) do copy[k] = v end
        copy.wrap = math.max(16, (c.wrap or 40) - 8)
        for i, x in ipairs(cols) do if x == c then cols[i] = copy end end
        shrunk = true
        break
      end
    end
    if not shrunk then dropped[#dropped + 1] = table.remove(cols).title end
    text = text_format.table(cols, rows, {})
  end
  if #dropped > 0 then
    text = text .. "(" .. #rows .. " rows; not shown for width: " .. table.concat(dropped, ", ") .. ")\n"
  end
  return text
end

-- pmf.show(rows [, columns]): print any list of rows as an aligned table.
function M.show(rows, columns)
  if type(rows) == "table" and getmetatable(rows) and getmetatable(rows).__tostring then
    io.write(tostring(rows), "\n")
    return
  end
  if type(rows) ~= "table" then error("pmf.show: a list of rows expected", 2) end
  io.write(#rows == 0 and "(no rows)\n" or M.show_text(rows, columns))
end

-- The REPL's printing (core/main.c): a list of rows prints as a table, anything else as is.
function M.repl_value(v)
  if M.is_rows(v) then return M.show_text(v) end
  return v
end


return M
