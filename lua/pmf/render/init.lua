-- lua/pmf/render/init.lua: the renderers (module `pmf.render`): a report object (pmf.report)
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
--        title}, ...} [, opts]) -> true | nil, message (printed in parallel); chromium();
--        printer([opts]) -> a PDF printer working beside the caller (see pdf.lua)
--   pmf.render.show(rows [, columns]) (= pmf.show), show_text(rows [, columns [, width]]),
--        repl_value(v) (core/main.c's REPL printing), is_rows(v)
--
-- The formats live one a file beside this one: text.lua, md.lua, csv.lua, json.lua (and
-- pmf's JSON encoder), html.lua (with chart.lua, its inline SVG charts), xlsx.lua, pdf.lua
-- (Chromium printing); common.lua holds what they share (RAG words, a cell's text, the
-- cover and key lines), output.lua the rules for writing any output file, show.lua the
-- REPL's tables.  Numbers are written by pmf.format (lua/pmf/format.lua).  This file
-- dispatches on the format and keeps pmf.render's API.
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
-- - Writing an output (write, write_data, see output.lua) never truncates a
--   file in place: the bytes go to a new file beside it that is renamed over it, every
--   write and close is checked, and the store's own files, or an existing file that is not
--   a pmf report of the same format, are refused (the latter unless opts.force).
local cjson = require "cjson"
local numbers = require "pmf.format"
local C = require "pmf.render.common"
local output = require "pmf.render.output"
local text = require "pmf.render.text"
local md = require "pmf.render.md"
local csv = require "pmf.render.csv"
local json = require "pmf.render.json"
local html = require "pmf.render.html"
local xlsx = require "pmf.render.xlsx"
local pdf = require "pmf.render.pdf"
local show = require "pmf.render.show"

local M = {}
M.formats = { "text", "md", "csv", "json", "html", "xlsx", "pdf" }

-- The API kept from the single-file renderer: each name is the function of the file that
-- owns it.
M.number, M.number_text = numbers.number, numbers.number_text
M.RAG_WORD, M.RAG_COLOUR = C.RAG_WORD, C.RAG_COLOUR
M.plain, M.cell_text, M.cover_lines, M.rollup_text = C.plain, C.cell_text, C.cover_lines,
                                                     C.rollup_text
M.html_escape, M.pack_html = C.esc, html.pack
M.json_encode = json.encode
M.has_xlsx, M.excel_format = xlsx.available, xlsx.excel_format
M.check_output, M.write_data, M.write_stdout = output.check_output, output.write_data,
                                               output.write_stdout
M.chromium, M.write_pdfs, M.write_packs, M.printer = pdf.chromium, pdf.write_pdfs, pdf.write_packs,
                                                     pdf.printer
M.show, M.show_text, M.repl_value, M.is_rows = show.show, show.show_text, show.repl_value,
                                               show.is_rows

-- ---- entry points -----------------------------------------------------------------------

-- Formats rendered to a string, and formats a library writes into a file.
local renderers = { text = text.render, md = md.render, csv = csv.render, json = json.render,
                    html = html.render }
local files = {
  xlsx = xlsx.write,
  pdf = function(rep, file) return pdf.print({ { html = html.render(rep), file = file } }) end,
}

-- render(report, format [, opts]) -> string.  Raises on an unknown format (misuse).
function M.render(rep, format, opts)
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.asked = rep.period
  opts = o
  format = format or "text"
  local to_file = files[format]
  if to_file then
    local data, err = output.via_temp(function(file) return to_file(rep, file) end)
    if not data then error(err, 2) end
    return data
  end
  local fn = renderers[format]
  if not fn then
    error("unknown format '" .. tostring(format) .. "' (text, md, csv, json, html, xlsx, pdf)", 2)
  end
  return fn(rep, opts)
end

-- write(report, path, format [, opts]) -> path | nil, message (see output.lua).
function M.write(rep, path, format, opts)
  opts = opts or {}
  if format == "pdf" then
    local ok, err = M.write_pdfs({ { rep, path } }, opts)
    if not ok then return nil, err end
    return path
  end
  if format == "xlsx" then
    local t, err = output.target(path, format, nil, opts)
    if not t then return nil, err end
    local ok, werr
    if t.direct then    -- a device or pipe: libxlsxwriter needs a file it can seek in
      ok, werr = output.put(t.path, M.render(rep, "xlsx"), path)
    else
      ok, werr = output.commit(t, path, function(file)
        local wok, e = xlsx.write(rep, file)
        if not wok then return nil, (tostring(e):gsub("^[^:]*%.pmf%-%w+: ", path .. ": ", 1)) end
        return true
      end)
    end
    if not ok then return nil, werr end
    return path
  end
  return M.write_data(path, M.render(rep, format, opts), format, opts)
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
