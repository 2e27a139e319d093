-- examples/lib/generate_rows.lua: the example data generator's writing: every figure of
-- the model as a row (with gaps, provisional flags, revisions and breakdowns), bucketed by
-- the date it was recorded and written through the importer; then commentary, action
-- updates, risk assessments and a sign-off.  Used by generate.lua (see its header).
--
--   make_rows(g, summary)          the rows, into g.buckets by recording date
--   write_buckets(g, opts)         -> figures written, batches: one import per date
--   extras(g, opts, summary)       commentary, actions, risks, one sign-off per framework
--
-- Decisions: each recording date's rows are one import (a long-form CSV in a temporary
-- file through pmf.import; without the importer, store:observe), all inside the caller's
-- transaction; gaps and publication lags belong to a return, so a numerator shares its
-- denominator's.
local pmf = require "pmf"
local defs = require "generate_model"
local gen = require "generate_series"

local period = pmf.period

local M = {}

local ENGLAND, COMMENTARY, ACTION_NOTES = defs.ENGLAND, defs.COMMENTARY, defs.ACTION_NOTES
local month_label, month_end = defs.month_label, defs.month_end
local series, times, area, choose_rel = gen.series, gen.times, gen.area, gen.choose_rel
local categories, breakdown_value, round, decimals_of =
  gen.categories, gen.breakdown_value, gen.round, gen.decimals_of

-- ---- writing -------------------------------------------------------------------------------

-- Buckets of rows by recording date: each month's return a few working days after the
-- month (now and then late), each year's annual figures after the year.
local function recorded_at(g, m, t)
  local dates = g.rec[m.annual and "year" or "month"]
  if not dates then dates = {}; g.rec[m.annual and "year" or "month"] = dates end
  local d = dates[t]
  if d then return d end
  local r = defs.rng(g.seed, "recorded", m.annual and "year" or "month", t)
  local last = m.annual and t + 11 or t
  local wd = r:chance(0.12) and r:int(12, 16) or r:int(4, 9)
  d = period.add_working_days(month_end(last), wd)
  dates[t] = d
  return d
end

local format, mtype = string.format, math.type
local function fmt(v)
  if mtype(v) == "integer" then return tostring(v) end
  return format("%.12g", v)
end

