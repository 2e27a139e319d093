-- DEFRA fly-tipping incidents by council (LA_incidents.csv, as published).  One row per
-- council and financial year ("2012-13"), wide by incident type: only "Total Incidents" is
-- taken, the other columns are ignored.  Region and England total rows ("*Total" in the ONS
-- Code column) are skipped; ":" means not available.  Districts abolished in 2019-2023 keep
-- their own codes (never added to their successors).
recipe "DEFRA fly-tipping incidents (LA_incidents.csv)"
format "csv"
columns { period = "Year", area = "ONS Code", value = "Total Incidents" }
constant { metric = "fly_tipping_incidents", source = "DEFRA Flycapture" }
ignore "*"
year_type "financial"
missing { [":"] = "missing" }
skip_rows { { column = "ONS Code", starts_with = "*" } }
