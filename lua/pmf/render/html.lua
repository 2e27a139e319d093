-- lua/pmf/render/html.lua: the HTML format (module `pmf.render.html`): a report as one
-- self-contained page (inline CSS and SVG, no scripts, no external files) with print CSS
-- for the PDF (A4 landscape, repeated headers, badge colours kept, page numbers and the
-- report's title in the footer), and a pack of several reports as one page.
--
--   html.render(report) -> string
--   html.pack(reports, title) -> string   (each report from a new page)
--   html.MARK: <meta name="generator" content="pmf">, by which -o knows an .html is ours
--
-- Design decisions: everything from a report is escaped (esc); the RAG is a badge with a
-- symbol and a word, never a colour alone; headings go one level deeper per level of the
-- golden thread; charts come from pmf.render.chart, each with its data in a table too.
local C = require "pmf.render.common"
local chart = require "pmf.render.chart"
local format = require "pmf.format"

local M = {}
local esc, plain, symbol, cell_text, shown_columns = C.esc, C.plain, C.symbol, C.cell_text,
                                                      C.shown_columns
local suppressed, RAG_WORD, DOT_WORD, DOT_SYM = C.suppressed, C.RAG_WORD, C.DOT_WORD, C.DOT_SYM
local meta_line, cover_lines, rollup_text = C.meta_line, C.cover_lines, C.rollup_text
local headline_text, number = C.headline_text, format.number

local function badge(st)
  if st == nil then return "" end
  return string.format('<span class="rag rag-%s" title="%s"><b>%s</b> %s</span>', esc(st),
                       esc(RAG_WORD[st] or st), esc(symbol(st)), esc(RAG_WORD[st] or st))
end

local function html_cell(row, c, asked)
  local k, v = c.kind, row[c.key]
  if k == "rag" then return badge(v)
  elseif k == "spark" then return chart.spark(v, row.target, row.rag, row.decimals)
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

M.MARK = HTML_MARK

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
      chart.tile_trend(r.trend, r.target, r.unit, r.decimals, r.rag),
      '<p>' .. esc(bench) .. (r.period and tostring(r.period) ~= rep.period and (" | rated for " .. esc(r.period)) or "") .. "</p>",
      "</section>" })
  end
  out[#out + 1] = "</div>"
  return table.concat(out, "\n")
end

-- Text as the body of a CSS string: escaped for CSS, and < so that no </style> can end the
-- block.
local function css_string(s)
  return (plain(s):gsub('[\\"<>\n]', function(c) return string.format("\\%x ", c:byte()) end))
end

-- The report's title in the printed page's footer (a CSS @page margin box).
local function page_title_css(rep)
  local t = css_string((rep.title or "") .. (rep.council_name and (" | " .. rep.council_name) or "") ..
                       (rep.period and (" | " .. rep.period) or ""))
  return '@page{@bottom-left{content:"' .. t .. '";font-size:9px;color:#333}}\n'
end

function M.render(rep)
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
    out[#out + 1] = "<h2>Trend and target</h2>" .. chart.trend(rep.rows)
    if rep.projection then
      out[#out + 1] = "<p>Projected year end: <b>" .. esc(number(rep.projection, 1)) .. "</b></p>"
    end
  end
  if rep.chart and rep.chart.kind == "benchmark" then
    out[#out + 1] = "<h2>Comparator group chart</h2><figure>" .. chart.benchmark(rep) ..
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

-- pack_html(reports, title) -> one HTML document holding several reports, each from a new
-- page (a council's report pack: scorecard, exceptions, dashboards, benchmark).
function M.pack(reps, title)
  local first = M.render(reps[1])
  local head = first:match("^(.-<body>)")
  head = head:gsub("<title>.-</title>", "<title>" .. esc(title .. " | pmf") .. "</title>", 1)
  head = head:gsub('@page{@bottom%-left{content:"[^"]*"', '@page{@bottom-left{content:"' ..
                   css_string(title) .. '"', 1)
  local parts = { head, '<style>.pack-part{break-before:page}.pack-part:first-child{break-before:auto}</style>' }
  for i, rep in ipairs(reps) do
    local body = M.render(rep):match("<body>(.-)</body>")
    -- each part's landmarks are labelled by its title (several mains would be ambiguous)
    body = body:gsub("<main>", '<div class="main">'):gsub("</main>", "</div>")
    parts[#parts + 1] = '<article class="pack-part" aria-label="' .. esc(rep.title or ("part " .. i)) .. '">' .. body .. "</article>"
  end
  return table.concat(parts, "\n"):gsub("<body>", "<body><main>", 1) .. "</main></body></html>\n"
end

-- write_packs({{reports, path, title}, ...} [, opts]) -> true | nil, message: packs as PDFs,

return M
