-- lua/pmf/render/output.lua: writing outputs (module `pmf.render.output`): every report,
-- publication and rejects file pmf writes goes through target() and commit() here.
--
--   output.target(path, format, bytes, opts) -> {path =, direct = bool} | nil, message
--   output.commit(t, shown, write) -> true | nil, message
--   output.put(file, bytes, shown) -> true | nil, message   (one checked write)
--   output.read_head(path, n) -> the first n bytes ("" when it cannot be read)
--   output.via_temp(write) -> bytes | nil, message: write(file) fills a temporary file,
--        whose bytes are returned (a workbook or PDF as a string)
--   output.check_output, write_data, write_stdout: pmf.render's functions of those names
--
-- Design decisions:
-- - The store is never overwritten: a path that is one of the store's files (the database,
--   its -wal, -shm or -journal), by device and inode or, for a file not there yet, by its
--   real folder and name, is refused, --force or not.
-- - An existing file is replaced only when it is empty or a pmf report of the same format,
--   known by the mark pmf writes in it: html <meta name="generator" content="pmf">; json a
--   top-level "generator": "pmf"; md a last line <!-- generator: pmf -->; xlsx the
--   workbook's creator property "pmf"; text a second line that is pmf's report line (ending
--   "As of YYYY-MM-DD"); csv a first line equal to the header being written (the same
--   report's columns).  Anything else needs opts.force.
-- - A regular file is written to a new file beside it (pmf.file.temp) and renamed over it:
--   a reader never sees half a report and a failed write leaves the old file as it was.  A
--   device or pipe (/dev/stdout, a fifo) is written in place.  A symbolic link is followed:
--   the file it points to is replaced, the link stays.
-- - Every write and close is checked; a failure returns nil, "path: system message".
local pmf = require "pmf"
local cjson = require "cjson"
local md = require "pmf.render.md"
local html = require "pmf.render.html"

local M = {}

-- The files of the stores in play that an output must never replace.
local function store_files(opts)
  local out, seen = {}, {}
  for _, s in ipairs({ opts.store or false, pmf.store or false, pmf.root_store or false }) do
    if s and s:is_open() then
      local p = s:path()
      if p and p ~= "" and p ~= ":memory:" and not seen[p] then
        seen[p] = true
        for _, suffix in ipairs({ "", "-wal", "-shm", "-journal" }) do out[#out + 1] = p .. suffix end
      end
    end
  end
  return out
end

-- A path's real name: realpath when the file exists, else its folder's realpath and name.
local function real_name(path)
  local r = pmf.file.realpath(path)
  if r then return r end
  local dir, base = path:match("^(.*)/([^/]*)$")
  if not dir then dir, base = ".", path end
  local rd = pmf.file.realpath(dir == "" and "/" or dir)
  return rd and (rd .. "/" .. base) or path
end

local function is_store_file(path, st, opts)
  local name = real_name(path)
  for _, f in ipairs(store_files(opts)) do
    local fst = pmf.file.stat(f)
    if st and fst and st.dev == fst.dev and st.ino == fst.ino then return f end
    if real_name(f) == name then return f end
  end
  return nil
end

local function read_head(path, n)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read(n) or ""
  f:close()
  return s
end

-- Is the existing regular file at path a pmf report in this format (see above)?
local function is_report(path, format, data, size)
  if size == 0 then return true end
  if format == "xlsx" then
    local core = pmf.xlsx and pmf.xlsx.member(path, "docProps/core.xml")
    return core ~= nil and core:match("<dc:creator>(.-)</dc:creator>") == "pmf"
  end
  if format == "html" then return read_head(path, 4096):find(html.MARK, 1, true) ~= nil end
  if format == "pdf" then     -- printed by pmf: a PDF whose title ends "| pmf" (see pmf.render.html)
    local f = io.open(path, "rb")
    if not f then return false end
    local head = f:read(4096) or ""
    f:seek("set", math.max(size - 64 * 1024, 0))
    local tail = head .. (f:read("a") or "")
    f:close()
    return head:sub(1, 5) == "%PDF-" and (tail:find("/Title %([^)]*| pmf%)") ~= nil
                                or tail:find("/Title <[^>]*007C00200070006D0066>") ~= nil)
  end
  if format == "json" then
    if size > 256 * 1024 * 1024 then return false end
    local ok, doc = pcall(cjson.decode, read_head(path, size))
    return ok and type(doc) == "table" and doc.generator == "pmf"
  end
  if format == "md" then
    local f = io.open(path, "rb")
    if not f then return false end
    f:seek("set", math.max(size - #md.MARK, 0))
    local tail = f:read("a") or ""
    f:close()
    return tail == md.MARK
  end
  local head = read_head(path, 64 * 1024)
  if format == "csv" then
    local line = head:match("^[^\n]*")
    return line ~= "" and line == (data or ""):match("^[^\n]*")
  end
  local second = head:match("^[^\n]*\n([^\n]*)")
  return second ~= nil and second:find("As of %d%d%d%d%-%d%d%-%d%d[^\n]*$") ~= nil
end

-- target(path, format, data, opts) -> {path =, direct = bool} | nil, message
local function target(path, format, data, opts)
  if type(path) ~= "string" or path == "" then return nil, "no output path" end
  local st, err, errno = pmf.file.stat(path)
  if not st and errno ~= 2 then return nil, err end      -- anything but ENOENT: say why
  local store = is_store_file(path, st, opts)
  if store then
    return nil, path .. ": is the store (" .. store .. "); a report never replaces it"
  end
  if not st then return { path = path } end
  if st.type == "directory" then return nil, path .. ": is a folder" end
  if st.type == "other" then return { path = path, direct = true } end
  if not opts.force and not is_report(path, format, data, st.size) then
    return nil, path .. ": exists and is not a pmf " .. format .. " report (--force replaces it)"
  end
  return { path = assert(pmf.file.realpath(path)) }
end

-- Write bytes to a file, every step checked; errors name `shown` (the user's path).
local function put(file, data, shown)
  local f, err = io.open(file, "wb")
  if not f then return nil, shown .. ": " .. tostring(err):gsub("^.-: ", "", 1) end
  local ok, werr = f:write(data)
  if not ok then f:close(); return nil, shown .. ": " .. tostring(werr) end
  local cok, cerr = f:close()
  if not cok then return nil, shown .. ": " .. tostring(cerr) end
  return true
end

-- commit(t, shown, write) -> true | nil, message: write(file) fills `file` (a new file beside
-- the target, or the target itself when it is a device), then the new file is renamed over
-- the target.
local function commit(t, shown, write)
  if t.direct then return write(t.path) end
  local tmp, err = pmf.file.temp(t.path)
  if not tmp then return nil, err end
  local ok, werr = write(tmp)
  if not ok then os.remove(tmp); return nil, werr end
  local rok, rerr = os.rename(tmp, t.path)
  if not rok then
    os.remove(tmp)
    return nil, shown .. ": " .. tostring(rerr):gsub("^.-: ", "", 1)
  end
  return true
end

-- check_output(path, format, bytes [, opts]) -> true | nil, message: whether write_data
-- would accept path for these bytes (asked before something that cannot be undone, such as
-- recording a publication).
function M.check_output(path, format, data, opts)
  local t, err = target(path, format, data, opts or {})
  if not t then return nil, err end
  return true
end

-- write_data(path, bytes, format [, opts]) -> path | nil, message: already rendered bytes
-- (a publication) into a file, as above.
function M.write_data(path, data, format, opts)
  opts = opts or {}
  local t, err = target(path, format, data, opts)
  if not t then return nil, err end
  local ok, werr = commit(t, path, function(file) return put(file, data, path) end)
  if not ok then return nil, werr end
  return path
end

-- write_stdout(bytes) -> true | nil, message: the bytes to standard output, flushed, checked.
function M.write_stdout(data)
  local ok, err = io.stdout:write(data)
  if ok then ok, err = io.stdout:flush() end
  if not ok then return nil, "standard output: " .. tostring(err) end
  return true
end

-- via_temp(write) -> bytes | nil, message: for a format written by a library into a file
-- (xlsx, pdf) when the caller wants the bytes.
function M.via_temp(write)
  local tmp = os.tmpname()
  local ok, err = write(tmp)
  if not ok then os.remove(tmp); return nil, err end
  local f = assert(io.open(tmp, "rb"))
  local data = f:read("a")
  f:close()
  os.remove(tmp)
  return data
end

M.target, M.commit, M.put, M.read_head = target, commit, put, read_head

return M
