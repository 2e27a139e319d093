-- lua/pmf/framework/dsl.lua: running a framework file.  The DSL words (framework, kpi,
-- node and the council's level words, metric, ...), the formula and target constructors
-- (pct, ratio, rate, diff, custom, profile, baseline, benchmark), and the state of one
-- compilation: the declarations collected and the errors found.
--
-- Decisions:
-- - A file is declarative Lua run in the sandbox (pmf.sandbox): only the DSL words and a
--   few safe libraries exist, and it never sees the debug library.
-- - Each DSL call records the file and line it was made on, found by walking the stack to
--   the frame whose source is the file (so helper functions written in the file still name
--   the right line).
-- - Running only collects declarations, in any order (normalisation resolves references
--   later, so a KPI may name a priority declared below it).  A structural misuse (a word
--   without an id, kpi before framework) stops the file; a Lua error while running it
--   (undeclared global, syntax) is reported with the others.
-- - The constructors return plain tables marked in the weak table `made` (never visible to
--   files), so normalisation can tell pct(...) from a table that merely looks like it.
--
-- Error contract: M.run(src, path, opts) never raises for a bad file: it returns the state
-- with st.errors a list of {file, line, msg}.
local sandbox = require "pmf.sandbox"
local fields = require "pmf.framework.fields"

local is_list_of_strings, RESERVED = fields.is_list_of_strings, fields.RESERVED

local M = {}

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
    -- a percentage: the KPI's unit is "%" with one decimal unless it says otherwise
    return mk({ kind = "ratio", num = num, den = den, scale = 100,
                implies = { unit = "%", decimals = 1 } }, "formula")
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

M.made, M.add_error, M.run = made, add_error, run_source
return M
