-- frameworks/dudley_test.lua: fixtures in, ratings out, for frameworks/dudley.lua
-- (run: pmf test frameworks/dudley_test.lua).
--
-- Every expected value is worked by hand from the fixture figures and the framework's
-- (illustrative) targets and tolerances.  Rules used: polarity up is green at or above the
-- target, amber down to target - tolerance, red below; polarity down mirrors it; a
-- tolerance "5%" is 5% of the target, a number is absolute.  Quarters are 2025/26 Q1 and Q2
-- with 2024/25 Q2 for the same period last year.

test "dudley_2025_26_q1_q2" {
  framework = "dudley.lua",
  area = "E08000027",
  series = {
    -- OPP01 EHCPs within 20 weeks: target 60, tolerance 10% (amber from 54).
    ehcp_issued          = { ["2024/25 Q2"] = 50, ["2025/26 Q1"] = 50, ["2025/26 Q2"] = 40 },
    ehcp_issued_20_weeks = { ["2024/25 Q2"] = 20, ["2025/26 Q1"] = 30, ["2025/26 Q2"] = 22 },
    -- OPP02 children in care per 10,000: target 100 (down), tolerance 5% (amber to 105).
    children_in_care = { ["2024/25 Q2"] = 660, ["2025/26 Q1"] = 680, ["2025/26 Q2"] = 700 },
    population_0_17  = { ["2024/25 Q2"] = 64000, ["2025/26 Q1"] = 65000, ["2025/26 Q2"] = 65000 },
    -- SH01 recycling: target 40, tolerance 5% (amber from 38).
    household_waste_recycled_tonnes = { ["2024/25 Q2"] = 13000, ["2025/26 Q1"] = 11000,
                                        ["2025/26 Q2"] = 12000 },
    household_waste_total_tonnes    = { ["2024/25 Q2"] = 28000, ["2025/26 Q1"] = 28000,
                                        ["2025/26 Q2"] = 28000 },
    -- SH02 fly-tipping: target 900 (down), tolerance 10% (amber to 990).
    fly_tipping_incidents = { ["2025/26 Q1"] = 1000, ["2025/26 Q2"] = 850 },
    -- FC02 sickness days per FTE: target 2.5 (down), tolerance 10% (amber to 2.75).
    staff_sickness_days = { ["2025/26 Q1"] = 7200, ["2025/26 Q2"] = 8100 },
    staff_fte           = { ["2025/26 Q1"] = 3000, ["2025/26 Q2"] = 3000 },
    -- FC03 budget variance: target 0 (down), tolerance £1m absolute.
    revenue_budget  = { ["2025/26 Q1"] = 300000000, ["2025/26 Q2"] = 300000000 },
    revenue_outturn = { ["2025/26 Q1"] = 300800000, ["2025/26 Q2"] = 301500000 },
    -- DEST03 rent collected: target 98, tolerance 1 point (amber from 97).
    council_rent_due       = { ["2025/26 Q2"] = 25000000 },
    council_rent_collected = { ["2025/26 Q2"] = 24300000 },
    -- SH05 smoking prevalence (annual): target 13 (down), tolerance 5% (amber to 13.65).
    adults_smoking_pct = { ["2024/25"] = 15.0, ["2025/26"] = 13.5 },
    -- FC06 estate emissions: baseline 2024/25 less 5% = 9500 (down), tolerance 2% of 9500
    -- = 190 (amber to 9690).
    dudley_estate_emissions_tco2e = { ["2024/25"] = 10000, ["2025/26"] = 9600 },
  },
  commentary = {
    { kpi = "DEST03", period = "2025/26 Q2",
      text = "Cost of living pressures; arrears recovery plan in place." },
  },
  expect = {
    -- 22 / 40 = 55.0% (amber); Q1 30 / 50 = 60% (worse); last year 20 / 50 = 40% (better).
    { kpi = "OPP01", period = "2025/26 Q2", value = 55, display = "55.0%", rag = "amber",
      prev = 60, dot_prev = "worse", last_year = 40, dot_year = "better",
      commentary_required = true },
    { kpi = "OPP01", period = "2025/26 Q1", value = 60, rag = "green" },
    -- 700 / 65000 x 10000 = 107.69 (red); Q1 104.62 (amber); last year 103.125: both worse.
    { kpi = "OPP02", period = "2025/26 Q2", value = 107.6923077, rag = "red",
      dot_prev = "worse", dot_year = "worse", tolerance = 1e-4 },
    { kpi = "OPP02", period = "2025/26 Q1", value = 104.6153846, rag = "amber", tolerance = 1e-4 },
    -- 12000 / 28000 = 42.86% (green); Q1 39.29% (amber, better now); last year 46.43% (worse).
    { kpi = "SH01", period = "2025/26 Q2", value = 42.8571429, rag = "green",
      dot_prev = "better", dot_year = "worse", commentary_required = false, tolerance = 1e-4 },
    { kpi = "SH01", period = "2025/26 Q1", value = 39.2857143, rag = "amber", tolerance = 1e-4 },
    -- 850 incidents (green, fewer: better); Q1 1000 is beyond 990 (red).
    { kpi = "SH02", period = "2025/26 Q2", value = 850, display = "850", rag = "green",
      dot_prev = "better" },
    { kpi = "SH02", period = "2025/26 Q1", value = 1000, rag = "red" },
    -- 8100 / 3000 = 2.70 days (amber); Q1 2.40 (green).
    { kpi = "FC02", period = "2025/26 Q2", value = 2.7, display = "2.70 days", rag = "amber",
      dot_prev = "worse" },
    { kpi = "FC02", period = "2025/26 Q1", value = 2.4, rag = "green" },
    -- £1.5m over budget (red); Q1 £0.8m over (amber).
    { kpi = "FC03", period = "2025/26 Q2", value = 1500000, display = "£1,500,000", rag = "red",
      dot_prev = "worse" },
    { kpi = "FC03", period = "2025/26 Q1", value = 800000, rag = "amber" },
    -- 24.3m / 25m = 97.2% (amber) with commentary given.
    { kpi = "DEST03", period = "2025/26 Q2", value = 97.2, rag = "amber",
      commentary_required = false },
    -- Annual: 13.5% (amber, down to 13.65); 2024/25 15.0%: better.
    { kpi = "SH05", period = "2025/26", value = 13.5, rag = "amber", dot_year = "better" },
    { kpi = "SH05", period = "2024/25", value = 15, rag = "red" },
    { kpi = "FC06", period = "2025/26", value = 9600, target = 9500, rag = "amber",
      dot_prev = "better" },
    -- No figures: no data.
    { kpi = "AMB01", period = "2025/26 Q2", value = none, rag = "no_data" },
    -- Below target (amber) and red both need exception commentary.  A quarterly report shows
    -- annual KPIs for the last full year (2024/25): SH05 at 15% is red, and FC06's 2024/25
    -- figure is measured against its own baseline less 5%, so it is off target too.
    { exceptions = { "OPP01", "OPP02", "FC02", "FC03", "DEST03", "SH05", "FC06" }, period = "2025/26 Q2" },
    { exceptions = { "OPP02", "SH01", "SH02", "FC03", "SH05", "FC06" }, period = "2025/26 Q1" },
  },
}

-- Several councils in one store: Sandwell's figures are rated for Sandwell (by Dudley's
-- framework, on request) and do not leak into Dudley's own rating.
test "dudley_other_areas_do_not_leak" {
  framework = "dudley.lua",
  series = {
    household_waste_recycled_tonnes = { ["2025/26 Q3"] = 9000 },
    household_waste_total_tonnes    = { ["2025/26 Q3"] = 25000 },
  },
  areas = {
    E08000028 = {
      household_waste_recycled_tonnes = { ["2025/26 Q3"] = 12000 },
      household_waste_total_tonnes    = { ["2025/26 Q3"] = 24000 },
    },
  },
  expect = {
    -- 9000 / 25000 = 36.0%: below 38, red; no previous quarter: no direction.
    { kpi = "SH01", period = "2025/26 Q3", value = 36, rag = "red", dot_prev = none },
    { kpi = "SH01", period = "2025/26 Q3", area = "E08000028", value = 50, rag = "green" },
  },
}
