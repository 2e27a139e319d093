-- lua/pmf/store/frameworks.lua: the frameworks in the store (the tables framework,
-- framework_version, framework_metric): the stored versions of each framework file, read as
-- of the view, and the rows a load writes.  What a load decides (whether the file changed,
-- its version number, the metric definitions it records) is pmf.framework.registry's; this
-- file only reads and writes the rows.
--
-- Decisions:
-- - The writes are module functions called inside the load's own transaction (as
--   records.lua's and documents.lua's are), so one load is all or nothing; they do not
--   open a transaction of their own.
-- - A framework version is dated by its load's batch: write_framework_version copies the
--   batch's time and author into the row, so a view as of T sees the versions loaded by T.
local pmf = require "pmf"
local common = require "pmf.store.common"

local Store = pmf.Store
local cutoff = common.cutoff

local M = {}

-- ---- reads (Store methods) ---------------------------------------------------------------

-- store:framework_version(id [, cutoff_ms]) -> {version, hash, path, source, loaded_at,
-- loaded_ms, loaded_by} | nil: the latest version of framework id loaded by cutoff_ms (by
-- default the latest of all, whatever the view: a load numbers its version after it).
function Store:framework_version(id, cutoff_ms)
  return self:query([[SELECT version, hash, path, source, loaded_at, loaded_ms, loaded_by
                        FROM framework_version WHERE framework = ? AND loaded_ms <= ?
                       ORDER BY version DESC LIMIT 1]], id, cutoff_ms or math.maxinteger)[1]
end

-- store:framework_stored(id) -> true when any version of framework id is stored, whatever
-- the view (to tell "not loaded yet as of the view" from "unknown").
function Store:framework_stored(id)
  return self:query("SELECT 1 AS x FROM framework_version WHERE framework = ?", id)[1] ~= nil
end

-- store:framework_rows() -> {{id, title}, ...}: every framework row, by id.  Not filtered by
-- the view: callers ask store:framework_version(id, store:cutoff_ms()) for that.
function Store:framework_rows()
  return self:query("SELECT id, title FROM framework ORDER BY id")
end

-- store:framework_versions(id) -> {{version, hash, path, loaded_at, loaded_by}, ...}: every
-- version of framework id loaded as of the view, oldest first.
function Store:framework_versions(id)
  return self:query([[SELECT version, hash, path, loaded_at, loaded_by FROM framework_version
                       WHERE framework = ? AND loaded_ms <= ? ORDER BY version]], id, cutoff(self))
end

-- ---- writes (inside the caller's transaction) --------------------------------------------

-- M.batch_row(s, b) -> {recorded_at, recorded_ms, recorded_by} of batch b.
function M.batch_row(s, b)
  return s:query("SELECT recorded_at, recorded_ms, recorded_by FROM batch WHERE id = ?", b)[1]
end

-- M.write_framework(s, id, title, year_start, version): the framework's row, added or
-- updated to this title, year start and current version.
function M.write_framework(s, id, title, year_start, version)
  s:exec([[INSERT INTO framework(id, title, year_start, version) VALUES (?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET title = excluded.title,
           year_start = excluded.year_start, version = excluded.version]],
         id, title, year_start, version)
end

-- M.write_framework_version(s, b, t): a new stored version t = {framework, version, hash,
-- path, source}, dated and signed by batch b.
function M.write_framework_version(s, b, t)
  local br = M.batch_row(s, b)
  s:exec([[INSERT INTO framework_version(framework, version, hash, path, source, loaded_at,
           loaded_ms, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)]], t.framework, t.version,
         t.hash, t.path, t.source, br.recorded_at, br.recorded_ms, br.recorded_by)
end

-- M.write_framework_metrics(s, id, codes): the metrics framework id uses, replaced by the
-- set of metric codes given (a list; repeats are one).
function M.write_framework_metrics(s, id, codes)
  s:exec("DELETE FROM framework_metric WHERE framework = ?", id)
  for _, code in ipairs(codes) do
    s:exec("INSERT OR IGNORE INTO framework_metric(framework, metric) VALUES (?, ?)",
           id, s:metric_id(code))
  end
end

return M
