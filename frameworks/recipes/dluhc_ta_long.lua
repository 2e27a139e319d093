-- DLUHC households in temporary accommodation, quarter-end snapshots 2014-2015
-- (temporary_accommodation_2014_2015_long.csv, as published).  Periods are snapshot dates
-- ("30 June 2014", "30 Sept 2014"): each figure is stored in the month holding its date.
-- The file labels the September 2015 snapshot "31 September 2015", a date that does not
-- exist: declared here as the quarter end it stands for.  "59,570" has a thousands
-- separator; "-" is not supplied.  England rows are skipped.
recipe "DLUHC temporary accommodation snapshots 2014-15 (temporary_accommodation_2014_2015_long.csv)"
format "csv"
columns { area = "ons_code", period = "snapshot_date_as_labelled", metric = "measure", value = "value" }
ignore { "area" }
measures {
  ["Total households in temporary accommodation"] = "households_temporary_accommodation",
  ["Number in temp per 1000 households"] = "households_temporary_accommodation_per_1000",
}
period_fix { ["31 September 2015"] = "30 September 2015" }
value { thousands = true }
missing { ["-"] = "missing" }
areas { by = "code", skip = { "country" } }
constant { source = "DLUHC P1E" }
