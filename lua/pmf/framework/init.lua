-- lua/pmf/framework/init.lua: `pmf.framework`, the framework DSL (frameworks/<council>.lua),
-- its validation, and frameworks in the store.  This file is the module's public face; the
-- work is done by the files beside it, one stage each:
--
--   fields.lua       what each kind of declaration may contain (checkers, specs, the words)
--   dsl.lua          running a file in the sandbox: the DSL words and constructors
--   decl.lua         what every declaration's validation shares (fields, periods, parents)
--   normalise.lua    declarations -> the framework definition (framework, groups, nodes, ...)
--   kpis.lua         KPIs: defaults, formulas, targets, rating fields, effective-dated changes
--   comparators.lua  what "cipfa", "dfe_sn" or a group id means (the data vintage, once)
--   metrics.lua      metrics and the catalogue; when a different definition conflicts
--   hierarchy.lua    nodes linked, KPIs/actions/risks hung on them, owners linked
--   compile.lua      a file end to end: read, run, catalogue, normalise, hash
--   registry.lua     the store: load (versions), get as of a date, list, versions
--   sha256.lua       the file's hash
--
-- API (unchanged by the split):
--   compile(src, path [, opts]) -> fw, errors        check(path [, store]) -> fw, errors
--   load_file(path [, store]) -> fw | nil, msg       format_errors(errors) -> text
--   catalogue(path) -> cat | nil, errors             catalogue_path(path) -> path | nil
--   load(store, path [, opts]) -> info | nil, msg, errors
--   get(store, id) -> fw | nil, msg   list(store)   versions(store, id)
--   kpi_version(kpi, period)   target_value(T, period)   metric_differs(a, b)
--   comparator_group(fw, name)   comparator_of(fw, version)   sha256(bytes)   WORDS
--
-- Error contract: compile/check return (fw, errors) with errors a list of {file=, line=,
-- msg=}; load returns info | nil, message, errors; get returns fw | nil, message; misuse of
-- the Lua API (a store that is not one) raises.
local comparators = require "pmf.framework.comparators"
local compile = require "pmf.framework.compile"
local fields = require "pmf.framework.fields"
local kpis = require "pmf.framework.kpis"
local metrics = require "pmf.framework.metrics"
local registry = require "pmf.framework.registry"

local M = {}

M.compile, M.check, M.load_file = compile.compile, compile.check, compile.load_file
M.format_errors = compile.format_errors
M.catalogue, M.catalogue_path = compile.catalogue, compile.catalogue_path
M.load, M.get, M.list, M.versions = registry.load, registry.get, registry.list, registry.versions
M.kpi_version, M.target_value = kpis.kpi_version, kpis.target_value
M.metric_differs = metrics.differs
M.comparator_group, M.comparator_of = comparators.group_id, comparators.of
M.sha256 = require "pmf.framework.sha256"
M.WORDS = fields.WORDS

return M
