-- frameworks/south_staffordshire_test.lua: tests of the South Staffordshire integrated PMF
-- (`pmf test frameworks/south_staffordshire_test.lua`).  Expected values worked by hand.

test "Integrated finance and performance, 2025/26 Q1 and Q2" {
  framework = "south_staffordshire.lua",
  area = "E07000196",
  series = {
    revenue_budget = { ["2025/26 Q1"] = 15000000 },
    revenue_outturn = { ["2025/26 Q1"] = 14850000 },
    capital_budget = { ["2025/26 Q1"] = 10000000, ["2025/26 Q2"] = 10000000 },
    capital_forecast_outturn = { ["2025/26 Q1"] = 8600000, ["2025/26 Q2"] = 9600000 },
    council_tax_due = { ["2025/26 Q1"] = 10000000 },
    council_tax_collected = { ["2025/26 Q1"] = 9790000 },
    residual_household_waste_tonnes = { ["2025/26 Q1"] = 4400 },
    households = { ["2025/26 Q1"] = 44000 },
  },
  expect = {
    -- (14.85m - 15m) / 15m = -1%: an underspend, at or under the 0 target -> green
    { kpi = "FIN01", period = "2025/26 Q1", value = -1, rag = "green" },
    -- capital (8.6m - 10m) / 10m = -14%: below the band -10..5 by 4, within the
    -- tolerance of 5 -> amber
    { kpi = "FIN02", period = "2025/26 Q1", value = -14, rag = "amber" },
    -- Q2: -4% is inside the band -> green, and nearer the band than Q1 -> better
    { kpi = "FIN02", period = "2025/26 Q2", value = -4, rag = "green", dot_prev = "better" },
    -- 9.79m / 10m = 97.9%: under 98, at least 97.5 -> amber
    { kpi = "FIN03", period = "2025/26 Q1", value = 97.9, rag = "amber" },
    -- 4,400 t * 1000 / 44,000 households = 100 kg: on the target -> green
    { kpi = "COM02", period = "2025/26 Q1", value = 100, rag = "green" },
    { exceptions = { "FIN02", "FIN03" }, period = "2025/26 Q1" },
  },
}

test "Embracing Technology, monthly, with a by-year target" {
  framework = "south_staffordshire.lua",
  series = {
    online_transactions = { ["2025-04"] = 7200, ["2025-05"] = 6400 },
    customer_transactions = { ["2025-04"] = 10000, ["2025-05"] = 10000 },
    contact_centre_calls_offered = { ["2025-05"] = 5000 },
    contact_centre_calls_answered = { ["2025-05"] = 4700 },
  },
  commentary = {
    { kpi = "TEC01", period = "2025-05", text = "Online forms unavailable for a week during the platform upgrade." },
  },
  expect = {
    -- 7,200 / 10,000 = 72% against the 2025/26 target 70 -> green
    { kpi = "TEC01", period = "2025-04", value = 72, target = 70, rag = "green" },
    -- 64%: under 70 - 5 = 65 -> red; worse than April; commented on
    { kpi = "TEC01", period = "2025-05", value = 64, rag = "red", prev = 72, dot_prev = "worse",
      commentary_required = false },
    -- 4,700 / 5,000 = 94%: at least the 92% target -> green
    { kpi = "TEC03", period = "2025-05", value = 94, rag = "green" },
    { exceptions = { "TEC01" }, period = "2025-05" },
  },
}

test "Half-yearly and annual measures" {
  framework = "south_staffordshire.lua",
  series = {
    member_training_attended = { ["2025/26 H1"] = 45 },
    member_training_places = { ["2025/26 H1"] = 60 },
    net_additional_dwellings = { ["2023/24"] = 300, ["2024/25"] = 240 },
  },
  expect = {
    -- 45 / 60 = 75%: on the target -> green
    { kpi = "WF04", period = "2025/26 H1", value = 75, rag = "green" },
    -- 240 homes: under 250, at least 250 - 15% (212.5) -> amber; fewer than 300 last year
    { kpi = "COM06", period = "2024/25", value = 240, rag = "amber", prev = 300,
      dot_prev = "worse" },
  },
}
