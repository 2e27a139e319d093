-- tests/lua/fake_chromium.lua: a stand-in for Chromium's DevTools pipe, for the tests of
-- pmf.render.chromium and pmf.render.pdf's printer: what a real browser does not do on
-- demand (refuse a print).  Run by a shell script as "chromium":
--   exec "$PMF_BIN" tests/lua/fake_chromium.lua "$@"
-- It reads the NUL-ended commands on fd 3 and writes the answers on fd 4, as
-- --remote-debugging-pipe does.  $FAKE_REFUSE: a text in the page's file name whose print
-- is refused ("Printing failed"); every other print is a tiny PDF.  Not a test by itself:
-- tests/run.sh runs only *_test.lua.
local cjson = require "cjson"

local cmds = assert(io.open("/dev/fd/3", "rb"))
local answers = assert(io.open("/dev/fd/4", "wb"))
answers:setvbuf("no")
local refuse = os.getenv("FAKE_REFUSE")

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  return (s:gsub("..?.?", function(c)
    local a, b, d = c:byte(1, 3)
    local n = (a << 16) | ((b or 0) << 8) | (d or 0)
    local out = {}
    for i = 1, 4 do out[i] = B64:sub(((n >> (6 * (4 - i))) & 63) + 1, ((n >> (6 * (4 - i))) & 63) + 1) end
    if not b then out[3], out[4] = "=", "=" elseif not d then out[4] = "=" end
    return table.concat(out)
  end))
end

local function send(msg) answers:write(cjson.encode(msg), "\0") end

local function next_command()
  local buf = {}
  while true do
    local c = cmds:read(1)
    if not c then return nil end
    if c == "\0" then return cjson.decode(table.concat(buf)) end
    buf[#buf + 1] = c
  end
end

local url_of, n = {}, 0       -- a session's page
while true do
  local cmd = next_command()
  if not cmd then break end
  local m, p, result = cmd.method, cmd.params or {}, {}
  n = n + 1
  if m == "Target.createTarget" then
    result = { targetId = "T" .. n }
  elseif m == "Target.attachToTarget" then
    result = { sessionId = "S" .. p.targetId }
  elseif m == "Page.navigate" then
    url_of[cmd.sessionId] = p.url
    send({ id = cmd.id, sessionId = cmd.sessionId, result = { frameId = "F", loaderId = "L" .. n } })
    send({ method = "Page.lifecycleEvent", sessionId = cmd.sessionId,
           params = { name = "load", loaderId = "L" .. n } })
    result = nil
  elseif m == "Page.printToPDF" then
    if refuse and url_of[cmd.sessionId]:find(refuse, 1, true) then
      send({ id = cmd.id, sessionId = cmd.sessionId, error = { code = -32000, message = "Printing failed" } })
    else
      send({ id = cmd.id, sessionId = cmd.sessionId, result = { data = base64("%PDF-1.4\n% fake\n%%EOF\n") } })
    end
    result = nil
  elseif m == "Browser.close" then
    send({ id = cmd.id, result = {} })
    break
  end
  if result then send({ id = cmd.id, sessionId = cmd.sessionId, result = result }) end
end
