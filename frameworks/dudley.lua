-- frameworks/dudley.lua: Dudley Metropolitan Borough Council's Corporate Performance
-- Management Framework, supporting the Council Plan 2022-25.
--
-- Source: Dudley Metropolitan Borough Council, "Corporate Performance Management Framework:
-- Supporting the Council Plan 2022-25", the council's framework document (it names no date,
-- committee or agenda item).  From the document: the golden thread
-- (Borough Vision -> Council Plan -> Future Council programme -> Directorate Service Plans ->
-- Team Service Plans -> My Annual Review), the seven Borough Vision 2030 aspirations, the four
-- Council Plan priorities with five outcomes each, the "Linking the Borough Vision and Council
-- Plan" tables (which outcomes serve which aspirations), the Future Council themes (People,
-- Place, Digital, Process), the directorates (performance leads), PI types (national / local;
-- inputs / process / outputs / outcomes), corporate PIs quarterly on the financial year,
-- the quarterly corporate performance report to the Strategic Executive Board and the Future
-- Council Scrutiny Committee (exception reports also to Informal Cabinet), the year-end report
-- in May/June feeding the Statement of Accounts, data-entry deadlines, CIPFA and Housemark
-- benchmarking, and "where a PI shows as below target exceptions commentary MUST be entered".
--
-- ILLUSTRATIVE (not in the document, chosen for the example; never present them as Dudley
-- facts):
-- - every KPI below (the document names no specific corporate PI): a credible set of commonly
--   published council measures mapped to the outcomes; the framework's defaults make each
--   `illustrative = true`;
-- - every target and tolerance; the metrics' sources are the usual national returns;
-- - the team service plans (the document names the level but no teams);
-- - the working-day numbers of the reporting timeline (the document's appendix is not given).
-- The Council Plan priorities' names: the document's text names "Dudley the borough of ambition
-- and enterprise"; the other three follow the council plan on a page (borough of opportunity,
-- safe and healthy borough, borough of destinations).
--
-- Modelling decisions:
-- - Levels are the council's own words, top-down.  "My Annual Review" (the individual level)
--   is not modelled: it holds no KPIs.
-- - Outcomes link many-to-many to the Borough Vision: each outcome's `parents` are its
--   Council Plan priority FIRST, then every aspiration the linking tables put it under.  The
--   priority is the outcome's place in the Council Plan (scorecards walk priority -> outcome);
--   the aspirations make the same outcome reachable from the vision, so a report can walk
--   aspiration -> outcomes -> KPIs.  One level, no separate "link" nodes: the links are the
--   document's, and a walk from either side lands on the same outcome and KPIs.
-- - The Council Plan node hangs under the Borough Vision (it "maps out our journey to
--   achieving the aspirations of the Future Council programme and Borough Vision"), the
--   Future Council programme (internal enabler) under the Council Plan, its four themes
--   under it, and each Directorate Service Plan under the Council Plan.
-- - A KPI's parents are the outcome(s) it evidences and the directorate service plan that
--   holds it (or a Future Council theme for the enabling, organisational-health measures),
--   so both the golden-thread view and the directorate view find it.
-- - Counts are summed over a period; snapshots (children in care, population, staff FTE,
--   households) take the last value; proportions are pct(count, count) so quarters and
--   years aggregate correctly.  Quarterly count-based rates are rates for the quarter.

framework "dudley" {
  title = "Dudley Council Plan 2022-25: Corporate Performance Management Framework",
  council = "E08000027",
  year_start = "April",
  levels = {
    "borough_vision", "aspiration", "council_plan", "priority", "outcome",
    "future_council_programme", "theme", "directorate_service_plan", "team_service_plan",
  },
  comparator = "cipfa",
  defaults = { illustrative = true, frequency = "quarterly", national = true },
}

---------------------------------------------------------------------------------------------
-- The golden thread
---------------------------------------------------------------------------------------------
borough_vision "bv2030" { title = "Borough Vision 2030: Forging a Future for All",
  description = "A partner and community led vision, launched September 2018, of a thriving "
    .. "borough by 2030 where people want to live, work and visit." }

-- The seven aspirations ("In 2030 we would like the Dudley borough to be...").
aspiration "asp_home" { parent = "bv2030",
  title = "An affordable and attractive place to live with a green network of high-quality "
    .. "parks, waterways and nature reserves that are valued by local people and visitors" }
aspiration "asp_learning" { parent = "bv2030",
  title = "A place where everybody has the education and skills they need, and where "
    .. "outstanding local schools, colleges and universities secure excellent results for "
    .. "their learners" }
aspiration "asp_communities" { parent = "bv2030",
  title = "A place of healthy, resilient, safe communities where people have high aspirations "
    .. "and the ability to shape their own future" }
aspiration "asp_connected" { parent = "bv2030",
  title = "Better connected with high quality and affordable transport, combining road, tram, "
    .. "rail, and new cycling and walking infrastructure" }
aspiration "asp_business" { parent = "bv2030",
  title = "Renowned as home to a host of innovative and prosperous businesses, operating in "
    .. "high quality locations with space to grow, sustainable energy supplies and investing "
    .. "in their workforce" }
aspiration "asp_visit" { parent = "bv2030",
  title = "A place to visit and enjoy that drives opportunity, contributing to its ambitious "
    .. "future while celebrating its pioneering past" }
aspiration "asp_towns" { parent = "bv2030",
  title = "Full of vibrant towns and local centres, offering a new mix of leisure, faith, "
    .. "cultural, residential and shopping uses" }

council_plan "cp2022" { parent = "bv2030", title = "Dudley Council Plan 2022-25",
  description = "Working to be fit for the future, at Dudley Council we are ambitious in our "
    .. "plans to make the borough a destination of choice, creating opportunities for all to "
    .. "thrive in a safe and healthy environment." }

priority "opportunity" { parent = "cp2022",
  title = "Dudley the borough of opportunity" }
priority "ambition" { parent = "cp2022",
  title = "Dudley the borough of ambition and enterprise" }
priority "safe_healthy" { parent = "cp2022",
  title = "Dudley the safe and healthy borough" }
priority "destinations" { parent = "cp2022",
  title = "Dudley the borough of destinations" }

-- The twenty outcomes.  parents = { priority, aspirations... } from the document's "Linking the
-- Borough Vision and Council Plan" tables (each table is one aspiration and the outcomes
-- under it; every outcome appears in at least one table).
outcome "opp1" { code = "1",
  parents = { "opportunity", "asp_learning", "asp_home" },
  title = "Children and young people benefit from the best possible start in life in our "
    .. "Child Friendly borough" }