-- A row is kept as its CSV line: metric,area,period,value,breakdown,flag,numerator,
-- denominator (no field holds a comma or a quote), made from the fields themselves (no
-- table per row: there are a quarter of a million).
local function add_row(g, date, metric, area_code, label, value, breakdown, flag, num, den)
  local b = g.buckets[date]
  if not b then
    b = { date = date, rows = {}, n = 0 }
    g.buckets[date] = b
    g.bucket_order[#g.bucket_order + 1] = date
  end
  local n = b.n + 1
  b.n = n
  b.rows[n] = metric .. "," .. area_code .. "," .. label .. "," .. fmt(value) ..
              "," .. (breakdown or "") .. "," .. (flag or "") ..
              (num and ("," .. fmt(num) .. "," .. fmt(den)) or ",,")
end

local function row_fields(line)
  local m, a, p, v, bd, fl, num, den =
    line:match("^([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)$")
  return { metric = m, area = a, period = p, value = tonumber(v),
           breakdown = bd ~= "" and bd or nil, flag = fl ~= "" and fl or nil,
           numerator = tonumber(num), denominator = tonumber(den) }
end

-- A figure of a metric with the ratio rule is stored as numerator and denominator (the
-- series engine adds them up over a period) and value = numerator / denominator, the
-- engine's own rule: the proportion v (a percentage when the unit is "%") of a count that
-- scales with the area.
local function ratio_parts(g, m, code, key, t, v, share)
  local r = defs.rng(g.seed, "ratioden", m.id, code, key or "", t)
  local level = area(g, code).pop / 1000 * 1.5 * (m.annual and 12 or 1) * (share or 1)
  local den = math.max(1, round(level * (1 + r:normal(0, 0.05)), 0))
  local p = m.unit == "%" and v / 100 or v
  local num = math.max(0, round(p * den, 0))
  if m.unit == "%" and num > den then num = den end
  return num / den, num, den
end

-- Write the buckets in date order through the importer (or store:observe).
local function write_buckets(g, opts)
  table.sort(g.bucket_order)
  local s = g.s
  local importer = rawget(pmf, "importer") and pmf.import
  local total, batches = 0, 0
  for _, date in ipairs(g.bucket_order) do
    local b = g.buckets[date]
    local at = date .. "T09:00:00"
    if importer then
      local path = os.tmpname()
      local f = assert(io.open(path, "wb"))
      f:write("metric,area,period,value,breakdown,flag,numerator,denominator\n")
      f:write(table.concat(b.rows, "\n"), "\n")
      f:close()
      local ci = os.clock()
      local res, err, errs = pmf.import(path, { store = s, format = "long", at = at,
                                                by = opts.by, source = g.source, year_start = 4,
                                                name = g.source })   -- not the random path
      os.remove(path)
      g.import_cpu = (g.import_cpu or 0) + os.clock() - ci
      if not res then
        error("generate: import of the " .. date .. " batch failed: " .. tostring(err) ..
              (errs and errs[2] and ("\n" .. table.concat(errs, "\n", 2)) or ""), 0)
      end
      total = total + (res.new or 0) + (res.revised or 0)
    else
      local batch = s:batch{ kind = "import", by = opts.by, at = at, source = g.source }
      for _, line in ipairs(b.rows) do
        local r = row_fields(line)
        local st = s:observe{ metric = r.metric, area = r.area, period = r.period, value = r.value,
                              breakdown = r.breakdown, flags = r.flag, batch = batch,
                              numerator = r.numerator, denominator = r.denominator }
        if st ~= "unchanged" then total = total + 1 end
      end
    end
    batches = batches + 1
  end
  return total, batches
end

-- ---- run -------------------------------------------------------------------------------------

-- A period's label, made once per time (every metric and area asks again).
local labels = { [true] = {}, [false] = {} }
local function label_of(t, annual)
  local l = labels[annual][t]
  if not l then
    l = annual and tostring(period.span(t, 12)) or month_label(t)
    labels[annual][t] = l
  end
  return l
end

-- The metric whose return a metric's figures come with: a ratio's numerator follows its
-- denominator, down the chain.
local function gap_root(g, m, code, depth)
  local rel = choose_rel(g, m, code)
  if rel and rel.kind == "ratio" and (depth or 0) < 8 then
    local den = g.model.metrics[rel.other]
    if den and den.annual == m.annual then return gap_root(g, den, code, (depth or 0) + 1) end
  end
  return m.id
end

-- Rows for every metric, area and time; breakdowns for councils; gaps, flags, revisions.
local function make_rows(g, summary)
  local model = g.model
  local m_last_q = g.m1 - ((g.m1 - 3 + 1) % 3)       -- last month of the last whole quarter
  -- The revision dates: the latest months restated some weeks after they were first
  -- recorded; an older quarter restated in a later month.
  local late_date = period.add_working_days(month_end(g.m1), 35)
  local old_q_end = m_last_q - 9                      -- three quarters before the last
  local old_date = period.add_working_days(month_end(old_q_end), 45)
  g.revise_old = { from = old_q_end - 2, to = old_q_end, date = old_date }
  g.revise_late = { from = g.m1 - 1, to = g.m1, date = late_date }
  summary.revised_as_of = { old_date, late_date }
  for _, id in ipairs(model.metric_order) do
    local m = model.metrics[id]
    local ts = times(g, m)
    for _, code in ipairs(m.areas) do
      local vals = series(g, m, code)
      local is_council = model.councils[code] ~= nil
      local r = defs.rng(g.seed, "rows", id, code)
      -- Gaps and publication lags belong to a return, not a figure: a numerator shares its
      -- denominator's (so a percentage is never made of mismatched months).
      local root = gap_root(g, m, code)
      local rg = defs.rng(g.seed, "lag", root, code)
      local lag = (not is_council and code ~= ENGLAND and rg:chance(0.25)) and rg:int(1, 3) or 0
      local gap_p = is_council and 0.004 or 0.015
      local rgap = defs.rng(g.seed, "gap", root, code)     -- one draw per time, in time order
      local revise_old = is_council and r:chance(0.12)
      local revise_late = r:chance(is_council and 0.35 or 0.1)
      -- Restatements are small for snapshots (budgets, stocks), larger for counts.
      local rev_sd = m.agg == "sum" and 0.03 or 0.004
      local crel = choose_rel(g, m, code)
      local cap_rel = crel and crel.kind == "ratio" and crel.proportion and
                      g.model.metrics[crel.other]
      if cap_rel and cap_rel.annual ~= m.annual then cap_rel = nil end
      for i, t in ipairs(ts) do
        local v = vals[i]
        local tend = m.annual and t + 11 or t
        local missing = rgap:chance(gap_p)
        local gap = missing or (not m.annual and tend > g.m1 - lag)
        if v and not gap then
          local dec = decimals_of(m, v)
          local value = round(v, dec)
          local flag = nil
          if (not m.annual and tend >= g.m1 - 1) or (m.annual and tend >= g.m1 - 6 and r:chance(0.5)) then
            flag = "provisional"
          end
          local label = label_of(t, m.annual)
          local rdate = recorded_at(g, m, t)
          if m.agg == "ratio" then
            local rval, num, den = ratio_parts(g, m, code, nil, t, v)
            add_row(g, rdate, id, code, label, rval, nil, flag, num, den)
          else
            add_row(g, rdate, id, code, label, value, nil, flag)
          end
          summary.observations = summary.observations + 1
          -- Revisions: a restated figure in a later batch.
          local rv
          if revise_late and flag and not m.annual and tend >= g.revise_late.from then
            rv = g.revise_late.date
          elseif revise_old and not m.annual and t >= g.revise_old.from and t <= g.revise_old.to then
            rv = g.revise_old.date
          end
          if rv and m.agg ~= "ratio" then
            -- Restated upwards, except numerators, which stay within their denominator.
            local nv = round(v * (1 + math.abs(r:normal(0, rev_sd))) +
                             ((dec == 0 and v < 1000) and r:int(0, 2) or 0), dec)
            if cap_rel then
              local dv = series(g, cap_rel, code)[i]
              if dv then nv = math.min(nv, round(dv, decimals_of(cap_rel, dv))) end
            end
            if m.unit == "%" then nv = math.min(math.max(nv, 0), 100) end
            if nv < 0 then nv = 0 end
            add_row(g, rv, id, code, label, nv)
            summary.revisions = summary.revisions + 1
          end
          -- Breakdown rows for the council of a KPI with breakdowns.
          local bd = m.breakdowns[code]
          if bd then
            for _, dim in ipairs(bd.dims) do
              for _, c in ipairs(categories(g, code, dim, bd.age)) do
                if m.agg == "ratio" then
                  local bv, bnum, bden = ratio_parts(g, m, code, c.key, t, v, c.share)
                  add_row(g, rdate, id, code, label, bv, c.key, flag, bnum, bden)
                else
                  add_row(g, rdate, id, code, label, breakdown_value(g, m, code, c, i, v, dec), c.key, flag)
                end
                summary.breakdown_rows = summary.breakdown_rows + 1
              end
            end
          end
        end
      end
    end
  end
end

-- Commentary for some red/amber KPIs, action updates, risk assessments, one sign-off.
local function extras(g, opts, summary)
  local s = g.s
  local m_last_q = g.m1 - ((g.m1 - 3 + 1) % 3)
  local q_last = tostring(period.span(m_last_q - 2, 3))
  local q_prev = tostring(period.span(m_last_q - 5, 3))
  local last_month = month_label(g.m1)
  local signoff_date = period.add_working_days(month_end(m_last_q - 3), 25)
  local end_date = period.add_working_days(month_end(g.m1), 20)
  local has_kpi = pcall(function() return pmf.kpi.exceptions end)
  local function comment_period(fw, label, date, ok_kpi)
    if not has_kpi then return end
    local good, rows = pcall(pmf.kpi.exceptions, { store = s, framework = fw, period = label,
                                                   benchmark = false })
    if not good or type(rows) ~= "table" then return end
    for _, row in ipairs(rows) do
      local r = defs.rng(g.seed, "comment", fw.id, row.kpi, label)
      if (not ok_kpi or ok_kpi(row.kpi)) and r:chance(0.6) then
        s:comment{ framework = fw.id, kpi = row.kpi, period = label, area = row.area,
                   text = r:pick(COMMENTARY), by = opts.by, at = date .. "T10:00:00" }
        summary.comments = summary.comments + 1
      end
    end
  end
  local stored = {}
  for _, f in ipairs(pmf.framework.list(s)) do stored[f.id] = true end
  for _, fw in ipairs(g.model.frameworks) do
    local loaded = stored[fw.id]
    if fw.council and s:area_id(fw.council) then
      comment_period(fw, q_prev, period.add_working_days(month_end(m_last_q - 3), 12))
      comment_period(fw, q_last, period.add_working_days(month_end(m_last_q), 12))
      comment_period(fw, last_month, period.add_working_days(month_end(g.m1), 12), function(k)
        return fw.kpis[k] and fw.kpis[k].frequency == "monthly"
      end)
    end
    -- Action updates: quarterly, through to completion (or slippage) by the due date.
    for _, aid in ipairs(fw.action_order or {}) do
      local a = fw.actions[aid]
      local r = defs.rng(g.seed, "action", fw.id, aid)
      local due = a.due or end_date
      local start = a.start or period.add_working_days(due, -400)
      local until_ = period.add_working_days(due, 70)
      local all = {}
      for q = g.m0 + 2, g.m1, 3 do
        local d = period.add_working_days(month_end(q), 10)
        if d >= start and d <= until_ then all[#all + 1] = d end
      end
      if #all == 0 then all[1] = period.add_working_days(month_end(g.m0 + 2), 10) end
      local dates = {}
      local step = math.max(1, math.ceil(#all / 6))
      for k = #all, 1, -step do table.insert(dates, 1, all[k]) end
      local slips = r:chance(0.25)
      local state, progress = "not_started", 0
      for k, d in ipairs(dates) do
        local frac = k / #dates
        if d >= due then
          state = slips and (r:chance(0.5) and "off_track" or "deferred") or "complete"
          progress = state == "complete" and 100 or math.floor(70 + 20 * r:uniform())
        else
          progress = math.min(95, math.max(progress, math.floor(90 * frac + 8 * r:uniform())))
          state = (slips and frac > 0.5) and "at_risk" or "on_track"
        end
        s:action_update{ framework = fw.id, action = aid, status = state, progress = progress,
                         date = d, note = ACTION_NOTES[state], by = opts.by,
                         at = d .. "T11:00:00" }
        summary.action_updates = summary.action_updates + 1
        if state == "complete" or state == "deferred" then break end
      end
    end
    -- Risk assessments: quarterly over the last two years, a gentle random walk.
    for _, rid in ipairs(fw.risk_order or {}) do
      local rk = fw.risks[rid]
      local r = defs.rng(g.seed, "risk", fw.id, rid)
      local l, i = rk.likelihood or 3, rk.impact or 3
      for q = math.max(g.m0 + 2, g.m1 - 23), g.m1, 3 do
        local d = period.add_working_days(month_end(q), 8)
        if r:chance(0.4) then l = math.min(5, math.max(1, l + (r:chance(0.5) and 1 or -1))) end
        if r:chance(0.15) then i = math.min(5, math.max(1, i + (r:chance(0.5) and 1 or -1))) end
        s:risk_assess{ framework = fw.id, risk = rid, likelihood = l, impact = i, date = d,
                       note = "Quarterly review.", by = opts.by, at = d .. "T12:00:00" }
        summary.risk_assessments = summary.risk_assessments + 1
      end
    end
    -- Sign off the quarter before the last (its figures were final by then).
    if loaded and not s:is_signed_off(fw.id, q_prev) then
      s:signoff(fw.id, q_prev, { by = opts.by, note = "Signed off for Cabinet (generated example)",
                                 at = signoff_date .. "T16:00:00" })
      summary.signoffs[#summary.signoffs + 1] = fw.id .. " " .. q_prev
    end
  end
end

M.make_rows, M.write_buckets, M.extras = make_rows, write_buckets, extras

return M
