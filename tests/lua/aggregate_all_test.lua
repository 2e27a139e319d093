-- tests/lua/aggregate_all_test.lua: pmf.series.aggregate_all (core/series.h) over a store whose
-- figures exercise each path of the whole-table scan: a value stored only as its parts, a
-- ratio, a year-long snapshot read by `last`, a carry, a revision and a breakdown.
--
-- Run as `build/pmf tests/lua/aggregate_all_test.lua`.  Each total is worked out by hand below.
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"
local series = pmf.series

local s = assert(pmf.open(":memory:"))
local WAL = "E08000030"
s:metric { id = "tot", aggregation = "sum" }
s:metric { id = "rate", aggregation = "ratio" }
s:metric { id = "stock", aggregation = "last" }
s:metric { id = "carried", aggregation = "sum", carry = "6 months" }
s:metric { id = "rev", aggregation = "sum" }

-- tot: April 6/3 (stored without a value, as an import of parts leaves it: it is 2) + May 4
-- -> 2025/26 Q1 = 6, 2 of 3 months
s:observe { metric = "tot", area = WAL, period = "2025-04", value = 99 }
s:exec([[UPDATE observation SET value = NULL, numerator = 6, denominator = 3
          WHERE metric = (SELECT id FROM metric WHERE code = 'tot') AND breakdown = '']])
s:observe { metric = "tot", area = WAL, period = "2025-05", value = 4 }
-- tot, breakdown sex=female: April 4 -> Q1 = 4, incomplete
s:observe { metric = "tot", area = WAL, period = "2025-04", value = 4, breakdown = "sex=female" }
-- rate: 50 = 5/10 and 20 = 2/10, a percentage -> Q1 = 100 * 7 / 20 = 35, incomplete
s:observe { metric = "rate", area = WAL, period = "2025-04", value = 50, numerator = 5, denominator = 10 }
s:observe { metric = "rate", area = WAL, period = "2025-05", value = 20, numerator = 2, denominator = 10 }
-- stock: the year 2024/25 at 7 speaks of March 2025 -> 2024/25 Q4 = 7 (a snapshot: complete),
-- Q1-Q3 nothing; June 2025 at 9 -> 2025/26 Q1 = 9 (complete)
s:observe { metric = "stock", area = WAL, period = "2024/25", value = 7 }
s:observe { metric = "stock", area = WAL, period = "2025-06", value = 9 }
-- carried: April 5 -> Q1 5 (incomplete); Q2 none of its own: April carried in (5, no months);
-- December 8 -> Q3 8 (incomplete)
s:observe { metric = "carried", area = WAL, period = "2025-04", value = 5 }
s:observe { metric = "carried", area = WAL, period = "2025-12", value = 8 }
-- rev: April 100, then revised to 120 -> Q1 = 120 (incomplete); two rows read
s:observe { metric = "rev", area = WAL, period = "2025-04", value = 100, at = "2025-05-10" }
s:observe { metric = "rev", area = WAL, period = "2025-04", value = 120, at = "2025-06-15" }

local tot = series.aggregate_all(s, 3, 4)
T.eq(tot.rows, 11, "every stored row is read, both versions of the revision")
T.eq(tot.cells, 9, "cells: tot 1, female 1, rate 1, stock 2, carried 3, rev 1")
T.eq(tot.complete, 2, "complete: the two stock snapshots")
T.near(tot.checksum, 6 + 4 + 35 + 7 + 9 + 5 + 5 + 8 + 120, "checksum: the cells' values")
T.near(series.value(s, "tot", WAL, "2025/26 Q1"), 6, "series.value agrees: tot")
T.near(series.value(s, "stock", WAL, "2024/25 Q4"), 7, "series.value agrees: the year's snapshot")

local early = series.aggregate_all(s:as_of("2025-06-01"), 3, 4)
T.eq(early.rows, 11, "as of 1 June: the rows are read all the same")
T.eq({ early.cells, early.checksum }, { 1, 100 },
     "as of 1 June only rev's first version was known (the rest is recorded now)")
T.done()
