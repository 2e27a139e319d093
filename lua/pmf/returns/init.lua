-- lua/pmf/returns/init.lua: the quarterly round's return workbooks (module `pmf.returns`): one
-- XLSX workbook per owner asking for the figures they supply and the commentary on the KPIs
-- they own, and taking it back.
--
--   returns.generate(store, {framework=, period=, dir=, by=, at=, owners=}) -> {{owner=,
--       path=, id=, figures=, kpis=}, ...} | nil, message
--   returns.is_return(path) -> true when the workbook's hidden sheet marks it as a return
--   returns.import(store, path, {by=, at=, dry_run=}) -> {owner=, id=, figures=, new=,
--       revised=, unchanged=, comments=, changed=} | nil, message, errors
--   returns.fill(path, out, {values = {metric = number | {value=, numerator=, denominator=,
--       flag=}}, commentary = {kpi = text}, cells = {{sheet=, row=, col=, value=}}})
--       -> out | nil, message: a filled copy, as an owner's spreadsheet program would save it
--       (for scripts and tests; cells overwrites any cell, locked ones too)
--   returns.round(store, fw, period) -> the chase report's data (pmf.report.returns): per owner, the
--       figures and commentary due, received and missing, the issue and the receipt
--
-- Design decisions:
-- - A workbook is plain data written through pmf.xlsx in one call: sheets Cover, Figures,
--   Commentary and a hidden sheet "pmf" (framework, its hash, period, owner, the workbook's
--   id, per-row hashes).  Input cells are unlocked; the sheets are protected; value,
--   numerator and denominator cells accept numbers in a plausible range only, the flag cell
--   a list.  Data validation is a courtesy to the person filling it in: import checks all
--   of it again, since a spreadsheet program can be made to ignore it.
-- - The workbook's identity is the hash of its locked cells (canonical text: numbers to 12
--   significant digits, so the number libxlsxwriter writes and the one read back agree)
--   with framework, framework hash, period and owner; the store records each issue
--   (return_issue).  Issuing the same workbook twice is one issue; a workbook whose locked
--   cells changed since (a new target, a revised history) is a new issue, and the old one
--   is stale.  The store's record, not the hidden sheet, decides: a hidden sheet edited to
--   another period or framework no longer matches its issue.
-- - Import is all or nothing per workbook, every problem named by sheet, cell and field;
--   figures go in through store:observe and commentary through the commentary table, in one
--   transaction and one batch (kind "returns": who and when), with a receipt fingerprinted by
--   the answers it gave.  A figure equal to the one stored is "unchanged"; a workbook whose
--   answers were taken back already and that changes nothing writes nothing.
-- - Figures due are the council area's (framework council) figures for the period, one per
--   metric the owner supplies (owner "id" { supplies = {...} }); commentary is asked for each
--
-- The files: workbook.lua (the layout, identity hashes, writing and reading a book),
-- issue.lua (generate), import.lua (taking one back), round.lua (what is due from whom,
-- received, missing and late), fill.lua (filling one in for scripts and tests).
local W = require "pmf.returns.workbook"
local round = require "pmf.returns.round"
local issue = require "pmf.returns.issue"
local import = require "pmf.returns.import"
local fill = require "pmf.returns.fill"

local M = {}

M.FORMAT = W.FORMAT          -- the hidden sheet's layout version
M.is_return = W.is_return
M._write = W.write           -- the workbook of parts written to a path (fill's last step)
M.generate, M.date_words = issue.generate, issue.date_words
M.import = import.import
M.fill = fill.fill
M.owner_label, M.resolve, M.deadline, M.due = round.owner_label, round.resolve, round.deadline, round.due
M.working_days_between, M.round, M.missing = round.working_days_between, round.round, round.missing

return M
