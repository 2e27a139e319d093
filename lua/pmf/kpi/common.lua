-- lua/pmf/kpi/common.lua: what the KPI engine's stages share: the framework's year start,
-- periods and their column keys, framework and KPI lookups, comparator group ids (resolved
-- by pmf.framework.comparators), flag names, and running framework code under the sandbox's limits with errors that name the
-- framework file and line.
--
-- Design decisions:
-- - No state: plain functions over the framework tables (pmf.framework) and Periods.
-- - A period's column key is start * 4096 + len: one number per distinct span, so a column
--   index is a plain table.
-- - Errors raised here for a caller's misuse use level 3: they name the line of the code
--   that called the public pmf.kpi function, not a line of the engine.
local pmf = require "pmf"

local period = pmf.period

local M = {}

M.ENGLAND = "E92000001"
M.STATUSES = { red = true, amber = true, green = true, blue = true, no_data = true,
               data_only = true, error = true }
-- The stored flags (core/store.h's one list), then those a reading adds.
local FLAG_NAMES = {}
do
  local E = require "pmf.core.engine"
  for _, f in ipairs(E.STORED_FLAGS) do FLAG_NAMES[#FLAG_NAMES + 1] = f end
  for _, f in ipairs({ { E.INCOMPLETE, "incomplete" }, { E.SUPPRESSED, "suppressed" },
                       { E.LATE, "late" }, { E.CARRIED, "carried" } }) do
    FLAG_NAMES[#FLAG_NAMES + 1] = f
  end
end
M.FREQ_MONTHS = { monthly = 1, quarterly = 3, ["half-yearly"] = 6, annual = 12 }
local MONTHS = { january = 1, february = 2, march = 3, april = 4, may = 5, june = 6,
                 july = 7, august = 8, september = 9, october = 10, november = 11,
                 december = 12 }

local function year_start(fw)
  local ys = fw.year_start
  if type(ys) == "string" then ys = MONTHS[ys:lower()] or tonumber(ys) end
  return ys or 4
end

local function to_period(p, ys)
  if type(p) == "userdata" then return p end
  local q, err = period.parse(tostring(p), ys)
  if not q then error(err, 3) end
  return q
end

local function key(p) return p.start * 4096 + p.len end

local function resolve_fw(store, fw)
  if type(fw) == "table" then return fw end
  local f = pmf.framework.get(store, fw)
  if not f then error("unknown framework '" .. tostring(fw) .. "'", 3) end
  return f
end

-- The version in force for period p: the DSL owns effective dating.
local version_of = pmf.framework.kpi_version

-- Where a function was defined, "file:line", for messages.
local function where_fn(fn, kpi)
  local info = debug.getinfo(fn, "S")
  if info and info.source:sub(1, 1) == "@" then
    return info.source:sub(2) .. ":" .. info.linedefined
  end
  return tostring(kpi.file or "?") .. ":" .. tostring(kpi.line or "?")
end

-- An error message from framework code, made to name the file and line.
local function fw_error(err, fn, kpi, what)
  local msg = tostring(err)
  if not msg:match("^[^:%s]+%.lua:%d+:") then msg = where_fn(fn, kpi) .. ": " .. msg end
  return msg .. " (" .. what .. " of KPI " .. kpi.id .. ")"
end

-- Run body (a loop that calls a framework's function for every cell of one KPI) under the
-- sandbox's limits (pmf.sandbox.run: time, instructions, memory, PMF_LIMIT_*).  ONE budget
-- per KPI per call: the formula's, the target's (every period column) and the rag rule's
-- runs share ctx.budgets[kpi.id], so a slow function cannot take a fresh second per column.
-- An infinite loop, a catastrophic pattern or a memory bomb stops that KPI with an error
-- naming the file and line it had reached, and the engine carries on with the others.
-- Ordinary errors are still caught per cell by the body's own pcall; a limit cannot be (the
-- hook keeps firing), so it ends the whole body.  Returns nil, or the message for every cell.
local function guarded(ctx, kpi, fn, what, body)
  ctx.budgets = ctx.budgets or {}
  local budget = ctx.budgets[kpi.id]
  if not budget then
    local lim = pmf.sandbox.limits()
    budget = { seconds = lim.seconds, instructions = lim.instructions }
    ctx.budgets[kpi.id] = budget
  end
  local info = debug.getinfo(fn, "S")
  local ok, err = pmf.sandbox.run(body, { name = where_fn(fn, kpi), chunk = info and info.source,
                                          budget = budget })
  if ok then return nil end
  return tostring(err) .. " (" .. what .. " of KPI " .. kpi.id .. ")"
end

-- What a comparator names ("cipfa", "dfe_sn", a group) and the data vintage: decided in one
-- place, lua/pmf/framework/comparators.lua.
local comparators = require "pmf.framework.comparators"
local group_id, comparator = comparators.group_id, comparators.of

-- A KPI's carry rule in months (pmf.framework checked its text).
local function carry_months(kpi)
  local m, err = pmf.engine.carry_months(kpi.carry)
  if not m then error("KPI " .. kpi.id .. ": " .. err, 0) end
  return m
end

local function flag_list(bits)
  if bits == 0 then return {} end
  local out, seen = {}, {}
  for _, f in ipairs(FLAG_NAMES) do
    if bits & f[1] ~= 0 and not seen[f[2]] then
      out[#out + 1] = f[2]
      seen[f[2]] = true
    end
  end
  return out
end

-- The KPIs of a framework by id list (default: all, in order).
local function kpi_list(fw, ids)
  local out = {}
  for _, id in ipairs(ids or fw.kpi_order or {}) do
    local k = fw.kpis[id]
    if not k then
      error("framework '" .. tostring(fw.id) .. "' has no KPI '" .. tostring(id) .. "'", 3)
    end
    out[#out + 1] = k
  end
  return out
end

M.year_start, M.to_period, M.key, M.resolve_fw = year_start, to_period, key, resolve_fw
M.version_of, M.where_fn, M.fw_error, M.guarded = version_of, where_fn, fw_error, guarded
M.group_id, M.comparator, M.carry_months = group_id, comparator, carry_months
M.flag_list, M.kpi_list = flag_list, kpi_list

return M
