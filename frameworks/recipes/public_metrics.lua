-- frameworks/recipes/public_metrics.lua: the metrics the shipped recipes feed that no council
-- framework reads yet (frameworks/catalogue.lua holds only metrics two or more frameworks
-- share).  `pmf load frameworks/recipes/public_metrics.lua` once before importing with those
-- recipes; a framework that starts reading one moves it to the shared catalogue.
catalogue "public_data" {
  title = "Metrics of the public files the shipped import recipes read",
}

-- fed by frameworks/recipes/fingertips*.lua (OHID Fingertips)
metric "physically_active_adults_pct" {
  title = "Physically active adults (19+)",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Percentage of adults doing at least 150 minutes of moderate activity a week.",
  source = "OHID Fingertips",
}

metric "physically_active_cyp_pct" {
  title = "Physically active children and young people",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Percentage of children and young people meeting the daily activity guideline.",
  source = "OHID Fingertips",
}

metric "smoking_routine_manual_pct" {
  title = "Smoking prevalence, routine and manual occupations (18-64)",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Current smokers among adults in routine and manual occupations (APS).",
  source = "OHID Fingertips",
}

metric "dental_decay_5yo_pct" {
  title = "Five-year-olds with visually obvious dental decay",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Percentage of 5-year-olds with experience of visually obvious dental decay.",
  source = "OHID Fingertips",
}

metric "larc_prescribed_rate" {
  title = "Long-acting reversible contraception prescribed (excl. injections) per 1,000 women",
  unit = "rate",
  aggregation = "last",
  decimals = 1,
  definition = "Total prescribed LARC excluding injections, rate per 1,000 women aged 15-44.",
  source = "OHID Fingertips",
}

metric "healthy_life_expectancy" {
  title = "Healthy life expectancy at birth",
  unit = "years",
  aggregation = "last",
  decimals = 1,
  definition = "Healthy life expectancy at birth (years).",
  source = "OHID Fingertips",
}

metric "life_expectancy" {
  title = "Life expectancy at birth",
  unit = "years",
  aggregation = "last",
  decimals = 1,
  definition = "Life expectancy at birth (years).",
  source = "OHID Fingertips",
}

metric "u75_preventable_mortality_rate" {
  title = "Under-75 mortality from preventable causes per 100,000",
  unit = "rate",
  aggregation = "last",
  decimals = 1,
  definition = "Age-standardised under-75 mortality rate from causes considered preventable, per 100,000 (breakdown sex=male|female|persons).",
  source = "OHID Fingertips",
}

metric "nhs_health_checks_cumulative_pct" {
  title = "NHS Health Checks received, cumulative % of eligible",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "People receiving an NHS Health Check, cumulative percentage of the eligible population since the start of the five-year cycle.",
  source = "OHID Fingertips",
}

metric "reception_obesity_pct" {
  title = "Reception prevalence of obesity (incl. severe obesity)",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Percentage of Reception children with obesity (including severe obesity), NCMP.",
  source = "OHID Fingertips",
}

metric "reception_obesity_5yr_pct" {
  title = "Reception prevalence of obesity (incl. severe), 5 years combined",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "As reception_obesity_pct, five years of data combined.",
  source = "OHID Fingertips",
}

metric "year6_obesity_pct" {
  title = "Year 6 prevalence of obesity (incl. severe obesity)",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Percentage of Year 6 children with obesity (including severe obesity), NCMP.",
  source = "OHID Fingertips",
}

metric "year6_obesity_5yr_pct" {
  title = "Year 6 prevalence of obesity (incl. severe), 5 years combined",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "As year6_obesity_pct, five years of data combined.",
  source = "OHID Fingertips",
}

-- fed by frameworks/recipes/defra_recycling.lua (DEFRA, StatsWales, SEPA, DAERA)
metric "household_waste_recycled_pct" {
  title = "Household waste reused, recycled or composted (%)",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Percentage of household waste sent for reuse, recycling or composting, as " ..
    "published (England: financial years; Scotland: calendar years).",
  source = "DEFRA WasteDataFlow; StatsWales; SEPA; DAERA",
}

-- fed by frameworks/recipes/dluhc_ta*.lua (DLUHC P1E / H-CLIC, quarter-end snapshots)
metric "households_temporary_accommodation_per_1000" {
  title = "Households in temporary accommodation per 1,000 households",
  unit = "rate",
  aggregation = "last",
  decimals = 2,
  definition = "Households in temporary accommodation at the snapshot date per 1,000 " ..
    "households in the area.",
  source = "DLUHC statutory homelessness live tables (P1E / H-CLIC)",
}

-- fed by frameworks/recipes/dluhc_ct_receipts*.lua (DLUHC QRC4 live table, £ thousands x 1000)
metric "council_tax_receipts" {
  title = "Council tax receipts",
  unit = "£",
  aggregation = "sum",
  decimals = 0,
  definition = "Receipts of council taxes collected during the period, irrespective of the " ..
    "year they relate to (DLUHC QRC4; published in £ thousands).",
  source = "DLUHC council tax receipts live table (QRC4)",
}

