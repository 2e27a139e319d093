-- lua/pmf/sandbox.lua: the allow-list environments that user Lua (framework files, framework
-- test files, custom formulas and rules) runs in.
--
-- Design decisions (after Redis's script_lua.c):
-- - An environment is built by copying allowed entries, never by removing dangerous ones from
--   a copy of _G: what is not listed here does not exist (os, io, require, package, load,
--   loadstring, dofile, loadfile, debug, collectgarbage, getmetatable, setmetatable, rawget,
--   rawset, rawequal, rawlen, string.dump, _G ...).
-- - The libraries string, table, math and utf8 are fresh copies, so a script that assigns
--   string.format = nil changes only its own copy.
-- - Reading or writing any other global raises "undeclared global 'x'" at the script's line
--   (error level 2 from the metamethod is the script's own frame), so a typo is an error,
--   not a silent nil.  Words the host adds later (the DSL's level words) are added with
--   M.declare.
-- - Chunks are loaded as text only (mode "t"): precompiled bytecode can break out of any
--   Lua sandbox.
-- - An optional instruction budget (a count hook that, once tripped, raises at every
--   instruction, so a pcall inside the script cannot swallow it).  Memory limits need a custom allocator and
--   are the C sandbox's business (core/sandbox.c), which can build on M.env.
--
-- Error contract: M.env and M.declare raise on misuse (bad arguments); M.load returns
-- nil, message for a chunk that does not compile; M.run returns false, message for a
-- chunk that fails.
local M = {}

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

local function copy_lib(name)
  local src, out = _G[name], {}
  for k, v in pairs(src) do
    if not (drop[name] and drop[name][k]) then out[k] = v end
  end
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

-- M.run(fn, opts, ...) -> true, results... | false, message.  Calls fn protected; with
-- opts.max_instructions, in a coroutine under a count hook that raises "instruction limit
-- exceeded" and, once tripped, raises at every instruction, so a pcall in the script cannot
-- swallow it (the first instruction after the pcall raises again).
function M.run(fn, opts, ...)
  local limit = opts and opts.max_instructions
  if not limit then return pcall(fn, ...) end
  local co = coroutine.create(fn)
  local step = 1000
  local used = 0
  local function hook()
    used = used + step
    if used > limit then
      -- from now on every instruction raises, so the error escapes any pcall in the script
      debug.sethook(co, hook, "", 1)
      error("instruction limit exceeded (" .. limit .. ")", 2)
    end
  end
  debug.sethook(co, hook, "", step)
  local res = table.pack(coroutine.resume(co, ...))
  if coroutine.status(co) == "suspended" then
    return false, "a sandboxed script may not yield"
  end
  return table.unpack(res, 1, res.n)
end

return M
