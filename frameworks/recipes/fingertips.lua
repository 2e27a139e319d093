-- OHID Fingertips public-health indicators (fingertips_westmids.csv, as published): long,
-- one row per indicator, area and period.  Periods as Fingertips writes them: calendar years
-- "2011", financial years "2014/15", three-year ranges "2015 - 17", financial-year ranges
-- "2020/21 - 24/25" and cumulative quarters "2021/22 Q1 - 2024/25 Q2".  The measure is the
-- indicator with its unit and inequality columns (blank ones left out): "Male", "Female",
-- "Persons" become the sex breakdown of the mortality rate and life expectancies, and the
-- deprivation quintiles of the 5-year obesity figures an imd_quintile breakdown (1 = most
-- deprived).  A blank value is a missing figure.
recipe "OHID Fingertips indicators (fingertips_westmids.csv)"
format "csv"
columns { metric = { "indicator", "unit", "inequality" }, area = "area_code", period = "period", value = "value" }
ignore { "source_file", "area_name", "area_type", "measure", "compared_to_England" }
missing { [""] = "missing" }
constant { source = "OHID Fingertips" }
measures {
  ["Percentage of physically active adults | Persons"] = "physically_active_adults_pct",
  ["Percentage of physically inactive adults | Persons"] = "adults_physically_inactive_pct",
  ["Percentage of physically active children and young people | Persons"] = "physically_active_cyp_pct",
  ["Smoking Prevalence in adults (aged 18 and over) - current smokers (APS) | Persons"] = "adults_smoking_pct",
  ["Smoking prevalence in adults in routine and manual occupations (aged 18 to 64) - current smokers (APS) | Persons"] = "smoking_routine_manual_pct",
  ["Percentage of 5 year olds with experience of visually obvious dental decay | 5 years children"] = "dental_decay_5yo_pct",
  ["Total prescribed LARC excluding injections rate / 1,000 | Female"] = "larc_prescribed_rate",
  ["Healthy life expectancy at birth | Years | Male"] = { metric = "healthy_life_expectancy", breakdown = "sex=male" },
  ["Healthy life expectancy at birth | Years | Female"] = { metric = "healthy_life_expectancy", breakdown = "sex=female" },
  ["Life expectancy at birth | Years | Male"] = { metric = "life_expectancy", breakdown = "sex=male" },
  ["Life expectancy at birth | Years | Female"] = { metric = "life_expectancy", breakdown = "sex=female" },
  ["Under 75 mortality rate from causes considered preventable (per 100,000 population) | Male"] =
    { metric = "u75_preventable_mortality_rate", breakdown = "sex=male" },
  ["Under 75 mortality rate from causes considered preventable (per 100,000 population) | Female"] =
    { metric = "u75_preventable_mortality_rate", breakdown = "sex=female" },
  ["Under 75 mortality rate from causes considered preventable (per 100,000 population) | Persons"] =
    { metric = "u75_preventable_mortality_rate", breakdown = "sex=persons" },
  ["People receiving an NHS Health Check | Persons"] = "nhs_health_checks_cumulative_pct",
  ["Reception prevalence of obesity (including severe obesity) | Persons"] = "reception_obesity_pct",
  ["Reception prevalence of obesity (including severe obesity), 5 years data combined | Persons"] = "reception_obesity_5yr_pct",
  ["Year 6 prevalence of obesity (including severe obesity) | Persons"] = "year6_obesity_pct",
  ["Year 6 prevalence of obesity (including severe obesity), 5 years data combined | Persons"] = "year6_obesity_5yr_pct",
  ["Reception prevalence of obesity (including severe obesity), 5 years data combined | Persons | Most deprived quintile"] =
    { metric = "reception_obesity_5yr_pct", breakdown = "imd_quintile=1" },
  ["Reception prevalence of obesity (including severe obesity), 5 years data combined | Persons | Second most deprived quintile"] =
    { metric = "reception_obesity_5yr_pct", breakdown = "imd_quintile=2" },
  ["Reception prevalence of obesity (including severe obesity), 5 years data combined | Persons | Average deprived quintile"] =
    { metric = "reception_obesity_5yr_pct", breakdown = "imd_quintile=3" },
  ["Reception prevalence of obesity (including severe obesity), 5 years data combined | Persons | Second least deprived quintile"] =
    { metric = "reception_obesity_5yr_pct", breakdown = "imd_quintile=4" },
  ["Reception prevalence of obesity (including severe obesity), 5 years data combined | Persons | Least deprived quintile"] =
    { metric = "reception_obesity_5yr_pct", breakdown = "imd_quintile=5" },
  ["Year 6 prevalence of obesity (including severe obesity), 5 years data combined | Persons | Most deprived quintile"] =
    { metric = "year6_obesity_5yr_pct", breakdown = "imd_quintile=1" },
  ["Year 6 prevalence of obesity (including severe obesity), 5 years data combined | Persons | Second most deprived quintile"] =
    { metric = "year6_obesity_5yr_pct", breakdown = "imd_quintile=2" },
  ["Year 6 prevalence of obesity (including severe obesity), 5 years data combined | Persons | Average deprived quintile"] =
    { metric = "year6_obesity_5yr_pct", breakdown = "imd_quintile=3" },
  ["Year 6 prevalence of obesity (including severe obesity), 5 years data combined | Persons | Second least deprived quintile"] =
    { metric = "year6_obesity_5yr_pct", breakdown = "imd_quintile=4" },
  ["Year 6 prevalence of obesity (including severe obesity), 5 years data combined | Persons | Least deprived quintile"] =
    { metric = "year6_obesity_5yr_pct", breakdown = "imd_quintile=5" },
}
