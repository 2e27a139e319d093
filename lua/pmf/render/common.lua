-- lua/pmf/render/common.lua: what every renderer shares (module `pmf.render.common`): the
-- RAG words, symbols and colours, a cell's plain text by column kind, the columns shown to
-- people, text made safe for a terminal, HTML escaping, and the cover, key, notes and roll-up
-- lines every format prints.  No format of its own.
--
-- Design decisions (see pmf.render for the whole list):
-- - A column kind says how a cell looks: cell_text is the one plain-text form (text, md,
--   the html fallback, xlsx text cells); each format adds only its own markup.
-- - Suppression: a row whose display is "suppressed" never has its number written
--   (cell_number, cell_text), whatever a caller left in `value`.
-- - Other frequencies: a "period" column is shown to people only when some row was rated
--   for a period other than the one asked (shown_columns), and only on those rows.
local pmf = require "pmf"
local format = require "pmf.format"

local number, number_text = format.number, format.number_text

local RAG_WORD = { red = "Red", amber = "Amber", green = "Green", blue = "Blue",
                   no_data = "No data", data_only = "Data only", error = "Error" }
local RAG_COLOUR = { red = "#C0392B", amber = "#E6A117", green = "#2E8540", blue = "#1F5FAD",
                     no_data = "#8A8A8A", data_only = "#B0B0B0", error = "#6C3483" }
local RAG_FILL = { red = "#F4B6B0", amber = "#FCE3A6", green = "#B9E0C1", blue = "#B8CDEB",
                   no_data = "#E3E3E3", data_only = "#EDEDED", error = "#D7BDE2" }
local RAG_ANSI = { red = "\27[1;31m", amber = "\27[1;33m", green = "\27[1;32m",
                   blue = "\27[1;34m", error = "\27[1;35m" }
local DOT_WORD = { better = "better", worse = "worse", same = "same" }
local DOT_SYM = { better = "▲", worse = "▼", same = "►" }

local function symbol(st)
  local ok, s = pcall(pmf.rag.symbol, st)
  return ok and s or "?"
end


-- Text without control characters (but newline and tab): what reaches a terminal.  C1
-- controls (U+0080..U+009F, e.g. the one-byte CSI) go too.
local function plain(s)
  return (s:gsub("[\0-\8\11-\31\127]", ""):gsub("\194[\128-\159]", ""))
end

-- Does a row show a period other than the one asked for (column c of kind "period")?
local function other_period(row, c, asked)
  local v, a = row[c.key], row.requested_period or asked
  return v ~= nil and a ~= nil and tostring(v) ~= tostring(a)
end

-- The columns to show people: a "period" column only when some row needs it.
local function shown_columns(columns, rows, asked)
  local out = {}
  for _, c in ipairs(columns) do
    local keep = c.kind ~= "period"
    if not keep then
      for _, r in ipairs(rows) do
        if other_period(r, c, asked) then keep = true; break end
      end
    end
    if keep then out[#out + 1] = c end
  end
  return out
end

local function suppressed(row) return row.display == "suppressed" end

-- The numeric value of a "value" cell, never for a suppressed row.
local function cell_number(row, key)
  if suppressed(row) and key == "value" then return nil end
  local v = row[key]
  return type(v) == "number" and v or nil
end

local SPARK = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }

-- The lowest and highest figure of a trend (a list with gaps, length tr.n), or nil.
local function trend_range(tr)
  local lo, hi
  for i = 1, tr.n or #tr do
    local v = tr[i]
    if type(v) == "number" then lo = math.min(lo or v, v); hi = math.max(hi or v, v) end
  end
  return lo, hi
end

