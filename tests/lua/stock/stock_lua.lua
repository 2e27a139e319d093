-- Run by the stock lua5.4 interpreter with LUA_CPATH=build/?.so: `require "pmf"` loads
-- pmf.so and gives the same API as inside the pmf binary.
local T = dofile((arg[0]:match("^(.-)[^/]*$")) .. "../harness.lua")
local pmf = require "pmf"
T.ok(type(pmf) == "table", "require 'pmf' gives the module table")
T.eq(type(pmf.version), "string", "pmf.version")
T.ok(pmf.period ~= nil, "pmf.period is there")
T.ok(pmf.rag ~= nil, "pmf.rag is there")
T.eq(package.loaded.pmf, pmf, "package.loaded.pmf is the module")
local s = assert(pmf.open(":memory:"))
T.eq(tostring(s), "pmf.Store (:memory:)", "a store opens")
T.eq(s:area_info("E08000030").name, "Walsall", "reference data loaded into a new store")
s:metric{ id = "t.count", title = "A count", aggregation = "sum" }
T.eq(s:observe{ metric = "t.count", area = "E08000030", period = "2025-04", value = 5 }, "new",
     "observe a figure")
T.eq(s:get("t.count", "E08000030", "2025-04"), 5.0, "read it back")
local cjson = require "cjson"
T.eq(cjson.decode('{"a":1}').a, 1, "cjson is available")
s:close()
T.err(function() s:get("t.count", "E08000030", "2025-04") end, "closed pmf.Store",
      "a closed store says so")
T.done("stock_lua")
