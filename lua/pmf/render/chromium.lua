-- lua/pmf/render/chromium.lua: HTML files printed to PDF (and captured as PNG) by ONE headless
-- Chromium, driven over the DevTools protocol (module pmf.render.chromium).
--
--   chromium.run(exe, jobs) -> true | nil, message
--     jobs: {{src = HTML file, out = file to write, kind = "pdf" | "png",
--             width =, height = (png: the window, default 1200 x 900),
--             name = the file as messages name it (default out)}, ...}
--
-- What a PDF is: what `chromium --headless --print-to-pdf --no-pdf-header-footer` writes
-- (Page.printToPDF with the page's own @page size, backgrounds, no browser header or footer,
-- tagged); a PNG is what `--screenshot --window-size=W,H --hide-scrollbars` writes (the
-- window's visible part).  render/pdf.lua decides what to print and checks what came out.
--
-- Design decisions:
-- - One browser for every job.  Starting Chromium costs more CPU than printing a report, so
--   a run with many PDFs (the demo's packs, write_pdfs) pays it once: every job gets its own
--   tab, the tabs load together, then are printed together and each answer is written as
--   it arrives; ten tabs at a time, so memory stays bounded.  Each step is sent for every
--   tab before its answers are awaited, so the tabs' renderers start together.  (A browser
--   context per tab, for a renderer each, measured no faster on two cores: not done.)
-- - The protocol goes through --remote-debugging-pipe (JSON messages ended by NUL, commands
--   on the browser's fd 3, answers on its fd 4), as tests/browser/check.js does in Node: no
--   port, no WebSocket, nothing from npm.  Plain Lua io cannot read up to a NUL, so the
--   answers pass through `sed -zu` (GNU sed, in every Debian), which ends each with a
--   newline, and Lua reads lines.  The commands go through a FIFO that this side holds
--   open for reading and writing: opening it never blocks, and a browser that dies cannot
--   raise SIGPIPE here (its death shows as the end of the answers instead).
-- - The base64 of each PDF or PNG is decoded by coreutils' `base64 -d` into the output file
--   (a few MB: far faster than decoding in Lua).
-- - Everything temporary (the FIFO, the browser profile, its log) is in one `mktemp -d`
--   folder, removed at the end whatever happened.  A failure names the job's output file
--   and Chromium's own words (its answer's error, or the last line of its log).
--
-- Error contract: run() returns nil, message when Chromium cannot be started, stops early,
-- or refuses a page; it never raises for such failures (misuse, a job without src or out,
-- raises).
local pmf = require "pmf"
local cjson = require "cjson"

local M = {}

local function shq(x) return "'" .. tostring(x):gsub("'", "'\\''") .. "'" end

-- A file:// URL for an absolute path (bytes outside the unreserved set percent-encoded).
local function file_url(path)
  return "file://" .. path:gsub("[^%w/%._~%-]", function(c) return string.format("%%%02X", c:byte()) end)
end

local function last_line(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local text = f:read("a")
  f:close()
  local last = ""
  for line in text:gmatch("[^\n]+") do
    if not line:find("^%s*$") then last = line end
  end
  return last
end

local FLAGS = "--headless --remote-debugging-pipe --no-sandbox --disable-gpu --disable-dev-shm-usage" ..
              " --no-first-run --no-default-browser-check --disable-background-networking" ..
              " --disable-component-update --disable-sync --disable-extensions --hide-scrollbars" ..
              " --mute-audio"

-- A browser: send(method, params, session) -> id; next() -> the next message | nil at the end.
local function start(exe, dir)
  local fifo, log = dir .. "/commands", dir .. "/chromium.log"
  if os.execute("mkfifo " .. shq(fifo)) ~= true then return nil, "cannot make a FIFO in " .. dir end
  local cmd_out = io.open(fifo, "r+b")   -- read and write: never blocks, never SIGPIPE
  if not cmd_out then return nil, "cannot open the FIFO " .. fifo end
  cmd_out:setvbuf("no")
  local answers = io.popen(shq(exe) .. " " .. FLAGS .. " --user-data-dir=" .. shq(dir .. "/profile") ..
                           " about:blank 3<" .. shq(fifo) .. " 4>&1 >/dev/null 2>" .. shq(log) ..
                           " | sed -zu 's/$/\\n/'", "r")
  if not answers then cmd_out:close(); return nil, "cannot start " .. exe end
  local b = { n = 0, log = log }
  function b.send(method, params, session)
    b.n = b.n + 1
    cmd_out:write(cjson.encode({ id = b.n, method = method, params = params or {}, sessionId = session }), "\0")
    return b.n
  end
  function b.next()
    local line = answers:read("l")
    if not line then return nil end
    local ok, msg = pcall(cjson.decode, (line:gsub("^%z", "")))
    return ok and type(msg) == "table" and msg or {}
  end
  function b.close()
    cmd_out:close()
    answers:close()
  end
  return b
end

-- Read messages until want(msg) is true; the answers and "load" events among the others are
-- kept in pending for later waits (other events are of no use here).
local function wait(b, pending, want)
  for i, msg in ipairs(pending) do
    if want(msg) then table.remove(pending, i); return msg end
  end
  while true do
    local msg = b.next()
    if not msg then return nil end
    if want(msg) then return msg end
    if msg.id or (msg.method == "Page.lifecycleEvent" and msg.params and msg.params.name == "load") then
      pending[#pending + 1] = msg
    end
  end
end

-- Send a command and wait for its answer: result | nil, message.
local function call(b, pending, method, params, session)
  local id = b.send(method, params, session)
  local msg = wait(b, pending, function(m) return m.id == id end)
  if not msg then return nil, "chromium stopped" end
  if msg.error then return nil, method .. ": " .. tostring(msg.error.message) end
  return msg.result or {}
end

local function decode_to(data, path)
  local p = io.popen("base64 -d > " .. shq(path), "w")
  if not p then return false end
  p:write(data)
  return p:close() == true
end

-- Send one command per job (make(job) -> method, params, session; nothing to skip the job)
-- and then wait for every answer, so the browser works on them together (a tab's renderer
-- starts while the next tab is asked for): results by job index | nil, message.
local function call_each(b, pending, jobs, make)
  local sent = {}
  for i, job in ipairs(jobs) do
    local method, params, session = make(job)
    if method then sent[i] = { id = b.send(method, params, session), method = method } end
  end
  local results = {}
  for i, job in ipairs(jobs) do
    local c = sent[i]
    if c then
      local msg = wait(b, pending, function(m) return m.id == c.id end)
      if not msg then return nil, "chromium stopped" end
      if msg.error then return nil, job.name .. ": " .. c.method .. ": " .. tostring(msg.error.message) end
      results[i] = msg.result or {}
    end
  end
  return results
end

-- One wave of jobs: every tab opened and its page asked for, every load awaited (the "load"
-- lifecycle event of the navigation's own loader, never about:blank's), every page printed
-- at once and each answer written as it comes; the tabs are closed.
local function print_wave(b, pending, jobs)
  local steps = {
    function() return "Target.createTarget", { url = "about:blank" } end,
    function(job) return "Target.attachToTarget", { targetId = job.target, flatten = true } end,
    function(job) return "Page.enable", {}, job.session end,
    function(job) return "Page.setLifecycleEventsEnabled", { enabled = true }, job.session end,
    function(job)
      if job.kind == "png" then
        return "Emulation.setDeviceMetricsOverride", { width = job.width or 1200, height = job.height or 900,
                                                       deviceScaleFactor = 1, mobile = false }, job.session
      end
    end,
    function(job) return "Page.navigate", { url = file_url(job.url) }, job.session end,
  }
  for n, step in ipairs(steps) do
    local results, err = call_each(b, pending, jobs, step)
    if not results then return nil, err end
    for i, job in ipairs(jobs) do
      local r = results[i]
      if n == 1 then job.target = r.targetId
      elseif n == 2 then job.session = r.sessionId
      elseif n == #steps then
        if r.errorText then return nil, job.name .. ": chromium cannot load " .. job.src .. ": " .. r.errorText end
        job.loader = r.loaderId
      end
    end
  end
  for _, job in ipairs(jobs) do
    local loaded = wait(b, pending, function(m)
      return m.method == "Page.lifecycleEvent" and m.sessionId == job.session and m.params and
             m.params.name == "load" and m.params.loaderId == job.loader
    end)
    if not loaded then return nil, "chromium stopped" end
  end
  local by_id = {}
  for _, job in ipairs(jobs) do
    local id
    if job.kind == "png" then
      id = b.send("Page.captureScreenshot", { format = "png" }, job.session)
    else
      id = b.send("Page.printToPDF", { printBackground = true, preferCSSPageSize = true,
                                       displayHeaderFooter = false, generateTaggedPDF = true },
                  job.session)
    end
    by_id[id] = job
  end
  for _ = 1, #jobs do
    local msg = wait(b, pending, function(m) return m.id and by_id[m.id] end)
    if not msg then return nil, "chromium stopped" end
    local job = by_id[msg.id]
    if msg.error then return nil, job.name .. ": chromium: " .. tostring(msg.error.message) end
    if not (msg.result and msg.result.data and decode_to(msg.result.data, job.out)) then
      return nil, job.name .. ": cannot write what chromium printed"
    end
    b.send("Target.closeTarget", { targetId = job.target })
  end
  return true
end

-- Every job, WAVE tabs at a time (a tab holds a renderer's memory: a run of a hundred
-- reports must not load them all at once), then the browser closed.
local WAVE = 10
local function print_all(b, jobs)
  local pending = {}
  for first = 1, #jobs, WAVE do
    local ok, err = print_wave(b, pending, table.move(jobs, first, math.min(first + WAVE - 1, #jobs), 1, {}))
    if not ok then return nil, err end
  end
  call(b, pending, "Browser.close", {})
  return true
end

-- M.run(exe, jobs) -> true | nil, message: see the header.
function M.run(exe, jobs)
  for i, job in ipairs(jobs) do
    if type(job.src) ~= "string" or type(job.out) ~= "string" then
      error("chromium.run: job " .. i .. " needs src and out", 2)
    end
  end
  for _, job in ipairs(jobs) do
    job.name = job.name or job.out
    local real, rerr = pmf.file.realpath(job.src)
    if not real then return nil, tostring(rerr) end
    job.url = real
  end
  if #jobs == 0 then return true end
  local mk = io.popen("mktemp -d 2>/dev/null")
  local dir = mk and mk:read("l")
  if mk then mk:close() end
  if not dir or dir == "" then return nil, "cannot make a temporary folder for chromium" end
  local b, err = start(exe, dir)
  local ok
  if b then
    ok, err = print_all(b, jobs)
    if not ok and err == "chromium stopped" then
      local why = last_line(b.log)
      err = "chromium stopped before printing everything" .. (why ~= "" and (": " .. why) or "")
    end
    b.close()
  end
  os.execute("rm -rf " .. shq(dir))
  if not ok then return nil, err end
  return true
end

return M
