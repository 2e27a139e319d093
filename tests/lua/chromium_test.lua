-- tests/lua/chromium_test.lua: pmf.render.chromium, HTML printed to PDF and PNG by one headless
-- Chromium over the DevTools pipe.
-- Run: build/pmf tests/lua/chromium_test.lua (from the repository root).  Needs chromium and
-- pdftotext/pdfinfo (poppler-utils): without them the checks that need them fail.
local pmf = require "pmf"
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local chromium = require "pmf.render.chromium"

local read, run = T.read, T.run

local function page(title, body, css)
  return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>' .. title ..
         '</title><style>' .. (css or "") .. '</style></head><body>' .. body .. '</body></html>\n'
end

-- PNG width and height from its IHDR chunk (bytes 17-24, big-endian).
local function png_size(data)
  if not data or data:sub(1, 8) ~= "\137PNG\r\n\26\n" then return nil end
  local w, h = string.unpack(">I4I4", data, 17)
  return { w, h }
end

-- misuse raises
T.err(function() chromium.run("chromium", { { src = "x.html" } }) end, "job 1 needs src and out",
      "a job without out is misuse")
T.eq({ chromium.run("/nonexistent/chromium", {}) }, { true }, "no jobs: nothing to start")

-- a source that is not there: named, nothing started
local gone = T.tmpname(".html")
local ok, err = chromium.run("/nonexistent/chromium", { { src = gone, out = T.tmpname(".pdf") } })
T.eq(ok, nil, "a missing source fails")
T.ok(err and err:find(gone, 1, true), "and the message names it")

-- a "chromium" that stops at once: the failure says so with its own last words
local fake = T.write_tmp(".sh", "#!/bin/sh\necho 'cannot open display :0' >&2\nexit 3\n")
os.execute("chmod +x " .. fake)
local src = T.write_tmp(".html", page("One", "<p>one</p>"))
local out = T.tmpname(".pdf")
ok, err = chromium.run(fake, { { src = src, out = out } })
T.eq(ok, nil, "a browser that stops fails")
T.ok(err and err:find("chromium stopped before printing everything: cannot open display :0", 1, true),
     "the message says chromium stopped, with the last line it wrote: " .. tostring(err))
T.eq(read(out), nil, "and writes no file")
os.remove(fake)

-- the real thing: two PDFs and a PNG from one browser
local exe = pmf.render.chromium()
if exe and os.execute("command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null") then
  local a = T.write_tmp(".html", page("Alpha | pmf", "<h1>Alpha report</h1><p>first page</p>" ..
                                      '<p style="break-before:page">second page</p>',
                                      "@page{size:A5 portrait;margin:10mm}"))
  local b = T.write_tmp(" with space#.html", page("Beta | pmf", "<h1>Beta report</h1>",
                                                  "@page{size:A4 landscape}"))
  local c = T.write_tmp(".html", page("Gamma", "<h1>Gamma</h1>"))
  local pa, pb, png = T.tmpname(".pdf"), T.tmpname(".pdf"), T.tmpname(".png")
  ok, err = chromium.run(exe, { { src = a, out = pa }, { src = b, out = pb, kind = "pdf" },
                                { src = c, out = png, kind = "png", width = 640, height = 480 } })
  T.eq({ ok, err }, { true }, "two PDFs and a PNG printed")
  T.eq((read(pa) or ""):sub(1, 5), "%PDF-", "the first is a PDF")
  T.eq((read(pb) or ""):sub(1, 5), "%PDF-", "the second is a PDF")
  local ta, tb = run("pdftotext " .. pa .. " -"), run("pdftotext " .. pb .. " -")
  T.ok(ta:find("Alpha report") and not ta:find("Beta"), "each PDF holds its own page (alpha)")
  T.ok(tb:find("Beta report") and not tb:find("Alpha"), "each PDF holds its own page (beta, a path with a space and #)")
  local ia, ib = run("pdfinfo " .. pa), run("pdfinfo " .. pb)
  T.ok(ia:find("Pages:%s+2\n"), "the page break is kept: two pages")
  T.ok(ia:find("Page size:%s+420 x 59") and ia:find("%(A5%)"), "the page's own @page size (A5 portrait)")
  T.ok(ib:find("Page size:%s+841") and ib:find("%(A4%)"), "A4 landscape for the other")
  T.ok(ia:find("Title:%s+Alpha | pmf", 1), "the HTML title is the PDF's title")
  T.ok(ia:find("Tagged:%s+yes"), "a tagged PDF")
  T.eq(png_size(read(png)), { 640, 480 }, "the PNG is the window asked for")
  for _, p in ipairs({ a, b, c, pa, pb, png }) do os.remove(p) end

  -- more jobs than one wave of tabs (ten): every one printed, each from its own page
  local jobs, mixed = {}, 0
  for i = 1, 12 do
    jobs[i] = { src = T.write_tmp(".html", page("Page " .. i, "<p>page number " .. i .. " here</p>")),
                out = T.tmpname(".pdf") }
  end
  -- handed over in two parts (3, then 9: the second waits for room among the ten tabs)
  local br = assert(chromium.start(exe))
  T.eq({ br:print(table.move(jobs, 1, 3, 1, {})) }, { true }, "three PDFs asked for")
  T.eq({ br:print(table.move(jobs, 4, 12, 1, {})) }, { true }, "nine more asked for")
  T.eq({ br:finish() }, { true }, "twelve PDFs in one run")
  for i, job in ipairs(jobs) do
    local text = run("pdftotext " .. job.out .. " -")
    if not text:find("page number " .. i .. " here", 1, true) then mixed = mixed + 1 end
    os.remove(job.src); os.remove(job.out)
  end
  T.eq(mixed, 0, "each of the twelve holds its own page")
else
  T.ok(false, "pmf.render.chromium needs chromium and poppler-utils (pdftotext, pdfinfo) on this machine")
end
os.remove(src)

T.done()
