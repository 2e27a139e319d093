-- DLUHC households in temporary accommodation at 31 March 2023 (TA1_2023-03-31.csv, as
-- published): one row per area, one column per measure.  ".." means not supplied.  England
-- and region rows are skipped, and so is the "Rest of England" row (code "-").  The counts of
-- households in the area and of households or children with children are not pmf metrics:
-- ignored.
recipe "DLUHC temporary accommodation at 31 March 2023 (TA1_2023-03-31.csv)"
format "csv"
layout "wide_measures"
columns { area = "ons_code" }
constant { period = "31 March 2023", source = "DLUHC H-CLIC TA1" }
ignore { "area", "households_in_area_000s", "households_in_TA_with_children", "children_in_TA" }
measures {
  total_households_in_TA = "households_temporary_accommodation",
  households_in_TA_per_1000 = "households_temporary_accommodation_per_1000",
}
missing { [".."] = "missing" }
areas { by = "code", skip = { "country", "region" } }
skip_rows { { column = "ons_code", equals = "-" } }
