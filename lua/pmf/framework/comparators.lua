-- lua/pmf/framework/comparators.lua: what a comparator written in a framework means, in one
-- place for the whole engine (framework validation and the KPI engine both ask here).
--
-- A comparator is written one of three ways:
--   "cipfa"    the council's CIPFA nearest neighbours, of the vintage the store ships;
--   "dfe_sn"   the council's DfE children's services statistical neighbours, likewise;
--   an id      a group declared in the file ("near" -> "<framework>:near"), or a store group
--              id as written ("cipfa_2024:E08000030", "all:unitary").
--
-- Decisions:
-- - The data vintage lives here and nowhere else in Lua: MODELS maps the short name to the
--   prefix of the reference groups the store loads from lua/data/ (core/store.c names them
--   "<prefix>:<council code>" as it reads nearest_neighbours.csv and
--   childrens_statistical_neighbours_2025.csv).  When a model is re-released, the data file,
--   the loader's prefix and this table change together; tests/lua/framework_test.lua checks
--   that every prefix here names groups a new store has.
-- - A framework file never needs to name a vintage or its own council code again: "cipfa"
--   with council = "E08000030" is "cipfa_2024:E08000030".
-- - A KPI with no comparator of its own takes the framework's; a framework with none
--   benchmarks against the council's CIPFA group.
-- Error contract: resolve records problems on the compile state (never raises); group_id and
-- of are pure and return nil when there is nothing to compare against.
local dsl = require "pmf.framework.dsl"

local add_error = dsl.add_error

local M = {}

-- The short names a framework writes -> the store's group id prefix (the model's vintage).
M.MODELS = { cipfa = "cipfa_2024", dfe_sn = "dfe_sn_2025" }

-- model_group(name, council) -> the reference group id, or nil when name is not a model or
-- there is no council.
local function model_group(name, council)
  local prefix = M.MODELS[name]
  if prefix and council then return prefix .. ":" .. council end
  return nil
end

-- M.resolve(st, name, line, ctx) -> the store group id for a comparator written in the file
-- being compiled (st.groups: its local groups; st.council; st.opts.store to check ids).
function M.resolve(st, name, line, ctx)
  if name == nil then return nil end
  if st.groups[name] then return st.groups[name].id end
  local council = st.council
  local g = model_group(name, council)
  if g then return g end
  if M.MODELS[name] then
    add_error(st, line, ctx .. ": comparator \"" .. name .. "\" is the council's own group: " ..
              "give the framework council = \"<ONS code>\"")
    return name
  end
  if name:find(":", 1, true) then
    local s = st.opts.store
    if s and s:is_open() and s:group_members(name) == nil and not name:match("^" .. st.id .. ":") then
      add_error(st, line, ctx .. ": unknown comparator group '" .. name .. "'")
    end
    return name
  end
  add_error(st, line, ctx .. ": unknown comparator group '" .. name .. "' (a group declared " ..
            "in the file, \"cipfa\", \"dfe_sn\" or a store group id like \"" ..
            M.MODELS.cipfa .. ":" .. (council or "E08000030") .. "\")")
  return name
end

-- M.group_id(fw, name) -> the store group id a compiled framework's comparator names (a
-- group table, a local group name, a model name or a store id), or nil for none.
function M.group_id(fw, name)
  if type(name) == "table" then name = name.id or name.name end
  if name == nil then return nil end
  if fw.groups and fw.groups[name] then return fw.groups[name].id or (fw.id .. ":" .. name) end
  return model_group(name, fw.council) or name
end

-- M.of(fw, version) -> the group a KPI version is benchmarked against: its own comparator,
-- else the framework's, else the council's CIPFA group (nil without a council).
function M.of(fw, v)
  return M.group_id(fw, v.comparator) or M.group_id(fw, fw.comparator) or
         model_group("cipfa", fw.council)
end

return M
