-- lua/pmf/render/pdf.lua: the PDF format (module `pmf.render.pdf`): a report's HTML
-- printed by headless Chromium, one report or several at once.
--
--   pdf.chromium() -> the Chromium to print with, or nil
--   pdf.print(jobs [, shots]) -> true | nil, message   ({html =, file =} each, all printed
--        by one Chromium: pmf.render.chromium)
--   pdf.write_pdfs({{report, path}, ...} [, opts]), pdf.write_packs({{reports, path, title},
--        ...} [, opts]) -> true | nil, message   (through pmf.render.output, as any output)
--   pdf.printer([opts]) -> printer | nil, message: Chromium started now, printing beside the
--        caller; printer:pack(reports, path, title), printer:pdf(report, path),
--        printer:shots({{html file, png file}, ...}) -> true | nil, message (printing begins,
--        the file is in place after finish); printer:finish() -> true | nil, message
--
-- PDF is the HTML printed by headless Chromium (A4 landscape from the print CSS; the page
-- number and the report's title in the footer from @page margin boxes).  Chromium is found
-- as $PMF_CHROMIUM, else chromium, chromium-browser or google-chrome on the PATH.  Several
-- reports (write_pdfs, write_packs) print in one Chromium run (pmf.render.chromium), as
-- starting Chromium costs more than printing a report.
-- A printer lets a caller with more to do hand each PDF over as soon as its reports exist
-- and go on: the demo starts one before generating its data and gives it each council's
-- pack as it is written, so Chromium starts and prints on the other core while the Lua side
-- works.  write_pdfs, write_packs and print are a printer used at once.  Each PDF is printed
-- to a new file beside its target and renamed into place by finish() once every PDF has
-- been checked to be one; on any failure finish() removes them, and every failure names the
-- file (a PDF's shown path).
-- The printing (chromium, print) is one unit here, apart from the outputs' rules.
local pmf = require "pmf"
local html = require "pmf.render.html"
local output = require "pmf.render.output"
local chromium = require "pmf.render.chromium"

local M = {}
local target, put, read_head = output.target, output.put, output.read_head

local function shq(x) return "'" .. tostring(x):gsub("'", "'\\''") .. "'" end

function M.chromium()
  local env = os.getenv("PMF_CHROMIUM")
  if env and env ~= "" then
    return os.execute("test -x " .. shq(env)) == true and env or nil
  end
  for _, name in ipairs({ "chromium", "chromium-browser", "google-chrome" }) do
    local f = io.popen("command -v " .. name .. " 2>/dev/null")
    local found = f and f:read("l")
    if f then f:close() end
    if found and found ~= "" then return found end
  end
  return nil
end

local NO_CHROMIUM = "pdf output needs chromium (apt-get install chromium)"

local Printer = {}
Printer.__index = Printer

-- A printer whose browser comes from start (chromium.start: driven from this process, for
-- callers that print everything at once; chromium.spawn: from a process of its own).
local function new_printer(start, opts)
  local exe = M.chromium()
  if not exe then return nil, NO_CHROMIUM end
  local b, err = start(exe)
  if not b then return nil, err end
  return setmetatable({ browser = b, opts = opts or {}, jobs = {} }, Printer)
end

-- M.printer([opts]) -> printer | nil, message: see the header.  opts as write_pdfs' (force).
-- Its browser is driven from a process of its own (chromium.spawn), so handing a PDF over
-- never waits for Chromium.
function M.printer(opts)
  return new_printer(chromium.spawn, opts)
end

local function fail(self, err)
  self.err = self.err or err
  return nil, self.err
end

-- Print jobs ({html =, file =, shown =, t = target or nil}) and shots ({{html file, png
-- file}, ...}): each job's HTML written beside its file and handed to Chromium.
function Printer:add(jobs, shots)
  if self.err then return nil, self.err end
  local prints = {}
  for _, job in ipairs(jobs) do
    job.shown = job.shown or job.file
    job.src = job.file .. ".src.html"
    self.jobs[#self.jobs + 1] = job
    local ok, err = put(job.src, job.html, job.shown)
    if not ok then return fail(self, err) end
    job.html = nil
    prints[#prints + 1] = { src = job.src, out = job.file, kind = "pdf", name = job.shown }
  end
  for _, shot in ipairs(shots or {}) do prints[#prints + 1] = { src = shot[1], out = shot[2], kind = "png" } end
  local ok, err = self.browser:print(prints)
  if not ok then return fail(self, err) end
  return true
end

-- The target of a PDF to write (refused as any output would be) and its new file.
local function new_job(self, path, bytes)
  local t, err = target(path, "pdf", nil, self.opts)
  if not t then return nil, err end
  local file = t.direct and (os.tmpname() .. ".pdf") or assert(pmf.file.temp(t.path))
  return { html = bytes, file = file, t = t, shown = path }
end

-- printer:pdf(report, path), printer:pack(reports, path, title): see the header.
function Printer:pdf(rep, path)
  local job, err = new_job(self, path, html.render(rep))
  if not job then return fail(self, err) end
  return self:add({ job })
end

function Printer:pack(reps, path, title)
  local job, err = new_job(self, path, html.pack(reps, title))
  if not job then return fail(self, err) end
  if job.t.direct then return fail(self, path .. ": a pdf pack needs a regular file") end
  return self:add({ job })
end

function Printer:shots(list)
  return self:add({}, list)
end

-- Every PDF printed and checked; the sources removed: true | nil, message (the PDFs are
-- removed on failure).
function Printer:close()
  if not self.closed then
    self.closed = true
    local ok, err = self.browser:finish()
    if not ok then fail(self, err) end
    for _, job in ipairs(self.jobs) do os.remove(job.src) end
    for _, job in ipairs(self.jobs) do
      if not self.err and read_head(job.file, 5) ~= "%PDF-" then
        fail(self, job.shown .. ": chromium did not print a PDF")
      end
    end
    if self.err then
      for _, job in ipairs(self.jobs) do os.remove(job.file) end
    end
  end
  if self.err then return nil, self.err end
  return true
end

-- A printer dropped unfinished (its caller failed): Chromium finished, nothing put in place,
-- no page source or printed file left beside the targets.
Printer.__gc = function(self)
  if not self.closed then
    fail(self, "the printer was not finished")
    self:close()
  end
end

-- printer:finish() -> true | nil, message: closed, and each PDF put in place: renamed over
-- its target, or written through put() when the target is a device or pipe.
function Printer:finish()
  local ok, err = self:close()
  if not ok then return nil, err end
  for _, j in ipairs(self.jobs) do
    if j.t then
      local cok, cerr
      if j.t.direct then
        local f = assert(io.open(j.file, "rb")); local data = f:read("a"); f:close()
        cok, cerr = put(j.t.path, data, j.shown)
        os.remove(j.file)
      else
        cok, cerr = os.rename(j.file, j.t.path)
        if not cok then os.remove(j.file); cerr = j.shown .. ": " .. tostring(cerr) end
      end
      if not cok then return nil, cerr end
      j.t = nil
    end
  end
  return true
end

-- print(jobs [, shots]) -> true | nil, message: each job {html = bytes, file = pdf path},
-- all printed by one Chromium into its file (nothing renamed); every file checked to be a
-- PDF.  shots: {{html file, png file}, ...} captured (1200 x 900) in the same run.
function M.print(jobs, shots)
  local p, err = new_printer(chromium.start)
  if not p then return nil, err end
  p:add(jobs, shots)
  return p:close()
end

-- write_pdfs({{report, path}, ...} [, opts]) -> true | nil, message: several reports as PDF,
-- each through target() and renamed into place as any output.  Every target is checked
-- before anything is printed.
function M.write_pdfs(list, opts)
  opts = opts or {}
  if not M.chromium() then return nil, NO_CHROMIUM end
  for _, item in ipairs(list) do
    local t, err = target(item[2], "pdf", nil, opts)
    if not t then return nil, err end
  end
  local p, err = new_printer(chromium.start, opts)
  if not p then return nil, err end
  for _, item in ipairs(list) do
    if not p:pdf(item[1], item[2]) then break end
  end
  return p:finish()
end

-- write_packs({{reports, path, title}, ...} [, opts]) -> true | nil, message: packs as PDFs,
-- printed together, each renamed into place as any output.  opts.screenshots = {{html file,
-- png file}, ...}: pages captured as PNG (1200 x 900) by the same Chromium.
function M.write_packs(list, opts)
  opts = opts or {}
  if not M.chromium() then return nil, NO_CHROMIUM end
  for _, item in ipairs(list) do
    local t, err = target(item[2], "pdf", nil, opts)
    if not t then return nil, err end
    if t.direct then return nil, item[2] .. ": a pdf pack needs a regular file" end
  end
  local p, err = new_printer(chromium.start, opts)
  if not p then return nil, err end
  local ok = true
  for _, item in ipairs(list) do
    ok = p:pack(item[1], item[2], item[3])
    if not ok then break end
  end
  if ok and opts.screenshots then p:shots(opts.screenshots) end
  return p:finish()
end

return M
