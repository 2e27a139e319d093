-- lua/pmf/cli.lua: the command line's commands (`pmf import FILE`, `pmf report ...`).
--
-- core/main.c handles the interpreter's own options (--db, --as-of, -e, -i) and hands a
-- command word and its arguments to M.run.  Each command is a module lua/pmf/cmd/<name>.lua
-- returning {summary=, usage=, options=, run=function(opts, args) -> exit status}, so a
-- command is added by adding a file, and `pmf help` lists what is there.
--
-- Exit statuses: 0 success, 1 the command failed (bad input, a refused import, a failing
-- framework test), 2 the command line itself was wrong.
local pmf = require "pmf"

local M = {}

-- The command words main.c recognises.  A word listed here whose module is missing is not
-- a command (so a half-installed tree still runs scripts).
local names = {
  "import", "check", "load", "frameworks", "test", "report",
  "signoff", "reopen", "comment", "history", "areas", "metrics", "sql", "returns", "help",
}

M.commands = {}
for _, n in ipairs(names) do
  if n == "help" or package.searchpath("pmf.cmd." .. n, package.path) then M.commands[n] = true end
end

local function load_cmd(name)
  return require("pmf.cmd." .. name)
end

-- Parse args against spec = {name = "value" | "flag" | "list", ...}.  Returns opts (with
-- opts[1..] the positional arguments) or nil, message.  "--name value", "--name=value",
-- "-o value" for spec.o; "--" ends options.
function M.parse(args, spec)
  local opts, i = {}, 1
  while i <= #args do
    local a = args[i]
    if a == "--" then
      for j = i + 1, #args do opts[#opts + 1] = args[j] end
      break
    end
    local name, value = a:match("^%-%-([%w_-]+)=(.*)$")
    if not name then name = a:match("^%-%-([%w_-]+)$") or a:match("^%-(%a)$") end
    if name then
      local key = name:gsub("-", "_")
      local kind = spec[key]
      if not kind then return nil, "unknown option '" .. a .. "'" end
      if kind == "flag" then
        if value then return nil, "option '--" .. name .. "' takes no value" end
        opts[key] = true
      else
        if not value then
          i = i + 1
          value = args[i]
          if value == nil then return nil, "option '" .. a .. "' needs a value" end
        end
        if kind == "list" then
          opts[key] = opts[key] or {}
          table.insert(opts[key], value)
        else
          opts[key] = value
        end
      end
    else
      opts[#opts + 1] = a
    end
    i = i + 1
  end
  return opts
end

local function help(name)
  if name and M.commands[name] and name ~= "help" then
    local c = load_cmd(name)
    io.write("usage: pmf [--db PATH] [--as-of DATE] ", c.usage or name, "\n")
    if c.help then io.write(c.help, "\n") end
    return 0
  end
  io.write("usage: pmf [options] COMMAND [args]   (pmf --help for the options)\n\nCommands:\n")
  local list = {}
  for n in pairs(M.commands) do list[#list + 1] = n end
  table.sort(list)
  for _, n in ipairs(list) do
    local summary = n == "help" and "show a command's usage: pmf help COMMAND" or load_cmd(n).summary
    io.write(string.format("  %-12s %s\n", n, summary or ""))
  end
  return 0
end

-- Open the store a command needs, when the binary has not opened one already.  A command
-- module says what it needs with `store =`:
--   "required"  (the default) opened, and created if it does not exist (import, load);
--   "existing"  opened if it exists, otherwise the command fails with a message saying so
--               (report, frameworks, metrics, history, sql, signoff, reopen: nothing to read);
--   "optional"  used when there, never created (`pmf check` checks metric ids against it);
--   "reference" the store if it exists, else one in memory with the reference data (areas);
--   "none"      no store (`pmf test` makes its own; `pmf help`).
-- So only commands that write create ./pmf.db, and a command that fails having written
-- nothing leaves no store behind (see drop_unused).  Returns true (and whether this call
-- created the store), or nil and a message.
local function open_for(c, db, as_of)
  if pmf.store ~= nil or not db then return true end
  local need = c.store or "required"
  if need == "none" then return true end
  if need == "required" and db ~= ":memory:" then
    local f = io.open(db, "rb")
    if f then f:close() end
    pmf.open_default(db, as_of)
    return true, not f
  end
  if need ~= "required" and db ~= ":memory:" then
    local f = io.open(db, "rb")
    if f then
      f:close()
    elseif need == "existing" then
      return nil, "no store at " .. db .. " (import or load into it first, or give --db PATH)"
    elseif need == "reference" then
      db = ":memory:"
    else
      return true
    end
  end
  pmf.open_default(db, as_of)
  return true
end

-- A store this run created for a command that then failed with nothing written (no batch:
-- a refused import, an unknown recipe) is removed, so a refused import creates no store.
local function drop_unused(db)
  local s = pmf.store
  if not s or s:query("SELECT count(*) AS n FROM batch")[1].n > 0 then return end
  s:close()
  pmf.store = nil
  for _, p in ipairs({ db, db .. "-wal", db .. "-shm", db .. "-journal" }) do os.remove(p) end
end

-- M.run({"import", "file.csv", "--dry-run"} [, db, as_of]) -> exit status.  db and as_of
-- (from `pmf --db --as-of`) open the store if the command needs one.
function M.run(argv, db, as_of)
  local name = argv[1]
  if name == "help" then return help(argv[2]) end
  local c = load_cmd(name)
  local rest = table.move(argv, 2, #argv, 1, {})
  local spec = c.options or {}
  spec.help = spec.help or "flag"
  local opts, err = M.parse(rest, spec)
  if not opts then
    io.stderr:write("pmf ", name, ": ", err, "\nusage: pmf ", c.usage or name, "\n")
    return 2
  end
  if opts.help then return help(name) end
  local opened, created = open_for(c, db, as_of)
  if not opened then return M.fail(name, created) end
  local ok, status = xpcall(c.run, function(e)
    if type(e) == "table" and e.usage then return e end
    return debug.traceback(tostring(e), 2)
  end, opts, rest)
  if created and (not ok or (math.tointeger(status) or 0) ~= 0) then drop_unused(db) end
  if not ok then
    if type(status) == "table" and status.usage then
      io.stderr:write("pmf ", name, ": ", status.msg, "\nusage: pmf ", c.usage or name, "\n")
      return 2
    end
    error(status, 0)
  end
  return math.tointeger(status) or 0
end

-- Raise a usage error from a command (exit status 2 with the usage line).
function M.usage_error(msg) error({ usage = true, msg = msg }, 0) end

-- The body of `pmf signoff` and `pmf reopen`: call store:<method>(framework, period, t)
-- with the framework's year start; print `done` on success, the reason on failure.
function M.period_event(name, method, opts, t, done)
  local fw, p = opts[1], opts[2]
  if not fw or not p then M.usage_error("a framework id and a period are required") end
  local s = pmf.default_store()
  local def = pmf.framework.get(s, fw)
  t.year_start = def and def.year_start
  local ok, err = pcall(s[method], s, fw, p, t)
  if not ok then return M.fail(name, (tostring(err):gsub("^[^:]*:%d+: ", ""))) end
  print(string.format(done, fw, p))
  return 0
end

-- Print an expected failure ("pmf import: ...") and return status 1.
function M.fail(name, msg)
  io.stderr:write("pmf ", name, ": ", msg, "\n")
  return 1
end

return M
