-- lua/pmf/store/areas.lua: the Store's areas and comparator groups (Store methods written in
-- Lua): adding an area, looking one up or searching by code, DfE LA number or name, and
-- defining a comparator group and reading its members in rank order.
local pmf = require "pmf"
local common = require "pmf.store.common"

local Store = pmf.Store
local need, area_id = common.need, common.area_id

local M = {}

-- ---- areas and groups --------------------------------------------------------------

-- store:area{code=, name=, kind=, parent=}: add or update an area (frameworks add wards,
-- neighbourhoods, partnerships ...).
function Store:area(t)
  pmf._checkwritable(self)
  local code = need(t, "code", "area")
  self:exec([[INSERT INTO area(code, name, kind, parent) VALUES (?, ?, ?, ?)
              ON CONFLICT(code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
              parent = coalesce(excluded.parent, area.parent)]],
            code, t.name or code, t.kind or "other", t.parent)
  -- its name resolves too (store:resolve_area); old names stay as aliases
  self:exec([[INSERT OR IGNORE INTO area_alias(key, kind, area, alias)
              SELECT pmf_area_key(name), 'name', id, name FROM area WHERE code = ?]], code)
  self:_forget_areas()
  return code
end

function Store:area_info(code)
  return self:query("SELECT code, name, kind, parent FROM area WHERE code = ?", code)[1]
end

-- store:areas{kind=} -> list of {code, name, kind, parent}
function Store:areas(filter)
  filter = filter or {}
  if filter.kind then
    return self:query("SELECT code, name, kind, parent FROM area WHERE kind = ? ORDER BY code", filter.kind)
  end
  return self:query("SELECT code, name, kind, parent FROM area ORDER BY code")
end

-- store:search_areas(text) -> areas whose code starts with text, whose DfE LA number is
-- text, or whose name or a publisher's variant of it contains text (compared by
-- pmf.area_key), each once: {code, name, kind, matched, successor, ended}, by code.
-- A former code shows its successor(s) and the last day it was in use.
function Store:search_areas(text)
  local key = require("pmf.core.store").area_key(text)
  local like = "%" .. key:gsub("[%%_\\]", "\\%0") .. "%"
  return self:query([[
    WITH hit(area, matched) AS (
      SELECT id, code FROM area WHERE code LIKE :code || '%' ESCAPE '\'
      UNION ALL SELECT area, alias FROM area_alias WHERE kind = 'la_number' AND key = :text
      UNION ALL SELECT area, alias FROM area_alias WHERE kind = 'name' AND key LIKE :like ESCAPE '\')
    SELECT a.code, a.name, a.kind,
           CASE WHEN max(h.matched IN (a.name, a.code)) THEN NULL ELSE min(h.matched) END AS matched,
           (SELECT group_concat(code, ' ') FROM (SELECT n.code FROM area_successor x
              JOIN area n ON n.id = x.successor WHERE x.area = a.id ORDER BY n.code)) AS successor,
           (SELECT max(ended) FROM area_successor WHERE area = a.id) AS ended
      FROM hit h JOIN area a ON a.id = h.area
     GROUP BY a.id ORDER BY a.code]],
    { code = text:upper():gsub("[%%_\\]", "\\%0"), text = text:match("^%s*(.-)%s*$"), like = like })
end

-- store:group{id=, title=, source=, framework=, members={code, ...}}: define or redefine a
-- comparator group (members replaced; order gives rank).
function Store:group(t)
  pmf._checkwritable(self)
  local id = need(t, "id", "group")
  local members = need(t, "members", "group")
  self:transaction(function()
    self:exec([[INSERT INTO area_group(id, title, source, framework) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, source = excluded.source,
                framework = excluded.framework]], id, t.title or id, t.source, t.framework)
    self:exec("DELETE FROM area_group_member WHERE group_id = ?", id)
    for i, code in ipairs(members) do
      self:exec("INSERT OR IGNORE INTO area_group_member(group_id, area, rank) VALUES (?, ?, ?)",
                id, area_id(self, code, 3), i)
    end
  end)
  return id
end

-- store:group_members(id) -> list of area codes (rank order), or nil if no such group.
function Store:group_members(id)
  local rows = self:query([[SELECT a.code FROM area_group_member m JOIN area a ON a.id = m.area
                            WHERE m.group_id = ? ORDER BY m.rank, a.code]], id)
  if #rows == 0 and not self:query("SELECT 1 AS x FROM area_group WHERE id = ?", id)[1] then
    return nil
  end
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.code end
  return out
end

function Store:groups(prefix)
  if prefix then
    return self:query("SELECT id, title, source FROM area_group WHERE id LIKE ? ORDER BY id", prefix .. "%")
  end
  return self:query("SELECT id, title, source FROM area_group ORDER BY id")
end

return M
