-- lua/pmf/store/init.lua: the store layer in Lua (module `pmf.store`): the Store's methods
-- written in Lua, over the C core's query, exec, transaction and batch (core/lstore.c), and
-- the module functions other Lua modules write and read rows through.  The hot paths
-- (import, series) are C.  With core/store.c, this folder is where SQL belongs: other
-- modules read and write rows through these functions.
--
-- The files, one concern each: common.lua (what they share), areas.lua (areas, comparator
-- groups), metrics.lua (the metric catalogue), observations.lua (figures), signoff.lua
-- (sign-off, reopening, the locks they make), records.lua (targets, commentary, action
-- updates, risk assessments), documents.lua (return workbooks, publications),
-- frameworks.lua (stored framework versions and the rows a load writes).  Each adds
-- its methods to pmf.Store and returns its module functions, gathered here into one table.
--
-- Everything here honours the store's as-of view: a view made by store:as_of(date) sees
-- only what had been recorded by then, and refuses writes.  Every write is part of a batch
-- (who, when), and nothing is updated in place: a revision is a new row, and sign-off,
-- reopening, commentary, action updates and risk assessments are appended events whose
-- latest (as of the view) is the current state.
--
-- Error contract: misuse (a missing required field, a bad period label, an unknown metric
-- or area) raises an error naming the field; questions with no answer return nil.
local pmf = require "pmf"
local common = require "pmf.store.common"

local M = {}
M.to_period, M.metric_id, M.area_id, M.audit =
  common.to_period, common.metric_id, common.area_id, common.audit

for _, part in ipairs{ "areas", "metrics", "signoff", "observations", "records", "documents",
                        "frameworks" } do
  for k, v in pairs(require("pmf.store." .. part)) do
    if M[k] ~= nil then error("pmf.store: '" .. k .. "' is defined twice (" .. part .. ")") end
    M[k] = v
  end
end

-- ---- audit ---------------------------------------------------------------------------

-- store:audit([n]) -> the latest n (default 50) entries of the audit trail, newest first.
function pmf.Store:audit(n)
  return self:query([[
    SELECT a.what AS what, a.detail AS detail, b.recorded_by AS by, b.recorded_at AS at
      FROM audit a JOIN batch b ON b.id = a.batch
     WHERE b.recorded_ms <= ? ORDER BY a.id DESC LIMIT ?]], common.cutoff(self), n or 50)
end

-- Raise unless the store is writable (not an as-of view): the one check, in C
-- (core/lstore.c), whose error points at the code that called the Store's method.
pmf._checkwritable = require("pmf.core.store").checkwritable

return M