local function spark_text(tr)
  if type(tr) ~= "table" then return "" end
  local lo, hi = trend_range(tr)
  if not lo then return "" end
  local out = {}
  for i = 1, tr.n or #tr do
    local v = tr[i]
    if type(v) ~= "number" then out[#out + 1] = " "
    else
      local k = hi > lo and math.floor((v - lo) / (hi - lo) * 7 + 0.5) + 1 or 4
      out[#out + 1] = SPARK[k]
    end
  end
  return table.concat(out)
end

-- The plain-text form of a cell (text and md); `asked` is the report's period.
local function cell_text(row, c, asked)
  local k, v = c.kind, row[c.key]
  if k == "period" then
    return other_period(row, c, asked) and tostring(v) or ""
  elseif k == "value" then
    if suppressed(row) then return "suppressed" end
    return row.display or number(row.value)
  elseif k == "rag" then
    if v == nil then return "" end
    return symbol(v) .. " " .. (RAG_WORD[v] or tostring(v))
  elseif k == "dot" then
    if v == nil then return "" end
    return (DOT_SYM[v] or "") .. " " .. (DOT_WORD[v] or tostring(v))
  elseif k == "spark" then
    return spark_text(v)
  elseif k == "rank" then
    if row.rank == nil then return "" end
    return number(row.rank) .. (row.n and ("/" .. number(row.n)) or "")
  elseif k == "tree" then
    return string.rep("  ", row.depth or 0) .. (row.kind == "kpi" and "· " or "") .. tostring(v or "")
  elseif k == "commentary" then
    return v or row.commentary_note or ""
  elseif k == "target" then
    if type(v) ~= "number" then return "" end
    return row.target_display or number(v)
  elseif k == "flags" then
    return row.flag_marks or ""
  elseif k == "area" then
    return tostring(v or "") .. (row.highlight and " ◀ this council" or "")
  elseif k == "int" or k == "number" or k == "rank1" then
    return number(v)
  end
  if v == nil then return "" end
  if type(v) == "table" then return table.concat(v, ", ") end
  if type(v) == "number" then return number_text(v) end
  return tostring(v)
end

local function ulen(s)
  return utf8.len(s) or #s
end

-- Wrap s into lines of at most w characters (breaking at spaces when possible).
local function wrap(s, w)
  local lead = s:match("^ *")
  s = lead .. s:sub(#lead + 1):gsub("%s+", " ")
  if not w or ulen(s) <= w then return { s } end
  local lines, cur = {}, ""
  for word in s:gmatch("%S+") do
    while ulen(word) > w do
      if cur ~= "" then lines[#lines + 1] = cur; cur = "" end
      local cut = utf8.offset(word, w + 1) or (#word + 1)
      lines[#lines + 1] = word:sub(1, cut - 1)
      word = word:sub(cut)
    end
    if cur == "" then cur = word
    elseif ulen(cur) + 1 + ulen(word) <= w then cur = cur .. " " .. word
    else lines[#lines + 1] = cur; cur = word end
  end
  if cur ~= "" or #lines == 0 then lines[#lines + 1] = cur end
  return lines
end

local right = { value = true, number = true, int = true, rank = true, rank1 = true, target = true }

local function meta_line(rep)
  local parts = {}
  if rep.framework_title or rep.framework then
    parts[#parts + 1] = (rep.framework_title or rep.framework) ..
                        (rep.framework_title and rep.framework and (" (" .. rep.framework .. ")") or "")
  end
  if rep.period then parts[#parts + 1] = "Period " .. rep.period end
  if rep.as_of then parts[#parts + 1] = "As of " .. rep.as_of end
  return table.concat(parts, " | ")
end

-- The cover block's lines (every format): council and framework, the period in words and
-- dates, as-of date, status, framework version.
local function cover_lines(rep)
  local out = {}
  if rep.council_name then out[#out + 1] = rep.council_name .. ": " .. (rep.framework_title or rep.framework or "") end
  if rep.period_words then
    out[#out + 1] = rep.period_words .. (rep.period_note and (" (" .. rep.period_note .. ")") or "")
    out[#out + 1] = "Dates: " .. rep.period_dates
  end
  local st = {}
  if rep.status then st[#st + 1] = "Status: " .. rep.status end
  if rep.version_id and rep.version_id ~= "" then st[#st + 1] = "Framework " .. rep.version_id end
  if #st > 0 then out[#out + 1] = table.concat(st, " | ") end
  return out
end

-- The RAG key as lines: each status and what it means here, the rule, the DoT symbols.
local function key_lines(rep)
  local k = rep.rag_key
  if not k then return {} end
  local out = {}
  for _, e in ipairs(k) do out[#out + 1] = symbol(e[1]) .. " " .. e[2] .. ": " .. e[3] end
  out[#out + 1] = k.rule
  out[#out + 1] = k.dot
  if rep.rollup_rule then out[#out + 1] = rep.rollup_rule end
  return out
end

local function footnote_lines(rep)
  local out = {}
  for _, f in ipairs(rep.footnotes or {}) do out[#out + 1] = f.mark .. ": " .. f.text end
  return out
end

-- A group heading's roll-up in words: "Red (5 KPIs: 2 red, 1 amber, 2 green)".
local function rollup_text(g)
  local parts = {}
  for _, st in ipairs({ "red", "amber", "green", "blue", "no_data", "data_only", "error" }) do
    local n = g.counts[st]
    if n and n > 0 then parts[#parts + 1] = n .. " " .. (RAG_WORD[st] or st):lower() end
  end
  return (RAG_WORD[g.status] or tostring(g.status)) .. " (" .. g.counts.total .. " KPI" ..
         (g.counts.total == 1 and "" or "s") .. ": " .. table.concat(parts, ", ") .. ")"
end

local function headline_text(rep)
  local h = rep.headline
  if not h then return nil end
  return "Headline: " .. rollup_text({ counts = h, status = rep.headline_status })
end

-- Text as HTML (element content and attribute values alike).
local function esc(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
                                         ['"'] = "&quot;", ["'"] = "&#39;" }))
end

return {
  RAG_WORD = RAG_WORD, RAG_COLOUR = RAG_COLOUR, RAG_FILL = RAG_FILL, RAG_ANSI = RAG_ANSI,
  DOT_WORD = DOT_WORD, DOT_SYM = DOT_SYM, symbol = symbol,
  plain = plain, esc = esc, ulen = ulen, wrap = wrap,
  right = right, shown_columns = shown_columns, other_period = other_period,
  suppressed = suppressed, cell_number = cell_number, spark_text = spark_text,
  trend_range = trend_range,
  cell_text = cell_text,
  meta_line = meta_line, cover_lines = cover_lines, key_lines = key_lines,
  footnote_lines = footnote_lines, rollup_text = rollup_text, headline_text = headline_text,
}
