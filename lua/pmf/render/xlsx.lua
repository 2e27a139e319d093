-- lua/pmf/render/xlsx.lua: the Excel format (module `pmf.render.xlsx`), written through
-- pmf.xlsx (libxlsxwriter, core/lxlsx.c).
--
--   xlsx.available() -> whether pmf was built with libxlsxwriter
--   xlsx.write(report, path) -> true | nil, message   (the workbook into the file at path)
--   xlsx.excel_format(unit, decimals) -> an Excel number format ("0.0\"%\"", "\"£\"#,##0")
--
-- Design decisions: a title block above each sheet's header (framework, period in words,
-- as-of, status, version); figures as numbers with their KPI's number format, never text;
-- RAG cells filled with the colour and written with the word; frozen header and autofilter;
-- the trend as numbers, one column each, and a native Excel sparkline of them; a sheet per
-- top-level group and per section, a "Key and notes" sheet; the benchmark's bar chart on a
-- chart sheet; the workbook's dates from the as-of date (same input, same bytes) and the
-- framework's hash in its keywords.
local pmf = require "pmf"
local C = require "pmf.render.common"

local M = {}
local symbol, cell_text, suppressed, cell_number = C.symbol, C.cell_text, C.suppressed,
                                                   C.cell_number
local RAG_WORD, RAG_FILL = C.RAG_WORD, C.RAG_FILL
local meta_line, cover_lines, rollup_text = C.meta_line, C.cover_lines, C.rollup_text

function M.available()
  return pmf.xlsx ~= nil and type(pmf.xlsx.write) == "function"
end

-- An Excel number format for a KPI's figures: its decimals and unit ("0.0\"%\"",
-- "\"£\"#,##0", "#,##0.0 \"days\"").
local function excel_format(unit, decimals)
  local d = math.tointeger(decimals) or 0
  local base = "#,##0" .. (d > 0 and ("." .. string.rep("0", d)) or "")
  if unit == nil or unit == "" or unit == "count" then return base end
  if unit == "%" then return base .. '"%"' end
  if unit == "£" then return '"£"' .. base end
  return base .. ' "' .. tostring(unit):gsub('"', "") .. '"'
end
M.excel_format = excel_format

local function numcell(v, r)
  if type(v) ~= "number" then return nil end
  if r.unit or r.decimals then return { value = v, num_format = excel_format(r.unit, r.decimals) } end
  return v
end

-- An Excel column's letters: 1 -> "A", 27 -> "AA".
local function col_letters(n)
  local s = ""
  while n > 0 do s = string.char(65 + (n - 1) % 26) .. s; n = (n - 1) // 26 end
  return s
end

