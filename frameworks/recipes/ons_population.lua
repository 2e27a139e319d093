-- ONS mid-year population estimates, all ages (population.csv as published).  A figure is
-- the population at 30 June of the year in `year`: it is stored as a snapshot in June of
-- that year (period_label), not as a calendar or financial year.
recipe "ONS mid-year population estimates (population.csv)"
format "csv"
columns { area = "geo_code", period = "year", value = "population" }
constant { metric = "population_all", source = "ONS mid-year population estimates" }
ignore { "geo_name", "is_unreliable" }
period_label "30 June {}"
