-- frameworks/sandwell_test.lua: tests of the Sandwell PMF (`pmf test frameworks/sandwell_test.lua`).
-- Fixture figures in, the ratings the framework's (illustrative) targets and tolerances must
-- give out.  Every expected number is worked by hand in the comment beside it.

test "Organisational Health, 2025/26 Q1" {
  framework = "sandwell.lua",
  area = "E08000028",
  series = {
    staff_sickness_days = { ["2024/25 Q1"] = 2800, ["2024/25 Q4"] = 2400, ["2025/26 Q1"] = 2600 },
    staff_fte = { ["2024/25 Q1"] = 1000, ["2024/25 Q4"] = 1000, ["2025/26 Q1"] = 1000 },
    staff_leavers = { ["2025/26 Q1"] = 25 },
    staff_headcount = { ["2025/26 Q1"] = 1000 },
    staff_ethnic_minority = { ["2025/26 Q1"] = 310 },
    sandwell_pulse_positive = { ["2025/26 Q1"] = 580 },
    sandwell_pulse_responses = { ["2025/26 Q1"] = 1000 },
  },
  commentary = {
    { kpi = "OH01", period = "2025/26 Q1", text = "Seasonal respiratory illness; wellbeing offer refreshed." },
  },
  expect = {
    -- 2,600 days / 1,000 FTE = 2.6: over the 2.5 target, within 10% (2.75) -> amber;
    -- previous quarter 2.4 (lower is better: worse), a year ago 2.8 (better)
    { kpi = "OH01", period = "2025/26 Q1", value = 2.6, target = 2.5, rag = "amber",
      prev = 2.4, dot_prev = "worse", last_year = 2.8, dot_year = "better",
      commentary_required = false },
    -- 25 / 1,000 = 2.5%: under the 3% target (polarity down) -> green
    { kpi = "OH02", period = "2025/26 Q1", value = 2.5, rag = "green" },
    -- pulse check 580 / 1,000 = 58%: under 65 - 5 = 60 -> red, and no commentary yet
    { kpi = "OH03", period = "2025/26 Q1", value = 58, rag = "red", commentary_required = true },
    -- 310 / 1,000 = 31%: at least the 30% target -> green
    { kpi = "OH05", period = "2025/26 Q1", value = 31, rag = "green" },
    -- no appraisal figures -> no data
    { kpi = "OH04", period = "2025/26 Q1", value = none, rag = "no_data" },
    { exceptions = { "OH01", "OH03" }, period = "2025/26 Q1" },
  },
}

test "Customer Experience and Finance, June 2025" {
  framework = "sandwell.lua",
  series = {                                   -- area: the framework's council (Sandwell)
    complaints_received = { ["2025-06"] = 200 },
    complaints_responded_on_time = { ["2025-06"] = 176 },
    contact_centre_calls_offered = { ["2025-06"] = 10000 },
    contact_centre_calls_answered = { ["2025-06"] = 9600 },
    revenue_budget = { ["2025-06"] = 250000000 },
    revenue_outturn = { ["2025-06"] = 253000000 },
    council_tax_due = { ["2025-06"] = 10000000 },
    council_tax_collected = { ["2025-06"] = 9500000 },
  },
  expect = {
    -- 176 / 200 = 88%: under 90, at least 85 -> amber
    { kpi = "CE01", period = "2025-06", value = 88, rag = "amber" },
    -- a count with no target: data only
    { kpi = "CE02", period = "2025-06", value = 200, rag = "data_only" },
    -- 9,600 / 10,000 = 96%: at least 90 + 5 (blue margin) -> blue
    { kpi = "CE03", period = "2025-06", value = 96, rag = "blue" },
    -- (253m - 250m) / 250m = +1.2% forecast overspend: over 0 + 1 -> red
    { kpi = "FC01", period = "2025-06", value = 1.2, rag = "red" },
    -- 9.5m / 10m = 95%: the 2025/26 target is 95.5 (a by-year target), tolerance 1 -> amber
    { kpi = "FC03", period = "2025-06", value = 95, target = 95.5, rag = "amber" },
    { exceptions = { "CE01", "FC01", "FC03" }, period = "2025-06" },
  },
}

test "Recycling: the target steps up from 2025/26 (change)" {
  framework = "sandwell.lua",
  series = {
    household_waste_recycled_tonnes = { ["2024/25 Q4"] = 9000, ["2025/26 Q1"] = 9000 },
    household_waste_total_tonnes = { ["2024/25 Q4"] = 25000, ["2025/26 Q1"] = 25000 },
  },
  expect = {
    -- 9,000 / 25,000 = 36%: the original target 35 -> green
    { kpi = "CP16", period = "2024/25 Q4", value = 36, target = 35, rag = "green" },
    -- the same 36% against the new target 37 (tolerance 3) -> amber; no change since Q4
    { kpi = "CP16", period = "2025/26 Q1", value = 36, target = 37, rag = "amber",
      dot_prev = "same" },
  },
}

test "Annual measures, 2024/25" {
  framework = "sandwell.lua",
  series = {
    capital_spend = { ["2024/25"] = 42500000 },
    capital_budget = { ["2024/25"] = 50000000 },
    care_home_admissions_65_plus = { ["2024/25"] = 330 },
    population_65_plus = { ["2024/25"] = 50000 },
    net_additional_dwellings = { ["2024/25"] = 500 },
    adults_physically_active = { ["2022/23"] = 560, ["2024/25"] = 580 },
    adults_activity_respondents = { ["2022/23"] = 1000, ["2024/25"] = 1000 },
  },
  expect = {
    -- 42.5m / 50m = 85%: on the target -> green
    { kpi = "FC02", period = "2024/25", value = 85, rag = "green" },
    -- 330 / 50,000 * 100,000 = 660: target 600 + 10% (60) = 660, on the amber edge -> amber
    { kpi = "CP03", period = "2024/25", value = 660, rag = "amber" },
    -- 500 homes: target 650 - 15% (97.5) = 552.5 -> red
    { kpi = "CP12", period = "2024/25", value = 500, rag = "red" },
    -- baseline 2022/23 = 56%, target +2% of it = 57.12; 58% -> green
    { kpi = "CP05", period = "2024/25", value = 58, target = 57.12, rag = "green" },
  },
}
