-- tests/lua/areas_test.lua: areas by any name, as Lua code and `pmf areas` see them:
-- store:resolve_area (codes, publishers' names, DfE LA numbers, former codes with their
-- successors, ambiguity, "did you mean"), store:search_areas, and the reference data.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local s = assert(pmf.open(":memory:"))

-- Names as the published files write them (../shared/data/public/), each to its code.
local names = {
  { "Bristol, City of", "E06000023" }, { "Bristol", "E06000023" }, { "City of Bristol", "E06000023" },
  { "Edinburgh City", "S12000036" }, { "City of Edinburgh", "S12000036" },
  { "Kingston upon Hull, City of", "E06000010" }, { "Hull", "E06000010" },
  { "St Helens", "E08000013" }, { "St. Helens", "E08000013" },
  { "Herefordshire, County of", "E06000019" }, { "Durham", "E06000047" }, { "County Durham", "E06000047" },
  { "Rhondda Cynon Taf", "W06000016" }, { "Rhondda Cynon Taff", "W06000016" },
  { "Telford & Wrekin", "E06000020" }, { "Stoke-on-Trent", "E06000021" }, { "Stoke on Trent", "E06000021" },
  { "Sandwell Metropolitan Borough Council", "E08000028" }, { "walsall council", "E08000030" },
  { "Buckinghamshire UA", "E06000060" }, { "Newcastle on Tyne", "E08000021" },
  { "ENGLAND", "E92000001" }, { "East", "E12000006" }, { "Yorkshire and The Humber", "E12000003" },
  { "Scotland", "S92000003" }, { "Northern Ireland", "N92000002" },
  { "Dorset (Pre LG)", "E10000009" },
}
for _, c in ipairs(names) do
  local code, info = s:resolve_area(c[1])
  T.eq(code, c[2], ("%q resolves (%s)"):format(c[1], code and info.name or tostring(info)))
end

-- DfE LA numbers, also only as numbers
T.eq(s:resolve_area("332"), "E08000027", "Dudley's DfE LA number")
T.eq(s:resolve_area("860", { by = "la_number" }), "E10000028", "Staffordshire's")
T.eq(s:resolve_area("970"), "E92000001", "LAIT's England row")
local none, msg = s:resolve_area("332", { by = "name" })
T.ok(none == nil and msg:find("unknown area '332'"), "a number read as a name is not a name")

-- A figure for an abolished code stays under that code; the info says what followed it.
local code, info = s:resolve_area("E07000026")
T.eq(code, "E07000026", "Allerdale's code resolves to itself")
T.eq(info.successor, "E06000063", "its successor is Cumberland")
T.eq(info.ended, "2023-03-31", "it ended in March 2023")
code, info = s:resolve_area("Northamptonshire")
T.eq(code, "E10000021", "the county by name")
T.eq(table.concat(info.successors, ","), "E06000061,E06000062", "split between North and West")
code, info = s:resolve_area("E06000058")
T.eq(info.ended, nil, "a current code has no end")

-- One name carried by two codes in turn: the period decides; without one it is an error.
T.eq(s:resolve_area("Buckinghamshire", { at = "2019/20" }), "E10000002", "the county before April 2020")
T.eq(s:resolve_area("Buckinghamshire", { at = "2021/22 Q1" }), "E06000060", "the unitary after")
none, msg = s:resolve_area("Buckinghamshire")
T.eq(none, nil, "without a period it is not a guess")
T.ok(msg:find("E06000060", 1, true) and msg:find("E10000002", 1, true) and msg:find("give the code"),
     "the message names both candidates: " .. msg)
T.eq(s:resolve_area("Perth & Kinross", { at = "2024" }), "S12000048", "Perth & Kinross today")

-- Unknown names
none, msg = s:resolve_area("Bristol Citty Council")
T.eq(none, nil, "a misspelling is not resolved")
T.ok(msg:find("did you mean 'Bristol, City of' (E06000023)?", 1, true), "but suggested: " .. msg)
none, msg = s:resolve_area("Wolverhamton")
T.ok(msg:find("'Wolverhampton' (E08000031)", 1, true), "a dropped letter: " .. msg)
T.err(function() return s:resolve_area("Dudley", { by = "postcode" }) end, "invalid option",
      "an unknown 'by' is misuse")

-- An area a framework adds resolves by its name too.
s:area{ code = "X01", name = "Brierley Hill Ward", kind = "ward" }
T.eq(s:resolve_area("brierley hill ward"), "X01", "a new area's name resolves (the snapshot reloads)")

-- Search: names, variants, codes, LA numbers; former codes show successor and end.
local function codes(rows)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.code end
  return table.concat(out, " ")
end
T.eq(codes(s:search_areas("Cumbria")), "E10000006", "search by name")
T.eq(s:search_areas("Cumbria")[1].successor, "E06000063 E06000064", "with its successors")
T.eq(codes(s:search_areas("332")), "E08000027", "search by LA number")
T.eq(codes(s:search_areas("e1200000")), "E12000001 E12000002 E12000003 E12000004 E12000005 E12000006 E12000007 E12000008 E12000009",
     "search by code prefix: the nine English regions")
T.eq(codes(s:search_areas("city of bristol")), "E06000023", "search by a publisher's variant")
T.eq(codes(s:search_areas("Hull")), "E06000010 E08000029", "a part of a name: Hull and Solihull")
T.eq(#s:search_areas("no such place"), 0, "no match is an empty list")

-- The reference data's shape
T.eq(#s:areas{ kind = "region" }, 9, "nine English regions")
T.eq(#s:areas{ kind = "country" }, 7, "the UK, GB, England and Wales, and the four nations")
T.ok(#s:group_members("all:region") == 9, "an all:region group")
T.eq(s:group_members("all:former county"), nil, "former areas form no all: group")

-- `pmf areas` as a user runs it (the binary running this test, no store needed).
local pmf_bin = os.getenv("PMF_BIN") or arg[-1]
if not pmf_bin:find("^/") then pmf_bin = os.getenv("PWD") .. "/" .. pmf_bin end
local dir = T.tmpname("_areas")
assert(os.execute("mkdir -p '" .. dir .. "'"))
local function run(args)
  local f = assert(io.popen("cd '" .. dir .. "' && PMF_DB=nostore.db '" .. pmf_bin .. "' areas "
                            .. args .. " 2>&1; echo \"rc=$?\""))
  local out = f:read("a")
  f:close()
  return out
end
local out = run("--search 'Cumbria'")
T.ok(out:find("E10000006%s+Cumbria%s+former county%s+E06000063 E06000064%s+2023%-03%-31"),
     "areas --search shows a former code's successors and end:\n" .. out)
T.ok(out:find("rc=0", 1, true), "and succeeds")
out = run("--search 'Bristl'")
T.ok(out:find("did you mean 'Bristol, City of' (E06000023)?", 1, true) and out:find("rc=1", 1, true),
     "a search that finds nothing suggests and fails:\n" .. out)
out = run("--kind region --format csv")
T.eq(select(2, out:gsub("\nE12", "")), 9, "areas --kind region lists the nine regions")
T.ok(not io.open(dir .. "/nostore.db"), "and creates no store")
os.execute("rm -rf '" .. dir .. "'")

T.done()
