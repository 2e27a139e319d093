-- lua/pmf/render/chromium.lua: HTML files printed to PDF (and captured as PNG) by ONE headless
-- Chromium, driven over the DevTools protocol (module pmf.render.chromium).
--
--   chromium.run(exe, jobs) -> true | nil, message          (start, print, finish)
--   chromium.start(exe) -> browser | nil, message           (Chromium starts now)
--   browser:print(jobs) -> true | nil, message              (asked for, not awaited)
--   browser:finish() -> true | nil, message                 (every file written; closed)
--   chromium.spawn(exe) -> browser | nil, message           (the same, driven from a process
--                                                             of its own: print never waits)
--   chromium.serve(exe)                                     (that process's main)
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
--   tab, the tabs load together, then are printed together; ten tabs open at a time, so
--   memory stays bounded.  Each step is sent for every tab before its answers are awaited,
--   so the tabs' renderers start together.  (A browser context per tab, for a renderer
--   each, measured no faster on two cores: not done.)
-- - Printing runs beside the caller.  start()'s print() returns once the pages are loaded
--   and the prints asked for; Chromium prints while the caller goes on, and each file is
--   written when its answer is read: by the next print() or by finish().  Waiting for a
--   page to load still holds the caller (for the demo's packs, about as long as printing
--   one: the renderer is busy with the one before), so spawn() drives the same browser from
--   a second Lua process (this engine's own interpreter: `pmf -e`, or lua5.4 with pmf.so)
--   and print() only writes the jobs to it: the demo writes the next council's reports
--   while Chromium loads and prints, on the machine's other core.  start() and spawn()
--   return at once, so Chromium's start-up runs beside the caller's work too.  (Measured: each
--   tab gets a renderer of its own and pages load side by side, but Chromium prints one PDF
--   at a time, the newest tab's first, and page loads go before prints; a print handed over
--   while later pages load mostly waits for them, so a run's last seconds are its prints.)
-- - The protocol goes through --remote-debugging-pipe (JSON messages ended by NUL, commands
--   on the browser's fd 3, answers on its fd 4), as tests/browser/check.js does in Node: no
--   port, no WebSocket, nothing from npm.  Plain Lua io cannot read up to a NUL, so the
--   answers pass through `tr '\0' '\n'` under `stdbuf -o0` (coreutils): each message becomes
--   a line, passed on as soon as it is read (no message waits in a buffer), and Lua reads
--   lines.  (`sed -zu` did this before, but reads its input one byte per system call: 3 s of
--   CPU for the demo's 10 MB of base64, more than Chromium's own printing.)  The commands go
--   through a FIFO that this side holds open for reading and writing: opening it never
--   blocks, and a browser that dies cannot raise SIGPIPE here (its death shows as the end of
--   the answers instead).  Chromium writes its answers from a thread of their own, so an
--   answer this side has not read yet holds up nothing but itself.
-- - The base64 of each PDF or PNG is decoded by coreutils' `base64 -d` into the output file
--   (a few MB: far faster than decoding in Lua).
-- - Everything temporary (the FIFO, the browser profile, its log) is in one `mktemp -d`
--   folder, removed by finish() whatever happened (or when the browser is collected).  A
--   failure names the job's output file and Chromium's own words (its answer's error, or
--   the last line of its log).
--
-- Error contract: run(), start(), spawn(), print() and finish() return nil, message when
-- Chromium cannot be started, stops early, or refuses a page; they never raise for such
-- failures (misuse, a job without src or out, or print() after finish(), raises).  A
-- spawned browser's failures are found by its process and told by finish().  After a failed
-- print() the browser still needs finish() (which returns the first failure again).
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

local WAVE = 10          -- tabs open at once (a tab holds a renderer's memory)

local Browser = {}
Browser.__index = Browser

-- Send one command: its id.
function Browser:send(method, params, session)
  self.n = self.n + 1
  self.cmd:write(cjson.encode({ id = self.n, method = method, params = params or {}, sessionId = session }), "\0")
  return self.n
end

local function decode_to(data, path)
  local p = io.popen("base64 -d > " .. shq(path), "w")
  if not p then return false end
  p:write(data)
  return p:close() == true
end

-- The first failure is kept: finish() returns it whatever came after.
function Browser:fail(msg)
  self.err = self.err or msg
  return nil, self.err
end

-- Read one message and file it: a printed job's answer is written to its file at once (and
-- its tab closed); other answers are kept by id, "load" lifecycle events by session and
-- loader; other events are of no use here.  false at the end of the answers.
function Browser:step()
  local line = self.answers:read("l")
  if not line then return false end
  local ok, msg = pcall(cjson.decode, line)
  if not (ok and type(msg) == "table") then return true end
  local job = msg.id and self.printing[msg.id]
  if job then
    self.printing[msg.id] = nil
    self.open = self.open - 1
    if msg.error then
      self:fail(job.name .. ": chromium: " .. tostring(msg.error.message))
    elseif not (msg.result and msg.result.data and decode_to(msg.result.data, job.out)) then
      self:fail(job.name .. ": cannot write what chromium printed")
    end
    self:send("Target.closeTarget", { targetId = job.target })
  elseif msg.id then
    self.replies[msg.id] = msg
  elseif msg.method == "Page.lifecycleEvent" and msg.params and msg.params.name == "load" then
    self.loaded[tostring(msg.sessionId) .. " " .. tostring(msg.params.loaderId)] = true
  end
  return true
end

-- Read until done() is true: true | nil, "chromium stopped" (with its last words).
function Browser:wait(done)
  while not done() do
    if not self:step() then
      self.stopped = true
      local why = last_line(self.log)
      return self:fail("chromium stopped before printing everything" .. (why ~= "" and (": " .. why) or ""))
    end
  end
  return true
end

-- The answer to command id: result | nil, message.
function Browser:reply(id)
  local ok, err = self:wait(function() return self.replies[id] ~= nil end)
  if not ok then return nil, err end
  local msg = self.replies[id]
  self.replies[id] = nil
  return msg
end

-- Send one command per job (make(job) -> method, params, session; nothing to skip the job)
-- and then wait for every answer, so the browser works on them together (a tab's renderer
-- starts while the next tab is asked for): results by job index | nil, message.
function Browser:each(jobs, make)
  local sent = {}
  for i, job in ipairs(jobs) do
    local method, params, session = make(job)
    if method then sent[i] = { id = self:send(method, params, session), method = method } end
  end
  local results = {}
  for i, job in ipairs(jobs) do
    local c = sent[i]
    if c then
      local msg, err = self:reply(c.id)
      if not msg then return nil, err end
      if msg.error then return self:fail(job.name .. ": " .. c.method .. ": " .. tostring(msg.error.message)) end
      results[i] = msg.result or {}
    end
  end
  return results
end

-- One wave of jobs: every tab opened and its page asked for, every load awaited (the "load"
-- lifecycle event of the navigation's own loader, never about:blank's), every page's print
-- or capture asked for; the answers are read later (step).
function Browser:wave(jobs)
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
  self.open = self.open + #jobs
  for n, make in ipairs(steps) do
    local results, err = self:each(jobs, make)
    if not results then return nil, err end
    for i, job in ipairs(jobs) do
      local r = results[i]
      if n == 1 then job.target = r.targetId
      elseif n == 2 then job.session = r.sessionId
      elseif n == #steps then
        if r.errorText then return self:fail(job.name .. ": chromium cannot load " .. job.src .. ": " .. r.errorText) end
        job.loader = r.loaderId
      end
    end
  end
  for _, job in ipairs(jobs) do
    local key = tostring(job.session) .. " " .. tostring(job.loader)
    local ok, err = self:wait(function() return self.loaded[key] end)
    if not ok then return nil, err end
    self.loaded[key] = nil
  end
  for _, job in ipairs(jobs) do
    local id
    if job.kind == "png" then
      id = self:send("Page.captureScreenshot", { format = "png" }, job.session)
    else
      id = self:send("Page.printToPDF", { printBackground = true, preferCSSPageSize = true,
                                         displayHeaderFooter = false, generateTaggedPDF = true },
                     job.session)
    end
    self.printing[id] = job
  end
  return true
end

local function check(jobs, who)
  for i, job in ipairs(jobs) do
    if type(job.src) ~= "string" or type(job.out) ~= "string" then
      error(who .. ": job " .. i .. " needs src and out", 3)
    end
  end
end

-- The jobs' sources resolved (job.url): true | nil, message naming a source not there.
local function resolve(jobs)
  for _, job in ipairs(jobs) do
    job.name = job.name or job.out
    local real, rerr = pmf.file.realpath(job.src)
    if not real then return nil, tostring(rerr) end
    job.url = real
  end
  return true
end

-- browser:print(jobs) -> true | nil, message: see the header.  The jobs go WAVE tabs at a
-- time; a wave waits until the tabs of earlier prints have room (their answers read).
function Browser:print(jobs)
  check(jobs, "chromium print")
  if self.done then error("chromium print: the browser is finished", 2) end
  if self.err then return nil, self.err end
  local ok, err = resolve(jobs)
  if not ok then return self:fail(err) end
  for first = 1, #jobs, WAVE do
    local wave = table.move(jobs, first, math.min(first + WAVE - 1, #jobs), 1, {})
    ok, err = self:wait(function() return self.open + #wave <= WAVE end)
    if not ok then return nil, err end
    ok, err = self:wave(wave)
    if not ok then return nil, err end
  end
  if self.err then return nil, self.err end
  return true
end

-- browser:finish() -> true | nil, message: every answer read and written, the browser
-- closed, its temporary folder removed.  A second call returns the same.
function Browser:finish()
  if not self.done then
    self.done = true
    if not self.stopped then
      local ok = self:wait(function() return next(self.printing) == nil end)
      if ok then   -- the browser may end its answers before it answers this: no failure
        local id = self:send("Browser.close", {})
        while not self.replies[id] and self:step() do end
      end
    end
    self.cmd:close()
    self.answers:close()
    os.execute("rm -rf " .. shq(self.dir))
  end
  if self.err then return nil, self.err end
  return true
end

Browser.__gc = function(self) if not self.done then self:finish() end end
Browser.__close = Browser.__gc

-- chromium.start(exe) -> browser | nil, message: Chromium started with its answers on a
-- pipe and its commands on a FIFO (see the header); nothing is awaited.
function M.start(exe)
  local mk = io.popen("mktemp -d 2>/dev/null")
  local dir = mk and mk:read("l")
  if mk then mk:close() end
  if not dir or dir == "" then return nil, "cannot make a temporary folder for chromium" end
  local fifo, log = dir .. "/commands", dir .. "/chromium.log"
  local function give_up(msg) os.execute("rm -rf " .. shq(dir)); return nil, msg end
  if os.execute("mkfifo " .. shq(fifo)) ~= true then return give_up("cannot make a FIFO in " .. dir) end
  local cmd = io.open(fifo, "r+b")   -- read and write: never blocks, never SIGPIPE
  if not cmd then return give_up("cannot open the FIFO " .. fifo) end
  cmd:setvbuf("no")
  local answers = io.popen(shq(exe) .. " " .. FLAGS .. " --user-data-dir=" .. shq(dir .. "/profile") ..
                           " about:blank 3<" .. shq(fifo) .. " 4>&1 >/dev/null 2>" .. shq(log) ..
                           " | stdbuf -o0 tr '\\0' '\\n'", "r")
  if not answers then cmd:close(); return give_up("cannot start " .. exe) end
  return setmetatable({ n = 0, dir = dir, log = log, cmd = cmd, answers = answers, open = 0,
                        replies = {}, loaded = {}, printing = {} }, Browser)
end

-- ---- the browser driven from a process of its own ----------------------------------------

-- The command that runs a Lua chunk with this engine, as this process does: the pmf binary
-- (with a store of its own in memory: the chunk needs none), or stock lua5.4 with this
-- process's package paths (pmf.so).  nil inside another host (an embedding program).
local function interpreter()
  local self = pmf.file.realpath("/proc/self/exe")
  if not self then return nil end
  if self:match("/pmf$") then return shq(self) .. " --db :memory: -e " end
  if self:match("/lua[%d.]*$") then
    return "LUA_PATH=" .. shq(package.path) .. " LUA_CPATH=" .. shq(package.cpath) .. " " .. shq(self) .. " -e "
  end
  return nil
end

-- chromium.serve(exe): the printing process's main (chromium.spawn starts it): a browser
-- started, each line of standard input a JSON list of jobs for browser:print, until a line
-- "end"; then the browser finished and one line written: "ok", or "error" and the message.
-- After a failure the lines are still read (the other side never waits on a full pipe).
function M.serve(exe)
  local b, err = M.start(exe)
  for line in io.lines() do
    if line == "end" then break end
    if b and not err then
      local ok, jobs = pcall(cjson.decode, line)
      if ok and type(jobs) == "table" then
        ok, err = b:print(jobs)
      else
        err = "chromium: a bad list of jobs: " .. line:sub(1, 80)
      end
    end
  end
  if b then
    local ok, ferr = b:finish()
    if not ok then err = err or ferr end
  end
  io.write(err and ("error\n" .. err) or "ok", "\n")
  io.stdout:flush()
end

local Child = {}
Child.__index = Child

-- child:print(jobs) -> true | nil, message: the jobs checked and resolved here (misuse
-- raises; a missing source is named at once), then handed to the printing process.
function Child:print(jobs)
  check(jobs, "chromium print")
  if self.done then error("chromium print: the browser is finished", 2) end
  if self.err then return nil, self.err end
  local ok, err = resolve(jobs)
  if not ok then self.err = err; return nil, err end
  local list = {}
  for i, job in ipairs(jobs) do
    list[i] = { src = job.src, out = job.out, kind = job.kind, width = job.width, height = job.height,
                name = job.name }
  end
  self.jobs:write(cjson.encode(list), "\n")
  return true
end

-- child:finish() -> true | nil, message: the printing process told to end, awaited, and its
-- verdict read (a process that stopped without one says so, with what it wrote).
function Child:finish()
  if not self.done then
    self.done = true
    self.jobs:write("end\n")
    local text = self.proc:read("a") or ""
    local _, how, code = self.proc:close()
    self.jobs:close()
    os.execute("rm -rf " .. shq(self.dir))
    -- the verdict is the last thing the process writes (a tool it ran may have written before)
    local msg = text:match("^error\n(.-)\n?$") or text:match("\nerror\n(.-)\n?$")
    if text:find("^ok\n$") or text:find("\nok\n$") then
      -- every job printed
    elseif msg then
      self.err = self.err or msg
    else
      self.err = self.err or ("the printing process stopped (" .. tostring(how) .. " " .. tostring(code) ..
                              ")" .. (text ~= "" and (": " .. text:gsub("%s+$", "")) or ""))
    end
  end
  if self.err then return nil, self.err end
  return true
end

Child.__gc = function(self) if not self.done then self:finish() end end
Child.__close = Child.__gc

-- chromium.spawn(exe) -> browser | nil, message: as start(), but the browser is driven from
-- a process of its own (chromium.serve), so print() never waits for Chromium: not for its
-- start, a page's load or an earlier print.  The jobs go to it through a FIFO this side
-- holds open for reading and writing (a process that died cannot raise SIGPIPE here), its
-- verdict comes back on its standard output.  Where no interpreter can be found (pmf
-- embedded in another program), the browser of start().
function M.spawn(exe)
  local interp = interpreter()
  if not interp then return M.start(exe) end
  local mk = io.popen("mktemp -d 2>/dev/null")
  local dir = mk and mk:read("l")
  if mk then mk:close() end
  if not dir or dir == "" then return nil, "cannot make a temporary folder for chromium" end
  local fifo = dir .. "/jobs"
  if os.execute("mkfifo " .. shq(fifo)) ~= true then
    os.execute("rm -rf " .. shq(dir))
    return nil, "cannot make a FIFO in " .. dir
  end
  local jobs = io.open(fifo, "r+b")
  if not jobs then os.execute("rm -rf " .. shq(dir)); return nil, "cannot open the FIFO " .. fifo end
  jobs:setvbuf("line")
  local chunk = "require('pmf.render.chromium').serve(" .. string.format("%q", exe) .. ")"
  local proc = io.popen(interp .. shq(chunk) .. " < " .. shq(fifo) .. " 2>&1", "r")
  if not proc then jobs:close(); os.execute("rm -rf " .. shq(dir)); return nil, "cannot start the printing process" end
  return setmetatable({ dir = dir, jobs = jobs, proc = proc }, Child)
end

-- M.run(exe, jobs) -> true | nil, message: see the header.
function M.run(exe, jobs)
  check(jobs, "chromium.run")
  local ok, err = resolve(jobs)
  if not ok then return nil, err end
  if #jobs == 0 then return true end
  local b
  b, err = M.start(exe)
  if not b then return nil, err end
  ok, err = b:print(jobs)
  local fok, ferr = b:finish()
  if not ok then return nil, err end
  return fok, ferr
end

return M
