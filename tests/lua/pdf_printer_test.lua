-- tests/lua/pdf_printer_test.lua: report packs printed as PDF beside the caller's work
-- (pmf.render.printer, write_packs: what `make demo` prints), and Chromium's failures named.
-- Run: build/pmf tests/lua/pdf_printer_test.lua (from the repository root).  Needs chromium
-- and poppler-utils (pdftotext, pdfinfo) for the real printing: without them those checks
-- fail.  The failures a real browser does not make on demand come from
-- tests/lua/fake_chromium.lua, run as $PMF_CHROMIUM in a child pmf.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local chromium = require "pmf.render.chromium"

local root = arg[0]:match("^(.-)tests/lua/[^/]*$") or "./"
package.path = root .. "examples/lib/?.lua;" .. package.path
local G = require "generate"
local PMF = os.getenv("PMF_BIN") or (root .. "build/pmf")

local function shq(x) return "'" .. tostring(x):gsub("'", "'\\''") .. "'" end

local read, run = T.read, T.run

local function files_in(dir)
  local names = {}
  for name in run("ls -A " .. shq(dir)):gmatch("[^\n]+") do names[#names + 1] = name end
  table.sort(names)
  return names
end

-- A store file with Wolverhampton's framework and a year of example data.
local db = T.tmpname(".db")
local s = assert(pmf.open(db))
assert(pmf.framework.load(s, root .. "frameworks/wolverhampton.lua",
                          { at = G.range({ years = 1 }) .. "T00:00:00" }))
assert(G.run({ store = s, seed = 7, years = 1 }))
local sc = assert(pmf.report.run("scorecard", { store = s, framework = "wolverhampton" }))
local ex = assert(pmf.report.run("exceptions", { store = s, framework = "wolverhampton" }))

-- ---- a fake browser: failures named, nothing left behind ------------------------------------

-- the fake as a "chromium" executable (refusing the prints of pages named with `refuse`)
local function fake_exe(refuse)
  local path = T.write_tmp(".sh", "#!/bin/sh\n" .. (refuse and ("FAKE_REFUSE=" .. shq(refuse) .. " ") or "") ..
                                  "exec " .. shq(PMF) .. " " .. shq(root .. "tests/lua/fake_chromium.lua") .. ' "$@"\n')
  os.execute("chmod +x " .. shq(path))
  return path
end
local fake = fake_exe(nil)

-- write_packs in a child pmf whose Chromium is the fake: its output, exit code.
local child = T.write_tmp(".lua", [[
local pmf = require "pmf"
local s = pmf.default_store()
local sc = assert(pmf.report.run("scorecard", { store = s, framework = "wolverhampton" }))
local ex = assert(pmf.report.run("exceptions", { store = s, framework = "wolverhampton" }))
local dir = arg[1]
local ok, err = pmf.render.write_packs({ { { sc }, dir .. "/one-pack.pdf", "One" },
                                         { { sc, ex }, dir .. "/two-pack.pdf", "Two" } })
print(ok, err)
]])
local function packs_with_fake(refuse)
  local dir = T.tmpname("-packs")
  os.execute("mkdir -p " .. shq(dir))
  local out = run("PMF_CHROMIUM=" .. shq(fake) .. (refuse and (" FAKE_REFUSE=" .. shq(refuse)) or "") ..
                  " " .. shq(PMF) .. " --db " .. shq(db) .. " " .. shq(child) .. " " .. shq(dir) .. " 2>&1")
  return out, dir
end

local out, dir = packs_with_fake(nil)
T.eq(out, "true\tnil\n", "the fake browser prints both packs")
T.eq(files_in(dir), { "one-pack.pdf", "two-pack.pdf" }, "both in place, nothing else left in the folder")
T.eq((read(dir .. "/two-pack.pdf") or ""):sub(1, 8), "%PDF-1.4", "each is what the browser printed")
os.execute("rm -rf " .. shq(dir))

out, dir = packs_with_fake("two-pack")
T.ok(out:find("nil\t" .. dir .. "/two-pack.pdf: chromium: Printing failed", 1, true),
     "a refused print names the pack's file and says what Chromium said: " .. out)
T.eq(files_in(dir), {}, "no pack put in place, no page source or temporary file left")
os.execute("rm -rf " .. shq(dir))

-- at the protocol level: the refusal arrives after print() returned, and finish() reports it
local src = T.write_tmp("-refuse-me.html", "<!DOCTYPE html><html lang=\"en\"><title>x</title><p>x</p></html>")
local pdf_out = T.tmpname(".pdf")
local refusing = fake_exe("refuse-me")
local b = assert(chromium.start(refusing))
T.eq({ b:print({ { src = src, out = pdf_out } }) }, { true }, "print() returns once the print is asked for")
T.eq({ b:finish() }, { nil, pdf_out .. ": chromium: Printing failed" }, "finish() names the file refused")
T.eq({ b:finish() }, { nil, pdf_out .. ": chromium: Printing failed" }, "and says it again if asked again")
T.err(function() b:print({ { src = src, out = pdf_out } }) end, "the browser is finished",
      "printing with a finished browser is misuse")
-- the same through a browser driven from a process of its own (what pmf.render.printer uses)
b = assert(chromium.spawn(refusing))
T.eq({ b:print({ { src = src, out = pdf_out } }) }, { true }, "spawned: print() hands the job over")
T.eq({ b:finish() }, { nil, pdf_out .. ": chromium: Printing failed" },
     "spawned: finish() names the file refused, as Chromium's own process saw it")
T.eq(io.open(pdf_out), nil, "and nothing was written")
local missing = T.tmpname(".html")
b = assert(chromium.spawn(fake))
local ok, err = b:print({ { src = missing, out = pdf_out } })
T.ok(ok == nil and err and err:find(missing, 1, true), "spawned: a missing source is named at once")
T.eq({ b:finish() }, { nil, err }, "and finish() says the same")
local dead = T.write_tmp(".sh", "#!/bin/sh\necho 'cannot open display :0' >&2\nexit 3\n")
os.execute("chmod +x " .. shq(dead))
b = assert(chromium.spawn(dead))
T.eq({ b:print({ { src = src, out = pdf_out } }) }, { true }, "spawned: a job handed to a browser that stopped")
T.eq({ b:finish() }, { nil, "chromium stopped before printing everything: cannot open display :0" },
     "spawned: the browser's stop is told with its last words")
os.remove(dead)
os.remove(src)
os.remove(fake)
os.remove(refusing)
os.remove(child)

-- ---- the real thing: packs handed over one by one while the caller works --------------------

local exe = pmf.render.chromium()
if exe and os.execute("command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null") then
  dir = T.tmpname("-packs")
  os.execute("mkdir -p " .. shq(dir))
  local html = dir .. "/scorecard.html"
  assert(sc:write(html, "html"))
  local printer = assert(pmf.render.printer())
  T.eq({ printer:pack({ sc, ex }, dir .. "/a-pack.pdf", "Pack A") }, { true }, "a first pack handed over")
  -- the caller's own work goes on meanwhile (here: another report), then a second pack
  local ex2 = assert(pmf.report.run("exceptions", { store = s, framework = "wolverhampton" }))
  T.eq({ printer:pack({ ex2 }, dir .. "/b-pack.pdf", "Pack B") }, { true }, "a second pack handed over")
  T.eq({ printer:shots({ { html, dir .. "/scorecard.png" } }) }, { true }, "a screenshot asked for")
  T.eq(read(dir .. "/a-pack.pdf"), nil, "a pack is put in place only when the printer finishes")
  T.eq({ printer:finish() }, { true }, "the printer finishes")
  T.eq(files_in(dir), { "a-pack.pdf", "b-pack.pdf", "scorecard.html", "scorecard.png" },
       "the packs and the screenshot, nothing else left in the folder")
  local ta = run("pdftotext " .. shq(dir .. "/a-pack.pdf") .. " -")
  local tb = run("pdftotext " .. shq(dir .. "/b-pack.pdf") .. " -")
  T.ok(ta:find(sc.title, 1, true) and ta:find(ex.title, 1, true), "pack A holds both its reports")
  T.ok(ta:find("Page 1 of", 1, true) and ta:find("Pack A", 1, true), "with page numbers and its title in the footer")
  T.ok(tb:find(ex.title, 1, true) and not tb:find("Pack A", 1, true), "pack B holds its own report")
  local info = run("pdfinfo " .. shq(dir .. "/a-pack.pdf"))
  T.ok(info:find("Tagged:%s+yes"), "a tagged PDF (accessibility)")
  T.ok(info:find("%(A4%)"), "on A4")
  local png = read(dir .. "/scorecard.png") or ""
  T.eq(png:sub(1, 8), "\137PNG\r\n\26\n", "the screenshot is a PNG")
  T.eq(#png >= 24 and { string.unpack(">I4I4", png, 17) } or nil, { 1200, 900, 25 },
       "of the 1200 x 900 window")

  -- a pack whose target is not a pmf file is refused, naming it, before anything prints
  local other = dir .. "/notes-pack.pdf"
  local f = assert(io.open(other, "wb")); f:write("my own notes\n"); f:close()
  local p2 = assert(pmf.render.printer())
  local ok, err = p2:pack({ sc }, other, "Notes")
  T.eq(ok, nil, "a pack over someone else's file is refused")
  T.ok(err and err:find(other, 1, true), "naming the file: " .. tostring(err))
  T.eq({ p2:finish() }, { nil, err }, "and finish() says the same")
  T.eq(read(other), "my own notes\n", "the file is untouched")

  -- a printer its caller drops unfinished (the caller failed): nothing put in place, nothing left
  local p3 = assert(pmf.render.printer())
  T.eq({ p3:pack({ sc }, dir .. "/dropped-pack.pdf", "Dropped") }, { true }, "a pack handed over")
  p3 = nil   -- luacheck: ignore
  collectgarbage()
  collectgarbage()
  T.eq(files_in(dir), { "a-pack.pdf", "b-pack.pdf", "notes-pack.pdf", "scorecard.html", "scorecard.png" },
       "a dropped printer leaves no pack, page source or printed file behind")
  os.execute("rm -rf " .. shq(dir))
else
  T.ok(false, "the pdf printer needs chromium and poppler-utils (pdftotext, pdfinfo) on this machine")
end

s:close()
for _, suffix in ipairs({ "", "-wal", "-shm" }) do os.remove(db .. suffix) end
T.done()
