-- frameworks/wolverhampton_test.lua: tests of the City of Wolverhampton PMF
-- (`pmf test frameworks/wolverhampton_test.lua`).  Expected values worked by hand.

test "Stronger Communities, 2025/26 Q1, with small-number suppression" {
  framework = "wolverhampton.lua",
  area = "E08000031",
  series = {
    children_in_care = { ["2025/26 Q1"] = 660 },
    population_0_17 = { ["2025/26 Q1"] = 60000 },
    apprenticeship_starts = { ["2025/26 Q1"] = 3 },
    homelessness_prevented = { ["2024/25 Q1"] = 300, ["2025/26 Q1"] = 330 },
  },
  expect = {
    -- 660 / 60,000 * 10,000 = 110 per 10,000: on the target -> green
    { kpi = "SC01", period = "2025/26 Q1", value = 110, rag = "green" },
    -- 3 starts is under suppress_below = 5: withheld, never shown as a number
    { kpi = "SE03", period = "2025/26 Q1", value = none, display = "suppressed", rag = "no_data" },
    -- 330: under 350, at least 350 - 10% (315) -> amber; up on 300 a year ago -> better
    { kpi = "SC07", period = "2025/26 Q1", value = 330, rag = "amber", last_year = 300,
      dot_year = "better" },
    { exceptions = { "SC07" }, period = "2025/26 Q1" },
  },
}

test "Revise: effective-dated targets (change)" {
  framework = "wolverhampton.lua",
  series = {
    household_waste_recycled_tonnes = { ["2023/24 Q4"] = 4100, ["2024/25 Q1"] = 4100 },
    household_waste_total_tonnes = { ["2023/24 Q4"] = 10000, ["2024/25 Q1"] = 10000 },
    online_transactions = { ["2025-03"] = 5500, ["2025-06"] = 5500 },
    customer_transactions = { ["2025-03"] = 10000, ["2025-06"] = 10000 },
    fly_tipping_incidents = { ["2025-04"] = 480, ["2025-05"] = 510, ["2025-06"] = 510 },
  },
  expect = {
    -- 41% against the original 40% target -> green
    { kpi = "SC05", period = "2023/24 Q4", value = 41, target = 40, rag = "green" },
    -- from 2024/25 Q1 the target is 42 (tolerance 3 kept): 41 -> amber
    { kpi = "SC05", period = "2024/25 Q1", value = 41, target = 42, rag = "amber" },
    -- online 55% against 50 in March 2025 -> green
    { kpi = "CCC04", period = "2025-03", value = 55, target = 50, rag = "green" },
    -- from 2025/26 the target is 60 (tolerance 5): 55 is on the amber edge -> amber
    { kpi = "CCC04", period = "2025-06", value = 55, target = 60, rag = "amber" },
    -- 480 + 510 + 510 = 1,500 fly-tips in the quarter: over 1,350 + 10% (1,485) -> red
    { kpi = "SC06", period = "2025/26 Q1", value = 1500, rag = "red" },
    -- A monthly report shows the quarterly SC06 for the quarter ended by June (Q1): red.
    { exceptions = { "CCC04", "SC06" }, period = "2025-06" },
  },
}

test "Confident Capable Council, finance" {
  framework = "wolverhampton.lua",
  series = {
    revenue_budget = { ["2025-07"] = 280000000, ["2025-08"] = 280000000 },
    revenue_outturn = { ["2025-07"] = 282100000, ["2025-08"] = 281400000 },
    council_tax_due = { ["2025-08"] = 12000000 },
    council_tax_collected = { ["2025-08"] = 11460000 },
  },
  expect = {
    -- (282.1m - 280m) / 280m = +0.75%: over 0, within 1 -> amber
    { kpi = "CCC06", period = "2025-07", value = 0.75, rag = "amber" },
    -- +0.5% in August: still amber, and a smaller overspend -> better
    { kpi = "CCC06", period = "2025-08", value = 0.5, rag = "amber", dot_prev = "better" },
    -- 11.46m / 12m = 95.5%: at least the 95% target -> green
    { kpi = "CCC05", period = "2025-08", value = 95.5, rag = "green" },
  },
}
