-- lua/pmf/framework/registry.lua: frameworks in the store: loading a file (versions, metric
-- definitions, groups), getting the version in force as of the store's cutoff, listing them.
--
-- Decisions:
-- - A load adds a framework_version row only when the file's SHA-256 differs from the
--   latest; its time is the time of a store batch (kind "load"), so PMF_NOW and `at` work as
--   for every other write.  A load records each changed metric definition with
--   store:metric (metric_version), dated by the load's batch.
-- - get(store, id) re-runs the stored source of the version in force at the store's cutoff,
--   cached per (id, version, hash, metric epoch): a report as at a past date uses the
--   framework, and the metric definitions, as they were.
-- - No SQL here: the framework tables (framework, framework_version, framework_metric) are
--   read and written through lua/pmf/store/frameworks.lua, inside this file's transaction.
-- Error contract: load returns info | nil, message, errors; get returns fw | nil, message;
-- misuse (a store that is not one, an id that is not a string) raises.
local pmf = require "pmf"
local compile = require "pmf.framework.compile"
local metrics = require "pmf.framework.metrics"

local read_file, registered, differs = compile.read_file, metrics.registered, metrics.differs

local M = {}

local function count(map)
  local n = 0
  for _ in pairs(map) do n = n + 1 end
  return n
end

