framework "f" { title = setmetatable, levels = { "priority" } }
local mt = { __index = function() return 1 end }
priority "p" { title = "P", meta = { tostring = tostring, self = mt } }
local ok, e = pcall(error, setmetatable({}, { __tostring = function() while true do end end }))
error(setmetatable({}, { __tostring = function() return "obj" end }))
