-- `pmf areas [--kind K] [--group ID] [--groups PREFIX] [--search TEXT]`: the areas the store
-- knows (ONS codes, regions, nations, former codes), a comparator group, or a search by
-- code, DfE LA number, name or a publisher's variant of a name.  A former code is shown with
-- its successor(s) and the last day it was in use.
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "list or search areas (ONS codes, names, DfE LA numbers, former codes), by kind or comparator group",
  store = "reference",
  usage = "areas [--kind KIND] [--group ID] [--groups PREFIX] [--search TEXT] [--format text|csv|json]",
  options = { kind = "value", group = "value", groups = "value", search = "value", format = "value" },
  run = function(opts)
    local s = pmf.default_store()
    local rows
    if opts.search then
      rows = s:search_areas(opts.search)
      if #rows == 0 then
        local _, msg = s:resolve_area(opts.search)
        return cli.fail("areas", "no area matches '" .. opts.search .. "'"
                        .. (msg and msg:match("; did you mean .*$") or ""))
      end
      for _, r in ipairs(rows) do
        if r.matched == r.code or r.matched == r.name then r.matched = nil end
        r.successor, r.ended = r.successor or "", r.ended or ""
        r.matched = r.matched or ""
      end
    elseif opts.groups then
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
      if opts.kind and #rows == 0 then
        return cli.fail("areas", "no areas of kind '" .. opts.kind .. "'")
      end
    end
    local order = opts.search and { "code", "name", "kind", "matched", "successor", "ended" } or nil
    io.write(pmf.render.rows(rows, opts.format or "text", order))
    return 0
  end,
}
