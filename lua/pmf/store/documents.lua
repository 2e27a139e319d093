-- lua/pmf/store/documents.lua: the documents the engine sends out and takes back: return
-- workbooks issued to owners and receipts of them (pmf.returns), and publications of
-- reports (pmf.report.publish).
local pmf = require "pmf"
local common = require "pmf.store.common"

local cutoff = common.cutoff

local M = {}

-- ---- return workbooks (pmf.returns) ------------------------------------------------------
-- An issue is one owner's workbook for a framework's period, identified by the hash of what
-- it holds (the same workbook issued twice is one issue); a receipt is one taken back.

-- M.write_issue(s, b, t): record an issued workbook t = {id, framework, start, len, owner,
-- framework_hash, locked_hash, figures} in batch b, unless that id is issued already.
function M.write_issue(s, b, t)
  s:exec([[INSERT OR IGNORE INTO return_issue(id, framework, start, len, owner, framework_hash,
             locked_hash, figures, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)]],
         t.id, t.framework, t.start, t.len, t.owner, t.framework_hash, t.locked_hash, t.figures, b)
end

local issue_cols = [[i.id AS id, i.framework AS framework, i.start AS start, i.len AS len,
  i.owner AS owner, i.framework_hash AS framework_hash, i.locked_hash AS locked_hash,
  i.figures AS figures, b.recorded_at AS issued_at, b.recorded_by AS issued_by,
  b.recorded_ms AS issued_ms]]

-- M.issue(s, id) -> the issue row | nil (as of the view).
function M.issue(s, id)
  return s:query("SELECT " .. issue_cols .. [[ FROM return_issue i JOIN batch b ON b.id = i.batch
                   WHERE i.id = ? AND b.recorded_ms <= ?]], id, cutoff(s))[1]
end

-- M.latest_issues(s, framework, start, len) -> map owner -> the latest issue to that owner.
function M.latest_issues(s, fw, start, len)
  local rows = s:query("SELECT " .. issue_cols .. [[ FROM return_issue i JOIN batch b ON b.id = i.batch
                   WHERE i.framework = ? AND i.start = ? AND i.len = ? AND b.recorded_ms <= ?
                   ORDER BY b.recorded_ms, i.batch]], fw, start, len, cutoff(s))
  local out = {}
  for _, r in ipairs(rows) do out[r.owner] = r end
  return out
end

-- M.write_receipt(s, b, issue_id, file_hash, figures, comments): a workbook taken back.
function M.write_receipt(s, b, issue, file_hash, figures, comments)
  s:exec([[INSERT INTO return_receipt(issue, batch, file_hash, figures, comments)
           VALUES (?, ?, ?, ?, ?)]], issue, b, file_hash, figures, comments)
end

-- M.receipts(s, framework, start, len) -> map owner -> the latest receipt {issue, file_hash,
-- figures, comments, received_at, received_by}, as of the view.
function M.receipts(s, fw, start, len)
  local rows = s:query([[
    SELECT i.owner AS owner, r.issue AS issue, r.file_hash AS file_hash, r.figures AS figures,
           r.comments AS comments, b.recorded_at AS received_at, b.recorded_by AS received_by,
           b.recorded_ms AS received_ms
      FROM return_receipt r JOIN return_issue i ON i.id = r.issue JOIN batch b ON b.id = r.batch
     WHERE i.framework = ? AND i.start = ? AND i.len = ? AND b.recorded_ms <= ?
     ORDER BY b.recorded_ms, r.id]], fw, start, len, cutoff(s))
  local out = {}
  for _, r in ipairs(rows) do out[r.owner] = r end
  return out
end

-- M.receipt_exists(s, issue_id, file_hash) -> true when these bytes were taken back already.
function M.receipt_exists(s, issue, file_hash)
  return s:query("SELECT 1 AS x FROM return_receipt WHERE issue = ? AND file_hash = ?",
                 issue, file_hash)[1] ~= nil
end

-- ---- publications (pmf.report.publish) ---------------------------------------------------
-- A publication records what rebuilds a published report (framework, report, params JSON,
-- framework hash, as-of date) and the hash of the output it gave.

-- M.write_publication(s, b, t) -> id: record t = {framework, report, params, framework_hash,
-- as_of} in batch b, its output hash still empty (M.set_publication_hash sets it).
function M.write_publication(s, b, t)
  s:exec([[INSERT INTO publication(framework, report, params, framework_hash, as_of, output_hash, batch)
           VALUES (?, ?, ?, ?, ?, ?, ?)]], t.framework, t.report, t.params, t.framework_hash,
         t.as_of, "", b)
  return s:query("SELECT max(id) AS id FROM publication")[1].id
end

-- M.set_publication_hash(s, id, hash): the output hash of publication id, once rendered.
function M.set_publication_hash(s, id, hash)
  s:exec("UPDATE publication SET output_hash = ? WHERE id = ?", hash, id)
end

-- M.publication(s, id) -> the publication row | nil.
function M.publication(s, id)
  return s:query("SELECT * FROM publication WHERE id = ?", id)[1]
end

return M