-- M.load(store, path [, opts]) -> info | nil, message, errors.
-- In one transaction: validates the file (against its catalogue and the metric definitions
-- in the store: see store_conflicts), then the framework row, a new framework_version
-- when the file's SHA-256 differs from the latest, a new metric_version for each metric it
-- declares or takes from the catalogue whose definition differs from the one in force,
-- groups upserted, framework_metric rebuilt.  Observations are untouched.  A catalogue file
-- loads its metrics only.  opts.by / opts.at: who and when (as for store batches; `pmf load
-- --at` back-fills history: the version is in force from that time in as-of views, and a
-- changed file dated before the latest stored version is refused, so that version numbers
-- follow time);
-- opts.catalogue: as for compile.  info = {id, kind, version, changed, hash, kpis, nodes,
-- metrics, metric_versions = {"id vN", ...}, message}.
function M.load(s, path, opts)
  opts = opts or {}
  s = pmf.default_store(s)
  pmf._checkwritable(s)
  local src, rerr = read_file(path)
  if not src then return nil, path .. ": cannot read: " .. tostring(rerr) end
  local store = require "pmf.store"
  local audit = store.audit
  local fw, errors, info, out_of_order
  -- Checked inside the write transaction, so that no other load changes a metric between
  -- the conflict check and the writes.
  local ok, terr = pcall(s.transaction, s, function()
    fw, errors = compile.compile(src, path, { store = s, catalogue = opts.catalogue })
    if not fw then return end
    info = { id = fw.id, kind = fw.kind, hash = fw.hash, kpis = count(fw.kpis),
             nodes = count(fw.nodes), metrics = #fw.metrics_used, metric_versions = {} }
    local batch
    local function get_batch(note)
      batch = batch or s:batch{ kind = "load", by = opts.by, at = opts.at, source = path, note = note }
      return batch
    end
    if fw.kind == "framework" then
      local cur = s:framework_version(fw.id)
      local version = cur and cur.version or 0
      local changed = not cur or cur.hash ~= fw.hash
      if changed then version = version + 1 end
      -- Back-filling (opts.at): versions are numbered in the order they were in force, so a
      -- new version may not be dated before the latest one (load history oldest first).
      if changed and cur and opts.at then
        local br = store.batch_row(s, get_batch(fw.id .. " v" .. version))
        if br.recorded_ms < cur.loaded_ms then
          out_of_order = string.format("%s: --at %s is before v%d of %s (loaded %s): a back-filled " ..
                                       "version must come after the versions already stored (load " ..
                                       "history oldest first)", path, opts.at, cur.version, fw.id,
                                       cur.loaded_at)
          error(out_of_order, 0)
        end
      end
      store.write_framework(s, fw.id, fw.title, fw.year_start, version)
      if changed then
        local b = get_batch(fw.id .. " v" .. version)
        store.write_framework_version(s, b, { framework = fw.id, version = version,
                                              hash = fw.hash, path = path, source = src })
        audit(s, b, "load", fw.id .. " v" .. version .. " " .. path .. " sha256:" .. fw.hash:sub(1, 12) ..
              (fw.catalogue and (" catalogue " .. fw.catalogue.path .. " sha256:" ..
                                 fw.catalogue.hash:sub(1, 12)) or ""))
        info.changed = true
      end
      info.version = version
    end
    -- Metric definitions: a new version of each one that differs from the one in force.
    for _, m in ipairs(registered(fw)) do
      local cur = s:metric_def(m.id)
      if not cur or differs(m, cur) then
        local b = get_batch(fw.kind == "catalogue" and ("catalogue " .. fw.id) or (fw.id .. " metrics"))
        local _, v = s:metric{ id = m.id, title = m.title, unit = m.unit, aggregation = m.aggregation,
                               decimals = m.decimals, definition = m.definition, source = m.source,
                               reference = m.reference, carry = m.carry, owner = m.owner,
                               file = m.file, line = m.line, batch = b }
        audit(s, b, "metric", m.id .. " v" .. v .. " " .. m.file .. ":" .. m.line ..
              " (" .. m.owner .. ")")
        info.metric_versions[#info.metric_versions + 1] = m.id .. " v" .. v
      end
    end
    if fw.kind ~= "framework" then return end
    for _, name in ipairs(fw.group_order) do
      local g = fw.groups[name]
      s:group{ id = g.id, title = g.title, source = g.source or path, framework = fw.id,
               members = g.members }
    end
    local all, seen = {}, {}
    for _, list in ipairs{ fw.metric_order, fw.metrics_used } do
      for _, id in ipairs(list) do
        if not seen[id] then seen[id] = true; all[#all + 1] = id end
      end
    end
    store.write_framework_metrics(s, fw.id, all)
  end)
  if out_of_order then return nil, out_of_order, { out_of_order } end
  if not ok then error(terr, 0) end
  if not fw then return nil, compile.format_errors(errors), errors end
  local nv = #info.metric_versions
  local defs = nv > 0 and string.format("; %d metric definition%s recorded", nv, nv == 1 and "" or "s") or ""
  if fw.kind == "catalogue" then
    info.message = string.format("loaded catalogue %s (%d metrics%s)", fw.id, #fw.metric_order, defs)
  else
    info.message = info.changed
      and string.format("loaded %s v%d (%d KPIs, %d nodes)", fw.id, info.version, info.kpis, info.nodes)
      or string.format("%s unchanged (v%d%s)", fw.id, info.version, defs)
  end
  return info
end

-- Definitions re-created from stored sources, per (id, version, hash).
local cache = {}

-- M.get(store, id) -> fw | nil, message.  The version in force at the store's cutoff (a view
-- made by store:as_of(date) gets the version loaded by then), run again from its stored
-- source.  fw.version, fw.hash, fw.loaded_at, fw.loaded_by describe the stored version.
function M.get(s, id)
  s = pmf.default_store(s)
  if type(id) ~= "string" then error("framework.get: id must be a string", 2) end
  local row = s:framework_version(id, s:cutoff_ms())
  if not row then
    if s:framework_stored(id) then
      return nil, "framework '" .. id .. "' was not loaded yet as of " .. tostring(s:as_of())
    end
    return nil, "unknown framework '" .. id .. "' (load it with `pmf load FILE`)"
  end
  -- The metrics it reads from the store are those in force at the view: part of the key.
  local key = id .. "\0" .. row.version .. "\0" .. row.hash .. "\0" .. s:metric_epoch()
  local fw = cache[key]
  if fw then return fw end
  local errors
  fw, errors = compile.compile(row.source, row.path or (id .. ".lua"),
                         { store = s, stored = true, print = function() end })
  if not fw then
    return nil, "stored framework '" .. id .. "' v" .. row.version .. " no longer validates:\n" ..
                compile.format_errors(errors)
  end
  fw.version, fw.loaded_at, fw.loaded_by = row.version, row.loaded_at, row.loaded_by
  cache[key] = fw
  return fw
end

-- M.list(store) -> {{id, title, version, hash, path, loaded_at, loaded_by, kpis, nodes}, ...}
-- for the frameworks loaded as of the store's cutoff, by id.
function M.list(s)
  s = pmf.default_store(s)
  local out = {}
  for _, r in ipairs(s:framework_rows()) do
    local v = s:framework_version(r.id, s:cutoff_ms())
    if v then
      local fw = M.get(s, r.id)
      out[#out + 1] = { id = r.id, title = fw and fw.title or r.title, version = v.version,
                        hash = v.hash, path = v.path, loaded_at = v.loaded_at,
                        loaded_by = v.loaded_by, kpis = fw and count(fw.kpis),
                        nodes = fw and count(fw.nodes) }
    end
  end
  return out
end

-- M.versions(store, id) -> every stored version of a framework (as of the view), oldest first.
function M.versions(s, id)
  s = pmf.default_store(s)
  return s:framework_versions(id)
end

return M
