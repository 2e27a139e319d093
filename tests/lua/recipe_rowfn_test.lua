-- tests/lua/recipe_rowfn_test.lua: what a recipe's row function sees and what it hands back,
-- as a recipe author sees it: reads of columns and derived fields, writes (a field set to nil
-- is cleared, whatever was written before), pairs over the row, a new table returned, numbers
-- as text, a bad field returned, and the row as the function leaves it for the next call.
-- (recipe_test.lua has the shipped fixture, errors naming file:line:column, and the limits.)
local T = dofile(arg[0]:match("^(.-)[^/]*$") .. "harness.lua")
local pmf = require "pmf"

local here = arg[0]:match("^(.-)[^/]*$")
local ROOT = here .. "../../"
local METRIC = "household_waste_recycled_pct"

local fresh = T.public_store   -- the catalogue and the public recipes' metrics

-- The data: a column named as a field ("source") that the recipe ignores, so the field wins.
local DATA = T.write_tmp("rowfn_data.csv", "area_code,area_name,period,rate,note,source\n" ..
  "E08000027,Dudley,2023/24,41.5,first,colsrc\n" ..
  "E08000028,Sandwell,2023/24,0.385,second,colsrc\n" ..
  "E08000029,Solihull,2022/23,40,third,\n")

local n = 0
local function recipe(body)
  n = n + 1
  return T.write_tmp("rowfn" .. n .. ".lua", 'recipe "odd"\n' ..
    'columns { area = "area_code", period = "period", value = "rate" }\n' ..
    'constant { metric = "' .. METRIC .. '" }\nignore "*"\nyear_type "financial"\n' .. body)
end

local function import(body, s)
  s = s or fresh()
  local r, msg = s:import(DATA, { recipe = recipe(body) })
  return r, msg, s
end

-- The message a function raises on the first row (what it saw, as text).
local function seen(body)
  local r, msg = import("row(function(r)\n" .. body .. "\nend)\n")
  T.ok(not r, "the probe raises")
  local first = msg and msg:match("^[^\n]*") or ""
  return (first:match("rowfn%d+%.lua:%d+: (.-) %(%d+ errors; the file was not imported%)$"))
end

-- reads: columns by header name (ignored ones too), derived fields, nil for the rest
T.eq(seen('error(r.area_name .. "|" .. r.note .. "|" .. r.rate .. "|" .. r.area_code)'),
     "Dudley|first|41.5|E08000027", "reads: the row's columns by header name, ignored ones too")
T.eq(seen('error(r.metric .. "|" .. r.area .. "|" .. r.period .. "|" .. r.value)'),
     METRIC .. "|E08000027|2023/24|41.5", "reads: the derived fields")
T.eq(seen('error(tostring(r.source) .. "|" .. tostring(r.breakdown) .. "|" .. tostring(r.nosuch) .. "|" .. tostring(r[1]))'),
     "nil|nil|nil|nil", "reads: a field wins over a column of its name; absent fields and other keys are nil")
T.eq(seen('local a = r.value\nlocal b = r.value\nerror(tostring(a == b) .. "|" .. type(a))'),
     "true|string", "reads: the same field read twice is the same text")

-- pairs: the row as a plain table (columns, the fields present, a field over its column)
T.eq(seen('local k = {}\nfor a, b in pairs(r) do k[#k + 1] = a .. "=" .. b end\ntable.sort(k)\nerror(table.concat(k, ","))'),
     "area=E08000027,area_code=E08000027,area_name=Dudley,metric=" .. METRIC ..
     ",note=first,period=2023/24,rate=41.5,value=41.5", "pairs: every column and every field present")
T.eq(seen('r.value = 7\nr.note = nil\nr.extra = "x"\nr.source = "s"\nlocal k = {}\n' ..
          'for a, b in pairs(r) do k[#k + 1] = a .. "=" .. b end\ntable.sort(k)\nerror(table.concat(k, ","))'),
     "area=E08000027,area_code=E08000027,area_name=Dudley,extra=x,metric=" .. METRIC ..
     ",period=2023/24,rate=41.5,source=s,value=7", "pairs: the writes seen, a cleared key gone")

-- writes are read back by the function itself
T.eq(seen('r.value = "12"\nr.value = r.value .. "0"\nr.note = nil\nerror(r.value .. "|" .. tostring(r.note))'),
     "120|nil", "writes: a written field reads back, a cleared column reads nil")