outcome "opp2" { code = "2",
  parents = { "opportunity", "asp_learning" },
  title = "Those with special educational needs and disabilities and care leavers achieve the "
    .. "best possible outcomes" }
outcome "opp3" { code = "3",
  parents = { "opportunity", "asp_communities", "asp_learning" },
  title = "Quality education, new skills, apprenticeship training and job opportunities are "
    .. "accessible to all" }
outcome "opp4" { code = "4",
  parents = { "opportunity", "asp_communities" },
  title = "Everyone, including our most vulnerable, have the choice, support and control of "
    .. "the services they need to live independently" }
outcome "opp5" { code = "5",
  parents = { "opportunity", "asp_communities" },
  title = "All residents benefit from access to high quality, integrated health and social care" }

outcome "amb1" { code = "1",
  parents = { "ambition", "asp_business" },
  title = "Ongoing regeneration schemes are attracting investment, stimulating innovation and "
    .. "entrepreneurs to support new and existing businesses" }
outcome "amb2" { code = "2",
  parents = { "ambition", "asp_learning", "asp_business" },
  title = "Digital opportunities are being exploited to modernise our working culture, "
    .. "customer experience and public services" }
outcome "amb3" { code = "3",
  parents = { "ambition", "asp_connected" },
  title = "Business, residents and visitors benefit from improved highways and travel "
    .. "connectivity through multi-modal offer" }
outcome "amb4" { code = "4",
  parents = { "ambition", "asp_business" },
  title = "Business support is opening doors to new industries and emerging sectors to "
    .. "support local economic growth" }
outcome "amb5" { code = "5",
  parents = { "ambition", "asp_towns" },
  title = "Levelling up inequalities is ensuring all borough towns and neighbourhood have good "
    .. "access to services, retail and leisure opportunities" }

