-- `pmf check FILE...`: validate framework (or catalogue) files, and import recipes (a file
-- that starts `recipe "title"`: lua/pmf/recipe.lua), without storing anything.
-- Every problem is printed as FILE:LINE: message (all of them, not just the first); exit 1
-- if any.  A framework's metric ids are checked against its own metrics, the catalogue
-- (frameworks/catalogue.lua beside it, or pmf's own) and those already in the store; a
-- metric declared differently from the catalogue or the store is an error naming both.
-- The file runs in pmf.sandbox under its limits (PMF_LIMIT_SECONDS, _INSTRUCTIONS,
-- _MEMORY_MB); a file over 4 MiB is refused unread (pmf.sandbox.read_file).
local pmf = require "pmf"
local cli = require "pmf.cli"

return {
  summary = "validate framework files (FILE:LINE: message for each problem)",
  store = "optional",
  usage = "check FILE...",
  options = { quiet = "flag" },
  help = "  --quiet   print only the errors",
  run = function(opts)
    if #opts == 0 then cli.usage_error("a framework file is required") end
    local F = pmf.framework
    local status = 0
    local R = require "pmf.recipe"
    for _, path in ipairs(opts) do
      local src = pmf.sandbox.read_file(path)
      if src and R.is_recipe(src) then   -- an import recipe: FILE:LINE: message
        local spec, err = R.read(path)
        if spec then
          local ok, cerr = pcall(R.compile, spec)
          if not ok then spec, err = nil, path .. ": " .. tostring(cerr) end
        end
        if spec then
          if not opts.quiet then
            io.write(string.format("%s: ok (recipe \"%s\", %d measures)\n", path, spec.title, #spec.measures))
          end
        else
          io.stderr:write(err, "\n", path, ": 1 error\n")
          status = 1
        end
        goto continue
      end
      local fw, errors = F.check(path)
      if fw then
        if opts.quiet then
          -- nothing
        elseif fw.kind == "catalogue" then
          io.write(string.format("%s: ok (catalogue %s, %d metrics)\n", path, fw.id, #fw.metric_order))
        else
          local n = 0
          for _ in pairs(fw.nodes) do n = n + 1 end
          io.write(string.format("%s: ok (framework %s, %d KPIs, %d nodes)\n", path, fw.id,
                                 #fw.kpi_order, n))
        end
      else
        io.stderr:write(F.format_errors(errors), "\n")
        io.stderr:write(string.format("%s: %d error%s\n", path, #errors, #errors == 1 and "" or "s"))
        status = 1
      end
      ::continue::
    end
    return status
  end,
}
