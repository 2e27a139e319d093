-- OHID Fingertips NHS Health Checks (nhs_health_checks.csv, as published): cumulative
-- quarterly figures, "2021/22 Q1" then "2021/22 Q1 - 2024/25 Q2" (the months from the
-- first quarter's start to the second's end), as a percentage of the eligible population.
recipe "OHID Fingertips NHS Health Checks, cumulative (nhs_health_checks.csv)"
format "csv"
columns { area = "area_code", period = "period", value = "value" }
constant { metric = "nhs_health_checks_cumulative_pct", source = "OHID Fingertips" }
ignore { "area_name", "area_type", "indicator", "measure", "unit", "compared_to_England", "inequality" }
missing { [""] = "missing", ["NA"] = "missing" }
