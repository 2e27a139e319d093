framework "f" { title = "F", levels = { "priority" } }
local function r(n) return { r(n + 1) } end
priority "p" { title = r(1) }
