-- lua/pmf/sandbox.lua: `pmf.sandbox`, the one module every piece of user code runs through:
-- framework files (pmf check, pmf load, and every re-run of a stored source by `pmf
-- frameworks` and the reports), `pmf test` files, custom formulas, target functions and rag
-- rules (and, later, import recipes).  The environment is built here, in Lua; running under
-- limits is C (core/lsandbox.c, preloaded as "pmf.core.sandbox"), re-exported as M.run,
-- M.limits and M.memory.
--
--   M.env([opts]) -> env;  M.declare(env, name, value);  M.is_declared(env, name)
--   M.load(src, chunkname, env) -> fn | nil, message        (text only)
--   M.read_file(path) -> src | nil, message                  (at most M.MAX_FILE_BYTES)
--   M.run(fn, opts, ...) -> true, results... | false, message   (see core/lsandbox.c)
--   M.limits([t]) -> {seconds=, instructions=, memory=};  M.memory() -> bytes
--
-- Design decisions (after Redis's script_lua.c):
-- - An environment is built by copying allowed entries, never by removing dangerous ones from
--   a copy of _G: what is not listed here does not exist (os, io, require, package, load,
--   loadstring, dofile, loadfile, debug, collectgarbage, getmetatable, setmetatable, rawget,
--   rawset, rawequal, rawlen, string.dump, coroutine, _G ...).
-- - The libraries string, table, math and utf8 are fresh copies, so a script that assigns
--   string.format = nil changes only its own copy.  The string functions find, match, gmatch
--   and gsub are the engine's own (core/lpattern.c), which the time limit can stop.
--   table.move is given in slices of MOVE_SLICE elements: it is the one library loop that
--   neither allocates nor calls Lua, so the limits could not otherwise stop it.
-- - Reading or writing any other global raises "undeclared global 'x'" at the script's line
--   (error level 2 from the metamethod is the script's own frame), so a typo is an error,
--   not a silent nil.  Words the host adds later (the DSL's level words) are added with
--   M.declare.
-- - Chunks are loaded as text only (mode "t"): precompiled bytecode can break out of any
--   Lua sandbox.
-- - Framework and test files are read through M.read_file, which refuses a file larger than
--   M.MAX_FILE_BYTES (4 MiB; the largest council file is under 100 KB) having read at most
--   one byte more than that, so `pmf check /dev/zero` fails at once.
-- - Limits (time, instructions, memory) are one C implementation for every caller, with
--   the defaults of PMF_LIMIT_SECONDS, PMF_LIMIT_INSTRUCTIONS and PMF_LIMIT_MEMORY_MB.
--
-- Error contract: M.env and M.declare raise on misuse (bad arguments); M.load and
-- M.read_file return nil, message; M.run returns false, message for a chunk that fails.
local M = {}

local core = require "pmf.core.sandbox"
M.run, M.limits, M.memory = core.run, core.limits, core.memory

M.MAX_FILE_BYTES = 4 * 1024 * 1024
local MOVE_SLICE = 65536

-- Base functions a script may call.
M.base = {
  "pairs", "ipairs", "tostring", "tonumber", "type", "select", "error", "assert", "pcall",
  "next", "print",
}
-- Libraries copied field by field; entries listed in `drop` are left out.
M.libs = { string = true, table = true, math = true, utf8 = true }
local drop = { string = { dump = true } }

local UNDECLARED = "undeclared global '%s'"

-- Strings share one metatable, so ("").dump would reach the real string.dump from any
-- sandboxed code.  Method calls on strings go to a copy of `string` without `dump` instead;
-- the host keeps string.dump itself (only the method form is gone, in the whole state).
do
  local mt = getmetatable("")
  if mt and mt.__index == string then
    local methods = {}
    for k, v in pairs(string) do
      if not drop.string[k] then methods[k] = v end
    end
    mt.__index = methods
  end
end

-- table.move(a1, f, e, t [, a2]) in slices, in the same order as the library's own (backwards
-- when the ranges overlap with the destination above the source), so that a run's limits
-- are checked between slices.
local move = table.move
local function sliced_move(a1, f, e, t, a2)
  local fi, ei, ti = math.tointeger(f), math.tointeger(e), math.tointeger(t)
  if not (fi and ei and ti) or ei - fi < MOVE_SLICE then return move(a1, f, e, t, a2) end
  if a2 == nil then a2 = a1 end
  if ti > ei or ti <= fi or a1 ~= a2 then
    for s = fi, ei, MOVE_SLICE do
      local last = math.min(s + MOVE_SLICE - 1, ei)
      move(a1, s, last, ti + (s - fi), a2)
    end
  else
    for last = ei, fi, -MOVE_SLICE do
      local s = math.max(last - MOVE_SLICE + 1, fi)
      move(a1, s, last, ti + (s - fi), a2)
    end
  end
  return a2
end

local function copy_lib(name)
  local src, out = _G[name], {}
  for k, v in pairs(src) do
    if not (drop[name] and drop[name][k]) then out[k] = v end
  end
  if name == "table" then out.move = sliced_move end
  return out
end

-- The metatable shared by every sandbox environment: unknown names raise at the script's
-- line.  __metatable hides it (getmetatable is not offered anyway).
local strict = {
  __index = function(_, k) error(string.format(UNDECLARED, tostring(k)), 2) end,
  __newindex = function(_, k) error(string.format(UNDECLARED, tostring(k)), 2) end,
  __metatable = false,
}

-- M.env([opts]) -> a fresh strict environment.
--   opts.words  = {name = value}: extra globals (the DSL words, helpers)
--   opts.print  = function: replaces print (e.g. to send a check's output to stderr)
-- Raises on a word that is not a string name.
function M.env(opts)
  opts = opts or {}
  local env = {}
  for _, name in ipairs(M.base) do
    if _G[name] ~= nil then env[name] = _G[name] end
  end
  if opts.print then env.print = opts.print end
  for name in pairs(M.libs) do env[name] = copy_lib(name) end
  for k, v in pairs(opts.words or {}) do
    if type(k) ~= "string" then error("sandbox.env: word names must be strings", 2) end
    env[k] = v
  end
  return setmetatable(env, strict)
end

-- M.declare(env, name, value): add a global to an existing environment (the host's way in;
-- the script's own assignments raise).
function M.declare(env, name, value)
  if type(name) ~= "string" then error("sandbox.declare: name must be a string", 2) end
  rawset(env, name, value)
end

-- M.is_declared(env, name) -> true when the environment has that global.
function M.is_declared(env, name) return rawget(env, name) ~= nil end

-- M.load(src, chunkname, env) -> function | nil, message.  Text only: a precompiled chunk
-- is refused ("attempt to load a binary chunk").
function M.load(src, chunkname, env)
  if type(src) ~= "string" then error("sandbox.load: source must be a string", 2) end
  return load(src, chunkname, "t", env)
end

-- M.read_file(path) -> src | nil, message.  A framework or test file's text, refused when
-- larger than M.MAX_FILE_BYTES (reading at most one byte more than that).
function M.read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local src, rerr = f:read(M.MAX_FILE_BYTES + 1)
  f:close()
  if src == nil and rerr then return nil, path .. ": " .. tostring(rerr) end
  src = src or ""
  if #src > M.MAX_FILE_BYTES then
    return nil, string.format("%s: larger than %d MiB, the limit for framework and test files",
                              path, M.MAX_FILE_BYTES // (1024 * 1024))
  end
  return src
end

return M
