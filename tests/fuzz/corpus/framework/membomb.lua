framework "f" { title = "F", levels = { "priority" } }
local t, s = {}, "x"
for i = 1, 64 do s = s .. s; t[i] = s end
