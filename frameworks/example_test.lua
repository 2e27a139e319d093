-- frameworks/example_test.lua: the example framework's tests (`pmf test frameworks/example_test.lua`).
-- Fixture figures go in; the ratings the framework should give come out.
test "example, 2025/26 Q1" {
  framework = "example.lua",                  -- relative to this file
  area = "E08000027",                         -- Dudley
  series = {
    household_waste_total_tonnes = { ["2025-04"] = 8000, ["2025-05"] = 8200, ["2025-06"] = 7800 },  -- 24,000 t
    household_waste_recycled_tonnes = { ["2025-04"] = 3000, ["2025-05"] = 3100, ["2025-06"] = 3200 },  -- 9,300 t
    population_all = { ["2025-04"] = 320000, ["2025-05"] = 320000, ["2025-06"] = 320000 },
  },
  expect = {
    -- 9,300 / 24,000 = 38.75%: under the 40% target, within 5% of it -> amber
    { kpi = "EX01", period = "2025/26 Q1", value = 38.75, rag = "amber", target = 40 },
    -- 24,000 t * 1000 / 320,000 people = 75 kg, under the 100 kg target -> green
    { kpi = "EX02", period = "2025/26 Q1", value = 75, rag = "green" },
    -- no target: data only
    { kpi = "EX03", period = "2025/26 Q1", value = 24000, rag = "data_only" },
    { exceptions = { "EX01" }, period = "2025/26 Q1" },
    { kpi = "EX01", period = "2025/26 Q1", commentary_required = true },
  },
}

test "example, the target rises from 2026/27" {
  framework = "example.lua",
  series = {                                   -- area defaults to the framework's council
    household_waste_total_tonnes = { ["2026-04"] = 10000, ["2026-05"] = 10000, ["2026-06"] = 10000 },
    household_waste_recycled_tonnes = { ["2026-04"] = 4200, ["2026-05"] = 4200, ["2026-06"] = 4200 },
  },
  commentary = { { kpi = "EX01", period = "2026/27 Q1", text = "Food waste pilot delayed." } },
  expect = {
    -- 42% against the new 45% target (5% tolerance: amber from 42.75) -> red
    { kpi = "EX01", period = "2026/27 Q1", value = 42, target = 45, rag = "red",
      commentary = "Food waste pilot delayed.", commentary_required = false },
    { kpi = "EX02", period = "2026/27 Q1", value = none, rag = "no_data" },
  },
}
