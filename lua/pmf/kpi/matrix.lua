-- lua/pmf/kpi/matrix.lua: pmf.kpi.rate_matrix, the bulk path every rating goes through, and
-- the row table of one cell of its result (pmf.kpi.row, cell_row).
--
-- Design decisions:
-- - Columns are planned first: the periods asked, their previous periods, the same
--   periods last year and any baseline periods; rows are the areas asked, then the
--   comparator groups' members, then England.
-- - Each input metric is fetched once per call (per carry rule) for every row and column
--   (engine.fetch through a Reader kept per store view, which reads only the months of the
--   periods asked and caches them, dropping them itself when the store's data changes), so
--   rating period after period reads each row once.  Metric grids are shared between KPIs;
--   a metric only one KPI of the call reads is read straight into that KPI's grid.
--   A call is one snapshot (engine.hold): its fetches share one read transaction and one
--   check that the data have not changed.  The rows' area ids and the own-rows-only
--   columns are converted for C once per call, not once per KPI.
-- - A cache per store view, besides the Reader's figures: what a call plans from the store
--   that does not depend on the periods rated (the framework's stored targets, comparator
--   groups' members, and for rate{} the rows planned for a list of areas and groups with
--   their store ids), keyed by framework id, group id or areas + groups, and dropped as a
--   whole when the store's data may have changed (the Reader's generation, engine.hold,
--   moves on any write by this connection or a commit by another).  No rating, value or
--   row is cached: every call rates its KPIs afresh.
-- - rate{} passes `each`: a KPI's rows are built as soon as it is rated and the next KPI
--   is rated in the same grid (reset), one grid per call instead of one per KPI, unless a
--   rag override's lazily filled row may still read it.
-- - own_rows_only (what rate{} asks): the previous-period and last-year columns are read
--   for the requested rows only (their direction of travel); nothing of a comparator's row
--   but its rated period is shown, so a call reads about a third of what the three periods
--   for every comparator would cost.
-- - Row tables are built only for the cells asked (cell_row); a rag override gets a light
--   row whose remaining fields are filled from the full row on first use.
local pmf = require "pmf"
local C = require "pmf.kpi.common"
local D = require "pmf.kpi.display"
local rating = require "pmf.kpi.rating"

local period = pmf.period
local E = pmf.engine
local SUPPRESSED, CARRIED = E.SUPPRESSED, E.CARRIED
local ENGLAND = C.ENGLAND
local year_start, to_period, key, resolve_fw = C.year_start, C.to_period, C.key, C.resolve_fw
local version_of, group_id, comparator = C.version_of, C.group_id, C.comparator
local flag_list, kpi_list, carry_months = C.flag_list, C.kpi_list, C.carry_months
local published_decimals, display = D.published_decimals, D.display
local rate_kpi = rating.rate_kpi

local M = {}

-- The column of the previous period / last year of column j (nil if j is not requested).
local function related(res, j)
  local map = res.related
  if not map then
    map = {}
    for k, c in ipairs(res.req) do map[c] = { res.prev[k], res.year[k] } end
    res.related = map
  end
  local m = map[j]
  if m then return m[1], m[2] end
end


