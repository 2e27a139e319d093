-- lua/pmf/report/benchmark.lua: the benchmark (`pmf report benchmark --kpi ID`): the league
-- table of the KPI's comparator group for a period, the council's rank and quartile, the
-- group's median and quartile bands, and England's figure.
local pmf = require "pmf"
local shared = require "pmf.report.shared"

local rate, col, rated_col, kver = shared.rate, shared.col, shared.rated_col, shared.kver

return {
  summary = "league table of the comparator group for a KPI and period",
  needs = "kpi",
  build = function(ctx)
    local fw, id = ctx.fw, ctx.args.kpi or ctx.args.node
    local k = id and fw.kpis[id]
    if not k then return nil, "unknown KPI '" .. tostring(id) .. "' in " .. fw.id end
    local ver = kver(fw, k, ctx.period) or {}
    local group = ctx.args.group or ver.comparator or fw.comparator
    local members = group and ctx.store:group_members(group)
    if not members then return nil, "unknown comparator group '" .. tostring(group) .. "'" end
    local ratings = rate(ctx, { kpis = { id }, areas = members, benchmark = false })
    local values, byarea = {}, {}
    for _, r in ipairs(ratings) do
      byarea[r.area] = r
      if r.value ~= nil and r.display ~= "suppressed" then values[r.area] = r.value end
    end
    local polarity = ver.polarity or k.polarity or "up"
    local bm = pmf.rag.benchmark(values, polarity == "band" and "up" or polarity)
    local rows = {}
    for _, code in ipairs(members) do
      local r = byarea[code] or {}
      local info = ctx.store:area_info(code)
      rows[#rows + 1] = { rank = bm.rank[code], area = code, name = info and info.name or code,
                          value = values[code], display = r.display or "no data",
                          quartile = bm.quartile[code], highlight = code == fw.council or nil,
                          period = r.period, requested_period = r.requested_period }
    end
    -- the council's own rating says whether the group is big enough to rank (min_group)
    local own = fw.council and rate(ctx, { kpis = { id }, areas = { fw.council }, benchmark = true })[1]
    local note = own and own.benchmark_note or nil
    if bm.n < (fw.min_group or 1) and not note then note = "too few areas with figures to rank" end
    if note then
      for _, r in ipairs(rows) do r.rank, r.quartile = nil, nil end
    end
    table.sort(rows, function(a, b)
      if (a.rank ~= nil) ~= (b.rank ~= nil) then return a.rank ~= nil end
      if a.rank ~= b.rank then return (a.rank or 0) < (b.rank or 0) end
      if (a.value ~= nil) ~= (b.value ~= nil) then return a.value ~= nil end
      if a.value ~= b.value and a.value then
        return (polarity == "down") == (a.value < b.value)
      end
      return a.area < b.area
    end)
    -- quartile bands (the 25th and 75th percentiles, linear between the ordered values)
    local vs = {}
    for _, v in pairs(values) do vs[#vs + 1] = v end
    table.sort(vs)
    local function pct(q)
      if #vs == 0 then return nil end
      local h = (#vs - 1) * q + 1
      local lo = math.floor(h)
      local hi = math.min(lo + 1, #vs)
      return vs[lo] + (h - lo) * (vs[hi] - vs[lo])
    end
    -- England for the period the group was rated for (an annual KPI: the year)
    local rated = ratings[1] and ratings[1].period
    local eng = pmf.kpi.value(ctx.store, fw, id, "E92000001", rated or ctx.period)
    if eng then
      rows[#rows + 1] = { area = "E92000001", name = "England", value = eng,
                          display = pmf.kpi.display(eng, k.unit, k.decimals), comparator = true,
                          period = rated, requested_period = ratings[1] and ratings[1].requested_period }
    end
    local gtitle = group
    for _, g in ipairs(ctx.store:groups(group)) do if g.id == group then gtitle = g.title or group end end
    local own_row
    for _, r in ipairs(rows) do if r.highlight then own_row = r end end
    local function disp(v) return v and pmf.kpi.display(v, k.unit, k.decimals) or nil end
    local council_name = own_row and own_row.name or fw.council
    local stats = {
      group = group, group_title = gtitle, n = bm.n, members = #members,
      median = #vs > 0 and bm.median or nil, q1 = pct(0.25), q3 = pct(0.75),
      england = eng, council = fw.council, council_name = council_name,
      council_value = own_row and own_row.value, council_rank = own_row and own_row.rank,
      polarity = polarity, unit = k.unit, decimals = k.decimals, note = note,
    }
    stats.median_display, stats.q1_display, stats.q3_display = disp(stats.median), disp(stats.q1), disp(stats.q3)
    stats.england_display = disp(eng)
    local facts = {}
    if own_row then
      facts[#facts + 1] = council_name .. " (this council): " .. (own_row.display or "no data") ..
        (own_row.rank and (", ranked " .. own_row.rank .. " of " .. bm.n .. (polarity == "down" and " (1 = lowest)" or " (1 = highest)")) or "")
    end
    if stats.median then facts[#facts + 1] = "Group median: " .. stats.median_display ..
      "; middle half of the group (quartiles): " .. stats.q1_display .. " to " .. stats.q3_display end
    facts[#facts + 1] = "England: " .. (stats.england_display or "no figure")
    facts[#facts + 1] = "Areas with figures: " .. bm.n .. " of " .. #members
    if note then facts[#facts + 1] = "No ranks: " .. note end
    return {
      title = "Benchmark " .. id .. ": " .. (k.title or id),
      subtitle = "Comparator group: " .. gtitle .. " (n = " .. tostring(bm.n) .. ")",
      facts = facts, benchmark = stats, chart = { kind = "benchmark" },
      columns = { col("rank", "Rank", "rank1"), col("name", "Area", "area"), col("area", "Code"),
                  rated_col(), col("value", "Value", "value"), col("quartile", "Quartile", "number") },
      rows = rows,
    }
  end,
}
