-- lua/pmf/render/pdf.lua: the PDF format (module `pmf.render.pdf`): a report's HTML
-- printed by headless Chromium, one report or several at once.
--
--   pdf.chromium() -> the Chromium to print with, or nil
--   pdf.print(jobs [, shots]) -> true | nil, message   ({html =, file =} each, all printed
--        by one Chromium: pmf.render.chromium)
--   pdf.write_pdfs({{report, path}, ...} [, opts]), pdf.write_packs({{reports, path, title},
--        ...} [, opts]) -> true | nil, message   (through pmf.render.output, as any output)
--
-- PDF is the HTML printed by headless Chromium (A4 landscape from the print CSS; the page
-- number and the report's title in the footer from @page margin boxes).  Chromium is found
-- as $PMF_CHROMIUM, else chromium, chromium-browser or google-chrome on the PATH.  Several
-- reports (write_pdfs, write_packs) print in one Chromium run (pmf.render.chromium), as
-- starting Chromium costs more than printing a report.
-- The printing (chromium, print) is one unit here, apart from the outputs' rules.
local pmf = require "pmf"
local html = require "pmf.render.html"
local output = require "pmf.render.output"

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

-- print(jobs [, shots]) -> true | nil, message: each job {html = bytes, file = pdf path},
-- all printed by one Chromium (pmf.render.chromium); every file checked to be a PDF
-- afterwards.  shots: {{html file, png file}, ...} captured (1200 x 900) in the same run.
function M.print(jobs, shots)
  local exe = M.chromium()
  if not exe then return nil, NO_CHROMIUM end
  local prints = {}
  for _, job in ipairs(jobs) do
    job.src = job.file .. ".src.html"
    local ok, err = put(job.src, job.html, job.shown or job.file)
    if not ok then
      for _, j in ipairs(prints) do os.remove(j.src) end
      return nil, err
    end
    prints[#prints + 1] = { src = job.src, out = job.file, kind = "pdf", name = job.shown or job.file }
  end
  for _, shot in ipairs(shots or {}) do prints[#prints + 1] = { src = shot[1], out = shot[2], kind = "png" } end
  local ok, err = require("pmf.render.chromium").run(exe, prints)
  for _, job in ipairs(jobs) do os.remove(job.src) end
  if not ok then return nil, err end
  for _, job in ipairs(jobs) do
    if read_head(job.file, 5) ~= "%PDF-" then
      return nil, (job.shown or job.file) .. ": chromium did not print a PDF"
    end
  end
  return true
end

-- Print the jobs ({html, file, t = target, shown}) and put each PDF in place: renamed over its
-- target, or written through put() when the target is a device or pipe.  On any failure
-- the temporary files are removed.  true | nil, message.
local function print_and_commit(jobs, shots)
  local ok, err = M.print(jobs, shots)
  if not ok then
    for _, j in ipairs(jobs) do os.remove(j.file) end
    return nil, err
  end
  for _, j in ipairs(jobs) do
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
  end
  return true
end

-- write_pdfs({{report, path}, ...} [, opts]) -> true | nil, message: several reports as PDF,
-- each through target()/commit() as any output (a new file renamed into place).
function M.write_pdfs(list, opts)
  opts = opts or {}
  if not M.chromium() then return nil, NO_CHROMIUM end
  local jobs = {}
  for _, item in ipairs(list) do
    local rep, path = item[1], item[2]
    local t, err = target(path, "pdf", nil, opts)
    if not t then return nil, err end
    local file = t.direct and (os.tmpname() .. ".pdf") or assert(pmf.file.temp(t.path))
    jobs[#jobs + 1] = { html = html.render(rep), file = file, t = t, shown = path }
  end
  return print_and_commit(jobs)
end

-- write_packs({{reports, path, title}, ...} [, opts]) -> true | nil, message: packs as PDFs,
-- printed together, each renamed into place as any output.  opts.screenshots = {{html file,
-- png file}, ...}: pages captured as PNG (1200 x 900) by the same Chromium (the demo's).
function M.write_packs(list, opts)
  opts = opts or {}
  if not M.chromium() then return nil, NO_CHROMIUM end
  local jobs = {}
  for _, item in ipairs(list) do
    local t, err = target(item[2], "pdf", nil, opts)
    if not t then return nil, err end
    if t.direct then return nil, item[2] .. ": a pdf pack needs a regular file" end
    jobs[#jobs + 1] = { html = html.pack(item[1], item[3]), file = assert(pmf.file.temp(t.path)),
                        shown = item[2], t = t }
  end
  return print_and_commit(jobs, opts.screenshots)
end

return M
