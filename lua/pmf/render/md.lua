-- lua/pmf/render/md.lua: the Markdown format (module `pmf.render.md`): a report as
-- headings, pipe tables and lists.
--
--   md.render(report, opts) -> string   (opts.bare: the table(s) only)
--   md.MARK: the last line of a Markdown report, by which -o knows a .md is a pmf report
--
-- Design decision: user text is made harmless for Markdown: & < > escaped (Markdown passes
-- raw HTML through, <script> included), | and \\ escaped (table cells), no line breaks, no
-- control characters.
local C = require "pmf.render.common"
local format = require "pmf.format"

local M = {}
local plain, cell_text, shown_columns, right = C.plain, C.cell_text, C.shown_columns, C.right
local number = format.number
local meta_line, cover_lines, rollup_text = C.meta_line, C.cover_lines, C.rollup_text
local headline_text, footnote_lines, key_lines = C.headline_text, C.footnote_lines, C.key_lines

-- The last line of a Markdown report (an HTML comment: invisible once rendered), by which
-- an existing .md file is known to be a pmf report that -o may replace.
local MD_MARK = "<!-- generator: pmf -->\n"
M.MARK = MD_MARK

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

function M.render(rep, opts)
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
    for _, part in ipairs({ { "Notes", footnote_lines(rep) }, { "Key", key_lines(rep) } }) do
      if #part[2] > 0 then
        out[#out + 1] = "## " .. part[1] .. "\n"
        for _, l in ipairs(part[2]) do out[#out + 1] = "- " .. md_cell(l) end
        out[#out + 1] = ""
      end
    end
    out[#out + 1] = MD_MARK
  end
  return table.concat(out, "\n")
end

return M