-- The columns needed for the requested periods: {periods, index by key, requested cols,
-- prev cols, year cols} with extra columns for prev / last year / baseline periods.
local function plan_columns(fw, kpis, periods)
  local cols, index = {}, {}
  local function col(p)
    local k = key(p)
    if not index[k] then
      cols[#cols + 1] = p
      index[k] = #cols
    end
    return index[k]
  end
  local req, prev, year = {}, {}, {}
  for i, p in ipairs(periods) do req[i] = col(p) end
  for i, p in ipairs(periods) do
    prev[i] = col(p:prev())
    year[i] = col(p:last_year())
  end
  local full = {}                 -- columns every row needs: requested and baseline ones
  for _, j in ipairs(req) do full[j] = true end
  for _, kpi in ipairs(kpis) do
    for _, v in ipairs(kpi.versions) do
      local T = v.target
      if type(T) == "table" and T.kind == "baseline" and T.period then
        full[col(to_period(T.period, year_start(fw)))] = true
      end
    end
  end
  local related_only = {}         -- previous period and last year: the DoT of a row
  for j = 1, #cols do
    if not full[j] then related_only[#related_only + 1] = j end
  end
  return { periods = cols, index = index, req = req, prev = prev, year = year,
           related_only = related_only }
end

-- One Reader per store view, kept while the view lives: its cache of figures (dropped by
-- the reader itself when the store's data changes) makes rating period after period read
-- each row once, so a call costs the rows of its periods, not the series' history.
local readers = setmetatable({}, { __mode = "k" })
local function reader_of(store)
  local r = readers[store]
  if not r then
    r = E.reader(store)
    readers[store] = r
  end
  return r
end

-- Area ids by code, kept per store view (a report asks for the same few hundred areas on
-- every call, each a query): an area's id never changes once it has one, so only ids found
-- are kept (an unknown code is asked again: it may be added later).
local area_ids = setmetatable({}, { __mode = "k" })
local function area_id_of(store, code)
  local ids = area_ids[store]
  if not ids then
    ids = {}
    area_ids[store] = ids
  end
  local id = ids[code]
  if id then return id end
  id = store:area_id(code)
  if id then ids[code] = id end
  return id or -1
end

-- What a call plans from the store besides figures, kept per store view while its data are
-- unchanged (the Reader's generation, engine.hold: it moves whenever the store's data may
-- have changed, and the whole cache is dropped then): the framework's stored targets, the
-- comparator groups' members, and, for rate{}'s calls (which ask the same rows period after
-- period), the rows planned for a list of areas and groups with their store ids.  Nothing
-- here depends on the periods rated.
local views = setmetatable({}, { __mode = "k" })
local function view_cache(store, gen)
  local c = views[store]
  if not c or c.gen ~= gen then
    c = { gen = gen, targets = {}, members = {}, rows = {}, nrows = 0 }
    views[store] = c
  end
  return c
end

-- The rows of a call: the areas asked, then the groups' members (in the order the groups
-- are named) and England; each group as its list of rows (false: no such group); the rows'
-- store ids for the reader (engine.area_ids).
local function plan_rows(store, vc, areas, gids)
  local rows, rindex = {}, {}
  local function row(code)
    if not rindex[code] then
      rows[#rows + 1] = code
      rindex[code] = #rows
    end
    return rindex[code]
  end
  for _, a in ipairs(areas) do row(a) end
  local nreq = #rows
  local groups = {}
  for _, gid in ipairs(gids) do
    local members = vc.members[gid]
    if members == nil then
      members = store:group_members(gid) or false
      vc.members[gid] = members
    end
    groups[gid] = false
    if members then
      local idx = {}
      for _, c in ipairs(members) do idx[#idx + 1] = row(c) end
      groups[gid] = idx
    end
  end
  row(ENGLAND)
  local ids = {}
  for i, c in ipairs(rows) do ids[i] = area_id_of(store, c) end
  return { rows = rows, rindex = rindex, nreq = nreq, groups = groups, gindex = {},
           ids = E.area_ids(ids) }
end

-- rate_matrix{store=, framework=, kpis=, areas=, periods=, benchmark=true [, own_rows_only]
--             [, each]}
--   -> result {framework=fw, kpis = {KPI...}, areas = {codes} (requested first), periods =
--      {Period} (every column), req = {column of each requested period}, grid = {kpi_id =
--      Grid}, errors = {"kpi|i|j" = message}, row = function(kpi_id, i, j) -> row table}
-- Rows 1..#areas of each grid are the requested areas; more rows follow for the comparator
-- group and England.  Columns: result.req[k] is the column of periods[k].  own_rows_only
-- (what rate{} asks): the previous-period and last-year columns are read for the requested
-- rows only (their direction of travel); the comparator rows have no data there.
-- each(result, kpi, K) (what rate{} passes): called with each KPI's grid as soon as it is
-- rated, to take what it needs; the grid is then reset and the next KPI rated in it, so
-- result.grid stays empty (one grid per call, not one per KPI).
function M.rate_matrix(t)
  local store = pmf.default_store(t.store)
  local fw = resolve_fw(store, t.framework)
  local ys = year_start(fw)
  local kpis = kpi_list(fw, t.kpis)
  local areas = t.areas or { fw.council }
  if #areas == 0 then error("rate_matrix: no areas", 2) end
  local plist = {}
  for i, p in ipairs(t.periods or { t.period }) do plist[i] = to_period(p, ys) end
  if #plist == 0 then error("rate_matrix: no periods", 2) end

  -- one snapshot for the whole call: every read shares one read transaction and one check
  -- that the store's data have not changed (closed on return or error); `gen` moves when
  -- they may have, which is what the view's plans below are kept by
  local reader = reader_of(store)
  local held <close>, gen = E.hold(reader)
  local ctx = { store = store, fw = fw, ys = ys, errors = {}, benchmark = t.benchmark ~= false }
  ctx.cols = plan_columns(fw, kpis, plist)
  -- the column lists of a KPI with one version (most), converted for the kernels once per
  -- call: every column, the requested ones once each, and the requested columns as asked
  -- with their previous-period and last-year columns (direction of travel)
  do
    local all, ureq, seen = {}, {}, {}
    for j = 1, #ctx.cols.periods do all[j] = j end
    for _, j in ipairs(ctx.cols.req) do
      if not seen[j] then
        seen[j] = true
        ureq[#ureq + 1] = j
      end
    end
    ctx.one = { all = all, all_c = E.rows(all), req = ureq, req_c = E.rows(ureq),
                now_c = E.rows(ctx.cols.req), prev_c = E.rows(ctx.cols.prev),
                year_c = E.rows(ctx.cols.year) }
    ctx.rules = {}
  end

  -- each version's comparator group, and its benchmark target's group, resolved once
  local cmp, tgroup, gids, named = {}, {}, {}, {}
  local function name_group(gid)
    if gid and not named[gid] then
      named[gid] = true
      gids[#gids + 1] = gid
    end
  end
  for _, kpi in ipairs(kpis) do
    for _, v in ipairs(kpi.versions) do
      if cmp[v] == nil then
        cmp[v] = comparator(fw, v) or false
        local T = v.target
        if type(T) == "table" and T.kind == "benchmark" then
          tgroup[v] = group_id(fw, T.group) or cmp[v] or false
        end
      end
      if ctx.benchmark then name_group(cmp[v] or nil) end
      name_group(tgroup[v] or nil)
    end
  end
  ctx.comparator = function(v) return cmp[v] or nil end
  ctx.target_group = function(v) return tgroup[v] or nil end

  local vc = view_cache(store, gen)
  ctx.stored = vc.targets[fw.id]
  if not ctx.stored then
    ctx.stored = store:stored_targets(fw.id)
    vc.targets[fw.id] = ctx.stored
  end
  local rp
  if t.own_rows_only then
    local key = table.concat(areas, "\n") .. "\0" .. table.concat(gids, "\n")
    rp = vc.rows[key]
    if not rp then
      -- a few plans are kept (a report's councils, asked in turn); a caller asking many
      -- different lists (a server) does not grow the cache without end
      if vc.nrows >= 32 then vc.rows, vc.nrows = {}, 0 end
      rp = plan_rows(store, vc, areas, gids)
      vc.rows[key] = rp
      vc.nrows = vc.nrows + 1
    end
  else
    rp = plan_rows(store, vc, areas, gids)
  end
  local rows, rindex, groups = rp.rows, rp.rindex, rp.groups
  ctx.nreq, ctx.rows, ctx.nrows = rp.nreq, rows, #rows
  ctx.group_rows = function(gid) return gid and groups[gid] or nil end
  -- a group's rows as engine Indices, converted once per plan (every KPI benchmarks on them)
  ctx.group_index = function(gid)
    local r = rp.gindex[gid]
    if not r then
      r = E.rows(groups[gid])
      rp.gindex[gid] = r
    end
    return r
  end

  -- metric grids, fetched once each (per carry rule) through the one reader, for the
  -- columns needed only: a call costs the months of its periods, not the whole history
  local ids = rp.ids
  local cache = {}
  local part = t.own_rows_only and #ctx.cols.related_only > 0 and E.rows(ctx.cols.related_only)
  -- how many of the call's KPI versions read each metric (per carry rule): one that only
  -- one of them reads is read straight into that KPI's grid (`into`), not into its own
  -- a metric's grid is keyed by its id and the KPI's carry rule (worked out once a KPI)
  local carry_of = {}
  local function key_of(id, kpi)
    local carry = false
    if kpi and kpi.carry then
      carry = carry_of[kpi]
      if carry == nil then
        carry = carry_months(kpi)
        carry_of[kpi] = carry
      end
    end
    return carry and (id .. "|" .. carry) or id, carry or nil
  end
  local uses = {}
  for _, kpi in ipairs(kpis) do
    for _, v in ipairs(kpi.versions) do
      for _, id in ipairs(rating.formula_inputs(v.formula)) do
        local k = key_of(id, kpi)
        uses[k] = (uses[k] or 0) + 1
      end
    end
  end
  ctx.metric = function(id, kpi, into)
    local k, carry = key_of(id, kpi)
    local g = cache[k]
    if g then return g end
    if uses[k] ~= 1 then into = nil end
    if part then
      g = E.fetch(reader, id, ids, ctx.cols.periods, carry, part, ctx.nreq, into)
    else
      g = E.fetch(reader, id, ids, ctx.cols.periods, carry, nil, nil, into)
    end
    if not into then cache[k] = g end
    return g
  end
  ctx.bench = {}
  ctx.min_group = function(kpi, v)
    return kpi.min_group or (v and v.min_group) or fw.min_group or 3
  end
  ctx.decimals = function(kpi)
    local on = kpi.rate_on or fw.rate_on or "published"
    if on == "unrounded" then return -1 end
    return published_decimals(kpi)
  end

  -- data-entry deadlines
  local dl = fw.deadlines and fw.deadlines.data_entry
  if dl and dl.working_days then
    ctx.deadline_cols, ctx.deadline_ms = {}, {}
    local seen = {}
    for _, j in ipairs(ctx.cols.req) do
      if not seen[j] then
        seen[j] = true
        ctx.deadline_cols[#ctx.deadline_cols + 1] = j
        ctx.deadline_ms[#ctx.deadline_ms + 1] =
          pmf.asof_ms(ctx.cols.periods[j]:deadline(dl.working_days))
      end
    end
  end

  local result = { framework = fw, kpis = kpis, areas = rows, nreq = ctx.nreq,
                   periods = ctx.cols.periods, req = ctx.cols.req, prev = ctx.cols.prev,
                   year = ctx.cols.year, grid = {}, errors = ctx.errors, store = store,
                   row_index = rindex, col_index = ctx.cols.index, bench = ctx.bench }
  -- The row a rag override gets: the common fields at once, the rest (DoT, benchmark,
  -- display...) filled in from the full row on first use, so a rule reading only value and
  -- target costs little over 800,000 cells.
  local labels = {}
  for j, p in ipairs(ctx.cols.periods) do labels[j] = tostring(p) end
  ctx.light_row = function(kpi, K, i, j, v)
    local pj, yj = related(result, j)
    local r = { framework = fw.id, kpi = kpi.id, area = rows[i], period = labels[j],
                value = K:value(i, j), target = K:target(i, j), rag = K:status(i, j),
                polarity = v.polarity, unit = kpi.unit,
                prev = pj and K:value(i, pj), last_year = yj and K:value(i, yj) }
    return setmetatable(r, { __index = function(t, k)
      setmetatable(t, nil)
      for kk, vv in pairs(M.cell_row(result, kpi, K, i, j)) do
        if rawget(t, kk) == nil then rawset(t, kk, vv) end
      end
      return rawget(t, k)
    end })
  end
  for _, kpi in ipairs(kpis) do
    local K = rate_kpi(ctx, kpi)
    if t.each then
      t.each(result, kpi, K)
      if result.columns then result.columns[K] = nil end
      -- the next KPI is rated in this grid, unless a rag override's row (which reads the
      -- grid when a field it lacks is asked for) may have been kept by framework code
      local kept = false
      for _, v in ipairs(kpi.versions) do kept = kept or v.rag ~= nil end
      if not kept then ctx.spare = K end
    else
      result.grid[kpi.id] = K
    end
  end
  return result
end

-- What every row of one column of a KPI's grid shares (rated: the grid's benchmarks are
-- final by the time a row is asked for): worked out once per column, not per row.
local function column_of(res, kpi, K, j)
  local cols = res.columns
  if not cols then
    cols = setmetatable({}, { __mode = "k" })
    res.columns = cols
  end
  local byj = cols[K]
  if not byj then
    byj = {}
    cols[K] = byj
  end
  local c = byj[j]
  if c then return c end
  local p = res.periods[j]
  local n, median, mean = K:stat(j)
  local pj, yj = related(res, j)
  local ei = res.row_index[ENGLAND]
  c = { p = p, label = tostring(p), polarity = version_of(kpi, p).polarity, n = n,
        median = median, mean = mean, pj = pj, yj = yj,
        england = ei and K:value(ei, j) or nil }
  local b = res.bench and res.bench[kpi.id .. "|" .. j]
  if b and (n or 0) < b.min then
    c.note = string.format("%d of %d areas have a figure (min %d)", n or 0, b.size, b.min)
  end
  byj[j] = c
  return c
end

-- cell_row(result, kpi, K, i, j) -> the rating row of area row i, column j.
function M.cell_row(res, kpi, K, i, j)
  local c = column_of(res, kpi, K, j)
  local value, flags, target, rag, dot_prev, dot_year, rank, quartile = K:cell(i, j)
  local suppressed = flags & SUPPRESSED ~= 0
  local pj, yj = c.pj, c.yj
  local err = next(res.errors) ~= nil and res.errors[kpi.id .. "|" .. i .. "|" .. j] or nil
  local r = {
    framework = res.framework.id, kpi = kpi.id, title = kpi.title, area = res.areas[i],
    period = c.label, value = value, unit = kpi.unit,
    display = suppressed and "suppressed" or display(value, kpi.unit, kpi.decimals),
    target = target, rag = rag, polarity = c.polarity,
    prev = pj and not suppressed and K:value(i, pj) or nil, dot_prev = dot_prev,
    last_year = yj and not suppressed and K:value(i, yj) or nil, dot_year = dot_year,
    rank = rank, quartile = quartile, n = c.n, group_median = c.median, group_mean = c.mean,
    england = c.england,
    commentary = nil, commentary_required = false,
    owner = kpi.owner, directorate = kpi.directorate, parents = kpi.parents or {},
    flags = flag_list(flags), error = err, benchmark_note = c.note,
  }
  if value == nil and not suppressed and rag ~= "error" then r.reason = "no data" end
  if flags & CARRIED ~= 0 then
    local s, l = K:source(i, j)
    if s then r.carried_from = tostring(period.span(s, l, c.p.year_start)) end
  end
  return r
end

-- row(result, kpi_id, area, period) -> the rating row of one cell of a rate_matrix result.
function M.row(res, kpi_id, area, p)
  local fw = res.framework
  local kpi = fw.kpis[kpi_id]
  local i = res.row_index[area]
  local j = res.col_index[key(to_period(p, year_start(fw)))]
  if not kpi or not i or not j then return nil end
  return M.cell_row(res, kpi, res.grid[kpi_id], i, j)
end

return M
