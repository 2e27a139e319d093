-- tests/tools/area_aliases.lua: rebuilds lua/data/area_aliases.csv (alias,code,kind) from the
-- published files in ../shared/data/public/, plus the hand-kept variants below, and checks
-- that no key names two areas at once.
--
--   build/pmf tests/tools/area_aliases.lua [PUBLIC_DIR] > lua/data/area_aliases.csv
--
-- Names are taken as each publisher writes them next to an ONS code (DfE LAIT and its
-- statistical neighbours, DEFRA recycling and fly-tipping, ONS population, OHID Fingertips,
-- DLUHC council tax and homelessness); DfE LA numbers from LAIT's `LA Number`/`gss_code`
-- pairs.  An alias whose key (pmf.core.store's area_key: case, punctuation, "&", suffixes such as
-- "Council") equals its area's own name is left out: the store adds every area's own name.
-- Two codes may share a key only when one succeeded the other (area_successors.csv: the
-- resolver then picks by date); any other clash stops the script with both codes named.
local pmf = require "pmf"
local key = require("pmf.core.store").area_key

local public = arg[1] or "../shared/data/public"
local data = (os.getenv("PMF_HOME") or ".") .. "/lua/data"

-- One CSV record per line (none of these files has a newline inside a field).
local function split(line)
  local out, i, n = {}, 1, #line
  while i <= n + 1 do
    if line:sub(i, i) == '"' then
      local buf, j = {}, i + 1
      while j <= n do
        local c = line:sub(j, j)
        if c == '"' and line:sub(j + 1, j + 1) == '"' then buf[#buf + 1] = '"'; j = j + 2
        elseif c == '"' then break
        else buf[#buf + 1] = c; j = j + 1 end
      end
      out[#out + 1] = table.concat(buf)
      i = j + 2
    else
      local j = line:find(",", i, true) or n + 1
      out[#out + 1] = line:sub(i, j - 1)
      i = j + 1
    end
  end
  return out
end

local function rows(path)
  local f = assert(io.open(path, "rb"))
  local header
  return function()
    for line in f:lines() do
      line = line:gsub("\r$", ""):gsub("^\239\187\191", "")
      local r = split(line)
      if not header then header = r
      else
        local t = {}
        for i, h in ipairs(header) do t[h] = r[i] end
        return t
      end
    end
    f:close()
  end
end

-- Known areas and who succeeded whom.
local name_of, after = {}, {}
for _, file in ipairs { "areas.csv", "areas_extra.csv", "areas_more.csv" } do
  for r in rows(data .. "/" .. file) do name_of[r.code] = r.name end
end
for r in rows(data .. "/area_successors.csv") do
  after[r.code] = after[r.code] or {}
  after[r.code][r.successor] = true
end
local function succeeds(a, b, seen)     -- b comes (transitively) after a
  seen = seen or {}
  if seen[a] then return false end
  seen[a] = true
  for s in pairs(after[a] or {}) do
    if s == b or succeeds(s, b, seen) then return true end
  end
  return false
end

local aliases, order = {}, {}
local function add(alias, code, kind, where)
  alias = alias and alias:gsub("^%s+", ""):gsub("%s+$", "")
  if not alias or alias == "" or not code or code == "" then return end
  if not name_of[code] then return end          -- "*Total", "-": not areas
  if kind == "name" and key(alias) == key(name_of[code]) then return end
  local id = kind .. "\0" .. alias .. "\0" .. code
  if aliases[id] then return end
  aliases[id] = { alias = alias, code = code, kind = kind, where = where }
  order[#order + 1] = id
end

local function from(file, code_col, name_col, la_col)
  local path = public .. "/" .. file
  for r in rows(path) do
    add(r[name_col], r[code_col], "name", file)
    if la_col and r[la_col] and r[la_col]:match("^%d+$") then add(r[la_col], r[code_col], "la_number", file) end
  end
end

from("dfe_lait/bds_long_westmids.csv", "gss_code", "LA and Regions", "LA Number")
from("dfe_lait/statistical_neighbours_may2025_long.csv", "gss_code", "la_name", "la_number")
from("dfe_lait/statistical_neighbours_may2025_long.csv", "sn_gss_code", "sn_la_name", "sn_la_number")
from("recycling/recycling.csv", "area_code", "area_name")
from("population/population.csv", "geo_code", "geo_name")
from("flytipping/LA_incidents.csv", "ONS Code", "LA Name")
from("fingertips/fingertips_westmids.csv", "area_code", "area_name")
from("fingertips/nhs_health_checks.csv", "area_code", "area_name")
from("council_tax_receipts/ct_receipts_westmids.csv", "ONS Code", "Local authority")
from("homelessness/TA1_2023-03-31.csv", "ons_code", "area")
from("homelessness/temporary_accommodation_2014_2015_long.csv", "ons_code", "area")

-- Variants publishers use that the files above do not show, and rows they print without a
-- code (LAIT's England and region rows, its "(Pre LG)" councils).
local hand = {
  { "England", "E92000001", "la_number", "970" }, { "West Midlands", "E12000005", "la_number", "984" },
  { "Dorset (Pre LG)", "E10000009", "la_number", "835" }, { "Poole (Pre LG)", "E06000029", "la_number", "836" },
  { "Bournemouth (Pre LG)", "E06000028", "la_number", "837" },
  { nil, "E10000021", "la_number", "928" }, { nil, "E10000006", "la_number", "909" },
  { nil, "E06000060", "la_number", "825" }, { nil, "E06000065", "la_number", "815" },
  { nil, "E06000066", "la_number", "933" },
  { "Bristol", "E06000023" }, { "City of Bristol", "E06000023" },
  { "Hull", "E06000010" }, { "Kingston upon Hull", "E06000010" }, { "City of Kingston upon Hull", "E06000010" },
  { "Herefordshire", "E06000019" }, { "County of Herefordshire", "E06000019" },
  { "Durham", "E06000047" },
  { "Edinburgh", "S12000036" }, { "Edinburgh, City of", "S12000036" },
  { "Rhondda Cynon Taff", "W06000016" }, { "Rhondda Cynon Taf County Borough", "W06000016" },
  { "Eilean Siar", "S12000013" }, { "Comhairle nan Eilean Siar", "S12000013" }, { "Western Isles", "S12000013" },
  { "Orkney", "S12000023" }, { "Shetland", "S12000027" },
  { "Anglesey", "W06000001" }, { "The Vale of Glamorgan", "W06000014" },
  { "BCP", "E06000058" }, { "Derry and Strabane", "N09000005" },
  { "Armagh, Banbridge and Craigavon", "N09000002" },
  { "East", "E12000006" }, { "Yorkshire and Humber", "E12000003" }, { "Yorkshire & the Humber", "E12000003" },
  { "UK", "K02000001" }, { "GB", "K03000001" },
}
for _, h in ipairs(hand) do
  add(h[1], h[2], "name", "hand")
  if h[3] == "la_number" then add(h[4], h[2], "la_number", "hand") end
end

-- Every key must name one area, or areas that followed one another.
local by_key, bad = {}, 0
local function claim(k, code, what)
  local prev = by_key[k]
  if prev and prev.code ~= code and not succeeds(prev.code, code) and not succeeds(code, prev.code) then
    io.stderr:write(("ambiguous: %s names %s (%s) and %s (%s)\n"):format(what, prev.code, prev.what, code, what))
    bad = bad + 1
  elseif not prev then
    by_key[k] = { code = code, what = what }
  end
end
for code, name in pairs(name_of) do claim("name\0" .. key(name), code, name) end
for _, id in ipairs(order) do
  local a = aliases[id]
  claim(a.kind .. "\0" .. (a.kind == "name" and key(a.alias) or a.alias), a.code, a.alias .. " [" .. a.where .. "]")
end
if bad > 0 then os.exit(1) end

table.sort(order, function(x, y)
  local a, b = aliases[x], aliases[y]
  if a.kind ~= b.kind then return a.kind > b.kind end
  if a.code ~= b.code then return a.code < b.code end
  return a.alias < b.alias
end)
io.write("alias,code,kind\n")
for _, id in ipairs(order) do
  local a = aliases[id]
  local alias = a.alias:find('[,"]') and '"' .. a.alias:gsub('"', '""') .. '"' or a.alias
  io.write(alias, ",", a.code, ",", a.kind, "\n")
end
