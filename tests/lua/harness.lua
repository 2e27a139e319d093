-- tests/lua/harness.lua: the Lua tests' harness (plain Lua, as Lua's own testes/ are).
--
--   local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
--   T.eq(got, want, "description")       -- deep equality for tables
--   T.ok(cond, "description")
--   T.near(got, want, "description", eps) -- numbers within eps (default 1e-9 relative)
--   T.err(fn, "pattern", "description")  -- fn must raise an error matching pattern
--   T.done()                             -- prints "name: N passed, N failed", exits 1 on failure
--
-- A failed check prints where it was made and carries on, so one run shows every failure.
local T = { passed = 0, failed = 0 }

local function where()
  local info = debug.getinfo(3, "Sl")
  return info.short_src .. ":" .. info.currentline
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show(v[k]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
T.show = show

local function deep_eq(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then
    return type(a) == "number" and type(b) == "number" and a ~= a and b ~= b
  end
  for k, v in pairs(a) do if not deep_eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local function record(ok, descr, detail)
  if ok then
    T.passed = T.passed + 1
  else
    T.failed = T.failed + 1
    io.stderr:write("FAIL ", where(), ": ", descr or "", detail and ("\n  " .. detail) or "", "\n")
  end
  return ok
end

function T.ok(cond, descr) return record(not not cond, descr) end

function T.eq(got, want, descr)
  return record(deep_eq(got, want), descr, "got " .. show(got) .. ", want " .. show(want))
end

function T.near(got, want, descr, eps)
  eps = eps or 1e-9 * (1 + math.abs(want or 0))
  local ok = type(got) == "number" and type(want) == "number" and math.abs(got - want) <= eps
  return record(ok, descr, "got " .. show(got) .. ", want " .. show(want))
end

function T.err(fn, pattern, descr)
  local ok, msg = pcall(fn)
  if ok then return record(false, descr, "no error raised") end
  msg = tostring(msg)
  return record(pattern == nil or msg:find(pattern) ~= nil, descr,
                "error " .. show(msg) .. " does not match " .. show(pattern))
end

function T.done(name)
  name = name or (arg and arg[0] or "lua"):match("([^/]*)%.lua$")
  print(string.format("%s: %d passed, %d failed", name, T.passed, T.failed))
  os.exit(T.failed == 0 and 0 or 1)
end

-- A fresh temporary path, removed at exit by the caller if it wishes.
-- A file's bytes, or nil when it cannot be opened.
function T.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local d = f:read("a")
  f:close()
  return d
end

-- A shell command's standard output and its exit code (0 when it succeeded).
function T.run(cmd)
  local p = io.popen(cmd)
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok and 0 or code
end

function T.tmpname(suffix)
  local p = os.tmpname()
  os.remove(p)
  return p .. (suffix or "")
end

-- T.write_tmp(suffix, text) -> the path of a fresh temporary file holding text (bytes as given).
function T.write_tmp(suffix, text)
  local p = T.tmpname(suffix)
  local f = assert(io.open(p, "wb"))
  f:write(text)
  f:close()
  return p
end

-- T.count(store, from) -> the number of rows of "SELECT count(*) FROM <from>".
function T.count(s, from)
  return s:query("SELECT count(*) AS n FROM " .. from)[1].n
end

-- T.public_store() -> a new in-memory store with the metric catalogue and the shipped
-- recipes' metrics (frameworks/recipes/public_metrics.lua) loaded: what a recipe imports into.
function T.public_store()
  local pmf = require "pmf"
  local root = arg[0]:match("^(.-)[^/]*$") .. "../../frameworks/"
  local s = assert(pmf.open(":memory:"))
  assert(pmf.framework.load(s, root .. "catalogue.lua"))
  assert(pmf.framework.load(s, root .. "recipes/public_metrics.lua"))
  return s
end

return T
