-- tests/bench/bench_one.lua: run one benchmark file in this process and write what it returns
-- as JSON (tests/bench/bench.lua runs each benchmark so, in a process of its own: a later
-- benchmark must not pay for the heap an earlier one left, nor gain from its warm caches).
--
--   build/pmf --db :memory: tests/bench/bench_one.lua FILE OUT.json [--quick]
local file, out, quick = arg[1], arg[2], arg[3] == "--quick"
_G.PMF_BENCH_QUICK = quick
local result = dofile(file)
local f = assert(io.open(out, "w"))
local cjson = require("cjson").new()
cjson.encode_invalid_numbers(true)          -- a NaN or inf figure is written, not an error
f:write(cjson.encode(result or {}))
f:close()
