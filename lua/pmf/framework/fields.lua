-- lua/pmf/framework/fields.lua: what each kind of declaration may contain.  The field
-- checkers (check.<name>(value) -> nil | message), SPEC (kind -> field -> checker name),
-- the DSL's words and the names a council's level word may not take.
--
-- Decisions:
-- - A checker looks at one value alone; checks that need the whole framework (formula,
--   target, period, comparator ids) are `false` here and done in normalisation.
-- - Unknown fields are errors, found by looking the field up in SPEC; free-form extras go
--   in `meta = {...}`.
-- - Read rules (core/reader.h): a snapshot's reference date, how far a figure may be
--   carried, whether ratings use the published (rounded) figure, the least group to
--   benchmark.
-- Error contract: pure functions, no raising.
local pmf = require "pmf"
local sandbox = require "pmf.sandbox"

local period = pmf.period

local M = {}

local ID_PATTERN = "^[%a_][%w_%.%-]*$"

local function is_list_of_strings(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for k, x in pairs(v) do
    n = n + 1
    if math.type(k) ~= "integer" or type(x) ~= "string" then return false end
  end
  return n == #v
end

-- A checker returns nil when the value is acceptable, or a message.
local check = {}
function check.string(v) if type(v) ~= "string" then return "must be a string" end end
function check.text(v) if type(v) ~= "string" then return "must be a string" end end
function check.boolean(v) if type(v) ~= "boolean" then return "must be true or false" end end
function check.number(v) if type(v) ~= "number" then return "must be a number" end end
function check.table(v) if type(v) ~= "table" then return "must be a table" end end
function check.func(v) if type(v) ~= "function" then return "must be a function" end end
function check.count(v)
  if math.type(v) ~= "integer" or v < 0 then return "must be a whole number >= 0" end
end
function check.decimals(v)
  if math.type(v) ~= "integer" or v < 0 or v > 10 then return "must be a whole number 0-10" end
end
function check.score(v)
  if math.type(v) ~= "integer" or v < 1 or v > 5 then return "must be a whole number 1-5" end
end
function check.list(v) if not is_list_of_strings(v) then return "must be a list of strings" end end
function check.ids(v)  -- a string or a list of strings
  if type(v) == "string" then return nil end
  if not is_list_of_strings(v) then return "must be an id or a list of ids" end
end
function check.date(v)
  if type(v) ~= "string" or not v:match("^%d%d%d%d%-%d%d%-%d%d$") then
    return "must be a date YYYY-MM-DD"
  end
end
function check.year_start(v)
  local ok = pcall(period.parse, "2025", v)
  if not ok then return "must be a month (1-12 or a month name like \"April\")" end
end
local function enum(...)
  local set, names = {}, table.concat({ ... }, ", ")
  for _, x in ipairs({ ... }) do set[x] = true end
  return function(v)
    if not set[v] then return "must be one of " .. names .. " (got " .. tostring(v) .. ")" end
  end
end
check.polarity = enum("up", "down", "band")
check.frequency = enum("monthly", "quarterly", "half-yearly", "annual")
check.cadence = check.frequency
check.kpi_type = enum("input", "inputs", "process", "output", "outcome")
check.aggregation = enum("sum", "mean", "last", "min", "max", "ratio")
check.reference = enum("end", "mid-year", "start")
function check.carry(v)
  if type(v) ~= "string" or not (v:match("^%d+ months?$") or v:match("^%d+ years?$")) then
    return "must be a span like \"12 months\" or \"1 year\""
  end
end
check.rate_on = enum("published", "unrounded")
check.rollup = enum("worst", "majority")   -- how reports roll statuses up a node (pmf.report)
function check.min_group(v)
  if math.type(v) ~= "integer" or v < 1 then return "must be a whole number >= 1" end
end
-- A margin: a number >= 0, or a percentage string "5%", or {pct=} / {abs=} (pmf.rag's forms).
function check.margin(v)
  if type(v) == "number" then
    if v ~= v or v < 0 or v == math.huge then return "must be a number >= 0 or a percentage like \"5%\"" end
    return nil
  end
  if type(v) == "string" and v:match("^%s*%d+%.?%d*%s*%%%s*$") then return nil end
  if type(v) == "table" and ((type(v.pct) == "number") ~= (type(v.abs) == "number")) then return nil end
  return "must be a number >= 0 or a percentage like \"5%\" (got " ..
         (type(v) == "string" and ("\"" .. v .. "\"") or type(v)) .. ")"
end
function check.band(v)
  if type(v) ~= "table" then return "must be {lo, hi}" end
  local lo, hi = v.lo or v[1], v.hi or v[2]
  if type(lo) ~= "number" or type(hi) ~= "number" then return "must be {lo, hi} with two numbers" end
  if lo > hi then return "must have lo <= hi" end
end
function check.milestones(v)
  if type(v) ~= "table" then return "must be a list of {title =, due =}" end
  for i, m in ipairs(v) do
    if type(m) ~= "table" or type(m.title) ~= "string" then
      return "milestone " .. i .. " needs a title"
    end
    if m.due ~= nil and check.date(m.due) then return "milestone " .. i .. ": due must be a date YYYY-MM-DD" end
  end
end
function check.statuses(v)
  local ok = { red = true, amber = true, green = true, blue = true, no_data = true,
               data_only = true, error = true }
  if not is_list_of_strings(v) then return "must be a list of statuses" end
  for _, s in ipairs(v) do if not ok[s] then return "has an unknown status '" .. s .. "'" end end
end
-- Checked in normalisation (they need the framework): formula, target, from, comparator.
check.comparator = check.string
check.formula, check.target, check.period = false, false, false

-- The fields each kind of declaration may have, and their checkers.
local NODE_FIELDS = {
  title = "text", parent = "string", parents = "list", description = "text", owner = "text",
  directorate = "text", code = "string", meta = "table",
}
local SPEC = {
  framework = {
    title = "text", council = "string", year_start = "year_start", levels = "list",
    comparator = "comparator", description = "text", owner = "text", principles = "list",
    meta = "table", min_group = "min_group", rate_on = "rate_on", rollup = "rollup",
  },
  node = NODE_FIELDS,
  metric = {
    title = "text", unit = "string", aggregation = "aggregation", decimals = "decimals",
    definition = "text", source = "text", meta = "table", reference = "reference",
    carry = "carry",
  },
  catalogue = { title = "text", description = "text", meta = "table" },
  kpi = {
    title = "text", parent = "string", parents = "list", formula = "formula", unit = "string",
    decimals = "decimals", polarity = "polarity", band = "band", frequency = "frequency",
    target = "target", tolerance = "margin", blue = "margin", dot_threshold = "margin",
    rag = "func", comparator = "comparator", owner = "text", directorate = "text",
    national = "boolean", type = "kpi_type", definition = "text", methodology = "text",
    source = "text", benchmark_source = "text", illustrative = "boolean", replaces = "ids",
    split_into = "ids", breakdowns = "list", suppress_below = "number", description = "text",
    meta = "table", carry = "carry", min_group = "min_group", rate_on = "rate_on",
  },
  change = {
    from = "period", formula = "formula", target = "target", tolerance = "margin",
    blue = "margin", polarity = "polarity", band = "band", rag = "func",
    comparator = "comparator", dot_threshold = "margin", note = "text",
  },
  action = {
    title = "text", parent = "string", parents = "list", owner = "text", directorate = "text",
    start = "date", due = "date", milestones = "milestones", kpis = "list",
    description = "text", meta = "table",
  },
  risk = {
    title = "text", parent = "string", parents = "list", owner = "text", directorate = "text",
    likelihood = "score", impact = "score", category = "string", mitigation = "text",
    description = "text", meta = "table",
  },
  board = {
    title = "text", cadence = "cadence", receives = "list", after_days = "count",
    description = "text", meta = "table",
  },
  deadline = { working_days = "count", description = "text" },
  rule = { statuses = "statuses" },
  group = { title = "text", members = "list", source = "text", description = "text" },
  owner = { name = "text", role = "text", team = "text", email = "string", supplies = "list",
            description = "text", meta = "table" },
}
local NODE_SPEC_WITH_LEVEL = setmetatable({ level = "string" }, { __index = NODE_FIELDS })

-- The DSL words (besides the council's level words).
local WORDS = { "framework", "catalogue", "node", "metric", "kpi", "change", "action", "risk", "board",
                "deadline", "rule", "group", "owner", "pct", "ratio", "rate", "diff", "custom",
                "profile", "baseline", "benchmark" }
local RESERVED = {}
for _, w in ipairs(WORDS) do RESERVED[w] = true end
for _, w in ipairs(sandbox.base) do RESERVED[w] = true end
for w in pairs(sandbox.libs) do RESERVED[w] = true end
for _, w in ipairs({ "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
                     "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return",
                     "then", "true", "until", "while", "_ENV", "_G" }) do
  RESERVED[w] = true
end

-- The KPI fields a framework's `defaults = { ... }` may give (a KPI's own field wins):
-- descriptive and rating-rule fields a council repeats on every KPI; never a KPI's identity
-- or its rating (formula, target, parents, title ...), which must be written on the KPI.
local DEFAULTABLE = {
  illustrative = true, frequency = true, directorate = true, owner = true, national = true,
  type = true, source = true, benchmark_source = true, unit = true, decimals = true,
  polarity = true, tolerance = true, blue = true, dot_threshold = true, carry = true,
  min_group = true, rate_on = true, suppress_below = true, methodology = true,
}
function check.defaults(v)
  if type(v) ~= "table" then return "must be a table of KPI fields" end
  for k, x in pairs(v) do
    if not DEFAULTABLE[k] then
      local names = {}
      for n in pairs(DEFAULTABLE) do names[#names + 1] = n end
      table.sort(names)
      return "cannot give '" .. tostring(k) .. "' (defaults may give: " .. table.concat(names, ", ") .. ")"
    end
    local msg = check[SPEC.kpi[k]] and check[SPEC.kpi[k]](x)
    if msg then return k .. " " .. msg end
  end
end
SPEC.framework.defaults = "defaults"

M.ID_PATTERN, M.is_list_of_strings, M.check = ID_PATTERN, is_list_of_strings, check
M.NODE_FIELDS, M.NODE_SPEC_WITH_LEVEL, M.SPEC = NODE_FIELDS, NODE_SPEC_WITH_LEVEL, SPEC
M.WORDS, M.RESERVED, M.DEFAULTABLE = WORDS, RESERVED, DEFAULTABLE
return M