local function xlsx_sheet(name, columns, rows, used, top)
  local cols, cells, sparks = {}, {}, {}
  local function add(title, width, get) cols[#cols + 1] = { title = title, width = width, get = get } end
  for _, c in ipairs(columns) do
    local w = math.min(math.max(#c.title + 2, c.wrap and 30 or 12), 60)
    if c.kind == "period" then
      add(c.title, 12, function(r) return r[c.key] ~= nil and tostring(r[c.key]) or nil end)
    elseif c.kind == "value" then
      add(c.title, 12, function(r) return numcell(cell_number(r, c.key), r) or (suppressed(r) and "suppressed") or nil end)
      add(c.title .. " (display)", 14, function(r) return suppressed(r) and "suppressed" or r.display end)
    elseif c.kind == "rag" then
      add(c.title, 12, function(r)
        local st = r[c.key]
        if not st then return nil end
        return { value = symbol(st) .. " " .. (RAG_WORD[st] or st), fill = RAG_FILL[st] or "#FFFFFF", bold = true }
      end)
    elseif c.kind == "target" then
      add(c.title, 12, function(r) return numcell(r[c.key], r) end)
    elseif c.kind == "flags" then
      add(c.title, 14, function(r)
        local t = r.flags
        return type(t) == "table" and #t > 0 and table.concat(t, ", ") or nil end)
    elseif c.kind == "spark" then
      -- the trend's values, one column each (oldest first), as numbers
      local n = 0
      for _, r in ipairs(rows) do
        if type(r[c.key]) == "table" then n = math.max(n, r[c.key].n or #r[c.key]) end
      end
      for i = 1, n do
        add(c.title .. " " .. i, 9, function(r)
          local t = r[c.key]
          return type(t) == "table" and numcell(type(t[i]) == "number" and t[i] or nil, r) or nil
        end)
      end
      -- then a native Excel sparkline of those columns (a gap where a figure is missing)
      if n > 0 then
        add(c.title, 14, function() return nil end)
        local first, at, head = col_letters(#cols - n), col_letters(#cols), #(top or {}) + 1
        for i, r in ipairs(rows) do
          local t, any = r[c.key], false
          for k = 1, n do any = any or (type(t) == "table" and type(t[k]) == "number") end
          if any then
            sparks[#sparks + 1] = { range = first .. (head + i) .. ":" .. col_letters(#cols - 1) .. (head + i),
                                    cell = at .. (head + i), markers = true }
          end
        end
      end
    elseif c.kind == "number" or c.kind == "int" or c.kind == "rank1" then
      add(c.title, 10, function(r) local v = r[c.key]; return type(v) == "number" and v or nil end)
    elseif c.kind == "rank" then
      add(c.title, 8, function(r) return r.rank end)
    else
      add(c.title, w, function(r)
        local t = cell_text(r, c)
        return t ~= "" and t or nil
      end)
    end
  end
  for i, r in ipairs(rows) do
    local line = {}
    for j, c in ipairs(cols) do line[j] = c.get(r) end
    if r.highlight then
      for j = 1, #cols do
        if type(line[j]) ~= "table" then line[j] = { value = line[j], bold = true, fill = "#FFF3C4" } end
      end
    end
    cells[i] = line
  end
  -- sheet names: at most 31 characters, none of []:*?/\, unique
  name = name:gsub("[%[%]:%*%?/\\]", " "):sub(1, 31)
  local base, k = name, 2
  while used[name] do name = base:sub(1, 28) .. " " .. k; k = k + 1 end
  used[name] = true
  return { name = name, columns = cols, rows = cells, top = top, autofilter = #cells > 0,
           sparklines = sparks }
end

-- Unix seconds of an as-of label's date (for the workbook's creation date): midnight UTC,
-- so no dependence on the local time zone; the day count is the one calendar's.
local function epoch(date)
  local days = pmf.period.day_number(tostring(date or ""):sub(1, 10))
  return days and days * 86400 or nil
end

-- The workbook: a title block above each sheet's header (framework, period in words, as-of,
-- status, version), number formats from each KPI's decimals and unit, RAG fills with the
-- word, frozen header, autofilter, the trend as numbers and a native Excel sparkline of
-- them; a sheet per section (a grouped report: per top-level group with KPIs); the benchmark's bar chart on a chart sheet.  The
-- framework's full hash is in the document properties (keywords).
function M.write(rep, path)
  if not M.available() then return nil, "xlsx output needs pmf built with libxlsxwriter" end
  local used = {}
  local top
  if rep.period_words then
    top = { (rep.title or "") .. (rep.council_name and (" | " .. rep.council_name) or "") }
    for _, l in ipairs(cover_lines(rep)) do top[#top + 1] = l end
    top[#top + 1] = meta_line(rep)
  end
  local sheets = {}
  local groups = {}
  for _, g in ipairs(rep.groups or {}) do if #g.rows > 0 then groups[#groups + 1] = g end end
  if #groups > 0 and rep.layout ~= "tiles" then
    for _, g in ipairs(groups) do
      local t = top and { top[1], g.level_title .. ": " .. g.title .. " | roll-up " .. rollup_text(g) }
      if top then for i = 2, #top do t[#t + 1] = top[i] end end
      sheets[#sheets + 1] = xlsx_sheet(g.title, rep.columns, g.rows, used, t)
    end
  else
    sheets[1] = xlsx_sheet(rep.title or rep.name or "Report", rep.columns, rep.rows, used, top)
  end
  for _, sct in ipairs(rep.sections or {}) do
    sheets[#sheets + 1] = xlsx_sheet(sct.title, sct.columns, sct.rows, used, top and { top[1], sct.title })
  end
  if rep.footnotes and #rep.footnotes + #(rep.rag_key or {}) > 0 then
    local krows = {}
    for _, e in ipairs(rep.rag_key or {}) do
      krows[#krows + 1] = { { value = symbol(e[1]) .. " " .. e[2], fill = RAG_FILL[e[1]] or "#FFFFFF", bold = true }, e[3] }
    end
    if rep.rag_key then
      krows[#krows + 1] = { "Rule", rep.rag_key.rule }
      krows[#krows + 1] = { "Direction of travel", rep.rag_key.dot }
    end
    if rep.rollup_rule then krows[#krows + 1] = { "Roll-up", rep.rollup_rule } end
    for _, f in ipairs(rep.footnotes) do krows[#krows + 1] = { f.mark, f.text } end
    sheets[#sheets + 1] = { name = "Key and notes", columns = { { title = "Mark", width = 16 },
                            { title = "Meaning", width = 100 } }, rows = krows }
  end
  local charts
  if rep.chart and rep.chart.kind == "benchmark" then
    -- the league table is the first sheet: name in column B, value in column D
    local first, last, own = nil, nil, nil
    local head = #(top or {}) + 1
    for i, r in ipairs(rep.rows) do
      if type(r.value) == "number" and not suppressed(r) and not r.comparator then
        first = first or i
        last = i
        if r.highlight then own = i - first end
      end
    end
    if first then
      local sn = "'" .. sheets[1].name:gsub("'", "''") .. "'!"
      local vc, ac = "E", "B"
      for i, c in ipairs(sheets[1].columns) do
        if c.title == "Value" then vc = string.char(64 + i) end
        if c.title == "Area" then ac = string.char(64 + i) end
      end
      local b = rep.benchmark or {}
      charts = { { name = "Chart", categories = string.format("%s$%s$%d:$%s$%d", sn, ac, head + first, ac, head + last),
                   values = string.format("%s$%s$%d:$%s$%d", sn, vc, head + first, vc, head + last),
                   title = (rep.title or "") .. " | median " .. tostring(b.median_display or "-") ..
                           " | England " .. tostring(b.england_display or "-"),
                   x_title = "Area (" .. tostring(b.council_name or "") .. " hatched: this council)",
                   y_title = "Value" .. (b.unit and (" (" .. b.unit .. ")") or ""), highlight = own } }
    end
  end
  return pmf.xlsx.write(path, { title = (rep.title or "") .. " | " .. meta_line(rep),
                                created = epoch(rep.as_of), sheets = sheets, charts = charts,
                                keywords = rep.framework_hash and ("framework_hash " .. rep.framework_hash) or nil,
                                comments = rep.version_id and ("framework " .. rep.version_id) or nil })
end

return M
