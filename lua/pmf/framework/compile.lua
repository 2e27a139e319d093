-- lua/pmf/framework/compile.lua: compiling a framework or catalogue file end to end: read it
-- (at most sandbox.MAX_FILE_BYTES), run it (framework/dsl.lua), find its catalogue,
-- normalise it (framework/normalise.lua), check its metrics against the store, hash it.
--
-- Decisions:
-- - Every problem is collected as {file, line, msg}, sorted by file and line, not just the
--   first; format_errors makes "file:line: message" lines of them.
-- - The catalogue is catalogue.lua beside the framework file, else pmf's own
--   (<home>/frameworks/catalogue.lua); a catalogue is compiled once per process per text.
-- - The hash is SHA-256 of the file's bytes: the registry adds a version when it changes.
-- Error contract: compile/check return (fw, errors) with fw nil when errors is non-empty;
-- load_file returns fw | nil, message, errors; nothing here raises for a bad file.
local pmf = require "pmf"
local sandbox = require "pmf.sandbox"
local decl = require "pmf.framework.decl"
local dsl = require "pmf.framework.dsl"
local metrics = require "pmf.framework.metrics"
local normalise = require "pmf.framework.normalise"
local sha256 = require "pmf.framework.sha256"

local sort_errors, run_source, store_conflicts = decl.sort_errors, dsl.run, metrics.store_conflicts

local M = {}

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
  fw.hash = sha256(src)
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

M.read_file = read_file
return M
