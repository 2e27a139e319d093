-- examples/generate.lua: fill a store with realistic example data for its frameworks.
--
--   pmf --db demo.db examples/generate.lua [--seed N] [--years N] [--from LABEL] [--to LABEL]
--                                          [--load FILE]... [--no-extras]
--
-- When the store has no framework loaded yet, the council frameworks in frameworks/ (next to
-- this script's folder) are loaded first, dated the first day of the data so that reports
-- as of earlier dates see them; --load FILE loads others.  Then the generator
-- (lib/generate.lua beside this script: example code, not part of the engine) writes figures
-- for every loaded framework's metrics, for each council, its comparator group and England,
-- month by month from 2021/22 to 2025/26 Q2 (or --years N financial years ending with --to),
-- with revisions, commentary, action updates, risk assessments and
-- one signed-off quarter per framework.  The same seed always gives the same store.
-- Exit status 0 on success, 1 on a bad argument or when the store already has generated data.
local pmf = require "pmf"

local dir = (arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = dir .. "/lib/?.lua;" .. package.path
local generate = require "generate"

local USAGE = "usage: pmf --db FILE examples/generate.lua [--seed N] [--years N] " ..
              "[--from LABEL] [--to LABEL] [--load FILE]... [--no-extras]"
local COUNCILS = { "dudley", "walsall", "sandwell", "south_staffordshire", "wolverhampton" }

local function fail(msg)
  io.stderr:write("generate: ", msg, "\n")
  os.exit(1)
end

local opts, loads = { by = "pmf generate" }, {}
local i = 1
while i <= #arg do
  local a = arg[i]
  local function value()
    i = i + 1
    if arg[i] == nil then fail(a .. " needs a value\n" .. USAGE) end
    return arg[i]
  end
  if a == "--seed" or a == "--years" then
    local n = math.tointeger(tonumber(value()))
    if not n then fail(a .. " needs a whole number\n" .. USAGE) end
    opts[a:sub(3)] = n
  elseif a == "--from" or a == "--to" then
    opts[a:sub(3)] = value()
  elseif a == "--load" then
    loads[#loads + 1] = value()
  elseif a == "--no-extras" then
    opts.extras = false
  elseif a == "-h" or a == "--help" then
    print(USAGE)
    os.exit(0)
  else
    fail("unknown argument '" .. a .. "'\n" .. USAGE)
  end
  i = i + 1
end

local s = pmf.default_store()
if #loads == 0 and #pmf.framework.list(s) == 0 then
  for _, name in ipairs(COUNCILS) do
    local path = dir .. "/../frameworks/" .. name .. ".lua"
    local f = io.open(path, "rb")
    if f then f:close(); loads[#loads + 1] = path end
  end
end
-- Loaded as of the first day of the data, so that reports as of any date in the range (for
-- revisions and sign-off) see the frameworks.
local ok_range, first = pcall(generate.range, opts)
if not ok_range then fail(tostring(first)) end
for _, path in ipairs(loads) do
  local info, err = pmf.framework.load(s, path, { at = first .. "T00:00:00", by = opts.by })
  if not info then fail(err) end
  print(info.message)
end

local ok, r, err = pcall(generate.run, opts)
if not ok then fail(tostring(r)) end
if not r then fail(err) end
print(generate.describe(r))
