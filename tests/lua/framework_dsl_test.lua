-- tests/lua/framework_dsl_test.lua: the DSL words a performance officer writes to keep a
-- council file short: a framework's `defaults = { ... }` for KPI fields, what pct(...)
-- implies (unit "%", one decimal), and comparators written one way ("cipfa", "dfe_sn", a
-- local group, a store group id) with the data vintage resolved in one place.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local F = pmf.framework

local store = assert(pmf.open(":memory:"))
local WALSALL = "E08000030"

local function errtext(errors) return F.format_errors(errors or {}) end

-- compile(src) -> fw | nil, errors text (against the store, no catalogue).
local function compile(src, name)
  local fw, errors = F.compile(src, name or "dsl.lua", { store = store, catalogue = false })
  return fw, errtext(errors)
end

local HEAD = 'framework "t" { title = "T", council = "' .. WALSALL .. '", levels = { "priority" },\n'
local BODY = [[
priority "p" { title = "P" }
metric "done" { title = "Done" }
metric "asked" { title = "Asked" }
group "near" { title = "Near", members = { "E08000027", "E08000030" } }
]]

-- ---------------------------------------------------------------- defaults
local fw, err = compile(HEAD .. [[
  defaults = { illustrative = true, frequency = "quarterly", directorate = "Children's",
               polarity = "up", tolerance = "5%", owner = "Head of Service" } }
]] .. BODY .. [[
kpi "plain" { title = "Plain", parent = "p", formula = "done", target = 10 }
kpi "own" { title = "Own", parent = "p", formula = "done", frequency = "annual",
  illustrative = false, polarity = "down", directorate = "Place", target = 10 }
kpi "band" { title = "Band", parent = "p", formula = "done", polarity = "band", band = { 1, 2 } }
change "plain" { from = "2026/27", target = 12 }
]])
T.ok(fw, "a framework with defaults compiles: " .. err)
if fw then
  local k = fw.kpis.plain
  T.eq(k.illustrative, true, "defaults: illustrative comes from the framework")
  T.eq(k.frequency, "quarterly", "defaults: frequency comes from the framework")
  T.eq(k.directorate, "Children's", "defaults: directorate comes from the framework")
  T.eq(k.owner, "Head of Service", "defaults: owner comes from the framework")
  T.eq(k.versions[1].polarity, "up", "defaults: a rating field (polarity) is the KPI's own")
  T.eq(k.versions[1].tolerance, "5%", "defaults: tolerance as written")
  T.eq(k.versions[2].polarity, "up", "defaults: a change inherits the defaulted polarity")
  T.eq(k.versions[2].target.value, 12, "the change still applies")
  local o = fw.kpis.own
  T.eq(o.frequency, "annual", "a KPI's own frequency wins over the default")
  T.eq(o.illustrative, false, "a KPI's own `illustrative = false` wins (false is a value)")
  T.eq(o.directorate, "Place", "a KPI's own directorate wins")
  T.eq(o.versions[1].polarity, "down", "a KPI's own polarity wins")
  T.eq(fw.kpis.band.versions[1].polarity, "band", "a banded KPI keeps its own polarity")
  T.eq(fw.kpis.band.versions[1].band, { lo = 1, hi = 2 }, "and its band")
end

-- The same framework written out in full gives the same KPIs.
local full = compile(HEAD .. "}\n" .. BODY .. [[
kpi "plain" { title = "Plain", parent = "p", formula = "done", target = 10, illustrative = true,
  frequency = "quarterly", directorate = "Children's", polarity = "up", tolerance = "5%",
  owner = "Head of Service" }
]])
if fw and full then
  for _, f in ipairs({ "illustrative", "frequency", "directorate", "owner", "unit", "decimals" }) do
    T.eq(fw.kpis.plain[f], full.kpis.plain[f], "defaults = writing it on the KPI: " .. f)
  end
  T.eq(fw.kpis.plain.versions[1].tolerance, full.kpis.plain.versions[1].tolerance,
       "defaults = writing it on the KPI: tolerance")
end

-- Defaults are checked once, at the framework's line, naming the field.
local bad = {
  { 'defaults = { formula = "done" } }', "defaults cannot give 'formula'" },
  { 'defaults = { target = 5 } }', "defaults cannot give 'target'" },
  { 'defaults = { frequency = "weekly" } }', "defaults frequency must be one of" },
  { 'defaults = { illustrative = "yes" } }', "defaults illustrative must be true or false" },
  { 'defaults = "quarterly" }', "defaults must be a table of KPI fields" },
}
for i, c in ipairs(bad) do
  local ok, text = compile(HEAD .. "  " .. c[1] .. "\n" .. BODY, "bad" .. i .. ".lua")
  T.ok(not ok and text:find("bad" .. i .. ".lua:1: framework 't': " .. c[2]:gsub("%p", "%%%0")),
       "bad defaults " .. i .. ": " .. c[2] .. ", got: " .. text)
end

