-- lua/pmf/framework.lua: the framework DSL (frameworks/<council>.lua), its validation, and
-- frameworks in the store (versions, loading, get as of a date).
--
-- A framework file is declarative Lua run in a sandbox (pmf.sandbox): only the DSL words and
-- a few safe libraries exist.  Each DSL call records the file and line it was made on, found
-- by walking the stack to the frame whose source is the file (so helper functions written in
-- the file still name the right line); the file never sees the debug library.
--
-- Decisions:
-- - Compilation is two passes: running the file collects declarations in any order; then
--   normalisation resolves references, so a KPI may name a priority declared below it.
--   Every problem is collected as "file:line: message" (sorted by line), not just the first.
--   A Lua error while running the file (undeclared global, syntax) stops the run and is
--   reported with the others.
-- - Unknown fields are errors ("unknown field 'polartiy' in kpi 'X'"); free-form extras go
--   in `meta = {...}`, which is kept as it is.
-- - Target forms normalise to T (see normalise_target); tolerance, blue and dot_threshold
--   are kept as written (a number or "5%"), the forms pmf.rag accepts.
-- - The file's hash is SHA-256 of its bytes (pure Lua below), hex.  A load adds a
--   framework_version row only when the hash differs from the latest; its time is the time
--   of a store batch (kind "load"), so PMF_NOW and `at` work as for every other write.
-- - get(store, id) re-runs the stored source of the version in force at the store's cutoff,
--   cached per (id, version, hash, metric epoch): a report as at a past date uses the
--   framework, and the metric definitions, as they were.
-- - Metrics shared by councils are declared once, in a catalogue file (catalogue "id" {}
--   and metric declarations only; frameworks/catalogue.lua).  A framework names them by id;
--   a metric it reads but does not declare comes from the catalogue (beside the file, else
--   pmf's own: catalogue_path), else from the store, else it is unknown.  A stored version
--   re-run by get reads no catalogue: its metrics come from the store as of the view.
-- - One definition per metric (store.METRIC_FIELDS).  A declaration that differs from the
--   catalogue's is an error naming both files and lines; against a store (check and load),
--   store_conflicts says when a different definition is a conflict and when it is a new
--   version (the same framework's own metric, or the catalogue's).  A load records each
--   changed definition with store:metric (metric_version), dated by the load's batch.
--
-- Error contract: compile/check return (fw, errors) with errors a list of {file=, line=,
-- msg=} (format_errors makes text of them); load returns info | nil, message, errors; get
-- returns fw | nil, message; misuse of the Lua API (a store that is not one) raises.
local pmf = require "pmf"
local sandbox = require "pmf.sandbox"

local period = pmf.period

local M = {}

-- ---------------------------------------------------------------- SHA-256 (FIPS 180-4)

local K256 = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function rotr(x, n) return ((x >> n) | (x << (32 - n))) & 0xffffffff end

-- M.sha256(bytes) -> 64 lowercase hex digits.
function M.sha256(msg)
  local h0, h1, h2, h3 = 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a
  local h4, h5, h6, h7 = 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  local bitlen = #msg * 8
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) .. string.pack(">I8", bitlen)
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 1, 16 do w[i] = string.unpack(">I4", msg, chunk + (i - 1) * 4) end
    for i = 17, 64 do
      local a, b = w[i - 15], w[i - 2]
      local s0 = rotr(a, 7) ~ rotr(a, 18) ~ (a >> 3)
      local s1 = rotr(b, 17) ~ rotr(b, 19) ~ (b >> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & 0xffffffff
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for i = 1, 64 do
      local S1 = rotr(e, 6) ~ rotr(e, 11) ~ rotr(e, 25)
      local ch = (e & f) ~ (~e & g)
      local t1 = (h + S1 + ch + K256[i] + w[i]) & 0xffffffff
      local S0 = rotr(a, 2) ~ rotr(a, 13) ~ rotr(a, 22)
      local maj = (a & b) ~ (a & c) ~ (b & c)
      local t2 = (S0 + maj) & 0xffffffff
      h, g, f, e = g, f, e, (d + t1) & 0xffffffff
      d, c, b, a = c, b, a, (t1 + t2) & 0xffffffff
    end
    h0, h1 = (h0 + a) & 0xffffffff, (h1 + b) & 0xffffffff
    h2, h3 = (h2 + c) & 0xffffffff, (h3 + d) & 0xffffffff
    h4, h5 = (h4 + e) & 0xffffffff, (h5 + f) & 0xffffffff
    h6, h7 = (h6 + g) & 0xffffffff, (h7 + h) & 0xffffffff
  end
  return string.format("%08x%08x%08x%08x%08x%08x%08x%08x", h0, h1, h2, h3, h4, h5, h6, h7)
end

-- ---------------------------------------------------------------- field checkers

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
-- Read rules (core/reader.h): a snapshot's reference date, how far a figure may be carried,
-- whether ratings use the published (rounded) figure, the least group to benchmark.
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

-- ---------------------------------------------------------------- compiling a file

-- The line in `chunk` (a chunkname "@path") the DSL was called from: the innermost frame
-- running that chunk, so a helper function in the file names its caller's line.
local function caller_line(chunk)
  for level = 3, 40 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.source == chunk then return info.currentline end
  end
  return 0
end

-- Marks the tables made by the formula and target constructors (never visible to files).
local made = setmetatable({}, { __mode = "k" })

-- The state of one compilation: the declarations collected and the errors.
local function new_state(path, opts)
  return {
    path = path, chunk = "@" .. path, opts = opts or {}, errors = {}, decls = {},
    fw = nil, pending = {},
  }
end

local function add_error(st, line, msg, file)
  st.errors[#st.errors + 1] = { file = file or st.path, line = line or 0, msg = msg }
end

-- Raise from a DSL word with the file's line (stops the file: the misuse is structural).
local function raise(st, msg)
  error(st.path .. ":" .. caller_line(st.chunk) .. ": " .. msg, 0)
end

-- declarer(st, kind [, level]) -> the DSL word: word "id" { fields } records a declaration.
local function declarer(st, kind, level)
  return function(id)
    local line = caller_line(st.chunk)
    if type(id) ~= "string" or id == "" then
      raise(st, (level or kind) .. " needs an id: " .. (level or kind) .. " \"id\" { ... }")
    end
    if kind ~= "framework" and kind ~= "catalogue" and not st.fw then
      raise(st, "declare the framework first: framework \"id\" { ... }")
    end
    local decl = { kind = kind, id = id, line = line, level = level }
    st.pending[decl] = true
    return function(body)
      if type(body) ~= "table" then
        raise(st, (level or kind) .. " '" .. id .. "' needs a table: " .. (level or kind) ..
                  " \"" .. id .. "\" { ... }")
      end
      st.pending[decl] = nil
      decl.body = body
      st.decls[#st.decls + 1] = decl
      if kind == "catalogue" then
        if st.fw then raise(st, "a file declares one framework or catalogue ('" .. st.fw.id .. "' already)") end
        st.fw = decl
      end
      if kind == "framework" then
        if st.fw then raise(st, "a file declares one framework ('" .. st.fw.id .. "' already)") end
        st.fw = decl
        -- The council's level words become DSL words now.
        if is_list_of_strings(body.levels) then
          for _, lv in ipairs(body.levels) do
            if RESERVED[lv] or not lv:match("^[%a_][%w_]*$") then
              add_error(st, line, "level '" .. lv .. "' cannot be a DSL word (it clashes with " ..
                        "a name the file already has or is not a Lua name): use node \"id\" " ..
                        "{ level = \"" .. lv .. "\" }")
            elseif not sandbox.is_declared(st.env, lv) then
              sandbox.declare(st.env, lv, declarer(st, "node", lv))
            end
          end
        end
      end
    end
  end
end

-- The formula and target constructors.  They check their arguments' form and record
-- problems at the caller's line; normalisation checks the metric ids.
local function constructors(st)
  local C = {}
  local function mk(t, what)
    t.line = caller_line(st.chunk)
    made[t] = what
    return t
  end
  local function need_id(v, fname, which)
    if type(v) ~= "string" or v == "" then
      add_error(st, caller_line(st.chunk), fname .. ": " .. which .. " must be a metric id (a string)")
    end
  end
  function C.pct(num, den)
    need_id(num, "pct", "the numerator"); need_id(den, "pct", "the denominator")
    return mk({ kind = "ratio", num = num, den = den, scale = 100 }, "formula")
  end
  function C.ratio(num, den)
    need_id(num, "ratio", "the numerator"); need_id(den, "ratio", "the denominator")
    return mk({ kind = "ratio", num = num, den = den, scale = 1 }, "formula")
  end
  function C.rate(num, den, per)
    need_id(num, "rate", "the numerator"); need_id(den, "rate", "the denominator")
    if type(per) ~= "number" or per <= 0 then
      add_error(st, caller_line(st.chunk), "rate: the third argument (per) must be a positive " ..
                "number such as 1000 or 100000")
    end
    return mk({ kind = "ratio", num = num, den = den, scale = per }, "formula")
  end
  function C.diff(a, b)
    need_id(a, "diff", "the first metric"); need_id(b, "diff", "the second metric")
    return mk({ kind = "diff", a = a, b = b }, "formula")
  end
  function C.custom(t)
    local line = caller_line(st.chunk)
    if type(t) ~= "table" then
      add_error(st, line, "custom: expected custom { inputs = {name = metric}, fn = function(m, ctx) ... end }")
      t = {}
    end
    for k in pairs(t) do
      if k ~= "inputs" and k ~= "fn" then add_error(st, line, "unknown field '" .. tostring(k) .. "' in custom") end
    end
    if type(t.inputs) ~= "table" or next(t.inputs) == nil then
      add_error(st, line, "custom: inputs must be a table {name = metric id, ...}")
    else
      for name, m in pairs(t.inputs) do
        if type(name) ~= "string" or type(m) ~= "string" then
          add_error(st, line, "custom: inputs must map names to metric ids (strings)")
          break
        end
      end
    end
    if type(t.fn) ~= "function" then add_error(st, line, "custom: fn must be a function(m, ctx)") end
    local inputs = {}
    for k, v in pairs(type(t.inputs) == "table" and t.inputs or {}) do inputs[k] = v end
    return mk({ kind = "custom", inputs = inputs, fn = t.fn }, "formula")
  end
  function C.profile(t)
    if type(t) ~= "table" then add_error(st, caller_line(st.chunk), "profile: expected profile { [\"2025/26 Q1\"] = n, ... }") end
    return mk({ kind = "profile", values = type(t) == "table" and t or {} }, "target")
  end
  function C.baseline(t)
    if type(t) ~= "table" then add_error(st, caller_line(st.chunk), "baseline: expected baseline { period = ..., change = \"-5%\" }") end
    return mk({ kind = "baseline", args = type(t) == "table" and t or {} }, "target")
  end
  function C.benchmark(t)
    if type(t) ~= "table" then add_error(st, caller_line(st.chunk), "benchmark: expected benchmark { group = ..., stat = \"median\" }") end
    return mk({ kind = "benchmark", args = type(t) == "table" and t or {} }, "target")
  end
  return C
end

-- Run the source: returns the state (declarations and the errors so far).
local function run_source(src, path, opts)
  local st = new_state(path, opts)
  if #src > sandbox.MAX_FILE_BYTES then
    add_error(st, 0, string.format("larger than %d MiB, the limit for framework files",
                                   sandbox.MAX_FILE_BYTES // (1024 * 1024)))
    return st
  end
  local words = constructors(st)
  st.env = sandbox.env({ words = words, print = opts and opts.print })
  for _, k in ipairs({ "framework", "catalogue", "metric", "kpi", "change", "action", "risk",
                       "board", "deadline", "rule", "group", "owner" }) do
    sandbox.declare(st.env, k, declarer(st, k))
  end
  sandbox.declare(st.env, "node", declarer(st, "node"))
  local fn, err = sandbox.load(src, st.chunk, st.env)
  if not fn then
    local line, msg = tostring(err):match("^.-:(%d+): (.*)$")
    add_error(st, tonumber(line) or 0, msg or tostring(err))
    return st
  end
  -- under the sandbox's limits (PMF_LIMIT_*): a limit's message names this file and line
  local ok, rerr = sandbox.run(fn, { name = path, chunk = st.chunk,
                                     instructions = opts and opts.max_instructions })
  if not ok then
    rerr = tostring(rerr)
    local f, line, msg = rerr:match("^(.-):(%d+): (.*)$")
    if f == path then add_error(st, tonumber(line), msg)
    else add_error(st, caller_line(st.chunk), rerr) end
  end
  for decl in pairs(ok and st.pending or {}) do
    add_error(st, decl.line, (decl.level or decl.kind) .. " '" .. decl.id .. "' has no body: " ..
              (decl.level or decl.kind) .. " \"" .. decl.id .. "\" { ... }")
  end
  return st
end

-- ---------------------------------------------------------------- normalisation

local function what(decl) return (decl.level or decl.kind) .. " '" .. decl.id .. "'" end

-- Check a declaration's fields against its spec; returns the body (checked fields only).
local function check_fields(st, decl, spec)
  local body = decl.body
  for k, v in pairs(body) do
    local c = type(k) == "string" and spec[k] or nil
    if c == nil then
      add_error(st, decl.line, "unknown field '" .. tostring(k) .. "' in " .. what(decl))
    elseif check[c] then
      local msg = check[c](v)
      if msg then add_error(st, decl.line, what(decl) .. ": " .. k .. " " .. msg) end
    end
  end
  return body
end

local function parse_period(st, label, line, ctx)
  if type(label) ~= "string" and math.type(label) ~= "integer" then
    add_error(st, line, ctx .. ": a period label is required (like \"2025/26 Q1\")")
    return nil
  end
  local p, err = period.parse(tostring(label), st.year_start)
  if not p then add_error(st, line, ctx .. ": " .. tostring(err)) end
  return p
end

-- Resolve a comparator: a local group name -> "<fw>:<name>"; "cipfa" / "dfe_sn" -> the
-- council's reference group; any other id with a colon is a store group id as written.
local function resolve_group(st, name, line, ctx)
  if name == nil then return nil end
  if st.groups[name] then return st.groups[name].id end
  local council = st.council
  if name == "cipfa" and council then return "cipfa_2024:" .. council end
  if name == "dfe_sn" and council then return "dfe_sn_2025:" .. council end
  if name:find(":", 1, true) then
    local s = st.opts.store
    if s and s:is_open() and s:group_members(name) == nil and not name:match("^" .. st.id .. ":") then
      add_error(st, line, ctx .. ": unknown comparator group '" .. name .. "'")
    end
    return name
  end
  add_error(st, line, ctx .. ": unknown comparator group '" .. name .. "' (a group declared " ..
            "in the file, \"cipfa\", \"dfe_sn\" or a store group id like \"cipfa_2024:" ..
            (council or "E08000030") .. "\")")
  return name
end

-- Normalise a target (T):
--   {kind = "value", value = n}
--   {kind = "periods", by_year = bool, values = {[label] = n}, list = {{period=, value=}...}}
--     (a table keyed by FY label, or a profile keyed by any period; list sorted by start)
--   {kind = "baseline", period = Period, change = {pct = n} | {abs = n}}
--   {kind = "benchmark", group = store group id | nil (the KPI's comparator), stat = }
--     (group resolved as comparators are: a local group name -> "<fw>:<name>", "cipfa")
--   {kind = "function", fn = function(ctx) -> number}
local function normalise_target(st, v, line, ctx)
  if v == nil then return nil end
  ctx = ctx .. ": target"
  if type(v) == "number" then
    if v ~= v or v == math.huge or v == -math.huge then add_error(st, line, ctx .. " must be finite") end
    return { kind = "value", value = v }
  end
  if type(v) == "function" then return { kind = "function", fn = v } end
  if type(v) ~= "table" then
    add_error(st, line, ctx .. " must be a number, a table by year, profile{}, baseline{}, " ..
              "benchmark{} or a function (got " .. type(v) .. ")")
    return nil
  end
  local kind = made[v] == "target" and v.kind or (made[v] and "bad") or "year_table"
  if kind == "bad" then
    add_error(st, line, ctx .. " is a formula, not a target")
    return nil
  end
  if kind == "year_table" or kind == "profile" then
    local values = kind == "profile" and v.values or v
    local out = { kind = "periods", by_year = kind == "year_table", values = {}, list = {} }
    for label, x in pairs(values) do
      local p = parse_period(st, label, line, ctx)
      if p and kind == "year_table" and p.len ~= 12 then
        add_error(st, line, ctx .. ": '" .. tostring(label) .. "' is not a year: use " ..
                  "profile { ... } for targets by quarter or month")
      elseif type(x) ~= "number" then
        add_error(st, line, ctx .. " for '" .. tostring(label) .. "' must be a number")
      elseif p then
        out.values[tostring(p)] = x
        out.list[#out.list + 1] = { period = p, value = x }
      end
    end
    table.sort(out.list, function(a, b) return a.period < b.period end)
    return out
  end
  if kind == "baseline" then
    local a = v.args
    for k in pairs(a) do
      if k ~= "period" and k ~= "change" then add_error(st, line, "unknown field '" .. tostring(k) .. "' in baseline") end
    end
    local p = parse_period(st, a.period, line, ctx .. " baseline")
    local change
    if type(a.change) == "number" then change = { abs = a.change }
    elseif type(a.change) == "string" and a.change:match("^%s*[%+%-]?%d+%.?%d*%s*%%%s*$") then
      change = { pct = tonumber((a.change:gsub("[%s%%%+]", ""))) }
    elseif a.change == nil then change = { abs = 0 }
    else add_error(st, line, ctx .. " baseline: change must be a number or a percentage like \"-5%\"") end
    return { kind = "baseline", period = p, change = change }
  end
  if kind == "benchmark" then
    local a = v.args
    for k in pairs(a) do
      if k ~= "group" and k ~= "stat" then add_error(st, line, "unknown field '" .. tostring(k) .. "' in benchmark") end
    end
    local stat = a.stat or "median"
    if not ({ median = true, top_quartile = true, mean = true })[stat] then
      add_error(st, line, ctx .. " benchmark: stat must be median, top_quartile or mean (got " .. tostring(stat) .. ")")
    end
    local group = nil
    if a.group ~= nil then
      if type(a.group) ~= "string" then add_error(st, line, ctx .. " benchmark: group must be a string")
      else group = resolve_group(st, a.group, line, ctx .. " benchmark") end
    end
    return { kind = "benchmark", group = group, stat = stat }
  end
end

-- Normalise a formula (F).  Returns F and the metric ids it reads.
local function normalise_formula(st, v, line, ctx)
  if type(v) == "string" then return { kind = "metric", metric = v }, { v } end
  if type(v) == "table" and made[v] == "formula" then
    local f = { kind = v.kind }
    local ids = {}
    if v.kind == "ratio" then
      f.num, f.den, f.scale = v.num, v.den, v.scale
      ids = { v.num, v.den }
    elseif v.kind == "diff" then
      f.a, f.b = v.a, v.b
      ids = { v.a, v.b }
    elseif v.kind == "custom" then
      f.inputs, f.fn = v.inputs, v.fn
      for _, m in pairs(v.inputs) do ids[#ids + 1] = m end
      table.sort(ids)
    end
    return f, ids
  end
  if type(v) == "function" then
    add_error(st, line, ctx .. ": formula is a function: use custom { inputs = {...}, fn = function(m, ctx) ... end }")
  else
    add_error(st, line, ctx .. ": formula must be a metric id, pct(), ratio(), rate(), diff() or custom{} (got " .. type(v) .. ")")
  end
  return nil, {}
end

local function as_list(v)
  if v == nil then return {} end
  if type(v) == "string" then return { v } end
  local out = {}
  for i, x in ipairs(v) do out[i] = x end
  return out
end

local function parents_of(st, decl)
  local b = decl.body
  if b.parent ~= nil and b.parents ~= nil then
    add_error(st, decl.line, what(decl) .. ": give parent or parents, not both")
  end
  local list = {}
  if type(b.parent) == "string" then list[1] = b.parent end
  if is_list_of_strings(b.parents) then for _, p in ipairs(b.parents) do list[#list + 1] = p end end
  return list
end

-- The rating fields of a KPI or a change, checked and normalised into version v.
local VERSION_FIELDS = { "formula", "target", "tolerance", "blue", "polarity", "band", "rag",
                         "comparator", "dot_threshold" }

local function version_fields(st, decl, v, metrics_used)
  local b = decl.body
  local ctx = what(decl)
  if b.formula ~= nil then
    local f, ids = normalise_formula(st, b.formula, decl.line, ctx)
    v.formula = f
    for _, m in ipairs(ids) do metrics_used[#metrics_used + 1] = { id = m, line = decl.line, ctx = ctx } end
  end
  if b.target ~= nil then v.target = normalise_target(st, b.target, decl.line, ctx) end
  for _, k in ipairs({ "tolerance", "blue", "dot_threshold", "polarity", "rag" }) do
    if b[k] ~= nil then v[k] = b[k] end
  end
  if b.band ~= nil and check.band(b.band) == nil then
    v.band = { lo = b.band.lo or b.band[1], hi = b.band.hi or b.band[2] }
  end
  if b.comparator ~= nil and type(b.comparator) == "string" then
    v.comparator = resolve_group(st, b.comparator, decl.line, ctx)
  end
end

local function copy_version(v)
  local out = {}
  for _, k in ipairs(VERSION_FIELDS) do out[k] = v[k] end
  return out
end

local function check_version(st, line, ctx, v, body)
  if v.polarity == "band" and v.band == nil then
    if body.band == nil then add_error(st, line, ctx .. ": polarity \"band\" needs band = {lo, hi}") end
  elseif v.band ~= nil and v.polarity ~= "band" then
    add_error(st, line, ctx .. ": band given but polarity is " .. tostring(v.polarity) ..
              " (use polarity = \"band\")")
  end
  if v.target ~= nil and v.polarity == nil then
    add_error(st, line, ctx .. ": a KPI with a target needs a polarity (\"up\", \"down\" or \"band\")")
  end
end

-- M.kpi_version(kpi, period) -> the version in force for that period (a Period or a label,
-- read with the framework's year start).  Raises on a label that does not parse.
function M.kpi_version(kpi, p)
  if p == nil then return kpi.versions[1] end
  if type(p) ~= "userdata" then p = period(tostring(p), kpi.year_start or 4) end
  local cur = kpi.versions[1]
  for i = 2, #kpi.versions do
    local v = kpi.versions[i]
    if v.from.start <= p.start then cur = v else break end
  end
  return cur
end

-- M.target_value(T, period) -> the target number for a period from the value and period
-- forms (nil for the others, which need data: the KPI engine computes them).  A period
-- target applies to the periods inside it (an FY target to its quarters and months).
function M.target_value(T, p)
  if not T then return nil end
  if T.kind == "value" then return T.value end
  if T.kind ~= "periods" then return nil end
  local label = tostring(p)
  if T.values[label] then return T.values[label] end
  local best
  for _, e in ipairs(T.list) do
    if e.period:contains(p) and (not best or e.period.len < best.period.len) then best = e end
  end
  return best and best.value
end

-- ---------------------------------------------------------------- metrics and the catalogue

-- A metric declaration, normalised.  owner: the framework id, or "catalogue".
local function metric_of(st, d, owner)
  local b = check_fields(st, d, SPEC.metric)
  return { id = d.id, title = b.title or d.id, unit = b.unit, aggregation = b.aggregation or "sum",
           decimals = b.decimals, definition = b.definition, source = b.source,
           reference = b.reference, carry = b.carry, meta = b.meta, owner = owner,
           file = st.path, line = d.line }
end

local METRIC_FIELDS = require("pmf.store").METRIC_FIELDS

local function show(v)
  if v == nil then return "none" end
  if type(v) == "string" then return "\"" .. (#v > 60 and v:sub(1, 57) .. "..." or v) .. "\"" end
  return tostring(v)
end

-- differs(a, b) -> nil when two metric definitions are the same, else what differs
-- ("aggregation \"max\" here, \"sum\" there; title ...").
local function differs(a, b)
  local out = {}
  for _, f in ipairs(METRIC_FIELDS) do
    if a[f] ~= b[f] then out[#out + 1] = f .. " " .. show(a[f]) .. " here, " .. show(b[f]) .. " there" end
  end
  if #out == 0 then return nil end
  return table.concat(out, "; ")
end
M.metric_differs = differs

-- A catalogue file: catalogue "id" { title = } and metric declarations, nothing else.
local function normalise_catalogue(st)
  local d0 = st.fw
  local b = check_fields(st, d0, SPEC.catalogue)
  local cat = { kind = "catalogue", id = d0.id, title = b.title or d0.id,
                description = b.description, meta = b.meta, file = st.path, line = d0.line,
                metrics = {}, metric_order = {}, catalogue_used = {}, kpis = {}, kpi_order = {},
                nodes = {} }
  for _, d in ipairs(st.decls) do
    if d.kind == "metric" then
      local prev = cat.metrics[d.id]
      if prev then
        add_error(st, d.line, "duplicate metric id '" .. d.id .. "' (first declared at line " .. prev.line .. ")")
      else
        cat.metrics[d.id] = metric_of(st, d, "catalogue")
        cat.metric_order[#cat.metric_order + 1] = d.id
      end
    elseif d ~= d0 then
      add_error(st, d.line, "a catalogue declares metrics only: " .. what(d) .. " belongs in a framework")
    end
  end
  cat.metrics_used = cat.metric_order
  return cat
end

-- The metrics a framework reads: its own declarations checked against the catalogue (the
-- same definition is fine; a different one is an error naming both places), the others
-- taken from the catalogue, or else from the store (a stored framework re-run as of a date
-- reads the definitions then in force), or unknown.
local function resolve_metrics(st, fw, metrics_used)
  local cat, s = st.catalogue, st.opts.store
  local open = s and s:is_open()
  for _, id in ipairs(fw.metric_order) do
    local m, c = fw.metrics[id], cat and cat.metrics[id]
    if c then
      local diff = differs(m, c)
      if diff then
        add_error(st, m.line, "metric '" .. id .. "' is already declared differently in the catalogue at " ..
                  c.file .. ":" .. c.line .. " (" .. diff .. "): use the catalogue's (delete this " ..
                  "declaration) or give this metric its own id")
      else
        m.owner = "catalogue"   -- the same metric: the catalogue's
      end
    end
  end
  local used, used_order = {}, {}
  fw.catalogue_used = {}
  for _, m in ipairs(metrics_used) do
    if type(m.id) == "string" and not used[m.id] then
      if not fw.metrics[m.id] then
        local c = cat and cat.metrics[m.id]
        if c then
          fw.metrics[m.id] = c
          fw.catalogue_used[#fw.catalogue_used + 1] = m.id
        elseif open and s:metric_id(m.id) then
          fw.metrics[m.id] = s:metric_info(m.id)   -- the definition in force at the view
        else
          add_error(st, m.line, m.ctx .. ": unknown metric '" .. m.id .. "'" ..
                    (fw.kpis[m.id] and " (a KPI id; formulas read metrics)" or
                     " (declare it with metric \"" .. m.id .. "\" { ... }, or add it to the catalogue)"))
        end
      end
      used[m.id] = true
      used_order[#used_order + 1] = m.id
    end
  end
  fw.metrics_used = used_order
end

-- The metrics a framework or catalogue would register: its own, then those it takes from
-- the catalogue.
local function registered(fw)
  local out = {}
  for _, id in ipairs(fw.metric_order) do out[#out + 1] = fw.metrics[id] end
  for _, id in ipairs(fw.catalogue_used or {}) do out[#out + 1] = fw.metrics[id] end
  return out
end

-- The conflict rule against a store: a framework's own metric may not change a definition
-- that the catalogue owns or that another framework uses; a catalogue metric may not change
-- one that a framework declared for itself.  Otherwise a different definition becomes a new
-- version (a later version of the same file, or of the catalogue).
local function store_conflicts(st, fw)
  local s = st.opts.store
  if not (s and s:is_open()) or st.opts.stored then return end
  for _, m in ipairs(registered(fw)) do
    local cur = s:metric_def(m.id)
    local diff = cur and differs(m, cur)
    if diff then
      local others = {}
      for _, f in ipairs(s:metric_users(m.id)) do
        if f ~= fw.id then others[#others + 1] = f end
      end
      local conflict
      if m.owner == "catalogue" then
        conflict = cur.owner ~= nil and cur.owner ~= "catalogue" and cur.owner ~= fw.id
      else
        conflict = cur.owner == "catalogue" or #others > 0
      end
      if conflict then
        local where = cur.file and ("at " .. cur.file .. ":" .. (cur.line or 0)) or "in the store"
        local who = cur.owner == "catalogue" and "the catalogue" or
                    cur.owner and ("framework '" .. cur.owner .. "'") or "the store"
        add_error(st, m.line, "metric '" .. m.id .. "' is already declared differently " .. where ..
                  " (" .. who .. (#others > 0 and ("; used by " .. table.concat(others, ", ")) or "") ..
                  "): " .. diff .. "; a metric has one definition in a store: give this one " ..
                  "its own id", m.file)
      end
    end
  end
end

-- Build the definition from the collected declarations (st.decls).
-- Owners: `owner = "..."` on a KPI, action or risk names a declared owner by id, name or
-- role (kept as written; owner_id is the owner's id).  A framework that declares no owners
-- keeps free-text owners.  Each metric an owner supplies is one the framework uses, and one
-- owner supplies it (fw.suppliers: metric -> owner id).
local function resolve_owners(st, fw)
  if #fw.owner_order == 0 then return end
  local by_text = {}
  for _, id in ipairs(fw.owner_order) do
    local o = fw.owners[id]
    for _, t in ipairs({ o.role or false, o.name or false, id }) do
      if t then by_text[t] = id end
    end
    for _, m in ipairs(o.supplies) do
      if not fw.metrics[m] then
        add_error(st, o.line, "owner '" .. id .. "' supplies '" .. m .. "', a metric the framework does not use")
      elseif fw.suppliers[m] then
        add_error(st, o.line, "metric '" .. m .. "' is supplied by owner '" .. fw.suppliers[m] ..
                  "' already (one owner supplies each metric)")
      else
        fw.suppliers[m] = id
      end
    end
  end
  for _, kind in ipairs({ "kpi", "action", "risk" }) do
    local map, order = fw[kind .. "s"], fw[kind .. "_order"]
    for _, id in ipairs(order) do
      local item = map[id]
      if item.owner ~= nil then
        item.owner_id = by_text[item.owner]
        if not item.owner_id then
          add_error(st, item.line, kind .. " '" .. id .. "': owner '" .. item.owner .. "' is not a " ..
                    "declared owner (owner \"id\" { name =, role = }: its id, name or role)")
        end
      end
    end
  end
end

local function normalise(st)
  local fdecl = st.fw
  if not fdecl then
    if #st.errors == 0 then add_error(st, 1, "no framework declared: start with framework \"id\" { ... }") end
    return nil
  end
  if fdecl.kind == "catalogue" then return normalise_catalogue(st) end
  local fb = check_fields(st, fdecl, SPEC.framework)
  st.id = fdecl.id
  if not fdecl.id:match("^[%a_][%w_%-]*$") then
    add_error(st, fdecl.line, "framework id '" .. fdecl.id .. "' must be a name (letters, digits, _ and -)")
  end
  local ys = 4
  if fb.year_start ~= nil and check.year_start(fb.year_start) == nil then
    ys = period.parse("2025", fb.year_start).year_start
  end
  st.year_start = ys
  st.council = type(fb.council) == "string" and fb.council or nil
  if type(fb.title) ~= "string" then add_error(st, fdecl.line, "framework '" .. fdecl.id .. "' needs a title") end
  local levels = is_list_of_strings(fb.levels) and fb.levels or {}
  if #levels == 0 then add_error(st, fdecl.line, "framework '" .. fdecl.id .. "' needs levels = { ... } (top-down)") end
  local level_index = {}
  for i, lv in ipairs(levels) do
    if level_index[lv] then add_error(st, fdecl.line, "level '" .. lv .. "' listed twice") end
    level_index[lv] = i
  end
  if st.council and st.opts.store and st.opts.store:is_open() and not st.opts.store:area_id(st.council) then
    add_error(st, fdecl.line, "framework '" .. fdecl.id .. "': unknown council area '" .. st.council .. "'")
  end

  local fw = {
    id = fdecl.id, title = fb.title, council = st.council, year_start = ys,
    levels = levels, file = st.path, line = fdecl.line, description = fb.description,
    owner = fb.owner, principles = fb.principles, meta = fb.meta,
    min_group = fb.min_group, rate_on = fb.rate_on, rollup = fb.rollup,
    nodes = {}, node_order = {}, roots = {}, metrics = {}, metric_order = {}, groups = {},
    group_order = {}, kpis = {}, kpi_order = {}, actions = {}, action_order = {}, risks = {},
    risk_order = {}, boards = {}, board_order = {}, deadlines = {}, changes = {},
    owners = {}, owner_order = {}, suppliers = {},
    commentary_statuses = { red = true, amber = true },
  }
  local seen = {}    -- kind -> id -> decl (duplicates)
  local function first(decl, kind)
    seen[kind] = seen[kind] or {}
    local prev = seen[kind][decl.id]
    if prev then
      add_error(st, decl.line, "duplicate " .. kind .. " id '" .. decl.id .. "' (first declared at line " .. prev.line .. ")")
      return false
    end
    seen[kind][decl.id] = decl
    return true
  end

  -- Groups first: comparators refer to them.
  st.groups = {}
  for _, d in ipairs(st.decls) do
    if d.kind == "group" and first(d, "group") then
      local b = check_fields(st, d, SPEC.group)
      if not is_list_of_strings(b.members) or #b.members == 0 then
        add_error(st, d.line, "group '" .. d.id .. "' needs members = { area codes }")
      end
      local g = { id = fdecl.id .. ":" .. d.id, name = d.id, title = b.title or d.id,
                  members = as_list(is_list_of_strings(b.members) and b.members or nil),
                  source = b.source, description = b.description, file = st.path, line = d.line }
      local s = st.opts.store
      if s and s:is_open() then
        for _, code in ipairs(g.members) do
          if not s:area_id(code) then add_error(st, d.line, "group '" .. d.id .. "': unknown area '" .. code .. "'") end
        end
      end
      st.groups[d.id] = g
      fw.groups[d.id] = g
      fw.group_order[#fw.group_order + 1] = d.id
    end
  end
  if type(fb.comparator) == "string" then
    fw.comparator = resolve_group(st, fb.comparator, fdecl.line, "framework '" .. fdecl.id .. "'")
  end

  local metrics_used = {}
  local node_parents = {}     -- node id -> {decl, parents}
  local hanging = {}          -- {decl, parents, kind}
  for _, d in ipairs(st.decls) do
    local k = d.kind
    if k == "node" then
      local spec = d.level and NODE_FIELDS or NODE_SPEC_WITH_LEVEL
      local b = check_fields(st, d, setmetatable({}, { __index = spec }))
      local lv = d.level or b.level
      if d.level == nil and b.level == nil then
        add_error(st, d.line, "node '" .. d.id .. "' needs a level (one of " .. table.concat(levels, ", ") .. ")")
      elseif lv and not level_index[lv] then
        add_error(st, d.line, "node '" .. d.id .. "': unknown level '" .. tostring(lv) ..
                  "' (levels are " .. table.concat(levels, ", ") .. ")")
      end
      if first(d, "node") then
        local n = { id = d.id, level = lv, title = b.title or d.id, parents = parents_of(st, d),
                    children = {}, kpis = {}, actions = {}, risks = {}, description = b.description,
                    owner = b.owner, directorate = b.directorate, code = b.code, meta = b.meta,
                    file = st.path, line = d.line }
        fw.nodes[d.id] = n
        fw.node_order[#fw.node_order + 1] = d.id
        node_parents[d.id] = d
      end
    elseif k == "metric" then
      local m = metric_of(st, d, fdecl.id)
      if first(d, "metric") then
        fw.metrics[d.id] = m
        fw.metric_order[#fw.metric_order + 1] = d.id
      end
    elseif k == "kpi" then
      local b = check_fields(st, d, SPEC.kpi)
      if first(d, "kpi") then
        local kpi = {
          id = d.id, title = b.title or d.id, parents = parents_of(st, d), unit = b.unit,
          decimals = b.decimals, frequency = b.frequency, owner = b.owner,   -- nil: rated as asked
          directorate = b.directorate, national = b.national, type = b.type,
          definition = b.definition, methodology = b.methodology, source = b.source,
          benchmark_source = b.benchmark_source, illustrative = b.illustrative,
          replaces = b.replaces, split_into = b.split_into, breakdowns = b.breakdowns,
          suppress_below = b.suppress_below, description = b.description, meta = b.meta,
          carry = b.carry, min_group = b.min_group, rate_on = b.rate_on,
          year_start = ys, file = st.path, line = d.line,
        }
        if b.formula == nil then add_error(st, d.line, "kpi '" .. d.id .. "' has no formula") end
        local v = { from = nil }
        version_fields(st, d, v, metrics_used)
        if v.comparator == nil then v.comparator = fw.comparator end
        check_version(st, d.line, "kpi '" .. d.id .. "'", v, d.body)
        kpi.versions = { v }
        for _, f in ipairs({ "replaces", "split_into" }) do
          for _, x in ipairs(as_list(type(b[f]) == "string" and b[f] or (is_list_of_strings(b[f]) and b[f]) or nil)) do
            if not x:match(ID_PATTERN) then
              add_error(st, d.line, "kpi '" .. d.id .. "': " .. f .. " names '" .. x .. "', not a KPI id")
            elseif x == d.id then
              add_error(st, d.line, "kpi '" .. d.id .. "': " .. f .. " names itself")
            end
          end
        end
        fw.kpis[d.id] = kpi
        fw.kpi_order[#fw.kpi_order + 1] = d.id
        hanging[#hanging + 1] = { decl = d, item = kpi, kind = "kpi" }
      end
    elseif k == "action" or k == "risk" then
      local b = check_fields(st, d, SPEC[k])
      if first(d, k) then
        local item = { id = d.id, title = b.title or d.id, parents = parents_of(st, d),
                       file = st.path, line = d.line }
        for f in pairs(SPEC[k]) do
          if f ~= "parent" and f ~= "parents" and f ~= "title" then item[f] = b[f] end
        end
        local map, order = k == "action" and fw.actions or fw.risks,
                           k == "action" and fw.action_order or fw.risk_order
        map[d.id] = item
        order[#order + 1] = d.id
        hanging[#hanging + 1] = { decl = d, item = item, kind = k }
      end
    elseif k == "board" then
      local b = check_fields(st, d, SPEC.board)
      if first(d, "board") then
        fw.boards[d.id] = { id = d.id, title = b.title or d.id, cadence = b.cadence or "quarterly",
                            receives = b.receives or {}, after_days = b.after_days,
                            description = b.description, meta = b.meta, file = st.path, line = d.line }
        fw.board_order[#fw.board_order + 1] = d.id
      end
    elseif k == "deadline" then
      local b = check_fields(st, d, SPEC.deadline)
      if first(d, "deadline") then
        if b.working_days == nil then add_error(st, d.line, "deadline '" .. d.id .. "' needs working_days = N") end
        fw.deadlines[d.id] = { working_days = b.working_days, description = b.description,
                               file = st.path, line = d.line }
      end
    elseif k == "owner" then
      local b = check_fields(st, d, SPEC.owner)
      if first(d, "owner") then
        if b.name == nil and b.role == nil then
          add_error(st, d.line, "owner '" .. d.id .. "' needs a name or a role")
        end
        if type(b.email) == "string" and not b.email:match("^[^@%s]+@[^@%s]+%.[^@%s]+$") then
          add_error(st, d.line, "owner '" .. d.id .. "': email '" .. b.email .. "' is not an address")
        end
        fw.owners[d.id] = { id = d.id, name = b.name, role = b.role, team = b.team,
                            email = b.email, supplies = is_list_of_strings(b.supplies) and b.supplies or {},
                            description = b.description, meta = b.meta, file = st.path, line = d.line }
        fw.owner_order[#fw.owner_order + 1] = d.id
      end
    elseif k == "rule" then
      local b = check_fields(st, d, SPEC.rule)
      if d.id ~= "commentary_required" then
        add_error(st, d.line, "unknown rule '" .. d.id .. "' (rules: commentary_required)")
      elseif first(d, "rule") and is_list_of_strings(b.statuses) and not check.statuses(b.statuses) then
        fw.commentary_statuses = {}
        for _, s in ipairs(b.statuses) do fw.commentary_statuses[s] = true end
      end
    end
  end

  -- Effective-dated changes, in order of their start, each inheriting the one before.
  local changes = {}
  for _, d in ipairs(st.decls) do
    if d.kind == "change" then
      check_fields(st, d, SPEC.change)
      local kpi = fw.kpis[d.id]
      if not kpi then
        add_error(st, d.line, "change names unknown kpi '" .. d.id .. "'")
      else
        local from = parse_period(st, d.body.from, d.line, "change '" .. d.id .. "' from")
        if from then changes[#changes + 1] = { decl = d, kpi = kpi, from = from } end
      end
    end
  end
  table.sort(changes, function(a, b)
    if a.from.start ~= b.from.start then return a.from.start < b.from.start end
    return a.decl.line < b.decl.line
  end)
  for _, c in ipairs(changes) do
    local vs = c.kpi.versions
    local last = vs[#vs]
    if last.from and last.from.start == c.from.start then
      add_error(st, c.decl.line, "change '" .. c.decl.id .. "': a change from " .. tostring(c.from) ..
                " is already declared (line " .. last.line .. ")")
    else
      local v = copy_version(last)
      v.from, v.line, v.note = c.from, c.decl.line, c.decl.body.note
      version_fields(st, c.decl, v, metrics_used)
      if c.decl.body.band ~= nil and c.decl.body.polarity == nil and v.polarity ~= "band" then
        v.polarity = "band"
      end
      if c.decl.body.polarity ~= nil and c.decl.body.polarity ~= "band" and c.decl.body.band == nil then
        v.band = nil
      end
      check_version(st, c.decl.line, "change '" .. c.decl.id .. "'", v, c.decl.body)
      vs[#vs + 1] = v
      fw.changes[#fw.changes + 1] = { kpi = c.kpi.id, from = c.from, file = st.path, line = c.decl.line }
    end
  end

  -- Hierarchy: parents exist, children lists, roots, no cycles.
  for _, id in ipairs(fw.node_order) do
    local n, d = fw.nodes[id], node_parents[id]
    for _, p in ipairs(n.parents) do
      local pn = fw.nodes[p]
      if not pn then
        add_error(st, d.line, what(d) .. ": unknown parent '" .. p .. "'")
      else
        pn.children[#pn.children + 1] = id
      end
    end
    if #n.parents == 0 then fw.roots[#fw.roots + 1] = id end
  end
  local state = {}
  local function visit(id, path)
    if state[id] == "done" then return end
    if state[id] == "active" then
      local d = node_parents[id]
      local cycle = { id }
      for i = #path, 1, -1 do
        table.insert(cycle, 1, path[i])
        if path[i] == id then break end
      end
      add_error(st, d.line, "cycle in the hierarchy: " .. table.concat(cycle, " -> "))
      return true
    end
    state[id] = "active"
    path[#path + 1] = id
    for _, p in ipairs(fw.nodes[id].parents) do
      if fw.nodes[p] and visit(p, path) then break end
    end
    path[#path] = nil
    state[id] = "done"
  end
  for _, id in ipairs(fw.node_order) do visit(id, {}) end

  -- KPIs, actions and risks hang on nodes (actions and risks may also hang on KPIs).
  for _, h in ipairs(hanging) do
    local d, item = h.decl, h.item
    if #item.parents == 0 then
      if h.kind == "kpi" then
        add_error(st, d.line, "kpi '" .. d.id .. "' hangs nowhere: give it a parent (a node of the hierarchy)")
      else
        add_error(st, d.line, h.kind .. " '" .. d.id .. "' hangs nowhere: give it a parent")
      end
    end
    for _, p in ipairs(item.parents) do
      local n = fw.nodes[p]
      if n then
        local list = h.kind == "kpi" and n.kpis or h.kind == "action" and n.actions or n.risks
        list[#list + 1] = d.id
      elseif h.kind ~= "kpi" and fw.kpis[p] then
        -- an action or risk on a KPI
      else
        add_error(st, d.line, h.kind .. " '" .. d.id .. "': unknown parent '" .. p .. "'" ..
                  (fw.kpis[p] and " (a KPI: KPIs hang on nodes)" or ""))
      end
    end
    if h.kind == "action" and item.kpis then
      for _, kid in ipairs(item.kpis) do
        if not fw.kpis[kid] then add_error(st, d.line, "action '" .. d.id .. "': unknown kpi '" .. kid .. "'") end
      end
    end
  end

  resolve_metrics(st, fw, metrics_used)
  resolve_owners(st, fw)
  return fw
end

local function sort_errors(errors)
  for i, e in ipairs(errors) do e.seq = i end
  table.sort(errors, function(a, b)
    if a.file ~= b.file then return a.file < b.file end
    if a.line ~= b.line then return a.line < b.line end
    return a.seq < b.seq
  end)
  for _, e in ipairs(errors) do e.seq = nil end
  return errors
end

-- M.format_errors(errors) -> "file:line: message\n..." text.
function M.format_errors(errors)
  local out = {}
  for i, e in ipairs(errors) do out[i] = e.file .. ":" .. e.line .. ": " .. e.msg end
  return table.concat(out, "\n")
end

-- The file's text (at most sandbox.MAX_FILE_BYTES) | nil, why (without the path).
local function read_file(path)
  local src, err = sandbox.read_file(path)
  if src then return src end
  err = tostring(err)
  if err:sub(1, #path + 2) == path .. ": " then err = err:sub(#path + 3) end
  return nil, err
end

-- M.catalogue_path(path) -> the catalogue a framework file at `path` uses: catalogue.lua
-- beside it (frameworks/catalogue.lua for frameworks/walsall.lua), else the one in pmf's
-- home (<home>/frameworks/catalogue.lua), else nil.
function M.catalogue_path(path)
  local dir = path:match("^(.*)/[^/]*$") or "."
  local cands = { dir .. "/catalogue.lua" }
  if pmf.home then cands[2] = pmf.home .. "/frameworks/catalogue.lua" end
  for _, c in ipairs(cands) do
    local f = io.open(c, "rb")
    if f then f:close() return c end
  end
  return nil
end

-- Catalogues compiled, by path and source (a catalogue is read once per process).
local catalogues = {}

-- M.catalogue(path) -> cat | nil, errors: a catalogue file compiled (cat.metrics by id,
-- cat.metric_order, cat.hash).
function M.catalogue(path)
  local src, err = read_file(path)
  if not src then return nil, { { file = path, line = 0, msg = "cannot read the catalogue: " .. tostring(err) } } end
  local key = path .. "\0" .. src
  if catalogues[key] then return catalogues[key] end
  local cat, errors = M.compile(src, path, { catalogue = false })
  if cat and cat.kind ~= "catalogue" then
    return nil, { { file = path, line = cat.line, msg = "not a catalogue (it declares framework '" ..
                    cat.id .. "'): a catalogue starts with catalogue \"id\" { ... }" } }
  end
  if cat then catalogues[key] = cat end
  return cat, errors
end

-- M.compile(src, path [, opts]) -> fw, errors.  opts.store: check metric ids, areas and
-- groups against it, and metric definitions against those in force there (default: none);
-- opts.catalogue: the catalogue's path, or false for none (default: M.catalogue_path);
-- opts.stored: the source is a stored version being re-run (no catalogue, no conflict
-- check: metrics not declared in it are read from the store as of its view); opts.print:
-- the file's print.  fw is nil when there are errors (errors is then a non-empty list of
-- {file, line, msg}).  A catalogue file compiles to {kind = "catalogue", metrics, ...}.
function M.compile(src, path, opts)
  opts = opts or {}
  local st = run_source(src, path, opts)
  if st.fw and st.fw.kind == "framework" and not opts.stored then
    local cpath = opts.catalogue
    if cpath == nil then cpath = M.catalogue_path(path) end
    if cpath then
      local cat, errors = M.catalogue(cpath)
      st.catalogue = cat
      for _, e in ipairs(cat and {} or errors) do st.errors[#st.errors + 1] = e end
    end
  end
  local fw = normalise(st)
  if fw and #st.errors == 0 then store_conflicts(st, fw) end
  if #st.errors > 0 then return nil, sort_errors(st.errors) end
  fw.kind = fw.kind or "framework"
  fw.hash = M.sha256(src)
  if st.catalogue then fw.catalogue = { path = st.catalogue.file, hash = st.catalogue.hash } end
  return fw, {}
end

-- M.check(path [, store]) -> fw, errors (a file that cannot be read is one error).  The
-- store defaults to the default store, when one is open.
function M.check(path, store)
  local src, err = read_file(path)
  if not src then return nil, { { file = path, line = 0, msg = "cannot read: " .. tostring(err) } } end
  return M.compile(src, path, { store = store == nil and pmf.store or store or nil })
end

-- M.load_file(path [, store]) -> fw | nil, message (the definition, not stored).
function M.load_file(path, store)
  local fw, errors = M.check(path, store)
  if not fw then return nil, M.format_errors(errors), errors end
  return fw
end

-- ---------------------------------------------------------------- the store

local function latest_version(s, id, cutoff)
  return s:query([[SELECT version, hash, path, source, loaded_at, loaded_ms, loaded_by
                     FROM framework_version WHERE framework = ? AND loaded_ms <= ?
                    ORDER BY version DESC LIMIT 1]], id, cutoff or math.maxinteger)[1]
end

local function count(map)
  local n = 0
  for _ in pairs(map) do n = n + 1 end
  return n
end

-- M.load(store, path [, opts]) -> info | nil, message, errors.
-- In one transaction: validates the file (against its catalogue and the metric definitions
-- in the store: see store_conflicts), then the framework row, a new framework_version
-- when the file's SHA-256 differs from the latest, a new metric_version for each metric it
-- declares or takes from the catalogue whose definition differs from the one in force,
-- groups upserted, framework_metric rebuilt.  Observations are untouched.  A catalogue file
-- loads its metrics only.  opts.by / opts.at: who and when (as for store batches; `pmf load
-- --at` back-fills history: the version is in force from that time in as-of views, and a
-- changed file dated before the latest stored version is refused, so that version numbers
-- follow time);
-- opts.catalogue: as for compile.  info = {id, kind, version, changed, hash, kpis, nodes,
-- metrics, metric_versions = {"id vN", ...}, message}.
function M.load(s, path, opts)
  opts = opts or {}
  s = pmf.default_store(s)
  pmf._checkwritable(s)
  local src, rerr = read_file(path)
  if not src then return nil, path .. ": cannot read: " .. tostring(rerr) end
  local audit = require("pmf.store").audit
  local fw, errors, info, out_of_order
  -- Checked inside the write transaction, so that no other load changes a metric between
  -- the conflict check and the writes.
  local ok, terr = pcall(s.transaction, s, function()
    fw, errors = M.compile(src, path, { store = s, catalogue = opts.catalogue })
    if not fw then return end
    info = { id = fw.id, kind = fw.kind, hash = fw.hash, kpis = count(fw.kpis),
             nodes = count(fw.nodes), metrics = #fw.metrics_used, metric_versions = {} }
    local batch
    local function get_batch(note)
      batch = batch or s:batch{ kind = "load", by = opts.by, at = opts.at, source = path, note = note }
      return batch
    end
    if fw.kind == "framework" then
      local cur = latest_version(s, fw.id)
      local version = cur and cur.version or 0
      local changed = not cur or cur.hash ~= fw.hash
      if changed then version = version + 1 end
      -- Back-filling (opts.at): versions are numbered in the order they were in force, so a
      -- new version may not be dated before the latest one (load history oldest first).
      if changed and cur and opts.at then
        local br = s:query("SELECT recorded_at, recorded_ms FROM batch WHERE id = ?",
                           get_batch(fw.id .. " v" .. version))[1]
        if br.recorded_ms < cur.loaded_ms then
          out_of_order = string.format("%s: --at %s is before v%d of %s (loaded %s): a back-filled " ..
                                       "version must come after the versions already stored (load " ..
                                       "history oldest first)", path, opts.at, cur.version, fw.id,
                                       cur.loaded_at)
          error(out_of_order, 0)
        end
      end
      s:exec([[INSERT INTO framework(id, title, year_start, version) VALUES (?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET title = excluded.title,
               year_start = excluded.year_start, version = excluded.version]],
             fw.id, fw.title, fw.year_start, version)
      if changed then
        local b = get_batch(fw.id .. " v" .. version)
        local br = s:query("SELECT recorded_at, recorded_ms, recorded_by FROM batch WHERE id = ?", b)[1]
        s:exec([[INSERT INTO framework_version(framework, version, hash, path, source, loaded_at,
                 loaded_ms, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)]], fw.id, version, fw.hash,
               path, src, br.recorded_at, br.recorded_ms, br.recorded_by)
        audit(s, b, "load", fw.id .. " v" .. version .. " " .. path .. " sha256:" .. fw.hash:sub(1, 12) ..
              (fw.catalogue and (" catalogue " .. fw.catalogue.path .. " sha256:" ..
                                 fw.catalogue.hash:sub(1, 12)) or ""))
        info.changed = true
      end
      info.version = version
    end
    -- Metric definitions: a new version of each one that differs from the one in force.
    for _, m in ipairs(registered(fw)) do
      local cur = s:metric_def(m.id)
      if not cur or differs(m, cur) then
        local b = get_batch(fw.kind == "catalogue" and ("catalogue " .. fw.id) or (fw.id .. " metrics"))
        local _, v = s:metric{ id = m.id, title = m.title, unit = m.unit, aggregation = m.aggregation,
                               decimals = m.decimals, definition = m.definition, source = m.source,
                               reference = m.reference, carry = m.carry, owner = m.owner,
                               file = m.file, line = m.line, batch = b }
        audit(s, b, "metric", m.id .. " v" .. v .. " " .. m.file .. ":" .. m.line ..
              " (" .. m.owner .. ")")
        info.metric_versions[#info.metric_versions + 1] = m.id .. " v" .. v
      end
    end
    if fw.kind ~= "framework" then return end
    for _, name in ipairs(fw.group_order) do
      local g = fw.groups[name]
      s:group{ id = g.id, title = g.title, source = g.source or path, framework = fw.id,
               members = g.members }
    end
    s:exec("DELETE FROM framework_metric WHERE framework = ?", fw.id)
    local all = {}
    for _, id in ipairs(fw.metric_order) do all[id] = true end
    for _, id in ipairs(fw.metrics_used) do all[id] = true end
    for id in pairs(all) do
      s:exec("INSERT OR IGNORE INTO framework_metric(framework, metric) VALUES (?, ?)",
             fw.id, s:metric_id(id))
    end
  end)
  if out_of_order then return nil, out_of_order, { out_of_order } end
  if not ok then error(terr, 0) end
  if not fw then return nil, M.format_errors(errors), errors end
  local nv = #info.metric_versions
  local defs = nv > 0 and string.format("; %d metric definition%s recorded", nv, nv == 1 and "" or "s") or ""
  if fw.kind == "catalogue" then
    info.message = string.format("loaded catalogue %s (%d metrics%s)", fw.id, #fw.metric_order, defs)
  else
    info.message = info.changed
      and string.format("loaded %s v%d (%d KPIs, %d nodes)", fw.id, info.version, info.kpis, info.nodes)
      or string.format("%s unchanged (v%d%s)", fw.id, info.version, defs)
  end
  return info
end

-- Definitions re-created from stored sources, per (id, version, hash).
local cache = {}

-- M.get(store, id) -> fw | nil, message.  The version in force at the store's cutoff (a view
-- made by store:as_of(date) gets the version loaded by then), run again from its stored
-- source.  fw.version, fw.hash, fw.loaded_at, fw.loaded_by describe the stored version.
function M.get(s, id)
  s = pmf.default_store(s)
  if type(id) ~= "string" then error("framework.get: id must be a string", 2) end
  local row = latest_version(s, id, s:cutoff_ms())
  if not row then
    local any = s:query("SELECT 1 AS x FROM framework_version WHERE framework = ?", id)[1]
    if any then return nil, "framework '" .. id .. "' was not loaded yet as of " .. tostring(s:as_of()) end
    return nil, "unknown framework '" .. id .. "' (load it with `pmf load FILE`)"
  end
  -- The metrics it reads from the store are those in force at the view: part of the key.
  local key = id .. "\0" .. row.version .. "\0" .. row.hash .. "\0" .. s:metric_epoch()
  local fw = cache[key]
  if fw then return fw end
  local errors
  fw, errors = M.compile(row.source, row.path or (id .. ".lua"),
                         { store = s, stored = true, print = function() end })
  if not fw then
    return nil, "stored framework '" .. id .. "' v" .. row.version .. " no longer validates:\n" ..
                M.format_errors(errors)
  end
  fw.version, fw.loaded_at, fw.loaded_by = row.version, row.loaded_at, row.loaded_by
  cache[key] = fw
  return fw
end

-- M.list(store) -> {{id, title, version, hash, path, loaded_at, loaded_by, kpis, nodes}, ...}
-- for the frameworks loaded as of the store's cutoff, by id.
function M.list(s)
  s = pmf.default_store(s)
  local out = {}
  for _, r in ipairs(s:query("SELECT id, title FROM framework ORDER BY id")) do
    local v = latest_version(s, r.id, s:cutoff_ms())
    if v then
      local fw = M.get(s, r.id)
      out[#out + 1] = { id = r.id, title = fw and fw.title or r.title, version = v.version,
                        hash = v.hash, path = v.path, loaded_at = v.loaded_at,
                        loaded_by = v.loaded_by, kpis = fw and count(fw.kpis),
                        nodes = fw and count(fw.nodes) }
    end
  end
  return out
end

-- M.versions(store, id) -> every stored version of a framework (as of the view), oldest first.
function M.versions(s, id)
  s = pmf.default_store(s)
  return s:query([[SELECT version, hash, path, loaded_at, loaded_by FROM framework_version
                    WHERE framework = ? AND loaded_ms <= ? ORDER BY version]], id, s:cutoff_ms())
end

M.WORDS = WORDS
return M
