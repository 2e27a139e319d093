-- lua/pmf/render/chart.lua: the charts of the HTML format, as inline SVG (module
-- `pmf.render.chart`).
--
--   chart.spark(trend, target, rag, decimals)   a table cell's sparkline
--   chart.tile_trend(trend, target, unit, decimals, rag)   a dashboard tile's trend
--   chart.benchmark(report)   the comparator group's bar chart
--   chart.trend(rows)   the KPI detail report's value and target trajectory
--
-- Design decisions: no scripts and no external files (the HTML is one self-contained
-- file); every chart has a <title>, its text alternative, giving the values in words; a
-- colour never carries meaning alone (the council's bar is hatched and labelled, the RAG is
-- also a word in the table beside it); coordinates to 0.1 so the bytes are stable.
local C = require "pmf.render.common"
local format = require "pmf.format"

local M = {}
local esc, suppressed, RAG_COLOUR, RAG_WORD = C.esc, C.suppressed, C.RAG_COLOUR, C.RAG_WORD
local number, trend_range = format.number, C.trend_range

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
function M.spark(tr, target, rag, decimals)
  if type(tr) ~= "table" or rag == "no_data" then return "" end
  local n = tr.n or #tr
  local lo, hi = trend_range(tr)
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
function M.tile_trend(tr, target, unit, decimals, rag)
  if type(tr) ~= "table" or rag == "no_data" then return "" end
  local n = tr.n or #tr
  local lo, hi = trend_range(tr)
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
function M.benchmark(rep)
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
function M.trend(rows)
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

return M