outcome "sh1" { code = "1",
  parents = { "safe_healthy", "asp_communities", "asp_business" },
  title = "Our climate commitment is creating a sustainable borough on its way to net zero "
    .. "carbon emissions, improved air quality, reduced fuel poverty and outstanding waste "
    .. "and recycling services" }
outcome "sh2" { code = "2",
  parents = { "safe_healthy", "asp_visit", "asp_towns", "asp_connected", "asp_home" },
  title = "People have a safe and welcoming indoor and outdoor environment which promotes "
    .. "healthy, physical and active lifestyles" }
outcome "sh3" { code = "3",
  parents = { "safe_healthy", "asp_communities" },
  title = "Residents live in safe communities where safeguarding of vulnerable people of all "
    .. "ages protects them from harm and supports the prevention of crime and exploitation" }
outcome "sh4" { code = "4",
  parents = { "safe_healthy", "asp_communities", "asp_towns" },
  title = "Discrimination is tackled at all levels in the authority and in our community as "
    .. "we actively promote equality, diversity and inclusion" }
outcome "sh5" { code = "5",
  parents = { "safe_healthy", "asp_communities", "asp_home" },
  title = "Poverty is reducing as we address all forms of inequality, improve social, "
    .. "emotional and mental health and wellbeing" }

outcome "dest1" { code = "1",
  parents = { "destinations", "asp_home" },
  title = "People have access to a range of housing offers that are affordable, accessible "
    .. "and attractive, meeting the needs of our diverse communities" }
outcome "dest2" { code = "2",
  parents = { "destinations", "asp_business", "asp_connected" },
  title = "Maximising use of brownfield sites, new commercial and residential developments "
    .. "ensure the borough is the destination of choice" }
outcome "dest3" { code = "3",
  parents = { "destinations", "asp_visit" },
  title = "Our world class visitor attractions continue to grow and are complemented by a "
    .. "strong hospitality sector and vibrant night-time economy" }
outcome "dest4" { code = "4",
  parents = { "destinations", "asp_visit", "asp_towns", "asp_connected" },
  title = "Visitors are staying longer, exploring wider and spending locally, benefitting from "
    .. "the full borough-offer, including overnight accommodation" }
outcome "dest5" { code = "5",
  parents = { "destinations", "asp_towns" },
  title = "Across our borough we celebrate and promote the diverse culture, history and "
    .. "heritage of the local townships" }

-- The Future Council programme: the internal enabler, four themes.
future_council_programme "future_council" { parent = "cp2022",
  title = "Future Council programme",
  description = "Our internal enabler: a financially sustainable and well-governed "
    .. "organisation which is fit for the future with a progressive working culture, "
    .. "providing value for money to residents." }
theme "fc_people" { parent = "future_council", title = "People",
  meta = { strategy = "People Strategy" } }
theme "fc_place" { parent = "future_council", title = "Place",
  meta = { strategy = "Corporate Estates Strategy" } }
theme "fc_digital" { parent = "future_council", title = "Digital",
  meta = { strategy = "Digital Road Map" } }
theme "fc_process" { parent = "future_council", title = "Process",
  meta = { strategy = "Performance Management Framework, Council Plan Strategic Document, Risk "
    .. "Management Framework and other strategies and processes" } }

