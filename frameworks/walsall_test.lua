-- frameworks/walsall_test.lua: fixtures in, ratings out, for frameworks/walsall.lua
-- (run: pmf test frameworks/walsall_test.lua).
--
-- Every expected value is worked by hand from the fixture figures and the framework's
-- (illustrative) targets and tolerances.  Rules used: polarity up is green at or above the
-- target, amber down to target - tolerance, red below; polarity down mirrors it; a
-- tolerance "5%" is 5% of the target, a number is absolute; a KPI without a target is
-- data_only.  Quarters are 2025/26 Q1 and Q2, with 2024/25 Q2 for last year.

test "walsall_quarterly_2025_26" {
  framework = "walsall.lua",
  area = "E08000030",
  series = {
    -- TH03 EHCPs within 20 weeks: target 60, tolerance 10% (amber from 54).
    ehcp_issued          = { ["2025/26 Q1"] = 50, ["2025/26 Q2"] = 60 },
    ehcp_issued_20_weeks = { ["2025/26 Q1"] = 28, ["2025/26 Q2"] = 45 },
    -- TH07 recorded crime per 1,000 (quarter): target 28 (down), tolerance 5% (amber to 29.4).
    recorded_crime = { ["2024/25 Q2"] = 9000, ["2025/26 Q1"] = 8500, ["2025/26 Q2"] = 8000 },
    population_all = { ["2024/25 Q2"] = 288000, ["2025/26 Q1"] = 290000,
                       ["2025/26 Q2"] = 290000 },
    -- HW16 households in temporary accommodation: target 250 (down), 10% (amber to 275).
    households_temporary_accommodation = { ["2025/26 Q1"] = 260, ["2025/26 Q2"] = 280 },
    -- PB01 recycling: target 40, tolerance 5%.
    household_waste_recycled_tonnes = { ["2025/26 Q2"] = 10500 },
    household_waste_total_tonnes    = { ["2025/26 Q2"] = 25000 },
    -- PB05 EV charging devices: target 150 for 2025/26 (applies to its quarters), 10%.
    ev_charging_devices = { ["2025/26 Q2"] = 140 },
    -- CI06 sick days per FTE (quarter): target 2.4 (down), tolerance 10% (amber to 2.64).
    staff_sickness_days = { ["2025/26 Q2"] = 9000 },
    staff_fte           = { ["2025/26 Q2"] = 3600 },
    -- CI08 budget variance: target 0 (down), tolerance £1m.
    revenue_budget  = { ["2025/26 Q2"] = 280000000 },
    revenue_outturn = { ["2025/26 Q2"] = 279500000 },
    -- CI09 council tax collection: target 96, tolerance 1 point.
    council_tax_collected = { ["2025/26 Q2"] = 30000000 },
    council_tax_due       = { ["2025/26 Q2"] = 31000000 },
    -- TH12 residents supported (data only).
    walsall_connected_residents_supported = { ["2025/26 Q2"] = 5200 },
  },
  commentary = {
    { kpi = "HW16", period = "2025/26 Q2",
      text = "Demand up 12% on last year; new leased units from Q3 replace nightly lets." },
  },
  expect = {
    -- 45 / 60 = 75% (green); Q1 28 / 50 = 56% (amber).
    { kpi = "TH03", period = "2025/26 Q2", value = 75, rag = "green", prev = 56,
      dot_prev = "better" },
    { kpi = "TH03", period = "2025/26 Q1", value = 56, rag = "amber",
      commentary_required = true },
    -- 8000 / 290000 x 1000 = 27.59 (green); Q1 29.31 (amber); last year 31.25 (red).
    { kpi = "TH07", period = "2025/26 Q2", value = 27.5862069, display = "27.6 per 1,000",
      rag = "green", dot_prev = "better", last_year = 31.25, dot_year = "better",
      tolerance = 1e-4 },
    { kpi = "TH07", period = "2025/26 Q1", value = 29.3103448, rag = "amber", tolerance = 1e-4 },
    { kpi = "TH07", period = "2024/25 Q2", value = 31.25, rag = "red" },
    -- 280 households (red: beyond 275); Q1 260 (amber).  Commentary given for Q2.
    { kpi = "HW16", period = "2025/26 Q2", value = 280, rag = "red", dot_prev = "worse",
      commentary_required = false },
    { kpi = "HW16", period = "2025/26 Q1", value = 260, rag = "amber" },
    -- 10500 / 25000 = 42% (green).
    { kpi = "PB01", period = "2025/26 Q2", value = 42, display = "42.0%", rag = "green" },
    -- The 2025/26 target (150) applies to the quarter: 140 is amber (from 135).
    { kpi = "PB05", period = "2025/26 Q2", value = 140, target = 150, rag = "amber" },
    -- 9000 / 3600 = 2.5 days (amber).
    { kpi = "CI06", period = "2025/26 Q2", value = 2.5, display = "2.50 days", rag = "amber" },
    -- £0.5m under budget (green).
    { kpi = "CI08", period = "2025/26 Q2", value = -500000, display = "-£500,000",
      rag = "green" },
    -- 30m / 31m = 96.77% (green).
    { kpi = "CI09", period = "2025/26 Q2", value = 96.7741935, rag = "green", tolerance = 1e-4 },
    -- A volume measure without a target is data only.
    { kpi = "TH12", period = "2025/26 Q2", value = 5200, display = "5,200", rag = "data_only" },
    { kpi = "TH01", period = "2025/26 Q2", value = none, rag = "no_data" },
    { exceptions = { "HW16", "PB05", "CI06" }, period = "2025/26 Q2" },
    { exceptions = { "TH03", "TH07", "HW16" }, period = "2025/26 Q1" },
  },
}

test "walsall_annual_2025_26" {
  framework = "walsall.lua",
  series = {
    -- PI02 GVA: baseline 2024/25 + 3% = 6180; tolerance 2% of 6180 (amber from 6056.4).
    gva_all_industries = { ["2024/25"] = 6000, ["2025/26"] = 6100 },
    -- PI11 A roads good/acceptable (custom): 100 x (200 - 4) / 200 = 98% (green, target 97).
    a_roads_surveyed_km = { ["2024/25"] = 200, ["2025/26"] = 200 },
    a_roads_red_km      = { ["2024/25"] = 8, ["2025/26"] = 4 },
    -- TH10 election turnout (data only): 55000 / 200000 = 27.5%.
    election_votes_cast   = { ["2025/26"] = 55000 },
    electorate_registered = { ["2025/26"] = 200000 },
    -- HW06 smoking: target 13 (down), 5% (amber to 13.65).
    adults_smoking_pct = { ["2024/25"] = 13.2, ["2025/26"] = 14.1 },
  },
  expect = {
    { kpi = "PI02", period = "2025/26", value = 6100, target = 6180, rag = "amber",
      dot_prev = "better", tolerance = 1e-6 },
    -- 2024/25: 100 x 192 / 200 = 96% (amber, from 96); 2025/26 better.
    { kpi = "PI11", period = "2025/26", value = 98, rag = "green", prev = 96,
      dot_prev = "better" },
    { kpi = "PI11", period = "2024/25", value = 96, rag = "amber" },
    { kpi = "TH10", period = "2025/26", value = 27.5, rag = "data_only" },
    -- 14.1% is beyond 13.65: red, and worse than 13.2% (amber) the year before.
    { kpi = "HW06", period = "2025/26", value = 14.1, rag = "red", dot_prev = "worse",
      dot_year = "worse" },
    { kpi = "HW06", period = "2024/25", value = 13.2, rag = "amber" },
  },
}
