-- DEFRA household waste reused/recycled/composted (%), UK councils: recycling.csv as published.
-- England, Wales and Northern Ireland give financial years ("2015/16"); Scotland's "Recycling"
-- indicator gives calendar years ("2015"), so the year type comes with the measure.
recipe "DEFRA household waste recycling rate (recycling.csv)"
format "csv"
columns { area = "area_code", period = "period", metric = "indicator", value = "value" }
ignore { "area_name", "measure", "unit" }
measures {
  ["Waste Reused/Recycled/Composted"] = { metric = "household_waste_recycled_pct", year_type = "financial" },
  ["Recycling"] = { metric = "household_waste_recycled_pct", year_type = "calendar" },
}
missing { ["NA"] = "missing" }
constant { source = "DEFRA WasteDataFlow / StatsWales / SEPA / DAERA" }
