-- lua/pmf/lib.lua: the Lua half of the `pmf` module.
--
-- core/pmf.c makes the module table, preloads the C modules as "pmf.core.<name>" and then
-- requires this file, which completes the table in place: the C modules as its fields
-- (pmf.period, pmf.rag, ...), the Store methods written in Lua, the default store, and the
-- Lua submodules (framework DSL, KPIs, reports, import helpers, the CLI), loaded on first
-- use so that `require "pmf"` stays cheap.
local pmf = require "pmf"

-- The C modules (core/l<name>.c), in the order core/pmf.c opened them before they were
-- preloaded: the types' metatables first, then the pattern functions that replace the string
-- library's (core/lpattern.c), then the sandbox's limits (its allocator wraps the state's).
for _, name in ipairs { "period", "rag", "series", "importer", "xlsx", "file", "xlsxread",
                        "engine" } do
  pmf[name] = require("pmf.core." .. name)
end
local C = require "pmf.core.store"
require "pmf.core.pattern"
pmf.Store = C.Store          -- the methods table of pmf.Store userdata; Lua adds to it
pmf.now = C.now
pmf.asof_ms = C.asof_ms

-- The sandbox (environments in Lua, limits in C) before anything runs user code.
pmf.sandbox = require "pmf.sandbox"

require "pmf.store"          -- Store methods in Lua (areas, metrics, observations, ...)
require "pmf.import"

-- pmf.open(path) -> Store | nil, msg.  The first store opened becomes pmf.store, the one
-- module-level functions (pmf.import, pmf.report...) use when not given one.
function pmf.open(path, refdir)
  local s, err = C.open(path, refdir)
  if s and pmf.store == nil then pmf.store = s end
  return s, err
end

-- Used by the pmf binary and pmf_open(): open the store (raising on failure), make it the
-- default, optionally as a read-only view as of a date, and set the global `store`.
function pmf.open_default(path, as_of)
  local s, err = C.open(path)
  if not s then error(err, 0) end
  pmf.root_store = s
  if as_of then
    local v, verr = s:as_of(as_of)
    if not v then error(verr, 0) end
    s = v
  end
  pmf.store = s
  _G.store = s
  return s
end

-- The default store, or an error that says how to get one.
function pmf.default_store(s)
  s = s or pmf.store
  if not s then error("no store is open: call pmf.open(path) first", 3) end
  return s
end

-- Submodules written in Lua, loaded when first touched: pmf.framework, pmf.kpi, ...
local lazy = {
  framework = "pmf.framework", kpi = "pmf.kpi", report = "pmf.report",
  render = "pmf.render", cli = "pmf.cli",
}
setmetatable(pmf, {
  __index = function(t, k)
    if k == "show" then return require("pmf.render").show end   -- pmf.show(rows [, columns])
    local name = lazy[k]
    if not name then return nil end
    local m = require(name)
    rawset(t, k, m)
    return m
  end,
})

return pmf