-- ---------------------------------------------------------------- pct implies "%" and 1 decimal
fw, err = compile(HEAD .. "  defaults = { decimals = 0, unit = \"count\" } }\n" .. BODY .. [[
kpi "p1" { title = "P1", parent = "p", formula = pct("done", "asked") }
kpi "p0" { title = "P0", parent = "p", formula = pct("done", "asked"), decimals = 0 }
kpi "pp" { title = "PP", parent = "p", formula = pct("done", "asked"), unit = "pp", decimals = 2 }
kpi "r"  { title = "R", parent = "p", formula = ratio("done", "asked") }
kpi "n"  { title = "N", parent = "p", formula = "done" }
]])
T.ok(fw, "pct KPIs compile: " .. err)
if fw then
  T.eq({ fw.kpis.p1.unit, fw.kpis.p1.decimals }, { "%", 1 }, "pct(...) implies unit % and one decimal")
  T.eq({ fw.kpis.p0.unit, fw.kpis.p0.decimals }, { "%", 0 }, "pct(...) with decimals given keeps them")
  T.eq({ fw.kpis.pp.unit, fw.kpis.pp.decimals }, { "pp", 2 }, "pct(...) with a unit given keeps it")
  T.eq({ fw.kpis.r.unit, fw.kpis.r.decimals }, { "count", 0 }, "ratio(...) implies nothing: defaults")
  T.eq({ fw.kpis.n.unit, fw.kpis.n.decimals }, { "count", 0 }, "a metric formula takes the defaults")
  T.eq(fw.kpis.p1.versions[1].formula, { kind = "ratio", num = "done", den = "asked", scale = 100 },
       "the formula itself is unchanged by what it implies")
end

-- ---------------------------------------------------------------- comparators written one way
local C = F.comparator_group
fw, err = compile('framework "t" { title = "T", council = "' .. WALSALL .. '", levels = { "priority" },\n' ..
                  '  comparator = "cipfa" }\n' .. BODY .. [[
kpi "inherit" { title = "I", parent = "p", formula = "done" }
kpi "sn" { title = "S", parent = "p", formula = "done", comparator = "dfe_sn" }
kpi "local" { title = "L", parent = "p", formula = "done", comparator = "near" }
kpi "store" { title = "St", parent = "p", formula = "done", comparator = "all:metropolitan district" }
kpi "bench" { title = "B", parent = "p", formula = "done", polarity = "up",
  target = benchmark { group = "dfe_sn", stat = "median" } }
]])
T.ok(fw, "comparators in every form compile: " .. err)
local cipfa = "cipfa_2024:" .. WALSALL
local dfe = "dfe_sn_2025:" .. WALSALL
if fw then
  T.eq(fw.comparator, cipfa, "\"cipfa\" is the council's CIPFA group of the shipped vintage")
  T.eq(fw.kpis.inherit.versions[1].comparator, cipfa, "a KPI inherits the framework's comparator")
  T.eq(fw.kpis.sn.versions[1].comparator, dfe, "\"dfe_sn\" is the council's DfE statistical neighbours")
  T.eq(fw.kpis["local"].versions[1].comparator, "t:near", "a local group name")
  T.eq(fw.kpis.store.versions[1].comparator, "all:metropolitan district", "a store group id as written")
  T.eq(fw.kpis.bench.versions[1].target.group, dfe, "a benchmark target's group, resolved the same way")
  -- The KPI engine asks the same resolver.
  T.eq(F.comparator_of(fw, fw.kpis.sn.versions[1]), dfe, "comparator_of: the KPI's own")
  T.eq(C(fw, "dfe_sn"), dfe, "comparator_group: a model name")
  T.eq(C(fw, "near"), "t:near", "comparator_group: a local group")
end
T.eq(F.comparator_of({ id = "x", council = WALSALL }, {}), cipfa,
     "no comparator anywhere: the council's CIPFA group")
T.eq(F.comparator_of({ id = "x" }, {}), nil, "no comparator and no council: none")

-- The written forms give the same groups as the store ids they stand for.
local long = compile('framework "t" { title = "T", council = "' .. WALSALL .. '", levels = { "priority" },\n' ..
                     '  comparator = "' .. cipfa .. '" }\n' .. BODY ..
                     'kpi "sn" { title = "S", parent = "p", formula = "done", comparator = "' .. dfe .. '" }\n')
if fw and long then
  T.eq(long.comparator, fw.comparator, "\"cipfa\" = the store id written out")
  T.eq(long.kpis.sn.versions[1].comparator, fw.kpis.sn.versions[1].comparator, "\"dfe_sn\" = the store id written out")
end

-- The vintage named in one place matches the groups a new store loads.
for model, prefix in pairs(require("pmf.framework.comparators").MODELS) do
  local members = store:group_members(prefix .. ":" .. WALSALL)
  T.ok(members and #members > 1, "model '" .. model .. "' (" .. prefix .. ") names groups the store has")
end

-- "cipfa" needs a council.
local ok, text = compile('framework "t" { title = "T", levels = { "priority" }, comparator = "cipfa" }\n' .. BODY,
                         "nocouncil.lua")
T.ok(not ok and text:find("nocouncil.lua:1: framework 't': comparator \"cipfa\" is the council's own group: " ..
                          "give the framework council", 1, true), "\"cipfa\" without a council, got: " .. text)

T.done("framework_dsl_test")