-- Directorate Service Plans: one per directorate (the document's performance leads).
local DIRECTORATES = {
  { "dsp_asc",       "Adult Social Care" },
  { "dsp_childrens", "Children's Services" },
  { "dsp_ph",        "Public Health and Wellbeing" },
  { "dsp_finance",   "Finance and Legal" },
  { "dsp_dccs",      "Digital, Customer and Commercial Services" },
  { "dsp_regen",     "Regeneration and Enterprise" },
  { "dsp_housing",   "Housing and Community Services" },
  { "dsp_realm",     "Public Realm" },
}
for _, d in ipairs(DIRECTORATES) do
  directorate_service_plan(d[1]) { parent = "cp2022",
    title = d[2] .. " Directorate Service Plan", directorate = d[2] }
end

-- Team Service Plans (ILLUSTRATIVE: the document names the level, not the teams).
team_service_plan "tsp_waste" { parent = "dsp_realm",
  title = "Waste and Recycling Services Team Plan", meta = { illustrative = true } }
team_service_plan "tsp_send" { parent = "dsp_childrens",
  title = "SEND Assessment and Review Team Plan", meta = { illustrative = true } }
team_service_plan "tsp_revenues" { parent = "dsp_finance",
  title = "Revenues and Benefits Team Plan", meta = { illustrative = true } }

---------------------------------------------------------------------------------------------
-- Comparator groups
---------------------------------------------------------------------------------------------
group "wm_mets" { title = "West Midlands metropolitan boroughs",
  members = { "E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030",
              "E08000031" } }
group "black_country" { title = "Black Country boroughs",
  members = { "E08000027", "E08000028", "E08000030", "E08000031" } }

---------------------------------------------------------------------------------------------
-- Metrics
-- Shared metrics (populations, national returns, finance, workforce, customer contact)
-- are declared once in frameworks/catalogue.lua and named here by id; below are
-- Dudley's own.
---------------------------------------------------------------------------------------------
-- Adult social care.
metric "asc_providers_rated" { title = "Adult social care providers with a CQC rating",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Registered adult social care locations in the borough with a published CQC "
    .. "overall rating.", source = "CQC care directory" }
metric "asc_providers_good_outstanding" {
  title = "Adult social care providers rated Good or Outstanding", unit = "count",
  aggregation = "last", decimals = 0,
  definition = "Registered adult social care locations rated Good or Outstanding overall.",
  source = "CQC care directory" }
metric "safeguarding_enquiries_risk_identified" {
  title = "Concluded section 42 enquiries where a risk was identified", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Concluded s42 safeguarding enquiries in which a risk was identified.",
  source = "NHS England Safeguarding Adults Collection" }
metric "safeguarding_risk_reduced_removed" {
  title = "Concluded section 42 enquiries where the risk was reduced or removed",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Of the concluded s42 enquiries with a risk identified, those where the risk "
    .. "was reduced or removed.", source = "NHS England Safeguarding Adults Collection" }

-- Economy, planning, highways, customer.
metric "customer_contacts_total" { title = "Customer contacts (all channels)", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Customer contacts received through all channels.",
  source = "Local contact centre and web platform" }
metric "customer_contacts_digital" { title = "Customer contacts made digitally", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Customer contacts made through self-service online channels.",
  source = "Local contact centre and web platform" }

-- Environment, health, community safety, housing.
metric "homeless_prevention_duties_ended" { title = "Homelessness prevention duties ended",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Households whose homelessness prevention duty ended in the period.",
  source = "MHCLG H-CLIC" }
metric "homeless_prevention_successful" {
  title = "Prevention duties ended with accommodation secured", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Prevention duties ended with accommodation secured for 6+ months.",
  source = "MHCLG H-CLIC" }
metric "affordable_homes_delivered" { title = "Affordable homes delivered", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Additional affordable homes provided (social rent, affordable rent, "
    .. "intermediate).", source = "MHCLG live table 1008" }
metric "council_rent_due" { title = "Council housing rent due", unit = "£", aggregation = "sum",
  decimals = 0, definition = "Rent and service charges due from council tenants.",
  source = "Housing rent account" }
metric "council_rent_collected" { title = "Council housing rent collected", unit = "£",
  aggregation = "sum", decimals = 0,
  definition = "Rent and service charges collected from council tenants.",
  source = "Housing rent account" }

-- Organisational health (Future Council).
metric "dudley_estate_emissions_tco2e" {
  title = "Greenhouse gas emissions from the council's operational estate", unit = "tCO2e",
  aggregation = "sum", decimals = 0,
  definition = "Scope 1 and 2 emissions from the council's operational buildings (tonnes CO2 "
    .. "equivalent).", source = "Corporate Estates energy data" }

---------------------------------------------------------------------------------------------
-- Corporate KPIs (ALL ILLUSTRATIVE: the document names no specific PI; targets chosen for the
-- example).  Corporate PIs are quarterly on the financial year unless the data come yearly.
---------------------------------------------------------------------------------------------

-- Dudley the borough of opportunity ---------------------------------------------------------
kpi "OPP01" { title = "% of new EHC plans issued within 20 weeks (excluding exceptions)",
  parents = { "opp2", "dsp_childrens", "tsp_send" },
  formula = pct("ehcp_issued_20_weeks", "ehcp_issued"), polarity = "up",
  target = 60, tolerance = "10%",
  owner = "Director of Children's Services", directorate = "Children's Services",
  type = "process", comparator = "dfe_sn", benchmark_source = "LAIT",
  definition = "New EHC plans issued within 20 weeks as a % of all new plans issued.",
  source = "SEN2 / case management system" }

kpi "OPP02" { title = "Children in care per 10,000 children aged 0-17",
  parents = { "opp1", "dsp_childrens" },
  formula = rate("children_in_care", "population_0_17", 10000),
  unit = "per 10,000", decimals = 1, polarity = "down", target = 100, tolerance = "5%",
  owner = "Director of Children's Services", directorate = "Children's Services",
  type = "outcome", comparator = "dfe_sn", benchmark_source = "LAIT",
  definition = "Children looked after at the period end per 10,000 residents aged 0-17.",
  source = "SSDA903; ONS mid-year estimates" }

kpi "OPP03" { title = "% of children's social care assessments completed within 45 working days",
  parents = { "opp1", "dsp_childrens" },
  formula = pct("cs_assessments_within_45_days", "cs_assessments_completed"), polarity = "up",
  target = 90, tolerance = "5%",
  owner = "Director of Children's Services", directorate = "Children's Services",
  type = "process", comparator = "dfe_sn", benchmark_source = "LAIT",
  source = "Children in Need census" }

kpi "OPP04" { title = "% of care leavers aged 19-21 in education, employment or training",
  parents = { "opp2", "opp3", "dsp_childrens" },
  formula = pct("care_leavers_19_21_eet", "care_leavers_19_21"), polarity = "up",
  target = 55, tolerance = "5%",
  owner = "Director of Children's Services", directorate = "Children's Services",
  type = "outcome", comparator = "dfe_sn", benchmark_source = "LAIT",
  source = "SSDA903 care leavers" }

kpi "OPP05" { title = "% of 16-17 year olds not in education, employment or training (NEET) "
    .. "or not known", parents = { "opp3", "dsp_childrens" },
  formula = pct("neet_16_17", "cohort_16_17"), polarity = "down",
  target = 5.5, tolerance = "10%",
  owner = "Director of Children's Services", directorate = "Children's Services",
  type = "outcome", comparator = "dfe_sn", benchmark_source = "LAIT",
  source = "NCCIS" }

kpi "OPP06" { title = "% of children achieving a good level of development at the end of "
    .. "reception", parents = { "opp1", "dsp_childrens" },
  formula = pct("eyfsp_gld", "eyfsp_cohort"), polarity = "up", frequency = "annual",
  target = 66, tolerance = "3%",
  owner = "Director of Children's Services", directorate = "Children's Services",
  type = "outcome", comparator = "dfe_sn", benchmark_source = "LAIT",
  methodology = "Academic-year result reported in the financial year it is published.",
  source = "DfE EYFSP statistics" }

kpi "OPP07" { title = "% of older people (65+) still at home 91 days after discharge from "
    .. "hospital into reablement", parents = { "opp4", "opp5", "dsp_asc" },
  formula = pct("reablement_still_home_91_days", "reablement_discharges"), polarity = "up",
  target = 82, tolerance = "5%",
  owner = "Director of Adult Social Care", directorate = "Adult Social Care",
  type = "outcome", benchmark_source = "ASCOF 2B(1)",
  source = "SALT / local reablement records" }

kpi "OPP08" { title = "% of adult social care providers rated Good or Outstanding by CQC",
  parents = { "opp5", "dsp_asc" },
  formula = pct("asc_providers_good_outstanding", "asc_providers_rated"), polarity = "up",
  target = 80, tolerance = "5%",
  owner = "Director of Adult Social Care", directorate = "Adult Social Care",
  national = false, type = "output", source = "CQC care directory" }

-- Dudley the borough of ambition and enterprise ---------------------------------------------
kpi "AMB01" { title = "% of major planning applications decided within 13 weeks or agreed time",
  parents = { "amb1", "dest2", "dsp_regen" },
  formula = pct("major_planning_in_time", "major_planning_decided"), polarity = "up",
  target = 90, tolerance = "5%",
  owner = "Director of Regeneration and Enterprise", directorate = "Regeneration and Enterprise",
  type = "process", benchmark_source = "MHCLG live table P151",
  source = "PS1/PS2 returns" }

kpi "AMB02" { title = "% of customer contacts made through digital channels",
  parents = { "amb2", "fc_digital", "dsp_dccs" },
  formula = pct("customer_contacts_digital", "customer_contacts_total"), polarity = "up",
  target = 60, tolerance = "5%",
  owner = "Director of Digital, Customer and Commercial Services",
  directorate = "Digital, Customer and Commercial Services",
  national = false, type = "output", source = "Contact centre and web platform" }

kpi "AMB03" { title = "% of calls answered by the corporate contact centre",
  parents = { "amb2", "dsp_dccs" },
  formula = pct("contact_centre_calls_answered", "contact_centre_calls_offered"),
  polarity = "up", target = 90, tolerance = "5%",
  owner = "Director of Digital, Customer and Commercial Services",
  directorate = "Digital, Customer and Commercial Services",
  national = false, type = "process", source = "Telephony system" }

kpi "AMB04" { title = "% of principal (A) roads where maintenance should be considered",
  parents = { "amb3", "dsp_realm" }, formula = pct("a_roads_red_km", "a_roads_surveyed_km"),
  polarity = "down", frequency = "annual", target = 3, tolerance = "20%",
  owner = "Director of Public Realm", directorate = "Public Realm",
  type = "outcome", benchmark_source = "DfT RDC0120",
  source = "SCANNER survey" }

kpi "AMB05" { title = "Number of businesses supported by council business support services",
  parents = { "amb4", "amb1", "dsp_regen" }, formula = "businesses_supported",
  unit = "count", decimals = 0, polarity = "up", target = 120, tolerance = "10%",
  owner = "Director of Regeneration and Enterprise", directorate = "Regeneration and Enterprise",
  national = false, type = "output", source = "Business support CRM" }

kpi "AMB06" { title = "% of residents aged 16-64 claiming unemployment-related benefits",
  parents = { "amb4", "amb5", "opp3", "dsp_regen" },
  formula = pct("claimants_16_64", "population_16_64"), polarity = "down",
  target = 5.0, tolerance = "5%",
  owner = "Director of Regeneration and Enterprise", directorate = "Regeneration and Enterprise",
  type = "outcome", benchmark_source = "Nomis",
  source = "ONS claimant count" }

-- Dudley the safe and healthy borough -------------------------------------------------------
kpi "SH01" { title = "% of household waste sent for reuse, recycling and composting",
  parents = { "sh1", "dsp_realm", "tsp_waste" },
  formula = pct("household_waste_recycled_tonnes", "household_waste_total_tonnes"),
  polarity = "up", target = 40, tolerance = "5%",
  owner = "Director of Public Realm", directorate = "Public Realm",
  type = "outcome", benchmark_source = "CIPFA statistical neighbours",
  source = "WasteDataFlow" }

kpi "SH02" { title = "Number of fly-tipping incidents",
  parents = { "sh1", "sh2", "dsp_realm", "tsp_waste" }, formula = "fly_tipping_incidents",
  unit = "count", decimals = 0, polarity = "down", target = 900, tolerance = "10%",
  owner = "Director of Public Realm", directorate = "Public Realm",
  type = "outcome", benchmark_source = "DEFRA Flycapture",
  source = "Flycapture" }

kpi "SH03" { title = "% of concluded safeguarding enquiries where the risk was reduced or removed",
  parents = { "sh3", "dsp_asc" },
  formula = pct("safeguarding_risk_reduced_removed", "safeguarding_enquiries_risk_identified"),
  polarity = "up", target = 90, tolerance = "5%",
  owner = "Director of Adult Social Care", directorate = "Adult Social Care",
  type = "outcome", benchmark_source = "Safeguarding Adults Collection",
  source = "Safeguarding Adults Collection" }

kpi "SH04" { title = "Total recorded crime per 1,000 population (quarter)",
  parents = { "sh3", "dsp_housing" }, formula = rate("recorded_crime", "population_all", 1000),
  unit = "per 1,000", decimals = 1, polarity = "down", target = 25, tolerance = "5%",
  owner = "Director of Housing and Community Services",
  directorate = "Housing and Community Services",
  type = "outcome", benchmark_source = "ONS recorded crime by CSP",
  methodology = "Crimes recorded in the quarter per 1,000 residents (about a quarter of the "
    .. "annual rate).", source = "West Midlands Police" }

kpi "SH05" { title = "Smoking prevalence in adults (18+): current smokers",
  parents = { "sh5", "dsp_ph" }, formula = "adults_smoking_pct",
  unit = "%", decimals = 1, polarity = "down", frequency = "annual",
  target = 13, tolerance = "5%",
  owner = "Director of Public Health and Wellbeing", directorate = "Public Health and Wellbeing",
  type = "outcome", benchmark_source = "OHID Fingertips",
  source = "ONS Annual Population Survey" }

kpi "SH06" { title = "% of physically inactive adults",
  parents = { "sh2", "dsp_ph" }, formula = "adults_physically_inactive_pct",
  unit = "%", decimals = 1, polarity = "down", frequency = "annual",
  target = 28, tolerance = "5%",
  owner = "Director of Public Health and Wellbeing", directorate = "Public Health and Wellbeing",
  type = "outcome", benchmark_source = "OHID Fingertips",
  source = "Sport England Active Lives" }

kpi "SH07" { title = "% of homelessness prevention duties ended with accommodation secured",
  parents = { "sh5", "dest1", "dsp_housing" },
  formula = pct("homeless_prevention_successful", "homeless_prevention_duties_ended"),
  polarity = "up", target = 60, tolerance = "5%",
  owner = "Director of Housing and Community Services",
  directorate = "Housing and Community Services",
  type = "outcome", benchmark_source = "H-CLIC", source = "H-CLIC" }

-- Dudley the borough of destinations --------------------------------------------------------
kpi "DEST01" { title = "Net additional homes provided",
  parents = { "dest1", "dest2", "dsp_regen" }, formula = "net_additional_dwellings",
  unit = "count", decimals = 0, polarity = "up", frequency = "annual",
  target = 600, tolerance = "10%",
  owner = "Director of Regeneration and Enterprise", directorate = "Regeneration and Enterprise",
  type = "outcome", benchmark_source = "MHCLG live table 122",
  source = "Housing land monitoring" }

kpi "DEST02" { title = "Number of affordable homes delivered",
  parents = { "dest1", "dsp_housing" }, formula = "affordable_homes_delivered",
  unit = "count", decimals = 0, polarity = "up", target = 40, tolerance = "10%",
  owner = "Director of Housing and Community Services",
  directorate = "Housing and Community Services",
  type = "output", source = "Housing development records" }

kpi "DEST03" { title = "Council housing rent collected as a % of rent due",
  parents = { "dest1", "dsp_housing" },
  formula = pct("council_rent_collected", "council_rent_due"), polarity = "up",
  target = 98, tolerance = 1, owner = "Director of Housing and Community Services",
  directorate = "Housing and Community Services",
  national = false, type = "process", benchmark_source = "Housemark median",
  source = "Housing rent account" }

kpi "DEST04" { title = "Visits to council visitor attractions, museums and heritage sites",
  parents = { "dest3", "dest4", "dest5", "dsp_regen" },
  formula = "visits_council_culture_heritage", unit = "count", decimals = 0, polarity = "up",
  target = 75000, tolerance = "10%",
  owner = "Director of Regeneration and Enterprise", directorate = "Regeneration and Enterprise",
  national = false, type = "output", source = "Venue footfall counts" }

kpi "DEST05" { title = "Number of visits to Dudley libraries",
  parents = { "dest5", "amb5", "dsp_housing" }, formula = "library_visits",
  unit = "count", decimals = 0, polarity = "up", target = 150000, tolerance = "10%",
  owner = "Director of Housing and Community Services",
  directorate = "Housing and Community Services",
  national = false, type = "output", benchmark_source = "CIPFA public library statistics",
  source = "Library management system" }

-- Future Council programme (organisational health) ------------------------------------------
kpi "FC01" { title = "Council tax collected as a % of council tax due (in year)",
  parents = { "fc_process", "dsp_finance", "tsp_revenues" },
  formula = pct("council_tax_collected", "council_tax_due"), polarity = "up",
  target = 96, tolerance = 1,
  owner = "Director of Finance and Legal", directorate = "Finance and Legal",
  type = "process", benchmark_source = "MHCLG collection rates",
  source = "Revenues system" }

kpi "FC02" { title = "Average working days lost to sickness per FTE employee (quarter)",
  parents = { "fc_people" }, formula = ratio("staff_sickness_days", "staff_fte"),
  unit = "days", decimals = 2, polarity = "down", target = 2.5, tolerance = "10%",
  owner = "Head of Human Resources (workforce metrics)", national = false, type = "input",
  methodology = "FTE days lost in the quarter / FTE at quarter end (about a quarter of the "
    .. "annual figure).", source = "HR / payroll system" }

kpi "FC03" { title = "Forecast revenue budget variance (£; overspend positive)",
  parents = { "fc_process", "dsp_finance" },
  formula = diff("revenue_outturn", "revenue_budget"),
  unit = "£", decimals = 0, polarity = "down", target = 0, tolerance = 1000000,
  owner = "Director of Finance and Legal", directorate = "Finance and Legal",
  national = false, type = "input",
  methodology = "Forecast outturn less current budget at the period end; green at or under "
    .. "budget, amber up to £1m over, red beyond.", source = "Financial management system" }

kpi "FC04" { title = "% of corporate complaints responded to within timescale",
  parents = { "fc_process", "amb2", "sh4", "dsp_dccs" },
  formula = pct("complaints_responded_on_time", "complaints_received"), polarity = "up",
  target = 90, tolerance = "5%",
  owner = "Director of Digital, Customer and Commercial Services",
  directorate = "Digital, Customer and Commercial Services",
  national = false, type = "process", source = "Complaints system" }

kpi "FC05" { title = "% of the workforce from ethnic minority backgrounds",
  parents = { "fc_people", "sh4" }, formula = pct("staff_ethnic_minority", "staff_headcount"),
  polarity = "up", target = 15, tolerance = "5%",
  owner = "Head of Human Resources (workforce metrics)", national = false, type = "input",
  methodology = "Target: moving towards the borough's working-age population profile.",
  source = "HR system" }

kpi "FC06" { title = "Greenhouse gas emissions from the council's operational estate (tCO2e)",
  parents = { "fc_place", "sh1" }, formula = "dudley_estate_emissions_tco2e",
  unit = "tCO2e", decimals = 0, polarity = "down", frequency = "annual",
  target = baseline { period = "2024/25", change = "-5%" }, tolerance = "2%",
  owner = "Head of Corporate Estates", national = false, type = "outcome",
  methodology = "Target: 5% below the previous year's emissions (on the way to net zero).",
  source = "Corporate Estates energy and fleet data" }

---------------------------------------------------------------------------------------------
-- Reporting cycle
---------------------------------------------------------------------------------------------
-- Quarterly Corporate Performance Report (scorecards with targets and benchmarking, PI trends
-- and action status, exceptions).  The working-day offsets are illustrative.
board "seb" { title = "Strategic Executive Board", cadence = "quarterly",
  receives = { "scorecard", "exceptions", "actions" }, after_days = 30 }
board "future_council_scrutiny" { title = "Future Council Scrutiny Committee",
  cadence = "quarterly", receives = { "scorecard", "exceptions" }, after_days = 40 }
board "informal_cabinet" { title = "Informal Cabinet", cadence = "quarterly",
  receives = { "exceptions" }, after_days = 35 }
-- The year-end report (April to March) goes in May/June and provides the content for the
-- Statement of Accounts report published in June.
board "year_end" { title = "Year-end corporate performance report (feeds the Statement of "
    .. "Accounts)", cadence = "annual", receives = { "scorecard", "exceptions", "year_end" },
  after_days = 45 }

-- Corporate Reporting Expectations: PI data, exceptions commentary and actions commentary
-- entered in Spectrum by the Corporate Performance Reporting timeline (days illustrative).
deadline "data_entry" { working_days = 10 }
deadline "commentary" { working_days = 15 }

-- "Where a Performance Indicator shows as below target exceptions commentary MUST be entered":
-- below target is amber (within tolerance) as well as red.
rule "commentary_required" { statuses = { "red", "amber" } }
