-- lua/pmf/render.lua: the renderers (module `pmf.render`): a report object (pmf.report)
-- or plain rows into text, md, csv, json, html, xlsx or pdf (the html printed by headless
-- Chromium), and any list of rows into an aligned table for the REPL (pmf.show).
--
--   pmf.render.render(report, format [, opts]) -> string
--        opts.color (text: ANSI colours), opts.raw (csv: no formula neutralising)
--   pmf.render.write(report, path, format [, opts]) -> path | nil, message
--   pmf.render.write_data(path, bytes, format [, opts]) -> path | nil, message
--        opts.force (replace a file that is not a pmf report), opts.raw, opts.store
--   pmf.render.check_output(path, format, bytes [, opts]) -> true | nil, message
--   pmf.render.write_stdout(bytes) -> true | nil, message
--   pmf.render.rows(rows, format [, columns]) -> string   (plain query rows, e.g. `pmf sql`)
--   pmf.render.json_encode(value) -> string  (sorted keys: the same bytes every run)
--   pmf.render.number(v [, decimals]) -> string (for people);  pmf.render.number_text(v)
--        -> the shortest text that reads back as the same number (for machines)
--   pmf.render.formats
--   pmf.render.write_pdfs({{report, path}, ...} [, opts]), write_packs({{reports, path,
--        title}, ...} [, opts]) -> true | nil, message (printed in parallel); chromium()
--   pmf.render.show(rows [, columns]) (= pmf.show), show_text(rows [, columns [, width]]),
--        repl_value(v) (core/main.c's REPL printing), is_rows(v)
--
-- Design decisions:
-- - A report says what its columns are ({key, title, kind}); a kind says how a cell looks
--   in each format: "value" is the rating row's `display` in text/md/html and the number
--   (plus a display column) in csv/json/xlsx; "rag" is a word and a symbol, never a colour
--   alone; "spark" a trend (inline SVG in html, block characters in text).
-- - Suppression: a row whose display is "suppressed" never has its number written, in any
--   format, even if a caller left one in `value`.
-- - Same input, same bytes: no clocks, sorted keys (our own JSON encoder, as cjson follows
--   the table's hash order), the as-of date printed instead of a generation time.
-- - HTML is one self-contained file: inline CSS and SVG, no scripts, no external files;
--   print CSS (A4 landscape, repeated headers, badge colours kept) for --print-to-pdf.
-- - User text is made harmless for each format: CSV cells that a spreadsheet would run as a
--   formula (starting = + - @, tab or CR) get a leading ' (OWASP), unless opts.raw; numbers
--   stay numbers (a number, or text that is only a number such as "-5.0%", is never
--   touched); Markdown escapes & < > and |; text drops control characters but newline and
--   tab (terminal escape sequences); HTML escapes everything; XLSX writes text cells.
-- - Fidelity for machines: JSON and CSV rows carry every column of the report (null or
--   empty when a row has no value), and numbers are written as the shortest text that reads
--   back as the same double (number_text, the one place that decides it).
-- - Other frequencies: a column of kind "period" shows the period a row was rated for.  In
--   text, md and html it appears only when some row was rated for a period other than the
--   one asked (the report's period, or the row's requested_period), and shows the period
--   only on those rows; csv, json and xlsx always carry it, on every row.
-- - Writing an output (write, write_data, see "writing outputs" below) never truncates a
--   file in place: the bytes go to a new file beside it that is renamed over it, every
--   write and close is checked, and the store's own files, or an existing file that is not
--   a pmf report of the same format, are refused (the latter unless opts.force).
local pmf = require "pmf"
local cjson = require "cjson"

local M = {}
M.formats = { "text", "md", "csv", "json", "html", "xlsx", "pdf" }

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
M.RAG_WORD, M.RAG_COLOUR = RAG_WORD, RAG_COLOUR

local function symbol(st)
  local ok, s = pcall(pmf.rag.symbol, st)
  return ok and s or "?"
end

-- A number as people read it: integers without decimals, others to `decimals` places (or
-- up to 3, trailing zeros dropped).
function M.number(v, decimals)
  if type(v) ~= "number" then return v == nil and "" or tostring(v) end
  if v ~= v then return "" end
  local s
  if decimals then
    s = string.format("%." .. math.floor(decimals) .. "f", v)
  elseif math.type(v) == "integer" or (v == math.floor(v) and math.abs(v) < 2^53) then
    s = string.format("%d", math.floor(v))
  else
    s = string.format("%.3f", v):gsub("0+$", ""):gsub("%.$", "")
  end
  -- thousands separators in the whole part (10,000 not 10000), as the engine's display does
  local sign, int, rest = s:match("^(%-?)(%d+)(.*)$")
  if int and #int > 3 then
    int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
    s = sign .. int .. rest
  end
  return s
end
local number = M.number

-- The shortest decimal text that reads back as the same double (integers as integers);
-- "" for NaN and infinities, which JSON and CSV cannot carry.
function M.number_text(v)
  if math.type(v) == "integer" then return string.format("%d", v) end
  if v ~= v or v == math.huge or v == -math.huge then return "" end
  for _, f in ipairs({ "%.15g", "%.16g" }) do
    local s = string.format(f, v)
    if tonumber(s) == v then return s end
  end
  return string.format("%.17g", v)
end
local number_text = M.number_text

-- Text without control characters (but newline and tab): what reaches a terminal.  C1
-- controls (U+0080..U+009F, e.g. the one-byte CSI) go too.
local function plain(s)
  return (s:gsub("[\0-\8\11-\31\127]", ""):gsub("\194[\128-\159]", ""))
end
M.plain = plain

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

local function spark_text(tr)
  if type(tr) ~= "table" then return "" end
  local lo, hi
  for i = 1, tr.n or #tr do
    local v = tr[i]
    if type(v) == "number" then lo = math.min(lo or v, v); hi = math.max(hi or v, v) end
  end
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
M.cell_text = cell_text

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

-- ---- text -------------------------------------------------------------------------------

local function text_table(columns, rows, opts)
  columns = shown_columns(columns, rows, opts.asked)
  local cells, widths = {}, {}
  for i, c in ipairs(columns) do widths[i] = ulen(plain(c.title)) end
  for r, row in ipairs(rows) do
    cells[r] = {}
    for i, c in ipairs(columns) do
      local lines = wrap(plain(cell_text(row, c, opts.asked)), c.wrap)
      cells[r][i] = lines
      for _, l in ipairs(lines) do widths[i] = math.max(widths[i], ulen(l)) end
    end
  end
  local function pad(s, w, rightal)
    local n = w - ulen(s)
    return rightal and (string.rep(" ", n) .. s) or (s .. string.rep(" ", n))
  end
  local out = {}
  local head, rule = {}, {}
  for i, c in ipairs(columns) do
    head[i] = pad(plain(c.title), widths[i], right[c.kind])
    rule[i] = string.rep("-", widths[i])
  end
  out[#out + 1] = (table.concat(head, "  "):gsub("%s+$", ""))
  out[#out + 1] = table.concat(rule, "  ")
  for r, row in ipairs(rows) do
    local h = 1
    for i = 1, #columns do h = math.max(h, #cells[r][i]) end
    for l = 1, h do
      local parts = {}
      for i, c in ipairs(columns) do
        local s = pad(cells[r][i][l] or "", widths[i], right[c.kind])
        if opts.color and c.kind == "rag" and l == 1 and RAG_ANSI[row[c.key]] then
          s = RAG_ANSI[row[c.key]] .. s .. "\27[0m"
        end
        parts[i] = s
      end
      out[#out + 1] = (table.concat(parts, "  "):gsub("%s+$", ""))
    end
  end
  if #rows == 0 then out[#out + 1] = "(none)" end
  return table.concat(out, "\n") .. "\n"
end

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
M.cover_lines = cover_lines

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
M.rollup_text = rollup_text

local function headline_text(rep)
  local h = rep.headline
  if not h then return nil end
  return "Headline: " .. rollup_text({ counts = h, status = rep.headline_status })
end

local function render_text(rep, opts)
  local out = {}
  if not opts.bare then
    out[#out + 1] = plain(rep.title or "")
    out[#out + 1] = plain(meta_line(rep))
    if rep.subtitle then out[#out + 1] = plain(rep.subtitle) end
    for _, l in ipairs(cover_lines(rep)) do out[#out + 1] = plain(l) end
    if rep.projection then out[#out + 1] = "Projected year end: " .. number(rep.projection, 1) end
    if rep.headline then out[#out + 1] = headline_text(rep) end
    for _, l in ipairs(rep.facts or {}) do out[#out + 1] = plain(l) end
    out[#out + 1] = ""
  end
  if rep.groups and not opts.flat then
    for _, g in ipairs(rep.groups) do
      out[#out + 1] = plain(string.rep("  ", g.depth) .. g.level_title .. ": " .. g.title ..
                            " | roll-up " .. rollup_text(g))
      if #g.rows > 0 then out[#out + 1] = text_table(rep.columns, g.rows, opts) end
    end
    if #rep.groups == 0 then out[#out + 1] = text_table(rep.columns, rep.rows, opts) end
  else
    out[#out + 1] = text_table(rep.columns, rep.rows, opts)
  end
  for _, s in ipairs(rep.sections or {}) do
    out[#out + 1] = plain(s.title)
    out[#out + 1] = text_table(s.columns, s.rows, opts)
  end
  if not opts.bare then
    local notes = footnote_lines(rep)
    if #notes > 0 then
      out[#out + 1] = "Notes: " .. plain(table.concat(notes, "; "))
    end
    local key = key_lines(rep)
    if #key > 0 then
      out[#out + 1] = "Key: " .. plain(table.concat(key, " | "))
    end
  end
  return (table.concat(out, "\n"):gsub("\n+$", "\n"))
end

-- ---- markdown ---------------------------------------------------------------------------

-- The last line of a Markdown report (an HTML comment: invisible once rendered), by which
-- an existing .md file is known to be a pmf report that -o may replace.
local MD_MARK = "<!-- generator: pmf -->\n"

-- Text in Markdown: HTML escaped (Markdown passes raw HTML through, <script> included),
-- | and \\ escaped (table cells), no line breaks, no control characters.
local function md_cell(s)
  return (plain(s):gsub("[\\|&<>]", { ["\\"] = "\\\\", ["|"] = "\\|", ["&"] = "&amp;",
                                     ["<"] = "&lt;", [">"] = "&gt;" }):gsub("\r?\n", " "))
end

local function md_table(columns, rows, opts)
  columns = shown_columns(columns, rows, opts.asked)
  local out, head, rule = {}, {}, {}
  for i, c in ipairs(columns) do
    head[i] = md_cell(c.title)
    rule[i] = right[c.kind] and "---:" or "---"
  end
  out[#out + 1] = "| " .. table.concat(head, " | ") .. " |"
  out[#out + 1] = "| " .. table.concat(rule, " | ") .. " |"
  for _, row in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(columns) do
      local t = cell_text(row, c, opts.asked)
      if c.kind == "rag" and t ~= "" then t = "**" .. t .. "**" end
      if c.kind == "tree" then t = string.rep("&nbsp;&nbsp;", row.depth or 0) .. md_cell(tostring(row[c.key] or "")) 
      else t = md_cell(t) end
      if c.kind == "commentary" and row.commentary_note and not row.commentary then t = "**" .. t .. "**" end
      cells[i] = t
    end
    out[#out + 1] = "| " .. table.concat(cells, " | ") .. " |"
  end
  if #rows == 0 then out[#out + 1] = "\n_None._" end
  return table.concat(out, "\n") .. "\n"
end

local function render_md(rep, opts)
  local out = {}
  if not opts.bare then
    out[#out + 1] = "# " .. md_cell(rep.title or "") .. "\n"
    out[#out + 1] = "_" .. md_cell(meta_line(rep)) .. "_\n"
    if rep.subtitle then out[#out + 1] = md_cell(rep.subtitle) .. "\n" end
    local cl = cover_lines(rep)
    if #cl > 0 then
      for i, l in ipairs(cl) do cl[i] = md_cell(l) end
      out[#out + 1] = table.concat(cl, "  \n") .. "\n"
    end
    if rep.projection then out[#out + 1] = "Projected year end: " .. number(rep.projection, 1) .. "\n" end
    if rep.headline then out[#out + 1] = "**" .. md_cell(headline_text(rep)) .. "**\n" end
    for _, l in ipairs(rep.facts or {}) do out[#out + 1] = "- " .. md_cell(l) end
    if rep.facts then out[#out + 1] = "" end
  end
  if rep.groups and #rep.groups > 0 then
    for _, g in ipairs(rep.groups) do
      out[#out + 1] = string.rep("#", math.min(g.depth + 2, 6)) .. " " .. md_cell(g.level_title .. ": " .. g.title) .. "\n"
      out[#out + 1] = "Roll-up: **" .. md_cell(rollup_text(g)) .. "**\n"
      if #g.rows > 0 then out[#out + 1] = md_table(rep.columns, g.rows, opts) end
    end
  else
    out[#out + 1] = md_table(rep.columns, rep.rows, opts)
  end
  for _, s in ipairs(rep.sections or {}) do
    out[#out + 1] = "## " .. md_cell(s.title) .. "\n"
    out[#out + 1] = md_table(s.columns, s.rows, opts)
  end
  if not opts.bare then
    local notes = footnote_lines(rep)
    if #notes > 0 then
      out[#out + 1] = "## Notes\n"
      for _, l in ipairs(notes) do out[#out + 1] = "- " .. md_cell(l) end
      out[#out + 1] = ""
    end
    local key = key_lines(rep)
    if #key > 0 then
      out[#out + 1] = "## Key\n"
      for _, l in ipairs(key) do out[#out + 1] = "- " .. md_cell(l) end
      out[#out + 1] = ""
    end
    out[#out + 1] = MD_MARK
  end
  return table.concat(out, "\n")
end

-- ---- csv --------------------------------------------------------------------------------

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

local function render_csv(rep, opts)
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

-- ---- json -------------------------------------------------------------------------------

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
function M.json_encode(v, indent)
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
  for _, c in ipairs(csv_columns(columns)) do keys[c.key] = true end
  for _, r in ipairs(out) do
    for k in pairs(keys) do if r[k] == nil then r[k] = cjson.null end end
  end
  return out
end

local function render_json(rep)
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
  return M.json_encode(doc, 2) .. "\n"
end

-- ---- html -------------------------------------------------------------------------------

local function esc(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
                                         ['"'] = "&quot;", ["'"] = "&#39;" }))
end
M.html_escape = esc

local function fmtc(v) return string.format("%.1f", v) end

-- The values of a trend in words: "2024/25 Q3 70.1, ..., 2025/26 Q2 81.1 (no figure: ...)".
local function trend_words(tr, decimals)
  local parts = {}
  for i = 1, tr.n or #tr do
    local v = tr[i]
    parts[#parts + 1] = tostring(tr.labels and tr.labels[i] or i) .. " " ..
                        (type(v) == "number" and number(v, decimals) or "no figure")
  end
  return table.concat(parts, ", ")
end

-- An inline SVG sparkline of a trend (false = gap), with the target as a dashed line; its
-- <title> gives the values, the scale and the target (the chart's text alternative).  A
-- row with no figure draws nothing.
local function svg_spark(tr, target, rag, decimals)
  if type(tr) ~= "table" or rag == "no_data" then return "" end
  local n = tr.n or #tr
  local lo, hi
  for i = 1, n do
    local v = tr[i]
    if type(v) == "number" then lo = math.min(lo or v, v); hi = math.max(hi or v, v) end
  end
  if not lo then return "" end
  local vlo, vhi = lo, hi
  if type(target) == "number" then lo = math.min(lo, target); hi = math.max(hi, target) end
  if hi == lo then hi = hi + 1; lo = lo - 1 end
  local W, H, P = 120, 28, 3
  local function x(i) return P + (i - 1) * (W - 2 * P) / math.max(n - 1, 1) end
  local function y(v) return H - P - (v - lo) / (hi - lo) * (H - 2 * P) end
  local alt = "Trend: " .. trend_words(tr, decimals) .. "; scale " .. number(vlo, decimals) ..
              " to " .. number(vhi, decimals) ..
              (type(target) == "number" and ("; target " .. number(target, decimals) .. " (dashed line)") or "")
  local parts = { string.format('<svg class="spark" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>',
                                W, H, W, H, esc(alt)) }
  if type(target) == "number" then
    parts[#parts + 1] = string.format('<line class="target" x1="%d" x2="%d" y1="%s" y2="%s"/>', P, W - P, fmtc(y(target)), fmtc(y(target)))
  end
  local pts, last = {}, nil
  local function flush()
    if #pts > 1 then parts[#parts + 1] = '<polyline points="' .. table.concat(pts, " ") .. '"/>' end
    pts = {}
  end
  for i = 1, n do
    local v = tr[i]
    if type(v) == "number" then pts[#pts + 1] = fmtc(x(i)) .. "," .. fmtc(y(v)); last = i
    else flush() end
  end
  flush()
  if last then
    parts[#parts + 1] = string.format('<circle cx="%s" cy="%s" r="2.5" fill="%s"/>', fmtc(x(last)),
                                      fmtc(y(tr[last])), RAG_COLOUR[rag] or "#333")
  end
  parts[#parts + 1] = "</svg>"
  return table.concat(parts)
end

-- A tile's trend chart (dashboard): labelled axes (the unit, first and last period), the
-- target as a dashed line with its value, the values in the <title>.
local function svg_tile_trend(tr, target, unit, decimals, rag)
  if type(tr) ~= "table" or rag == "no_data" then return "" end
  local n = tr.n or #tr
  local lo, hi
  for i = 1, n do
    local v = tr[i]
    if type(v) == "number" then lo = math.min(lo or v, v); hi = math.max(hi or v, v) end
  end
  if not lo then return "" end
  if type(target) == "number" then lo = math.min(lo, target); hi = math.max(hi, target) end
  if hi == lo then hi = hi + 1; lo = lo - 1 end
  local W, H, L, R, T, B = 260, 110, 46, 8, 8, 30
  local function x(i) return L + (i - 1) * (W - L - R) / math.max(n - 1, 1) end
  local function y(v) return T + (hi - v) / (hi - lo) * (H - T - B) end
  local alt = "Trend" .. (unit and (" (" .. unit .. ")") or "") .. ": " .. trend_words(tr, decimals) ..
              (type(target) == "number" and ("; target " .. number(target, decimals)) or "")
  local p = { string.format('<svg class="tile-trend" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>', W, H, W, H, esc(alt)) }
  p[#p + 1] = string.format('<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/><line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>',
                            L, W - R, H - B, H - B, L, L, T, H - B)
  p[#p + 1] = string.format('<text class="tick" x="%d" y="%s" text-anchor="end">%s</text>', L - 3, fmtc(y(hi) + 4), esc(number(hi, decimals)))
  p[#p + 1] = string.format('<text class="tick" x="%d" y="%s" text-anchor="end">%s</text>', L - 3, fmtc(y(lo)), esc(number(lo, decimals)))
  local labels = tr.labels or {}
  p[#p + 1] = string.format('<text class="tick" x="%d" y="%d">%s</text>', L, H - B + 12, esc(labels[1] or ""))
  p[#p + 1] = string.format('<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>', W - R, H - B + 12, esc(labels[n] or ""))
  p[#p + 1] = string.format('<text class="tick" x="%d" y="%d">%s</text>', L, H - 2, esc("Period; value" .. (unit and (" in " .. unit) or "")))
  if type(target) == "number" then
    p[#p + 1] = string.format('<line class="target" x1="%d" x2="%d" y1="%s" y2="%s"/>', L, W - R, fmtc(y(target)), fmtc(y(target)))
  end
  local pts = {}
  local function flush()
    if #pts > 1 then p[#p + 1] = '<polyline class="value" points="' .. table.concat(pts, " ") .. '"/>' end
    pts = {}
  end
  for i = 1, n do
    local v = tr[i]
    if type(v) == "number" then
      pts[#pts + 1] = fmtc(x(i)) .. "," .. fmtc(y(v))
      p[#p + 1] = string.format('<circle cx="%s" cy="%s" r="2.5"/>', fmtc(x(i)), fmtc(y(v)))
    else flush() end
  end
  flush()
  p[#p + 1] = "</svg>"
  return table.concat(p)
end

-- The benchmark bar chart: one bar per area with a figure, the council's bar hatched and
-- labelled "(this council)", the quartile band shaded, the median a solid line and England
-- a dashed one, each labelled; axis with its unit.
local function svg_benchmark(rep)
  local b = rep.benchmark or {}
  local bars = {}
  for _, r in ipairs(rep.rows) do
    if type(r.value) == "number" and not suppressed(r) and not r.comparator then bars[#bars + 1] = r end
  end
  if #bars == 0 then return "" end
  local hi, lo = 0, 0
  for _, r in ipairs(bars) do hi = math.max(hi, r.value); lo = math.min(lo, r.value) end
  if b.england then hi = math.max(hi, b.england) end
  if hi == lo then hi = lo + 1 end
  hi = hi * 1.08
  local dec = b.decimals
  local BH, L, R, T = 18, 210, 70, 26
  local W = 760
  local H = T + #bars * BH + 44
  local function x(v) return L + (v - lo) / (hi - lo) * (W - L - R) end
  local alt = string.format("Bar chart of %s for the %d areas with figures in %s; %s; median %s; England %s",
    rep.title or "the KPI", #bars, b.group_title or "the group",
    b.council_name and (b.council_name .. " highlighted") or "", b.median_display or "none", b.england_display or "no figure")
  local p = { string.format('<svg class="bench" role="img" width="%d" height="%d" viewBox="0 0 %d %d" aria-describedby="bench-table"><title>%s</title>',
                            W, H, W, H, esc(alt)),
              '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#1F3A5F"/><line x1="0" y1="0" x2="0" y2="6" stroke="#F2C94C" stroke-width="3"/></pattern></defs>' }
  local bottom = T + #bars * BH
  if b.q1 and b.q3 then
    p[#p + 1] = string.format('<rect class="band" x="%s" y="%d" width="%s" height="%d"/>', fmtc(x(b.q1)), T,
                              fmtc(math.max(x(b.q3) - x(b.q1), 1)), #bars * BH)
    p[#p + 1] = string.format('<text class="tick" x="%s" y="%d" text-anchor="middle">middle half %s to %s</text>',
                              fmtc((x(b.q1) + x(b.q3)) / 2), T - 4, esc(b.q1_display or ""), esc(b.q3_display or ""))
  end
  for i, r in ipairs(bars) do
    local yy = T + (i - 1) * BH
    local label = (r.rank and (r.rank .. ". ") or "") .. tostring(r.name or r.area) .. (r.highlight and " (this council)" or "")
    p[#p + 1] = string.format('<text class="%s" x="%d" y="%d" text-anchor="end">%s</text>', r.highlight and "label own" or "label",
                              L - 6, yy + 13, esc(label))
    p[#p + 1] = string.format('<rect class="%s" x="%s" y="%d" width="%s" height="%d"/>', r.highlight and "bar own" or "bar",
                              fmtc(x(math.min(0, r.value))), yy + 3, fmtc(math.max(math.abs(x(r.value) - x(0)), 1)), BH - 6)
    p[#p + 1] = string.format('<text class="val" x="%s" y="%d">%s</text>', fmtc(x(math.max(r.value, 0)) + 4), yy + 13,
                              esc(r.display or number(r.value, dec)))
  end
  if b.median then
    p[#p + 1] = string.format('<line class="median" x1="%s" x2="%s" y1="%d" y2="%d"/><text class="tick" x="%s" y="%d" text-anchor="middle">median %s</text>',
                              fmtc(x(b.median)), fmtc(x(b.median)), T, bottom, fmtc(x(b.median)), bottom + 14, esc(b.median_display or ""))
  end
  if b.england then
    p[#p + 1] = string.format('<line class="england" x1="%s" x2="%s" y1="%d" y2="%d"/><text class="tick" x="%s" y="%d" text-anchor="middle">England %s</text>',
                              fmtc(x(b.england)), fmtc(x(b.england)), T - 2, bottom, fmtc(x(b.england)), bottom + 28, esc(b.england_display or ""))
  end
  p[#p + 1] = string.format('<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>', L, W - R, bottom, bottom)
  p[#p + 1] = string.format('<text class="tick" x="%d" y="%d">Value%s</text>', L, H - 2, esc(b.unit and (" (" .. b.unit .. ")") or ""))
  p[#p + 1] = "</svg>"
  return table.concat(p)
end

-- A trend chart for the KPI detail report: values, target trajectory (dashed), labels.
local function svg_trend(rows)
  local lo, hi
  for _, r in ipairs(rows) do
    for _, v in ipairs({ r.value, r.target }) do
      if type(v) == "number" and not (v == r.value and suppressed(r)) then
        lo = math.min(lo or v, v); hi = math.max(hi or v, v)
      end
    end
  end
  if not lo then return "" end
  if hi == lo then hi = hi + 1; lo = lo - 1 end
  local pad = (hi - lo) * 0.1
  lo, hi = lo - pad, hi + pad
  local W, H, L, R, T, B = 720, 240, 56, 12, 12, 40
  local n = #rows
  local function x(i) return L + (i - 0.5) * (W - L - R) / n end
  local function y(v) return T + (hi - v) / (hi - lo) * (H - T - B) end
  local p = { string.format('<svg class="trend" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>Trend and target</title>', W, H, W, H) }
  p[#p + 1] = string.format('<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>', L, W - R, H - B, H - B)
  for k = 0, 4 do
    local v = lo + (hi - lo) * k / 4
    p[#p + 1] = string.format('<text class="tick" x="%d" y="%s" text-anchor="end">%s</text><line class="grid" x1="%d" x2="%d" y1="%s" y2="%s"/>',
                              L - 4, fmtc(y(v) + 4), esc(number(v, 1)), L, W - R, fmtc(y(v)), fmtc(y(v)))
  end
  local tgt, val = {}, {}
  for i, r in ipairs(rows) do
    p[#p + 1] = string.format('<text class="tick" x="%s" y="%d" text-anchor="middle">%s</text>', fmtc(x(i)), H - B + 14,
                              esc(r.period:gsub("^%d%d(%d%d)/", "%1/")))
    if type(r.target) == "number" then tgt[#tgt + 1] = fmtc(x(i)) .. "," .. fmtc(y(r.target)) end
    if type(r.value) == "number" and not suppressed(r) then
      val[#val + 1] = fmtc(x(i)) .. "," .. fmtc(y(r.value))
      p[#p + 1] = string.format('<circle cx="%s" cy="%s" r="4" fill="%s"><title>%s: %s (%s)</title></circle>', fmtc(x(i)), fmtc(y(r.value)),
                                RAG_COLOUR[r.rag] or "#333", esc(r.period), esc(r.display or number(r.value)), esc(RAG_WORD[r.rag] or ""))
    end
  end
  if #tgt > 1 then p[#p + 1] = '<polyline class="target" points="' .. table.concat(tgt, " ") .. '"/>' end
  if #val > 1 then p[#p + 1] = '<polyline class="value" points="' .. table.concat(val, " ") .. '"/>' end
  p[#p + 1] = string.format('<text class="legend" x="%d" y="%d">Period (x axis); value (y axis): — value   - - target</text>', L, H - 6)
  p[#p + 1] = "</svg>"
  return table.concat(p)
end

local function badge(st)
  if st == nil then return "" end
  return string.format('<span class="rag rag-%s" title="%s"><b>%s</b> %s</span>', esc(st),
                       esc(RAG_WORD[st] or st), esc(symbol(st)), esc(RAG_WORD[st] or st))
end

local function html_cell(row, c, asked)
  local k, v = c.kind, row[c.key]
  if k == "rag" then return badge(v)
  elseif k == "spark" then return svg_spark(v, row.target, row.rag, row.decimals)
  elseif k == "area" then
    return esc(tostring(v or "")) .. (row.highlight and ' <strong class="own">(this council)</strong>' or "")
  elseif k == "flags" then
    if not row.flag_marks then return "" end
    return '<span class="flags" title="see Notes">' .. esc(row.flag_marks) .. "</span>"
  elseif k == "dot" then
    if v == nil then return "" end
    return string.format('<span class="dot dot-%s">%s %s</span>', esc(v), DOT_SYM[v] or "", esc(DOT_WORD[v] or v))
  elseif k == "tree" then
    local pad = (row.depth or 0) * 1.4
    local cls = row.kind == "kpi" and "tree-kpi" or "tree-node"
    return string.format('<span class="%s" style="padding-left:%.1fem">%s%s</span>', cls, pad,
                         row.kind == "kpi" and (esc(row.id) .. " ") or "", esc(v or ""))
  elseif k == "commentary" then
    if (v == nil or v == "") and row.commentary_note then
      return '<span class="required">' .. esc(row.commentary_note) .. "</span>"
    end
    return esc(v or "")
  end
  return esc(cell_text(row, c, asked))
end

local function html_table(columns, rows, asked, caption, id)
  columns = shown_columns(columns, rows, asked)
  local out = { "<table" .. (id and (' id="' .. id .. '"') or "") .. ">" ..
                (caption and ("<caption>" .. esc(caption) .. "</caption>") or "") .. "<thead><tr>" }
  for _, c in ipairs(columns) do
    out[#out + 1] = string.format('<th scope="col" class="k-%s">%s</th>', c.kind, esc(c.title))
  end
  out[#out + 1] = "</tr></thead><tbody>"
  for _, row in ipairs(rows) do
    local cls = {}
    if row.rag then cls[#cls + 1] = "row-" .. row.rag end
    if row.highlight then cls[#cls + 1] = "highlight" end
    if row.comparator then cls[#cls + 1] = "comparator" end
    if row.kind then cls[#cls + 1] = "kind-" .. row.kind end
    local kpi = row.kpi or (row.kind == "kpi" and row.id) or nil   -- a KPI's row: data-kpi (tests/e2e/a11y.sh)
    out[#out + 1] = "<tr" .. (#cls > 0 and (' class="' .. esc(table.concat(cls, " ")) .. '"') or "") ..
                    (kpi and (' data-kpi="' .. esc(kpi) .. '"') or "") .. ">"
    for _, c in ipairs(columns) do
      out[#out + 1] = string.format('<td class="k-%s">%s</td>', c.kind, html_cell(row, c, asked))
    end
    out[#out + 1] = "</tr>"
  end
  if #rows == 0 then
    out[#out + 1] = string.format('<tr><td colspan="%d" class="muted">None.</td></tr>', #columns)
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out, "\n")
end

local CSS = [[
*{box-sizing:border-box}
body{font-family:"Segoe UI",Arial,Helvetica,sans-serif;color:#1b1b1b;margin:24px;font-size:13px;line-height:1.35}
header{border-bottom:3px solid #1F3A5F;margin-bottom:12px;padding-bottom:6px}
h1{font-size:22px;margin:0 0 4px;color:#1F3A5F}
h2{font-size:16px;margin:22px 0 6px;color:#1F3A5F}
h3,h4,h5,h6{font-size:14px;margin:14px 0 4px;color:#1F3A5F}
section.group{margin-left:0}
.meta{color:#444;margin:0}
.sub{color:#444;margin:2px 0 0;font-style:italic}
.summary{margin:10px 0;display:flex;gap:8px;flex-wrap:wrap}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid #c9ced6;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#1F3A5F;color:#fff;font-weight:600}
td.k-value,td.k-target,th.k-target,td.k-number,td.k-int,td.k-rank,td.k-rank1,th.k-value,th.k-number,th.k-int,th.k-rank,th.k-rank1{text-align:right;white-space:nowrap}
tbody tr:nth-child(even){background:#f5f7fa}
.rag{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;white-space:nowrap;border:1px solid rgba(0,0,0,.25)}
.rag b{font-weight:700}
.rag-red{background:#C0392B;color:#fff}.rag-amber{background:#E6A117;color:#1b1b1b}
.rag-green{background:#2E8540;color:#fff}.rag-blue{background:#1F5FAD;color:#fff}
.rag-no_data{background:#e3e3e3;color:#333}.rag-data_only{background:#f0f0f0;color:#333}
.rag-error{background:#6C3483;color:#fff}
.dot{white-space:nowrap}.dot-better{color:#1E6B30}.dot-worse{color:#C0392B}.dot-same{color:#555}
svg.spark polyline{fill:none;stroke:#1F3A5F;stroke-width:1.6}
svg .target{stroke:#777;stroke-dasharray:3 2;stroke-width:1;fill:none}
svg.trend polyline.value{fill:none;stroke:#1F3A5F;stroke-width:2}
svg.trend polyline.target{stroke:#C0392B;stroke-dasharray:6 4;stroke-width:1.5}
svg.trend .axis{stroke:#333}svg.trend .grid{stroke:#e3e3e3}
svg.trend text{font-size:10px;fill:#333}
.required{color:#C0392B;font-weight:700}
.muted{color:#595959}
tr.highlight{background:#fff3c4 !important;font-weight:700}
tr.comparator{font-style:italic;background:#eef2f7 !important}
tr.kind-node td{font-weight:600}
.tree-kpi{font-weight:400}
footer{margin-top:16px;color:#555;font-size:11px;border-top:1px solid #c9ced6;padding-top:4px}
.cover-line{margin:2px 0;font-size:14px}
.rollup{margin:2px 0 6px}
.flags{font-weight:700;color:#1F3A5F}
.own{color:#1b1b1b}
dl.notes dt{float:left;font-weight:700;margin-right:6px}dl.notes dd{margin:0 0 2px 24px}
table.key{width:auto}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:10px}
.tile{border:1px solid #c9ced6;border-left:6px solid #595959;padding:6px 8px;break-inside:avoid}
.tile-red{border-left-color:#C0392B}.tile-amber{border-left-color:#E6A117}.tile-green{border-left-color:#2E8540}.tile-blue{border-left-color:#1F5FAD}
.tile h3{font-size:13px;margin:0 0 4px}.tile p{margin:2px 0}.tile .big{font-size:22px;font-weight:700}
svg.tile-trend .axis{stroke:#333}svg.tile-trend polyline.value{fill:none;stroke:#1F3A5F;stroke-width:2}
svg.tile-trend circle{fill:#1F3A5F}svg text{font-size:10px;fill:#333}
svg.bench .bar{fill:#6b7f99}svg.bench .own{fill:url(#hatch);stroke:#1b1b1b}
svg.bench .band{fill:#e6ecf3}svg.bench .median{stroke:#1b1b1b;stroke-width:2}
svg.bench .england{stroke:#C0392B;stroke-width:2;stroke-dasharray:5 3}svg.bench .axis{stroke:#333}
svg.bench .label{font-size:11px}svg.bench .label.own{font-weight:700}svg.bench .val{font-size:10px}
@page{size:A4 landscape;margin:12mm 12mm 16mm;
  @bottom-right{content:"Page " counter(page) " of " counter(pages);font-size:9px;color:#333}}
@media print{
  body{margin:0;font-size:10.5px}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  thead{display:table-header-group}
  th,td{padding:3px 4px;overflow-wrap:anywhere}
  .dot,td.k-target,th.k-target{white-space:normal}
  tr,svg{break-inside:avoid;page-break-inside:avoid}
  h2,h3,h4,h5,h6{break-after:avoid;page-break-after:avoid}
  section.group.page{break-before:page}
  section.group.page:first-of-type{break-before:auto}
}
]]

-- The mark by which an existing .html file is known to be a pmf report that -o may replace.
local HTML_MARK = '<meta name="generator" content="pmf">'

-- The dashboard's tiles: one per KPI, value with its unit, target, RAG word, DoT, a trend
-- chart with the target line, the benchmark position.
local function html_tiles(rep)
  local out = { '<div class="tiles">' }
  for _, r in ipairs(rep.rows) do
    local bench = r.rank and string.format("Rank %s of %s%s", number(r.rank), number(r.n),
                                            r.quartile and (", quartile " .. number(r.quartile)) or "")
                  or (r.benchmark_note and ("Not ranked: " .. r.benchmark_note)) or "No benchmark"
    out[#out + 1] = table.concat({
      '<section class="tile tile-' .. esc(r.rag or "none") .. '" aria-label="' .. esc(r.kpi .. " " .. (r.title or "")) .. '">',
      '<h3>' .. esc(r.kpi) .. " " .. esc(r.title or "") .. '</h3>',
      '<p class="big">' .. esc(suppressed(r) and "suppressed" or r.display or "no data") ..
        (r.flag_marks and (' <span class="flags">' .. esc(r.flag_marks) .. "</span>") or "") .. "</p>",
      '<p>Target: ' .. esc(r.target_display or "none") .. " " .. badge(r.rag) .. "</p>",
      '<p>vs previous: ' .. esc(cell_text(r, { kind = "dot", key = "dot_prev" })) ..
        "; vs last year: " .. esc(cell_text(r, { kind = "dot", key = "dot_year" })) .. "</p>",
      svg_tile_trend(r.trend, r.target, r.unit, r.decimals, r.rag),
      '<p>' .. esc(bench) .. (r.period and tostring(r.period) ~= rep.period and (" | rated for " .. esc(r.period)) or "") .. "</p>",
      "</section>" })
  end
  out[#out + 1] = "</div>"
  return table.concat(out, "\n")
end

-- The report's title in the printed page's footer (a CSS @page margin box; the string is
-- escaped for CSS, and < so that no </style> can end the block).
local function page_title_css(rep)
  local t = (rep.title or "") .. (rep.council_name and (" | " .. rep.council_name) or "") ..
            (rep.period and (" | " .. rep.period) or "")
  t = plain(t):gsub('[\\"<>\n]', function(c) return string.format("\\%x ", c:byte()) end)
  return '@page{@bottom-left{content:"' .. t .. '";font-size:9px;color:#333}}\n'
end

local function render_html(rep)
  local out = { "<!DOCTYPE html>", '<html lang="en-GB"><head><meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                HTML_MARK,
                rep.framework_hash and ('<meta name="pmf-framework-hash" content="' .. esc(rep.framework_hash) .. '">') or "",
                "<title>" .. esc((rep.title or "Report") .. (rep.council_name and (" | " .. rep.council_name) or "") ..
                                 (rep.period and (" | " .. rep.period) or "") .. " | pmf") .. "</title>",
                "<style>" .. CSS .. page_title_css(rep) .. "</style></head><body>", '<header class="cover">',
                "<h1>" .. esc(rep.title or "") .. "</h1>",
                '<p class="meta">' .. esc(meta_line(rep)) .. "</p>" }
  if rep.subtitle then out[#out + 1] = '<p class="sub">' .. esc(rep.subtitle) .. "</p>" end
  for _, l in ipairs(cover_lines(rep)) do out[#out + 1] = '<p class="cover-line">' .. esc(l) .. "</p>" end
  out[#out + 1] = "</header><main>"
  -- a count of statuses for rated rows (scorecard, exceptions, ...)
  local counts, any = {}, false
  for _, r in ipairs(rep.rows) do
    if r.rag and r.kind ~= "node" and r.kind ~= "kpi" then counts[r.rag] = (counts[r.rag] or 0) + 1; any = true end
  end
  if any then
    local chips = {}
    for _, st in ipairs({ "red", "amber", "green", "blue", "no_data", "data_only", "error" }) do
      if counts[st] then chips[#chips + 1] = badge(st) .. " " .. counts[st] end
    end
    out[#out + 1] = '<h2>Summary</h2><div class="summary">' .. table.concat(chips, " &nbsp; ") .. "</div>"
    if rep.headline then out[#out + 1] = "<p>" .. esc(headline_text(rep)) .. "</p>" end
  end
  if rep.facts then
    out[#out + 1] = "<h2>Position</h2><ul>"
    for _, l in ipairs(rep.facts) do out[#out + 1] = "<li>" .. esc(l) .. "</li>" end
    out[#out + 1] = "</ul>"
  end
  if rep.chart and rep.chart.kind == "trend" then
    out[#out + 1] = "<h2>Trend and target</h2>" .. svg_trend(rep.rows)
    if rep.projection then
      out[#out + 1] = "<p>Projected year end: <b>" .. esc(number(rep.projection, 1)) .. "</b></p>"
    end
  end
  if rep.chart and rep.chart.kind == "benchmark" then
    out[#out + 1] = "<h2>Comparator group chart</h2><figure>" .. svg_benchmark(rep) ..
                    "<figcaption>The same figures are in the table below.</figcaption></figure>"
    out[#out + 1] = "<h2>League table</h2>"
    out[#out + 1] = html_table(rep.columns, rep.rows, rep.period, "Comparator group league table", "bench-table")
  elseif rep.layout == "tiles" then
    out[#out + 1] = "<h2>KPIs</h2>" .. html_tiles(rep)
    out[#out + 1] = "<h2>The figures as a table</h2>"
    out[#out + 1] = html_table(rep.columns, rep.rows, rep.period)
  elseif rep.groups and #rep.groups > 0 then
    -- headings in order: h2 for the top of the thread, one level deeper per level (h6 at most)
    local brk = 99
    for _, g in ipairs(rep.groups) do if #g.rows > 0 then brk = math.min(brk, g.depth) end end
    brk = math.max(brk - 1, 1)
    for _, g in ipairs(rep.groups) do
      local h = math.min(g.depth + 2, 6)
      out[#out + 1] = string.format('<section class="group depth-%d%s">', g.depth, g.depth == brk and " page" or "")
      out[#out + 1] = string.format('<h%d>%s: %s</h%d>', h, esc(g.level_title), esc(g.title), h)
      out[#out + 1] = '<p class="rollup">Roll-up: ' .. badge(g.status) .. " " .. esc(rollup_text(g):gsub("^%S+ ", "")) .. "</p>"
      if #g.rows > 0 then out[#out + 1] = html_table(rep.columns, g.rows, rep.period) end
      out[#out + 1] = "</section>"
    end
  else
    out[#out + 1] = html_table(rep.columns, rep.rows, rep.period)
  end
  for _, s in ipairs(rep.sections or {}) do
    out[#out + 1] = "<h2>" .. esc(s.title) .. "</h2>"
    out[#out + 1] = html_table(s.columns, s.rows, rep.period)
  end
  local notes = rep.footnotes or {}
  if #notes > 0 then
    out[#out + 1] = '<h2>Notes</h2><dl class="notes">'
    for _, f in ipairs(notes) do out[#out + 1] = "<dt>" .. esc(f.mark) .. "</dt><dd>" .. esc(f.text) .. "</dd>" end
    out[#out + 1] = "</dl>"
  end
  if rep.rag_key then
    out[#out + 1] = '<h2>Key</h2><table class="key"><caption>What each rating means in this framework</caption><thead><tr><th scope="col">Rating</th><th scope="col">Meaning</th></tr></thead><tbody>'
    for _, e in ipairs(rep.rag_key) do
      out[#out + 1] = "<tr><th scope=\"row\">" .. badge(e[1]) .. "</th><td>" .. esc(e[3]) .. "</td></tr>"
    end
    out[#out + 1] = "</tbody></table><p>" .. esc(rep.rag_key.rule) .. "</p><p>" .. esc(rep.rag_key.dot) .. "</p>"
    if rep.rollup_rule then out[#out + 1] = "<p>" .. esc(rep.rollup_rule) .. "</p>" end
  end
  out[#out + 1] = "</main><footer>" .. esc(meta_line(rep)) ..
                  (rep.version_id and rep.version_id ~= "" and (" | framework " .. esc(rep.version_id)) or "") ..
                  " | pmf</footer>"
  out[#out + 1] = "</body></html>"
  return table.concat(out, "\n") .. "\n"
end

-- ---- xlsx -------------------------------------------------------------------------------

function M.has_xlsx()
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

local function xlsx_sheet(name, columns, rows, used, top)
  local cols, cells = {}, {}
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
  return { name = name, columns = cols, rows = cells, top = top, autofilter = #cells > 0 }
end

-- Unix seconds of an as-of label's date (for the workbook's creation date).
local function epoch(date)
  local y, m, d = tostring(date or ""):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  -- days from civil (proleptic Gregorian), so no dependence on the local time zone
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return (era * 146097 + doe - 719468) * 86400
end

-- The workbook: a title block above each sheet's header (framework, period in words, as-of,
-- status, version), number formats from each KPI's decimals and unit, RAG fills with the
-- word, frozen header, autofilter, the trend as numbers; a sheet per section (a grouped
-- report: per top-level group with KPIs); the benchmark's bar chart on a chart sheet.  The
-- framework's full hash is in the document properties (keywords).
local function write_xlsx(rep, path)
  if not M.has_xlsx() then return nil, "xlsx output needs pmf built with libxlsxwriter" end
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

-- ---- writing outputs --------------------------------------------------------------------
--
-- Every output file goes through target() and commit():
-- - The store is never overwritten: a path that is one of the store's files (the database,
--   its -wal, -shm or -journal), by device and inode or, for a file not there yet, by its
--   real folder and name, is refused, --force or not.
-- - An existing file is replaced only when it is empty or a pmf report of the same format,
--   known by the mark pmf writes in it: html <meta name="generator" content="pmf">; json a
--   top-level "generator": "pmf"; md a last line <!-- generator: pmf -->; xlsx the
--   workbook's creator property "pmf"; text a second line that is pmf's report line (ending
--   "As of YYYY-MM-DD"); csv a first line equal to the header being written (the same
--   report's columns).  Anything else needs opts.force.
-- - A regular file is written to a new file beside it (pmf.file.temp) and renamed over it:
--   a reader never sees half a report and a failed write leaves the old file as it was.  A
--   device or pipe (/dev/stdout, a fifo) is written in place.  A symbolic link is followed:
--   the file it points to is replaced, the link stays.
-- - Every write and close is checked; a failure returns nil, "path: system message".

-- The files of the stores in play that an output must never replace.
local function store_files(opts)
  local out, seen = {}, {}
  for _, s in ipairs({ opts.store or false, pmf.store or false, pmf.root_store or false }) do
    if s and s:is_open() then
      local p = s:path()
      if p and p ~= "" and p ~= ":memory:" and not seen[p] then
        seen[p] = true
        for _, suffix in ipairs({ "", "-wal", "-shm", "-journal" }) do out[#out + 1] = p .. suffix end
      end
    end
  end
  return out
end

-- A path's real name: realpath when the file exists, else its folder's realpath and name.
local function real_name(path)
  local r = pmf.file.realpath(path)
  if r then return r end
  local dir, base = path:match("^(.*)/([^/]*)$")
  if not dir then dir, base = ".", path end
  local rd = pmf.file.realpath(dir == "" and "/" or dir)
  return rd and (rd .. "/" .. base) or path
end

local function is_store_file(path, st, opts)
  local name = real_name(path)
  for _, f in ipairs(store_files(opts)) do
    local fst = pmf.file.stat(f)
    if st and fst and st.dev == fst.dev and st.ino == fst.ino then return f end
    if real_name(f) == name then return f end
  end
  return nil
end

local function read_head(path, n)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read(n) or ""
  f:close()
  return s
end

-- Is the existing regular file at path a pmf report in this format (see above)?
local function is_report(path, format, data, size)
  if size == 0 then return true end
  if format == "xlsx" then
    local core = pmf.xlsx and pmf.xlsx.member(path, "docProps/core.xml")
    return core ~= nil and core:match("<dc:creator>(.-)</dc:creator>") == "pmf"
  end
  if format == "html" then return read_head(path, 4096):find(HTML_MARK, 1, true) ~= nil end
  if format == "pdf" then     -- printed by pmf: a PDF whose title ends "| pmf" (see render_html)
    local f = io.open(path, "rb")
    if not f then return false end
    local head = f:read(4096) or ""
    f:seek("set", math.max(size - 64 * 1024, 0))
    local tail = head .. (f:read("a") or "")
    f:close()
    return head:sub(1, 5) == "%PDF-" and (tail:find("/Title %([^)]*| pmf%)") ~= nil
                                or tail:find("/Title <[^>]*007C00200070006D0066>") ~= nil)
  end
  if format == "json" then
    if size > 256 * 1024 * 1024 then return false end
    local ok, doc = pcall(cjson.decode, read_head(path, size))
    return ok and type(doc) == "table" and doc.generator == "pmf"
  end
  if format == "md" then
    local f = io.open(path, "rb")
    if not f then return false end
    f:seek("set", math.max(size - #MD_MARK, 0))
    local tail = f:read("a") or ""
    f:close()
    return tail == MD_MARK
  end
  local head = read_head(path, 64 * 1024)
  if format == "csv" then
    local line = head:match("^[^\n]*")
    return line ~= "" and line == (data or ""):match("^[^\n]*")
  end
  local second = head:match("^[^\n]*\n([^\n]*)")
  return second ~= nil and second:find("As of %d%d%d%d%-%d%d%-%d%d[^\n]*$") ~= nil
end

-- target(path, format, data, opts) -> {path =, direct = bool} | nil, message
local function target(path, format, data, opts)
  if type(path) ~= "string" or path == "" then return nil, "no output path" end
  local st, err, errno = pmf.file.stat(path)
  if not st and errno ~= 2 then return nil, err end      -- anything but ENOENT: say why
  local store = is_store_file(path, st, opts)
  if store then
    return nil, path .. ": is the store (" .. store .. "); a report never replaces it"
  end
  if not st then return { path = path } end
  if st.type == "directory" then return nil, path .. ": is a folder" end
  if st.type == "other" then return { path = path, direct = true } end
  if not opts.force and not is_report(path, format, data, st.size) then
    return nil, path .. ": exists and is not a pmf " .. format .. " report (--force replaces it)"
  end
  return { path = assert(pmf.file.realpath(path)) }
end

-- Write bytes to a file, every step checked; errors name `shown` (the user's path).
local function put(file, data, shown)
  local f, err = io.open(file, "wb")
  if not f then return nil, shown .. ": " .. tostring(err):gsub("^.-: ", "", 1) end
  local ok, werr = f:write(data)
  if not ok then f:close(); return nil, shown .. ": " .. tostring(werr) end
  local cok, cerr = f:close()
  if not cok then return nil, shown .. ": " .. tostring(cerr) end
  return true
end

-- commit(t, shown, write) -> true | nil, message: write(file) fills `file` (a new file beside
-- the target, or the target itself when it is a device), then the new file is renamed over
-- the target.
local function commit(t, shown, write)
  if t.direct then return write(t.path) end
  local tmp, err = pmf.file.temp(t.path)
  if not tmp then return nil, err end
  local ok, werr = write(tmp)
  if not ok then os.remove(tmp); return nil, werr end
  local rok, rerr = os.rename(tmp, t.path)
  if not rok then
    os.remove(tmp)
    return nil, shown .. ": " .. tostring(rerr):gsub("^.-: ", "", 1)
  end
  return true
end

-- check_output(path, format, bytes [, opts]) -> true | nil, message: whether write_data
-- would accept path for these bytes (asked before something that cannot be undone, such as
-- recording a publication).
function M.check_output(path, format, data, opts)
  local t, err = target(path, format, data, opts or {})
  if not t then return nil, err end
  return true
end

-- write_data(path, bytes, format [, opts]) -> path | nil, message: already rendered bytes
-- (a publication) into a file, as above.
function M.write_data(path, data, format, opts)
  opts = opts or {}
  local t, err = target(path, format, data, opts)
  if not t then return nil, err end
  local ok, werr = commit(t, path, function(file) return put(file, data, path) end)
  if not ok then return nil, werr end
  return path
end

-- write_stdout(bytes) -> true | nil, message: the bytes to standard output, flushed, checked.
function M.write_stdout(data)
  local ok, err = io.stdout:write(data)
  if ok then ok, err = io.stdout:flush() end
  if not ok then return nil, "standard output: " .. tostring(err) end
  return true
end

-- ---- pdf ------------------------------------------------------------------------------
--
-- PDF is the HTML printed by headless Chromium (A4 landscape from the print CSS; the page
-- number and the report's title in the footer from @page margin boxes).  Chromium is found
-- as $PMF_CHROMIUM, else chromium, chromium-browser or google-chrome on the PATH.  Several
-- reports (write_pdfs, write_packs) print in one Chromium run (pmf.pdfprint), as starting
-- Chromium costs more than printing a report.

local function shq(x) return "'" .. tostring(x):gsub("'", "'\\''") .. "'" end

function M.chromium()
  local env = os.getenv("PMF_CHROMIUM")
  if env and env ~= "" then
    return os.execute("test -x " .. shq(env)) == true and env or nil
  end
  for _, name in ipairs({ "chromium", "chromium-browser", "google-chrome" }) do
    local f = io.popen("command -v " .. name .. " 2>/dev/null")
    local found = f and f:read("l")
    if f then f:close() end
    if found and found ~= "" then return found end
  end
  return nil
end

local NO_CHROMIUM = "pdf output needs chromium (apt-get install chromium)"

-- print_pdfs(jobs [, shots]) -> true | nil, message: each job {html = bytes, file = pdf
-- path}, all printed by one Chromium (pmf.pdfprint); every file checked to be a PDF
-- afterwards.  shots: {{html file, png file}, ...} captured (1200 x 900) in the same run.
local function print_pdfs(jobs, shots)
  local exe = M.chromium()
  if not exe then return nil, NO_CHROMIUM end
  local prints = {}
  for _, job in ipairs(jobs) do
    job.src = job.file .. ".src.html"
    local ok, err = put(job.src, job.html, job.shown or job.file)
    if not ok then
      for _, j in ipairs(prints) do os.remove(j.src) end
      return nil, err
    end
    prints[#prints + 1] = { src = job.src, out = job.file, kind = "pdf", name = job.shown or job.file }
  end
  for _, shot in ipairs(shots or {}) do prints[#prints + 1] = { src = shot[1], out = shot[2], kind = "png" } end
  local ok, err = require("pmf.pdfprint").run(exe, prints)
  for _, job in ipairs(jobs) do os.remove(job.src) end
  if not ok then return nil, err end
  for _, job in ipairs(jobs) do
    if read_head(job.file, 5) ~= "%PDF-" then
      return nil, (job.shown or job.file) .. ": chromium did not print a PDF"
    end
  end
  return true
end

-- Print the jobs ({html, file, t = target, shown}) and put each PDF in place: renamed over its
-- target, or written through put() when the target is a device or pipe.  On any failure
-- the temporary files are removed.  true | nil, message.
local function print_and_commit(jobs, shots)
  local ok, err = print_pdfs(jobs, shots)
  if not ok then
    for _, j in ipairs(jobs) do os.remove(j.file) end
    return nil, err
  end
  for _, j in ipairs(jobs) do
    local cok, cerr
    if j.t.direct then
      local f = assert(io.open(j.file, "rb")); local data = f:read("a"); f:close()
      cok, cerr = put(j.t.path, data, j.shown)
      os.remove(j.file)
    else
      cok, cerr = os.rename(j.file, j.t.path)
      if not cok then os.remove(j.file); cerr = j.shown .. ": " .. tostring(cerr) end
    end
    if not cok then return nil, cerr end
  end
  return true
end

-- write_pdfs({{report, path}, ...} [, opts]) -> true | nil, message: several reports as PDF,
-- each through target()/commit() as any output (a new file renamed into place).
function M.write_pdfs(list, opts)
  opts = opts or {}
  if not M.chromium() then return nil, NO_CHROMIUM end
  local jobs = {}
  for _, item in ipairs(list) do
    local rep, path = item[1], item[2]
    local t, err = target(path, "pdf", nil, opts)
    if not t then return nil, err end
    local file = t.direct and (os.tmpname() .. ".pdf") or assert(pmf.file.temp(t.path))
    jobs[#jobs + 1] = { html = M.render(rep, "html"), file = file, t = t, shown = path }
  end
  return print_and_commit(jobs)
end

-- pack_html(reports, title) -> one HTML document holding several reports, each from a new
-- page (a council's report pack: scorecard, exceptions, dashboards, benchmark).
function M.pack_html(reps, title)
  local first = render_html(reps[1])
  local head = first:match("^(.-<body>)")
  head = head:gsub("<title>.-</title>", "<title>" .. esc(title .. " | pmf") .. "</title>", 1)
  head = head:gsub('@page{@bottom%-left{content:"[^"]*"', '@page{@bottom-left{content:"' ..
                   plain(title):gsub('[\\"<>\n]', function(c) return string.format("\\%x ", c:byte()) end) .. '"', 1)
  local parts = { head, '<style>.pack-part{break-before:page}.pack-part:first-child{break-before:auto}</style>' }
  for i, rep in ipairs(reps) do
    local body = render_html(rep):match("<body>(.-)</body>")
    -- each part's landmarks are labelled by its title (several mains would be ambiguous)
    body = body:gsub("<main>", '<div class="main">'):gsub("</main>", "</div>")
    parts[#parts + 1] = '<article class="pack-part" aria-label="' .. esc(rep.title or ("part " .. i)) .. '">' .. body .. "</article>"
  end
  return table.concat(parts, "\n"):gsub("<body>", "<body><main>", 1) .. "</main></body></html>\n"
end

-- write_packs({{reports, path, title}, ...} [, opts]) -> true | nil, message: packs as PDFs,
-- printed together, each renamed into place as any output.  opts.screenshots = {{html file,
-- png file}, ...}: pages captured as PNG (1200 x 900) by the same Chromium (the demo's).
function M.write_packs(list, opts)
  opts = opts or {}
  if not M.chromium() then return nil, NO_CHROMIUM end
  local jobs = {}
  for _, item in ipairs(list) do
    local t, err = target(item[2], "pdf", nil, opts)
    if not t then return nil, err end
    if t.direct then return nil, item[2] .. ": a pdf pack needs a regular file" end
    jobs[#jobs + 1] = { html = M.pack_html(item[1], item[3]), file = assert(pmf.file.temp(t.path)),
                        shown = item[2], t = t }
  end
  return print_and_commit(jobs, opts.screenshots)
end

-- ---- entry points -----------------------------------------------------------------------

local renderers = { text = render_text, md = render_md, csv = render_csv, json = render_json,
                    html = render_html }

-- render(report, format [, opts]) -> string.  Raises on an unknown format (misuse).
function M.render(rep, format, opts)
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.asked = rep.period
  opts = o
  format = format or "text"
  if format == "xlsx" then
    local tmp = os.tmpname()
    local ok, err = write_xlsx(rep, tmp)
    if not ok then os.remove(tmp); error(err, 2) end
    local f = assert(io.open(tmp, "rb"))
    local data = f:read("a")
    f:close()
    os.remove(tmp)
    return data
  end
  if format == "pdf" then
    local tmp = os.tmpname()
    local ok, err = print_pdfs({ { html = render_html(rep), file = tmp } })
    if not ok then os.remove(tmp); error(err, 2) end
    local f = assert(io.open(tmp, "rb"))
    local data = f:read("a")
    f:close()
    os.remove(tmp)
    return data
  end
  local fn = renderers[format]
  if not fn then
    error("unknown format '" .. tostring(format) .. "' (text, md, csv, json, html, xlsx, pdf)", 2)
  end
  return fn(rep, opts)
end

-- write(report, path, format [, opts]) -> path | nil, message (see "writing outputs").
function M.write(rep, path, format, opts)
  opts = opts or {}
  if format == "pdf" then
    local ok, err = M.write_pdfs({ { rep, path } }, opts)
    if not ok then return nil, err end
    return path
  end
  if format == "xlsx" then
    local t, err = target(path, format, nil, opts)
    if not t then return nil, err end
    local ok, werr
    if t.direct then    -- a device or pipe: libxlsxwriter needs a file it can seek in
      ok, werr = put(t.path, M.render(rep, "xlsx"), path)
    else
      ok, werr = commit(t, path, function(file)
        local wok, e = write_xlsx(rep, file)
        if not wok then return nil, (tostring(e):gsub("^[^:]*%.pmf%-%w+: ", path .. ": ", 1)) end
        return true
      end)
    end
    if not ok then return nil, werr end
    return path
  end
  return M.write_data(path, M.render(rep, format, opts), format, opts)
end

-- ---- the REPL: any list of rows as an aligned table ----------------------------------

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
  local text = text_table(cols, rows, {})
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
    text = text_table(cols, rows, {})
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

-- rows(rows, format [, order [, opts]]) -> string: plain rows (maps).  Columns: `order`
-- (e.g. a SELECT's, from store:columns) then any other key, sorted; every row carries every
-- column (JSON null, empty CSV field).  opts.raw as for render.
function M.rows(rows, format, order, opts)
  local keys, seen = {}, {}
  for _, k in ipairs(order or {}) do
    if not seen[k] then seen[k] = true; keys[#keys + 1] = k end
  end
  local extra = {}
  for _, r in ipairs(rows) do
    for k in pairs(r) do
      if not seen[k] then seen[k] = true; extra[#extra + 1] = k end
    end
  end
  table.sort(extra, function(a, b) return tostring(a) < tostring(b) end)
  table.move(extra, 1, #extra, #keys + 1, keys)
  if format == "json" then
    if #rows == 0 then return "[]\n" end
    local out = {}
    for i, r in ipairs(rows) do
      local parts = {}
      for j, k in ipairs(keys) do
        local v = r[k]
        parts[j] = cjson.encode(tostring(k)) .. ":" .. M.json_encode(v == nil and cjson.null or v)
      end
      out[i] = "{" .. table.concat(parts, ",") .. "}"
    end
    return "[\n  " .. table.concat(out, ",\n  ") .. "\n]\n"
  end
  local columns = {}
  for i, k in ipairs(keys) do columns[i] = { key = k, title = tostring(k), kind = "text" } end
  local rep = { title = "Query", columns = columns, rows = rows }
  if format == "xlsx" then return M.render(rep, "xlsx") end
  local o = { bare = true }
  for k, v in pairs(opts or {}) do o[k] = v end
  return M.render(rep, format or "text", o)
end

return M
