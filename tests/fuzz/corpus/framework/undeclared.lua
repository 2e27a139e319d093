framework "f" { title = "F", levels = { "priority" } }
x = os.execute("true")
print(io, require, load, debug, _G, getmetatable, collectgarbage)
