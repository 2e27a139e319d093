-- `pmf areas [--kind K] [--group ID]`: the areas the store knows (ONS codes), or a group's.
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "list areas (ONS codes), by kind or comparator group (e.g. cipfa_2024:E08000030)",
  store = "reference",
  usage = "areas [--kind KIND] [--group ID] [--groups PREFIX] [--format text|csv|json]",
  options = { kind = "value", group = "value", groups = "value", format = "value" },
  run = function(opts)
    local s = pmf.default_store()
    local rows
    if opts.groups then
      rows = s:groups(opts.groups)
    elseif opts.group then
      local codes = s:group_members(opts.group)
      if not codes then return cli.fail("areas", "no group '" .. opts.group .. "'") end
      rows = {}
      for i, c in ipairs(codes) do
        local a = s:area_info(c)
        rows[i] = { rank = i - 1, code = c, name = a.name, kind = a.kind }
      end
    else
      rows = s:areas{ kind = opts.kind }
    end
    io.write(pmf.render.rows(rows, opts.format or "text"))
    return 0
  end,
}
