-- frameworks/example.lua: a tiny, complete framework for the README's tutorial.
-- Dudley's waste and recycling, cut down to two levels, three catalogue metrics and three KPIs.
-- The targets are illustrative, not Dudley's own.
framework "example" {
  title = "Example: Dudley waste and recycling",
  council = "E08000027",                -- Dudley
  year_start = "April",
  levels = { "priority", "outcome" },   -- the council's own words, top-down
  comparator = "cipfa",                 -- Dudley's CIPFA nearest neighbours
  defaults = { frequency = "quarterly" },   -- every KPI's, unless it says otherwise
}

priority "environment" { title = "Dudley the borough of destinations" }
outcome "less_waste" { title = "Less waste, more recycling", parent = "environment" }

-- Who owns what, and who supplies which figures each quarter (`pmf returns` writes each
-- supplier a return workbook).  A KPI's, action's or risk's owner names one by id, name or role.
owner "waste" { name = "Sam Ashford", role = "Head of Waste Services", team = "Public Realm",
  email = "waste.performance@example.gov.uk",
  supplies = { "household_waste_recycled_tonnes", "household_waste_total_tonnes" } }
owner "performance" { name = "Priya Shah", role = "Corporate Performance Officer",
  team = "Strategy and Performance", email = "performance@example.gov.uk" }

-- The metrics come from the catalogue (frameworks/catalogue.lua): DEFRA's household waste
-- tonnages and ONS's mid-year population.  A metric of Dudley's own would be declared here.

kpi "EX01" {
  title = "Household waste sent for reuse, recycling or composting",
  parent = "less_waste",
  formula = pct("household_waste_recycled_tonnes", "household_waste_total_tonnes"),  -- "%", 1 dp
  polarity = "up", target = 40, tolerance = "5%",
  owner = "Head of Waste Services", directorate = "Public Realm", illustrative = true,
}

kpi "EX02" {
  title = "Household waste per resident (kg)",
  parent = "less_waste",
  formula = custom {
    inputs = { waste = "household_waste_total_tonnes", people = "population_all" },
    fn = function(m) return m.waste * 1000 / m.people end,   -- tonnes -> kg per person
  },
  unit = "kg", decimals = 1, polarity = "down",
  target = 100, tolerance = 5, owner = "Head of Waste Services", illustrative = true,
}

kpi "EX03" {
  title = "Household waste collected",
  parent = "less_waste",
  formula = "household_waste_total_tonnes",
  unit = "tonnes", decimals = 0, polarity = "down",
}
-- From 2026/27 the recycling target rises.
change "EX01" { from = "2026/27 Q1", target = 45 }

action "EX-A1" { title = "Roll out food waste collections", parent = "less_waste",
  owner = "Head of Waste Services", due = "2026-03-31",
  milestones = { { title = "Pilot in two wards", due = "2025-10-31" } } }
risk "EX-R1" { title = "Recycling contamination rejects loads", parent = "less_waste",
  likelihood = 3, impact = 3, owner = "Corporate Performance Officer" }

board "cabinet" { title = "Cabinet", cadence = "quarterly", receives = { "scorecard", "exceptions" },
  after_days = 40 }
deadline "data_entry" { working_days = 10 }
rule "commentary_required" { statuses = { "red", "amber" } }
