-- frameworks/catalogue.lua: the metric catalogue, the shared (mostly national) metrics that
-- more than one council's framework reads, each declared once.
--
-- A council's framework file (frameworks/<council>.lua) names these metrics by id in its
-- KPI formulas (pct("household_waste_recycled_tonnes", "household_waste_total_tonnes"))
-- and declares only the metrics that are its own.  The catalogue is found beside the
-- framework file (this file, for frameworks/*.lua), else in pmf's home; `pmf check FILE`
-- and `pmf load FILE` read it, and a load records the catalogue metrics the framework uses.
--
-- Rules (README "The metric catalogue"):
-- - A metric has one definition in a store: title, unit, aggregation, decimals, definition,
--   source, reference and carry.  A framework that declares a catalogue metric with the same
--   definition is fine; with a different one it is an error naming both files and lines.
-- - Definitions are versioned: changing one here records a new version when a framework
--   using it (or this file) is next loaded, and a view as of an earlier date keeps the old
--   rule.  Change a definition only when the publisher changes it; a different measure
--   gets a new id.
-- - A metric comes here when a second council needs it; one council's measure stays in its
--   own file.  Sections follow the publisher or theme; titles are the publishers' names.
-- - Counts over a period are summed; snapshots (populations, caseloads, staff, budgets)
--   take the last value; survey percentages are direct metrics (mean).  ONS mid-year
--   estimates are figures for 30 June: reference = "mid-year".

catalogue "national" {
  title = "Shared metrics for English councils' performance frameworks",
  description = "National returns (ONS, DfE, DEFRA, DLUHC/MHCLG, NHS England, OHID) and the "
    .. "common corporate measures (finance, workforce, customer contact) councils share.",
}

---------------------------------------------------------------------------------------------
-- Population and labour market (ONS mid-year population estimates; DWP/ONS claimant count)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, sandwell, wolverhampton
metric "population_all" {
  title = "Resident population (all ages)",
  unit = "people",
  aggregation = "last",
  reference = "mid-year",
  decimals = 0,
  definition = "ONS mid-year population estimate, all ages.",
  source = "ONS mid-year population estimates",
}

-- used by dudley, sandwell, wolverhampton
metric "population_0_17" {
  title = "Resident population aged 0-17",
  unit = "people",
  aggregation = "last",
  reference = "mid-year",
  decimals = 0,
  definition = "ONS mid-year population estimate, aged 0-17.",
  source = "ONS mid-year population estimates",
}

-- used by dudley, walsall, sandwell, wolverhampton
metric "population_16_64" {
  title = "Resident population aged 16-64",
  unit = "people",
  aggregation = "last",
  reference = "mid-year",
  decimals = 0,
  definition = "ONS mid-year population estimate, aged 16-64 (working age).",
  source = "ONS mid-year population estimates",
}

-- used by sandwell, wolverhampton
metric "population_65_plus" {
  title = "Population aged 65 and over",
  unit = "people",
  aggregation = "last",
  reference = "mid-year",
  definition = "Usual residents aged 65+, mid-year estimate.",
  source = "ONS mid-year estimates",
}

-- used by dudley, walsall, sandwell, wolverhampton
metric "claimants_16_64" {
  title = "Claimant count, aged 16-64",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Residents aged 16-64 claiming unemployment-related benefits (claimant count).",
  source = "ONS claimant count (Nomis)",
}

---------------------------------------------------------------------------------------------
-- Children, education and young people (DfE: children looked after, CIN census, SEN2, EYFSP, NCCIS)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, sandwell, wolverhampton
metric "children_in_care" {
  title = "Children looked after",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Children looked after by the local authority at the period end.",
  source = "DfE SSDA903",
}

-- used by dudley, walsall
metric "cs_assessments_completed" {
  title = "Children's social care assessments completed",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Children and family assessments completed in the period.",
  source = "DfE Children in Need census",
}

-- used by dudley, walsall
metric "cs_assessments_within_45_days" {
  title = "Children's social care assessments completed within 45 working days",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Assessments completed in the period within 45 working days of the referral.",
  source = "DfE Children in Need census",
}

-- used by dudley, walsall
metric "care_leavers_19_21" {
  title = "Care leavers aged 19-21",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Former relevant care leavers aged 19, 20 or 21 the authority is in touch with.",
  source = "DfE SSDA903 care leavers",
}

-- used by dudley, walsall
metric "care_leavers_19_21_eet" {
  title = "Care leavers aged 19-21 in education, employment or training",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Care leavers aged 19-21 in education, employment or training.",
  source = "DfE SSDA903 care leavers",
}

-- used by dudley, walsall, sandwell
metric "ehcp_issued" {
  title = "New EHC plans issued",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "New education, health and care plans issued in the period " ..
    "(excluding exception cases).",
  source = "DfE SEN2 / local case management system",
}

-- used by dudley, walsall, sandwell
metric "ehcp_issued_20_weeks" {
  title = "New EHC plans issued within 20 weeks",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "New EHC plans issued within 20 weeks of the request for " ..
    "assessment (excluding exception cases).",
  source = "DfE SEN2 / local case management system",
}

-- used by dudley, walsall
metric "eyfsp_cohort" {
  title = "Children assessed at the end of reception",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Children with an Early Years Foundation Stage Profile at the end of reception.",
  source = "DfE EYFSP statistics",
}

-- used by dudley, walsall
metric "eyfsp_gld" {
  title = "Children achieving a good level of development",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Children reaching a good level of development at the end of reception.",
  source = "DfE EYFSP statistics",
}

-- used by dudley, sandwell, wolverhampton
metric "cohort_16_17" {
  title = "16-17 year olds known to the council",
  unit = "count",
  aggregation = "mean",
  decimals = 0,
  definition = "Academic age 16-17 residents known to the authority (NCCIS " ..
    "cohort; the headline is the December-February average, hence " ..
    "mean).",
  source = "DfE NCCIS",
}

-- used by dudley, sandwell, wolverhampton
metric "neet_16_17" {
  title = "16-17 year olds NEET or not known",
  unit = "count",
  aggregation = "mean",
  decimals = 0,
  definition = "Academic age 16-17 residents not in education, employment or " ..
    "training, or whose activity is not known.",
  source = "DfE NCCIS",
}

---------------------------------------------------------------------------------------------
-- Adult social care and public health (NHS England SALT / ASCOF; OHID Fingertips)
---------------------------------------------------------------------------------------------

-- used by dudley, sandwell
metric "reablement_discharges" {
  title = "Older people (65+) discharged from hospital into reablement",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "People aged 65+ discharged from hospital into " ..
    "reablement/rehabilitation services (ASCOF 2B(1) denominator).",
  source = "NHS England SALT / local",
}

-- used by dudley, sandwell
metric "reablement_still_home_91_days" {
  title = "Older people (65+) still at home 91 days after discharge into reablement",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Of those discharged into reablement, still at home 91 days later " ..
    "(ASCOF 2B(1) numerator).",
  source = "NHS England SALT / local",
}

-- used by sandwell, wolverhampton
metric "care_home_admissions_65_plus" {
  title = "Permanent admissions to care homes, aged 65+",
  unit = "count",
  aggregation = "sum",
  definition = "Council-supported permanent admissions of older people (65+) to " ..
    "residential and nursing care.",
  source = "NHS England SALT",
}

-- used by dudley, walsall
metric "adults_physically_inactive_pct" {
  title = "Physically inactive adults (19+)",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Adults doing less than 30 moderate intensity equivalent minutes " ..
    "of physical activity a week (Active Lives).",
  source = "OHID Fingertips (Sport England Active Lives)",
}

-- used by dudley, walsall
metric "adults_smoking_pct" {
  title = "Smoking prevalence in adults (18+)",
  unit = "%",
  aggregation = "last",
  decimals = 1,
  definition = "Current smokers aged 18+ (Annual Population Survey, 1-year estimate).",
  source = "OHID Fingertips (ONS APS)",
}

---------------------------------------------------------------------------------------------
-- Environment, waste and highways (DEFRA WasteDataFlow and Flycapture; DfT road condition)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "household_waste_total_tonnes" {
  title = "Household waste collected",
  unit = "tonnes",
  aggregation = "sum",
  decimals = 0,
  definition = "Total household waste collected (tonnes).",
  source = "DEFRA WasteDataFlow",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "household_waste_recycled_tonnes" {
  title = "Household waste sent for reuse, recycling or composting",
  unit = "tonnes",
  aggregation = "sum",
  decimals = 0,
  definition = "Household waste sent for reuse, recycling or composting (tonnes; " ..
    "NI 192 numerator).",
  source = "DEFRA WasteDataFlow",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "fly_tipping_incidents" {
  title = "Fly-tipping incidents",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Fly-tipping incidents reported to or found by the council.",
  source = "DEFRA Flycapture",
}

-- used by dudley, walsall
metric "a_roads_surveyed_km" {
  title = "Principal (A) road length surveyed",
  unit = "km",
  aggregation = "last",
  decimals = 1,
  definition = "Length of the principal (A) road network surveyed (SCANNER).",
  source = "DfT RDC0120 road condition statistics",
}

-- used by dudley, walsall
metric "a_roads_red_km" {
  title = "Principal (A) road length where maintenance should be considered",
  unit = "km",
  aggregation = "last",
  decimals = 1,
  definition = "Surveyed A-road length in the red (maintenance should be considered) category.",
  source = "DfT RDC0120 road condition statistics",
}

---------------------------------------------------------------------------------------------
-- Planning and housing (DLUHC/MHCLG planning statistics (PS1/PS2), housing supply, H-CLIC)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, sandwell, south_staffordshire
metric "major_planning_decided" {
  title = "Major planning applications decided",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Major planning applications decided in the period (PS1/PS2).",
  source = "DLUHC/MHCLG live table P151",
}

-- used by dudley, walsall, sandwell, south_staffordshire
metric "major_planning_in_time" {
  title = "Major planning applications decided in time",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Major applications decided within 13 weeks (16 with EIA) or an " ..
    "agreed extension of time.",
  source = "DLUHC/MHCLG live table P151",
}

-- used by walsall, south_staffordshire
metric "nonmajor_planning_decided" {
  title = "Non-major planning applications decided",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Minor and other planning applications decided.",
  source = "DLUHC planning application statistics (PS1/PS2)",
}

-- used by walsall, south_staffordshire
metric "nonmajor_planning_in_time" {
  title = "Non-major planning applications decided in time",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Of non-majors decided, decided within 8 weeks or an agreed extension.",
  source = "DLUHC planning application statistics (PS1/PS2)",
}

-- used by dudley, sandwell, south_staffordshire
metric "net_additional_dwellings" {
  title = "Net additional dwellings",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Net additions to the dwelling stock (new build, conversions, " ..
    "change of use, less demolitions).",
  source = "MHCLG live table 122",
}

-- used by walsall, sandwell, wolverhampton
metric "households_temporary_accommodation" {
  title = "Households in temporary accommodation",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Households in temporary accommodation at the period end.",
  source = "MHCLG H-CLIC",
}

-- used by south_staffordshire, wolverhampton
metric "homelessness_prevented" {
  title = "Households whose homelessness was prevented or relieved",
  unit = "count",
  aggregation = "sum",
  definition = "Prevention and relief duties ended with accommodation secured.",
  source = "MHCLG H-CLIC",
}

---------------------------------------------------------------------------------------------
-- Economy, community safety and culture (business support; police recorded crime; venues)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, south_staffordshire
metric "businesses_supported" {
  title = "Businesses supported",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Businesses receiving a substantive intervention from council " ..
    "business support services in the period.",
  source = "Local business support CRM",
}

-- used by dudley, walsall
metric "recorded_crime" {
  title = "Total recorded crime",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Police recorded crime, all offences (excluding fraud).",
  source = "ONS / West Midlands Police recorded crime",
}

-- used by dudley, walsall
metric "library_visits" {
  title = "Library visits",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Physical visits to council libraries.",
  source = "Library management system / CIPFA public library statistics",
}

-- used by walsall, sandwell, south_staffordshire
metric "leisure_centre_visits" {
  title = "Leisure centre visits",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Visits to council leisure centres.",
  source = "Leisure management system",
}

-- used by dudley, walsall
metric "visits_council_culture_heritage" {
  title = "Visits to council cultural and heritage sites",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Visits to council-run museums, galleries, heritage sites and " ..
    "visitor attractions.",
  source = "Local venue footfall counts",
}

---------------------------------------------------------------------------------------------
-- Finance (the council's ledger and revenues system; DLUHC QRC4 / NNDR returns)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "revenue_budget" {
  title = "Net revenue budget",
  unit = "£",
  aggregation = "last",
  decimals = 0,
  definition = "Current approved net revenue budget for the year.",
  source = "Financial management system",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "revenue_outturn" {
  title = "Net revenue outturn (forecast)",
  unit = "£",
  aggregation = "last",
  decimals = 0,
  definition = "Forecast (in year) or actual (year end) net revenue outturn for the year.",
  source = "Financial management system",
}

-- used by sandwell, south_staffordshire
metric "capital_budget" {
  title = "Capital programme budget",
  unit = "£",
  aggregation = "last",
  definition = "Approved capital programme for the financial year.",
  source = "Financial ledger",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "council_tax_due" {
  title = "Council tax due",
  unit = "£",
  aggregation = "sum",
  decimals = 0,
  definition = "Net collectable council tax debit falling due in the period.",
  source = "Revenues system; DLUHC QRC4 / CTR returns",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "council_tax_collected" {
  title = "Council tax collected",
  unit = "£",
  aggregation = "sum",
  decimals = 0,
  definition = "Council tax collected in the period against the in-year debit.",
  source = "Revenues system; DLUHC QRC4 / CTR returns",
}

-- used by sandwell, south_staffordshire, wolverhampton
metric "business_rates_due" {
  title = "Business rates due",
  unit = "£",
  aggregation = "sum",
  definition = "In-year NNDR collectable debit falling due.",
  source = "Revenues system",
}

-- used by sandwell, south_staffordshire, wolverhampton
metric "business_rates_collected" {
  title = "Business rates collected",
  unit = "£",
  aggregation = "sum",
  definition = "In-year NNDR receipts.",
  source = "Revenues system",
}

---------------------------------------------------------------------------------------------
-- Workforce (the council's HR and payroll system)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "staff_headcount" {
  title = "Employees (headcount)",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Employees (excluding schools) at the end of the period.",
  source = "HR system",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "staff_fte" {
  title = "Full-time equivalent employees",
  unit = "FTE",
  aggregation = "last",
  decimals = 1,
  definition = "FTE employees at the period end (excluding schools).",
  source = "HR / payroll system",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "staff_sickness_days" {
  title = "Working days lost to sickness absence",
  unit = "days",
  aggregation = "sum",
  decimals = 1,
  definition = "FTE working days lost to sickness absence (excluding schools).",
  source = "HR / payroll system",
}

-- used by walsall, sandwell, south_staffordshire
metric "staff_leavers" {
  title = "Employees leaving",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Employees leaving the council's employment in the period, all reasons.",
  source = "HR system",
}

-- used by walsall, wolverhampton
metric "staff_disabled" {
  title = "Employees who declare a disability",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Employees at the period end who have declared a disability.",
  source = "HR system",
}

-- used by dudley, walsall, sandwell
metric "staff_ethnic_minority" {
  title = "Employees from ethnic minority backgrounds",
  unit = "count",
  aggregation = "last",
  decimals = 0,
  definition = "Employees at period end who describe their ethnicity as other " ..
    "than White British.",
  source = "HR system",
}

---------------------------------------------------------------------------------------------
-- Customer contact and information governance (telephony, web, complaints and FOI systems)
---------------------------------------------------------------------------------------------

-- used by dudley, walsall, sandwell, south_staffordshire
metric "contact_centre_calls_offered" {
  title = "Contact centre calls offered",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Calls presented to the corporate contact centre queues.",
  source = "Local telephony system",
}

-- used by dudley, walsall, sandwell, south_staffordshire
metric "contact_centre_calls_answered" {
  title = "Contact centre calls answered",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Calls presented to the corporate contact centre queues and answered.",
  source = "Local telephony system",
}

-- used by south_staffordshire, wolverhampton
metric "online_transactions" {
  title = "Customer transactions completed online",
  unit = "count",
  aggregation = "sum",
  definition = "Service requests, applications and payments completed through the" ..
    " website or My Account.",
  source = "Customer platform",
}

-- used by south_staffordshire, wolverhampton
metric "customer_transactions" {
  title = "Customer transactions (all channels)",
  unit = "count",
  aggregation = "sum",
  definition = "Service requests, applications and payments by any channel.",
  source = "Customer platform",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "complaints_received" {
  title = "Complaints received",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Corporate (non-statutory) complaints received and closed in the period.",
  source = "Complaints management system",
}

-- used by dudley, walsall, sandwell, south_staffordshire, wolverhampton
metric "complaints_responded_on_time" {
  title = "Complaints responded to on time",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Corporate complaints responded to within the council's published timescale.",
  source = "Complaints management system",
}

-- used by walsall, sandwell
metric "foi_requests_received" {
  title = "FOI/EIR requests due a response",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Freedom of Information and EIR requests whose 20 working day " ..
    "deadline fell in the period.",
  source = "Information governance case system",
}

-- used by walsall, sandwell
metric "foi_requests_on_time" {
  title = "FOI/EIR requests answered within 20 working days",
  unit = "count",
  aggregation = "sum",
  decimals = 0,
  definition = "Of those due, answered in time.",
  source = "Information governance case system",
}