-- what the function returns, as the store sees it
local function stored(s, area, period) return (s:get(METRIC, area, period)) end
do
  local r, msg, s = import('row(function(r)\n  r.value = tonumber(r.value) * 2\n  return r\nend)\n')
  T.ok(r and r.new == 3, "writes: a number written imports: " .. tostring(msg))
  T.eq({ stored(s, "E08000027", "2023/24"), stored(s, "E08000029", "2022/23") }, { 83, 80 },
       "writes: each row's own value doubled (the last row's write not carried over)")
end
do   -- a write on the first row only: the next rows see their own text again
  local r, msg, s = import('row(function(r)\n  if r.note == "first" then r.value = "1"; r.note = "changed" end\n' ..
                           '  if r.note == "changed" and r.area ~= "E08000027" then error("a write carried over") end\n' ..
                           '  return r\nend)\n')
  T.ok(r and r.new == 3, "writes: one row's writes are gone at the next row: " .. tostring(msg))
  T.eq({ stored(s, "E08000027", "2023/24"), stored(s, "E08000028", "2023/24") }, { 1, 0.385 },
       "writes: the written row changed, the next as given")
end
do   -- r.x = nil clears a field, even after a write to it
  local _, msg = import('row(function(r)\n  r.value = "5"\n  r.value = nil\n  return r\nend)\n')
  T.ok(msg and msg:find("rowfn_data%.csv:2: column 'rate' is missing"), "clear: a value written then set to nil is missing: " .. tostring(msg))
  local _, msg2 = import('row(function(r)\n  r.value = nil\n  return r\nend)\n')
  T.ok(msg2 and msg2:find("rowfn_data%.csv:2: column 'rate' is missing"), "clear: a value set to nil is missing: " .. tostring(msg2))
  local r3, msg3, s3 = import('row(function(r)\n  r.value = nil\n  r.value = "9"\n  return r\nend)\n')
  T.ok(r3 and stored(s3, "E08000029", "2022/23") == 9, "clear: set to nil then written: the written value: " .. tostring(msg3))
end
do   -- another table returned: its fields, and nothing else
  local r, msg, s = import('row(function(r)\n  return { metric = r.metric, area = r.area, period = r.period, value = r.value + 1 }\nend)\n')
  T.ok(r and r.new == 3, "another table: imports: " .. tostring(msg))
  T.eq(stored(s, "E08000027", "2023/24"), 42.5, "another table: its value")
  local r2, msg2, s2 = import('row(function(r)\n  local t = {}\n  for k, v in pairs(r) do t[k] = v end\n  t.value = 3\n  return t\nend)\n')
  T.ok(r2 and stored(s2, "E08000028", "2023/24") == 3, "another table: a copy made with pairs: " .. tostring(msg2))
  local _, msg3 = import('row(function(r)\n  return { value = r.value }\nend)\n')
  T.ok(msg3 and msg3:find("column 'metric' is empty"), "another table: a field it lacks is absent: " .. tostring(msg3))
end
do   -- a field that is neither text nor a number
  local _, msg = import('row(function(r)\n  r.value = {}\n  return r\nend)\n')
  T.ok(msg and msg:find("row function returned value = a table %(text or a number expected%)"),
       "a table written to a field is refused, named: " .. tostring(msg))
  local _, msg2 = import('row(function(r)\n  return { metric = r.metric, area = r.area, period = true, value = 1 }\nend)\n')
  T.ok(msg2 and msg2:find("returned period = a boolean"), "a boolean in a returned table is refused, named: " .. tostring(msg2))
end
do   -- a nil key is refused at the function's own line, as a table refuses it
  local _, msg = import('row(function(r)\n  local k\n  r[k] = 1\n  return r\nend)\n')
  T.ok(msg and msg:find("rowfn_data%.csv:2:4: column 'rate': [^\n]*rowfn%d+%.lua:8: table index is nil"),
       "r[nil] = v: refused naming the recipe's line: " .. tostring(msg))
end
do   -- numbers as text: an integer, a float
  local r, msg, s = import('row(function(r)\n  if r.note == "first" then r.value = 41 else r.value = 0.5 end\n  return r\nend)\n')
  T.ok(r and r.new == 3, "numbers: imported: " .. tostring(msg))
  T.eq({ stored(s, "E08000027", "2023/24"), stored(s, "E08000028", "2023/24") }, { 41, 0.5 }, "numbers: as their text")
end
do   -- a row kept by the function reads the row being called, never a stale or freed one
  local r, msg = import('local kept\nrow(function(r)\n  if kept and kept.note ~= r.note then error("stale") end\n' ..
                        '  kept = r\n  return r\nend)\n')
  T.ok(r and r.new == 3, "a kept row: reads the current row: " .. tostring(msg))
  collectgarbage()
end

T.done("recipe_rowfn_test")
