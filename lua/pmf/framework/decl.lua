-- lua/pmf/framework/decl.lua: what every kind of declaration's validation shares: naming a
-- declaration in messages, checking its fields against its spec, reading a period label
-- with the framework's year start, its parents, and ordering the errors.
--
-- Decisions: every problem is collected as {file, line, msg} (dsl.add_error), never raised,
-- so a file's errors come out all at once, sorted by file and line.
local pmf = require "pmf"
local dsl = require "pmf.framework.dsl"
local fields = require "pmf.framework.fields"

local period = pmf.period
local add_error, check, is_list_of_strings = dsl.add_error, fields.check, fields.is_list_of_strings

local M = {}

local function what(decl) return (decl.level or decl.kind) .. " '" .. decl.id .. "'" end

-- Check a declaration's fields against its spec; returns the body (checked fields only).
local function check_fields(st, decl, spec)
  local body = decl.body
  for k, v in pairs(body) do
    local c = type(k) == "string" and spec[k] or nil
    if c == nil then
      add_error(st, decl.line, "unknown field '" .. tostring(k) .. "' in " .. what(decl))
    elseif check[c] then
      local msg = check[c](v)
      if msg then add_error(st, decl.line, what(decl) .. ": " .. k .. " " .. msg) end
    end
  end
  return body
end

local function parse_period(st, label, line, ctx)
  if type(label) ~= "string" and math.type(label) ~= "integer" then
    add_error(st, line, ctx .. ": a period label is required (like \"2025/26 Q1\")")
    return nil
  end
  local p, err = period.parse(tostring(label), st.year_start)
  if not p then add_error(st, line, ctx .. ": " .. tostring(err)) end
  return p
end

local function as_list(v)
  if v == nil then return {} end
  if type(v) == "string" then return { v } end
  local out = {}
  for i, x in ipairs(v) do out[i] = x end
  return out
end

local function parents_of(st, decl)
  local b = decl.body
  if b.parent ~= nil and b.parents ~= nil then
    add_error(st, decl.line, what(decl) .. ": give parent or parents, not both")
  end
  local list = {}
  if type(b.parent) == "string" then list[1] = b.parent end
  if is_list_of_strings(b.parents) then for _, p in ipairs(b.parents) do list[#list + 1] = p end end
  return list
end

local function sort_errors(errors)
  for i, e in ipairs(errors) do e.seq = i end
  table.sort(errors, function(a, b)
    if a.file ~= b.file then return a.file < b.file end
    if a.line ~= b.line then return a.line < b.line end
    return a.seq < b.seq
  end)
  for _, e in ipairs(errors) do e.seq = nil end
  return errors
end

M.what, M.check_fields, M.parse_period = what, check_fields, parse_period
M.as_list, M.parents_of, M.sort_errors = as_list, parents_of, sort_errors
return M
