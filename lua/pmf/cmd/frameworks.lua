-- `pmf frameworks`: the frameworks in the store (as of --as-of): id, title, version, hash
-- prefix, when loaded, KPI and node counts.
local pmf = require "pmf"

local function trunc(s, n)
  s = tostring(s or "")
  if utf8.len(s) and utf8.len(s) > n then return s:sub(1, utf8.offset(s, n) - 1) .. "~" end
  return s
end

return {
  summary = "list the frameworks in the store (id, title, version, hash, loaded at, counts)",
  store = "existing",
  usage = "frameworks [--versions ID]",
  options = { versions = "value" },
  run = function(opts)
    local s = pmf.default_store()
    local F = pmf.framework
    if opts.versions then
      local rows = F.versions(s, opts.versions)
      if #rows == 0 then io.stderr:write("pmf frameworks: unknown framework '", opts.versions, "'\n") return 1 end
      print(string.format("%-7s  %-12s  %-24s  %-12s  %s", "version", "hash", "loaded at", "by", "path"))
      for _, r in ipairs(rows) do
        print(string.format("v%-6d  %-12s  %-24s  %-12s  %s", r.version, r.hash:sub(1, 12),
                            r.loaded_at, trunc(r.loaded_by, 12), r.path or ""))
      end
      return 0
    end
    local rows = F.list(s)
    if #rows == 0 then print("no frameworks loaded (pmf load FILE)") return 0 end
    print(string.format("%-20s  %-40s  %-7s  %-12s  %-24s  %5s  %5s", "id", "title", "version",
                        "hash", "loaded at", "KPIs", "nodes"))
    for _, r in ipairs(rows) do
      print(string.format("%-20s  %-40s  v%-6d  %-12s  %-24s  %5s  %5s", r.id, trunc(r.title, 40),
                          r.version, r.hash:sub(1, 12), r.loaded_at, tostring(r.kpis or "?"),
                          tostring(r.nodes or "?")))
    end
    return 0
  end,
}
