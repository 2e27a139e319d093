-- lua/pmf/render/text.lua: the plain-text format (module `pmf.render.text`): a report as
-- aligned tables for a terminal or a .txt file, and text_table, the aligned table the REPL's
-- pmf.show uses too.
--
--   text.render(report, opts) -> string   (opts.color: ANSI colours on the RAG column;
--        opts.bare: the table(s) only; opts.flat: no group headings)
--   text.table(columns, rows, opts) -> string
--
-- Design decisions: long cells wrap at a column's `wrap` width; numbers right-aligned;
-- control characters dropped (no terminal escape sequence from user text); the second line
-- is the report line ending "As of YYYY-MM-DD", by which -o knows a .txt is a pmf report.
local C = require "pmf.render.common"
local format = require "pmf.format"

local M = {}
local plain, cell_text, shown_columns, ulen, wrap = C.plain, C.cell_text, C.shown_columns,
                                                    C.ulen, C.wrap
local right, RAG_ANSI, number = C.right, C.RAG_ANSI, format.number
local meta_line, cover_lines, rollup_text = C.meta_line, C.cover_lines, C.rollup_text
local headline_text, footnote_lines, key_lines = C.headline_text, C.footnote_lines, C.key_lines

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
M.table = text_table

function M.render(rep, opts)
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

return M
