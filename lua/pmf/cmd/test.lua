-- `pmf test FILE...`: a framework's own tests, as `promtool test rules` does for Prometheus.
--
-- A test file is Lua run in the sandbox (pmf.sandbox: its environment, its size limit and
-- its time, instruction and memory limits, as for framework files), declaring tests:
--   test "name" {
--     framework = "walsall.lua",            -- path relative to the test file, or absolute
--     area = "E08000030",                   -- default area (default: the framework's council)
--     series = { metric = { ["2025-04"] = 500, area = "E92000001" (optional) }, ... },
--     areas = { E08000027 = { metric = { [label] = value } } },   -- other areas' figures
--     expect = {
--       { kpi = "TH01", period = "2025/26 Q1", rag = "amber", value = 71.4, dot_prev = none },
--       { exceptions = { "TH01" }, period = "2025/26 Q1" },
--     },
--     commentary = { { kpi = "TH02", period = "2025/26 Q1", text = "..." } },
--   }
-- Each test runs in a fresh in-memory store: the framework is loaded, the figures observed,
-- the commentary recorded, and each expectation compared with pmf.kpi.rate / exceptions
-- (numbers within 1e-6 or the expectation's `tolerance`; the word `none` expects nil).
-- A failed expectation prints FILE:LINE: what differs, LINE being the expectation's own
-- line in the test file; the last line is "N passed, N failed"; exit 1 on any failure.
local pmf = require "pmf"
local cli = require "pmf.cli"
local sandbox = require "pmf.sandbox"

local NONE = setmetatable({}, { __tostring = function() return "none" end })

-- The line of each element of `expect = { ... }` in the test declared at `from_line`: a
-- small scanner over the source that skips strings and comments (Lua tables do not keep
-- the lines their elements were written on).
local function expectation_lines(src, from_line)
  local lines, pos, line = {}, 1, 1
  while line < from_line do
    local nl = src:find("\n", pos, true)
    if not nl then return lines end
    pos, line = nl + 1, line + 1
  end
  local s, e = src:find("expect%s*=%s*{", pos)
  if not s then return lines end
  for _ in src:sub(pos, s):gmatch("\n") do line = line + 1 end
  pos = e + 1
  local depth = 1
  while pos <= #src and depth > 0 do
    local c = src:sub(pos, pos)
    if c == "\n" then
      line = line + 1
    elseif c == "-" and src:sub(pos, pos + 1) == "--" then
      local lvl = src:match("^%-%-%[(=*)%[", pos)
      local stop = lvl and select(2, src:find("]" .. lvl .. "]", pos, true)) or (src:find("\n", pos, true) or #src + 1) - 1
      for _ in src:sub(pos, stop):gmatch("\n") do line = line + 1 end
      pos = stop
    elseif c == '"' or c == "'" then
      local q = pos + 1
      while q <= #src and src:sub(q, q) ~= c do
        if src:sub(q, q) == "\\" then q = q + 1 end
        q = q + 1
      end
      pos = q
    elseif c == "[" and src:match("^%[=*%[", pos) then
      local lvl = src:match("^%[(=*)%[", pos)
      local _, stop = src:find("]" .. lvl .. "]", pos, true)
      stop = stop or #src
      for _ in src:sub(pos, stop):gmatch("\n") do line = line + 1 end
      pos = stop
    elseif c == "{" then
      depth = depth + 1
      if depth == 2 then lines[#lines + 1] = line end
    elseif c == "}" then
      depth = depth - 1
    end
    pos = pos + 1
  end
  return lines
end

local function dirname(path) return path:match("^(.*)/[^/]*$") or "." end

local function show(v)
  if v == nil or v == NONE then return "nil" end
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "number" then return string.format("%.14g", v) end
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = show(x) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return tostring(v)
end

local function same(got, want, tol)
  if want == NONE then return got == nil end
  if type(want) == "number" and type(got) == "number" then return math.abs(got - want) <= tol end
  return got == want
end

-- Run one test declaration; calls report(ok, line, message) per expectation.
local function run_one(t, ctx, report)
  local kpi = pmf.kpi
  local fwpath = t.framework
  if type(fwpath) ~= "string" then return report(false, t.line, "test '" .. t.name .. "': framework = \"path\" is required") end
  if fwpath:sub(1, 1) ~= "/" then fwpath = dirname(ctx.path) .. "/" .. fwpath end
  local s <close> = assert(pmf.open(":memory:"))
  local info, err = pmf.framework.load(s, fwpath)
  if not info then return report(false, t.line, "test '" .. t.name .. "': " .. err) end
  local fw = assert(pmf.framework.get(s, info.id))
  local area = t.area or fw.council
  local ok, oerr = pcall(function()
    local function observe(a, series)
      for metric, values in pairs(series or {}) do
        local marea = values.area or a
        for label, v in pairs(values) do
          if label ~= "area" then
            s:observe{ metric = metric, area = marea, period = label, value = v,
                       year_start = fw.year_start, source = "test" }
          end
        end
      end
    end
    observe(area, t.series)
    for code, series in pairs(t.areas or {}) do observe(code, series) end
    for _, c in ipairs(t.commentary or {}) do
      s:comment{ framework = fw.id, kpi = c.kpi, period = c.period, text = c.text,
                 area = c.area, year_start = fw.year_start }
    end
  end)
  if not ok then return report(false, t.line, "test '" .. t.name .. "': fixtures: " .. tostring(oerr)) end
  if not kpi or not kpi.rate then return report(false, t.line, "pmf.kpi is not available") end
  local rated = {}
  local function rows_for(p, a)
    local key = p .. "\0" .. a
    if not rated[key] then
      rated[key] = kpi.rate{ store = s, framework = fw, period = p, areas = { a } }
    end
    return rated[key]
  end
  for i, e in ipairs(t.expect or {}) do
    local line = t.lines[i] or t.line
    local a = e.area or area
    local good, passed, why = pcall(function()
      if type(e.period) ~= "string" then error("expectation needs period = \"...\"", 0) end
      if e.exceptions then
        local rows = kpi.exceptions{ store = s, framework = fw, period = e.period, areas = { a } }
        local got = {}
        for _, r in ipairs(rows) do got[#got + 1] = r.kpi end
        table.sort(got)
        local want = {}
        for j, x in ipairs(e.exceptions) do want[j] = x end
        table.sort(want)
        if table.concat(got, ",") ~= table.concat(want, ",") then
          return false, string.format("exceptions %s: got %s, want %s", e.period, show(got), show(want))
        end
        return true
      end
      if type(e.kpi) ~= "string" then error("expectation needs kpi = \"id\" or exceptions = {...}", 0) end
      local row
      for _, r in ipairs(rows_for(e.period, a)) do
        if r.kpi == e.kpi and (r.area == nil or r.area == a) then row = r break end
      end
      if not row then return false, string.format("%s %s: no rating row", e.kpi, e.period) end
      local diffs = {}
      local keys = {}
      for k in pairs(e) do
        if k ~= "kpi" and k ~= "period" and k ~= "area" and k ~= "tolerance" then keys[#keys + 1] = k end
      end
      table.sort(keys)
      for _, k in ipairs(keys) do
        if not same(row[k], e[k], e.tolerance or 1e-6) then
          diffs[#diffs + 1] = string.format("%s is %s, want %s", k, show(row[k]), show(e[k]))
        end
      end
      if #diffs > 0 then
        return false, string.format("%s %s: %s%s", e.kpi, e.period, table.concat(diffs, "; "),
                                    row.error and (" (error: " .. row.error .. ")") or "")
      end
      return true
    end)
    if not good then report(false, line, tostring(passed))
    else report(passed, line, why) end
  end
end

-- M.run_file(path [, out]) -> passed, failed, failures ({line=, msg=}).  Raises nothing for
-- a bad test file: its problem is one failure.
local function run_file(path, out)
  out = out or io.stdout
  local passed, failed, failures = 0, 0, {}
  local function report(ok, line, msg)
    if ok then passed = passed + 1 return end
    failed = failed + 1
    failures[#failures + 1] = { line = line, msg = msg }
    out:write(path, ":", line or 0, ": ", msg or "failed", "\n")
  end
  local src, err = sandbox.read_file(path)   -- at most sandbox.MAX_FILE_BYTES
  if not src then report(false, 0, "cannot read: " .. tostring(err)) return passed, failed, failures end
  local tests = {}
  local chunk = "@" .. path
  local env = sandbox.env({ words = { none = NONE } })
  sandbox.declare(env, "test", function(name)
    local info = debug.getinfo(2, "Sl")
    local line = info and info.source == chunk and info.currentline or 0
    if type(name) ~= "string" then error(path .. ":" .. line .. ": test needs a name: test \"name\" { ... }", 0) end
    return function(body)
      if type(body) ~= "table" then error(path .. ":" .. line .. ": test '" .. name .. "' needs a table", 0) end
      body.name, body.line = name, line
      body.lines = expectation_lines(src, line)
      tests[#tests + 1] = body
    end
  end)
  local fn, lerr = sandbox.load(src, chunk, env)
  if not fn then report(false, 0, lerr) return passed, failed, failures end
  local ok, rerr = sandbox.run(fn, { name = path, chunk = chunk })   -- the sandbox's limits
  if not ok then
    local l, m = tostring(rerr):match("^.-:(%d+): (.*)$")
    report(false, tonumber(l) or 0, m or tostring(rerr))
    return passed, failed, failures
  end
  if #tests == 0 then report(false, 0, "no tests declared (test \"name\" { ... })") end
  for _, t in ipairs(tests) do run_one(t, { path = path }, report) end
  return passed, failed, failures
end

return {
  summary = "run a framework's test files (fixture figures in, expected ratings out)",
  usage = "test FILE...",
  store = "none",
  options = {},
  run_file = run_file,
  expectation_lines = expectation_lines,
  run = function(opts)
    if #opts == 0 then cli.usage_error("a test file is required") end
    local p, f = 0, 0
    for _, path in ipairs(opts) do
      local pp, ff = run_file(path)
      p, f = p + pp, f + ff
    end
    print(string.format("%d passed, %d failed", p, f))
    return f == 0 and 0 or 1
  end,
}
