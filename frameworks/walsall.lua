-- frameworks/walsall.lua: Walsall Council's Performance Management Framework for the Council
-- Plan 2025-29, as refreshed for Cabinet on 15 October 2025.
--
-- Source: Walsall Council, "Performance Management Framework", report to Cabinet, 15 October
-- 2025, agenda item 8, and its Appendix One, the PMF.  From the report:
-- - the golden thread: We Are Walsall 2040 (the borough plan) -> the council's Vision "to be a
--   continuously improving council, delivering excellence, reducing inequalities and improving
--   life chances for all" -> five ambitions -> their priorities -> the Council Plan reporting
--   measures; below them directorate and service plans and Continuous Improvement
--   Conversations (CIC, the individual level, not modelled: it holds no KPIs);
-- - the underlying principles (as `principles` in the framework table: they run across every
--   ambition rather than sitting on one branch of the hierarchy);
-- - ALL 63 KPIs of the "Council Plan reporting measures" table (section 3.1), each under the
--   ambition and priority the table gives, described in the table's words (typos mended);
-- - quarterly reports to CMT and Cabinet (narrative, trend, benchmarking, target and
--   timescale), a point-in-time dashboard for each Council Plan priority from 2025/26,
--   Overview and Scrutiny (the Scrutiny Overview and Governance Committee reviews the
--   quarterly delivery report), and the Audit, Risk and Assurance Committee's annual review
--   of the PMF.
--
-- ILLUSTRATIVE (not in the report; never present them as Walsall facts):
-- - every target and tolerance (the report gives none), and every formula (the report gives
--   descriptions only), so the framework's defaults make every KPI `illustrative = true`.
--   Context measures the council cannot steer directly (election turnout, residents
--   supported, housing affordability) are data-only: no target;
-- - the formulas' metric split (numerator / denominator), units, frequencies and sources are
--   the usual national definitions of each measure, chosen for the example, as are the KPI
--   ids (TH = Thriving and Happy, HW = Healthy and Well, PI = Prosperous and Innovative,
--   PB = Proud of our Borough, CI = Continuously Improving);
-- - the board timings (working days after the quarter) and the data-entry deadline.
--
-- Modelling notes:
-- - Counts are summed over a period; snapshots (populations, caseloads, children in care,
--   households in temporary accommodation, staff) take the last value; proportions are
--   pct(count, count) so quarters and years aggregate correctly.  Quarterly count-based rates
--   (crime, first time entrants) are rates for the quarter (about a quarter of the annual).
-- - Survey estimates published only as percentages (APS smoking, Active Lives inactivity,
--   APS qualifications, adult obesity) and Attainment 8 are direct metrics.
-- - Health and education measures published yearly are annual: the figure reported in a
--   financial year is the latest published result.

framework "walsall" {
  title = "Walsall Council Plan 2025-29: Performance Management Framework",
  council = "E08000030",
  year_start = "April",
  levels = { "borough_plan", "vision", "ambition", "priority" },
  comparator = "cipfa",
  defaults = { illustrative = true, frequency = "quarterly", national = true, type = "outcome" },
  principles = {
    "Focusing on Prevention",
    "Ensuring Equity",
    "Working in Partnership",
    "Being Insight-led",
    "Acting Sustainably",
  },
  description = "Plan - do - check - act; KPIs selected from the council's data dictionary to "
    .. "monitor delivery of the Council Plan 2025-29, reported quarterly to CMT and Cabinet.",
}

---------------------------------------------------------------------------------------------
-- The golden thread
---------------------------------------------------------------------------------------------
borough_plan "we_are_walsall_2040" { title = "We Are Walsall 2040",
  description = "The borough plan: the vision for the borough that the Council Plan serves." }

vision "council_vision" { parent = "we_are_walsall_2040",
  title = "To be a continuously improving council, delivering excellence, reducing "
    .. "inequalities and improving life chances for all" }

ambition "thriving_happy" { title = "Thriving and Happy", parent = "council_vision" }
ambition "healthy_well" { title = "Healthy and Well", parent = "council_vision" }
ambition "prosperous_innovative" { title = "Prosperous and Innovative", parent = "council_vision" }
ambition "proud_borough" { title = "Proud of our Borough", parent = "council_vision" }
ambition "continuously_improving" { title = "Continuously Improving", parent = "council_vision" }

-- The priorities, in the table's order: {id, title, ambition}.
local PRIORITIES = {
  { "child_friendly",     "Child-friendly borough",                   "thriving_happy" },
  { "safer_streets",      "Safer Streets, Safer People",              "thriving_happy" },
  { "resilient_communities", "Resilient and Empowered Communities",   "thriving_happy" },
  { "active_healthy",     "Living Active and Healthy Lives",          "healthy_well" },
  { "supported_cared",    "Supported and Cared for",                  "healthy_well" },
  { "homes_for_all",      "Homes for All",                            "healthy_well" },
  { "business_growth",    "Supporting Business and Inclusive Growth", "prosperous_innovative" },
  { "skills_jobs",        "Skills and Jobs for All",                  "prosperous_innovative" },
  { "accessible_services", "Accessible Services and Connected Places", "prosperous_innovative" },
  { "clean_green",        "A Clean and Green Future",                 "proud_borough" },
  { "culture_heritage",   "Celebrating our Culture and Heritage",     "proud_borough" },
  { "vibrant_towns",      "Vibrant Towns",                            "proud_borough" },
  { "quality_experience", "A Quality Experience for All",             "continuously_improving" },
  { "skilled_workforce",  "A Skilled and Engaged Workforce",          "continuously_improving" },
  { "efficient_services", "Efficient and Effective Services",         "continuously_improving" },
}
for _, p in ipairs(PRIORITIES) do
  priority(p[1]) { title = p[2], parent = p[3] }
end

---------------------------------------------------------------------------------------------
-- Comparator groups
---------------------------------------------------------------------------------------------
group "wm_mets" { title = "West Midlands metropolitan boroughs",
  members = { "E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030",
              "E08000031" } }
group "black_country" { title = "Black Country boroughs",
  members = { "E08000027", "E08000028", "E08000030", "E08000031" } }

---------------------------------------------------------------------------------------------
-- Metrics (walsall_ only when local to Walsall)
-- Shared metrics (populations, national returns, finance, workforce, customer contact)
-- are declared once in frameworks/catalogue.lua and named here by id; below are
-- Walsall's own.
---------------------------------------------------------------------------------------------
-- Populations.
metric "population_10_17" { title = "Resident population aged 10-17", unit = "people",
  aggregation = "last", decimals = 0,
  definition = "ONS mid-year population estimate, aged 10-17 (youth justice age range).",
  source = "ONS mid-year population estimates" }

-- Thriving and Happy.
metric "child_dev_2_2half_reviewed" { title = "Children reviewed at 2-2½ years (ASQ-3)",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Children who received a 2-2½ year review using ASQ-3 in the period.",
  source = "Health visiting service; OHID child development outcomes" }
metric "child_dev_2_2half_expected" {
  title = "Children at or above the expected level in all five areas at 2-2½ years",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Of those reviewed, children at or above the expected level in communication, "
    .. "gross motor, fine motor, problem solving and personal-social skills.",
  source = "Health visiting service; OHID child development outcomes" }
metric "permanent_exclusions" { title = "Permanent exclusions from school", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Permanent exclusions of pupils at state-funded schools in the area.",
  source = "DfE exclusion statistics / local inclusion service" }
metric "school_pupils" { title = "Pupils on roll", unit = "count", aggregation = "last",
  decimals = 0, definition = "Pupils on roll at state-funded schools in the area (census).",
  source = "DfE school census" }
metric "yjs_first_time_entrants" { title = "First time entrants to the youth justice system",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Young people aged 10-17 receiving their first youth caution or conviction.",
  source = "Youth Justice Service / YJB (PNC)" }
metric "violent_crime" { title = "Violence against the person offences", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Police recorded violence against the person offences.",
  source = "ONS / West Midlands Police recorded crime" }
metric "walsall_connected_feedback" { title = "Walsall Connected customers giving feedback",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Walsall Connected customers answering the confidence question.",
  source = "Walsall Connected customer feedback" }
metric "walsall_connected_confident" {
  title = "Walsall Connected customers confident to complete the process independently",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Of those answering, customers who feel confident to complete the process "
    .. "independently next time.", source = "Walsall Connected customer feedback" }
metric "electorate_registered" { title = "Registered electors", unit = "count",
  aggregation = "last", decimals = 0,
  definition = "Electors on the register for the poll.", source = "Electoral Services" }
metric "election_votes_cast" { title = "Ballot papers counted", unit = "count",
  aggregation = "last", decimals = 0,
  definition = "Ballot papers counted at the poll (local elections).",
  source = "Electoral Services" }
metric "walsall_making_connections_residents" {
  title = "Residents engaging with Making Connections Walsall", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Residents engaging with the Making Connections Walsall programme.",
  source = "Making Connections Walsall records" }
metric "walsall_connected_residents_supported" {
  title = "Residents supported by Walsall Connected", unit = "count", aggregation = "sum",
  decimals = 0, definition = "Residents supported through the Walsall Connected network.",
  source = "Walsall Connected records" }

-- Healthy and Well.
metric "ncmp_y6_measured" { title = "Year 6 children measured (NCMP)", unit = "count",
  aggregation = "last", decimals = 0,
  definition = "Year 6 children with a valid height and weight measurement.",
  source = "NHS England National Child Measurement Programme" }
metric "ncmp_y6_overweight_obese" { title = "Year 6 children overweight or obese (NCMP)",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Year 6 children whose BMI is at or above the 85th centile (UK90).",
  source = "NHS England National Child Measurement Programme" }
metric "alcohol_specific_admissions" {
  title = "Admission episodes for alcohol-specific conditions", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Hospital admission episodes with an alcohol-specific primary or secondary "
    .. "diagnosis (narrow measure).", source = "OHID Fingertips / NHS Hospital Episode Statistics" }
metric "adults_overweight_obese_pct" { title = "Overweight or obese adults (18+)", unit = "%",
  aggregation = "last", decimals = 1,
  definition = "Adults with a BMI of 25 or more (Active Lives, self-reported, adjusted).",
  source = "OHID Fingertips (Sport England Active Lives)" }
metric "mmr2_age5_cohort" { title = "Children reaching their 5th birthday", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Children registered with a GP who reached their 5th birthday in the period.",
  source = "UKHSA COVER" }
metric "mmr2_age5_vaccinated" { title = "Children with two doses of MMR by age 5",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Of those reaching their 5th birthday, children who had two doses of MMR.",
  source = "UKHSA COVER" }
metric "care_leavers_19_21_suitable_accommodation" {
  title = "Care leavers aged 19-21 in suitable accommodation", unit = "count",
  aggregation = "last", decimals = 0,
  definition = "Care leavers aged 19-21 whose accommodation is judged suitable.",
  source = "DfE SSDA903 care leavers" }
metric "cla_3_plus_placements" {
  title = "Children in care with 3 or more placements in the last 12 months", unit = "count",
  aggregation = "last", decimals = 0,
  definition = "Children looked after at the period end who had three or more placements in "
    .. "the previous 12 months.", source = "DfE SSDA903" }
metric "ld_adults_supported" {
  title = "Adults 18-64 with a learning disability receiving long-term support",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Adults aged 18-64 with a primary support reason of learning disability "
    .. "receiving long-term support.", source = "NHS England SALT (ASCOF)" }
metric "ld_adults_own_home_family" {
  title = "Adults 18-64 with a learning disability living in their own home or with family",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Of those supported, living in their own home or with their family (ASCOF).",
  source = "NHS England SALT (ASCOF)" }
metric "carers_supported" { title = "Carers receiving carer-specific services",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Carers receiving carer-specific services (ASCOF 1C denominator).",
  source = "NHS England SALT (ASCOF)" }
metric "carers_self_directed_support" { title = "Carers receiving self-directed support",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Carers receiving self-directed support (ASCOF 1C numerator).",
  source = "NHS England SALT (ASCOF)" }
metric "asc_new_requests_concluded" { title = "Requests for support from new clients concluded",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Requests for adult social care support from new clients concluded in the period.",
  source = "NHS England SALT / adult social care case system" }
metric "asc_new_requests_no_long_term" {
  title = "New clients' requests concluded without long-term support", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Of the concluded requests, those whose outcome did not require long-term "
    .. "support (information and advice, universal or short-term services, no services).",
  source = "NHS England SALT / adult social care case system" }
metric "asc_long_term_clients" { title = "People receiving long-term adult social care support",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "People receiving long-term support at the period end.",
  source = "Adult social care case system" }
metric "asc_long_term_community" {
  title = "People receiving long-term support who live in the community", unit = "count",
  aggregation = "last", decimals = 0,
  definition = "Of those receiving long-term support, people not in residential or nursing care.",
  source = "Adult social care case system" }
metric "median_house_price" { title = "Median house price", unit = "£", aggregation = "last",
  decimals = 0, definition = "Median price paid for residential property.",
  source = "ONS House price to workplace-based earnings ratio (HPSSA)" }
metric "median_earnings_workplace" { title = "Median gross annual workplace-based earnings",
  unit = "£", aggregation = "last", decimals = 0,
  definition = "Median gross annual earnings of full-time employees working in the area.",
  source = "ONS Annual Survey of Hours and Earnings" }
metric "children_temporary_accommodation" { title = "Children in temporary accommodation",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Children in households in temporary accommodation at the period end.",
  source = "MHCLG H-CLIC" }
metric "households_bed_and_breakfast" { title = "Households in bed and breakfast accommodation",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Households placed in bed and breakfast accommodation at the period end.",
  source = "MHCLG H-CLIC" }

-- Prosperous and Innovative.
metric "business_births_3yr_cohort" { title = "Business births three years earlier",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Enterprises born in the area in the year three years before.",
  source = "ONS Business Demography" }
metric "business_births_surviving_3yr" { title = "Business births surviving three years",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Of the enterprises born three years before, those still active.",
  source = "ONS Business Demography" }
metric "gva_all_industries" { title = "Gross value added (balanced), all industries",
  unit = "£m", aggregation = "last", decimals = 0,
  definition = "Balanced gross value added at current basic prices, all industries (£ million).",
  source = "ONS Regional gross value added (balanced) by local authority" }
metric "walsall_business_planning_decided" {
  title = "Planning applications for business uses decided", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Planning applications for commercial, industrial and other business uses "
    .. "decided in the period.", source = "Planning case management system" }
metric "walsall_business_planning_in_time" {
  title = "Planning applications for business uses decided on time", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Of those decided, decided within the statutory period or an agreed extension.",
  source = "Planning case management system" }
metric "cohort_16_18" { title = "Young people aged 16-18 known to the council", unit = "count",
  aggregation = "mean", decimals = 0,
  definition = "Academic age 16, 17 and 18 residents known to the authority (NCCIS cohort).",
  source = "DfE NCCIS" }
metric "neet_16_18" { title = "Young people aged 16-18 NEET", unit = "count",
  aggregation = "mean", decimals = 0,
  definition = "Academic age 16, 17 and 18 residents not in education, employment or training.",
  source = "DfE NCCIS" }
metric "working_age_no_qualifications_pct" {
  title = "Working age population (16-64) with no qualifications", unit = "%",
  aggregation = "last", decimals = 1,
  definition = "Residents aged 16-64 with no qualifications (Annual Population Survey).",
  source = "ONS Annual Population Survey (Nomis)" }
metric "attainment8_average" { title = "Average Attainment 8 score per pupil", unit = "points",
  aggregation = "last", decimals = 1,
  definition = "Average Attainment 8 score of pupils at the end of key stage 4 in state-funded "
    .. "schools.", source = "DfE key stage 4 performance" }
metric "walsall_connected_supported_digitally" {
  title = "Residents supported digitally by Walsall Connected", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Residents supported by Walsall Connected whose support was digital (online "
    .. "self-service with assistance, digital skills).", source = "Walsall Connected records" }
metric "footways_high_amenity_surveyed_km" { title = "High amenity footway length surveyed",
  unit = "km", aggregation = "last", decimals = 1,
  definition = "Length of high amenity (category 1 and 1a) footways surveyed.",
  source = "Footway network survey" }
metric "footways_high_amenity_good_km" {
  title = "High amenity footway length in good or acceptable condition", unit = "km",
  aggregation = "last", decimals = 1,
  definition = "Surveyed high amenity footway length in good or acceptable condition.",
  source = "Footway network survey" }

-- Proud of our Borough.
metric "enforcement_actions_litter_flytipping" {
  title = "Enforcement actions for litter and fly-tipping", unit = "count", aggregation = "sum",
  decimals = 0, definition = "Enforcement actions (warning letters, fixed penalty notices, "
    .. "duty of care inspections, prosecutions) for litter and fly-tipping.",
  source = "DEFRA Flycapture / environmental enforcement records" }
metric "walsall_grass_cutting_issues" { title = "Grass-cutting issues raised by residents",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Service requests and complaints from residents about grass-cutting.",
  source = "Customer relationship management system" }
metric "ev_charging_devices" { title = "Publicly available electric vehicle charging devices",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Publicly available EV charging devices in the area at the period end.",
  source = "DfT electric vehicle public charging infrastructure statistics" }
metric "visitor_economy_enterprises" { title = "Enterprises in the visitor economy",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "VAT and/or PAYE registered enterprises in tourism-characteristic industries.",
  source = "ONS UK Business Counts (Nomis)" }

-- Continuously Improving.
metric "walsall_cxc_survey_responses" { title = "Customer experience centre survey responses",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Customers answering the customer experience centre satisfaction survey.",
  source = "Customer experience centre survey" }
metric "walsall_cxc_satisfied" { title = "Customer experience centre customers satisfied",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Survey respondents satisfied or very satisfied with the service received.",
  source = "Customer experience centre survey" }
metric "staff_ethnicity_declared" { title = "Employees who have declared their ethnicity",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Employees at the period end with a declared ethnicity (excluding schools).",
  source = "HR system" }
metric "staff_disability_declared" { title = "Employees who have declared disability status",
  unit = "count", aggregation = "last", decimals = 0,
  definition = "Employees at the period end who have answered the disability question.",
  source = "HR system" }
metric "walsall_connected_queries" { title = "Walsall Connected queries", unit = "count",
  aggregation = "sum", decimals = 0, definition = "Queries handled at Walsall Connected centres.",
  source = "Walsall Connected records" }
metric "walsall_connected_resolved_first_contact" {
  title = "Walsall Connected queries resolved at first point of contact", unit = "count",
  aggregation = "sum", decimals = 0,
  definition = "Queries resolved at the first contact without referral or follow-up.",
  source = "Walsall Connected records" }
metric "sar_requests_received" { title = "Subject access requests due a response",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Subject access requests whose statutory deadline (one month, or three when "
    .. "extended) fell in the period.", source = "Information governance case system" }
metric "sar_requests_on_time" { title = "Subject access requests answered within the deadline",
  unit = "count", aggregation = "sum", decimals = 0,
  definition = "Of those due, answered within the statutory deadline.",
  source = "Information governance case system" }

---------------------------------------------------------------------------------------------
-- Council Plan reporting measures (the report's table, all 63).  Targets ILLUSTRATIVE.
---------------------------------------------------------------------------------------------
local CHILDREN = "Children's Services"
local ADULTS = "Adult Social Care, Public Health and Hub"
local ECONOMY = "Economy, Environment and Communities"
local RESOURCES = "Resources and Transformation"

-- Thriving and Happy: Child-friendly borough ------------------------------------------------
kpi "TH01" { title = "% of 2.5 year olds reaching the expected level of development",
  parent = "child_friendly",
  formula = pct("child_dev_2_2half_expected", "child_dev_2_2half_reviewed"), polarity = "up",
  target = 75, tolerance = "5%", directorate = CHILDREN,
  benchmark_source = "OHID child development outcomes" }
kpi "TH02" { title = "% of children's social care assessments completed within 45 days",
  parent = "child_friendly",
  formula = pct("cs_assessments_within_45_days", "cs_assessments_completed"), polarity = "up",
  target = 90, tolerance = "5%", comparator = "dfe_sn", directorate = CHILDREN,
  type = "process", benchmark_source = "LAIT" }
kpi "TH03" { title = "% of EHCPs issued within 20 weeks", parent = "child_friendly",
  formula = pct("ehcp_issued_20_weeks", "ehcp_issued"), polarity = "up",
  target = 60, tolerance = "10%", comparator = "dfe_sn", directorate = CHILDREN,
  type = "process", benchmark_source = "LAIT" }
kpi "TH04" { title = "% of school children permanently excluded from school",
  parent = "child_friendly", formula = pct("permanent_exclusions", "school_pupils"),
  decimals = 2, polarity = "down", frequency = "annual",
  target = 0.10, tolerance = "10%", comparator = "dfe_sn", directorate = CHILDREN,
  benchmark_source = "DfE exclusion statistics",
  breakdowns = { "sex", "ethnicity", "sen_status" } }
kpi "TH05" { title = "School readiness: % of children achieving a good level of development "
    .. "at the end of reception", parent = "child_friendly",
  formula = pct("eyfsp_gld", "eyfsp_cohort"), polarity = "up", frequency = "annual",
  target = 66, tolerance = "3%", comparator = "dfe_sn", directorate = CHILDREN,
  benchmark_source = "DfE EYFSP statistics",
  breakdowns = { "sex", "ethnicity", "free_school_meals" } }

-- Thriving and Happy: Safer Streets, Safer People --------------------------------------------
kpi "TH06" { title = "First time entrants into the youth justice system per 100,000 (10-17 "
    .. "yrs population)", parent = "safer_streets",
  formula = rate("yjs_first_time_entrants", "population_10_17", 100000),
  unit = "per 100,000", decimals = 1, polarity = "down",
  target = 40, tolerance = "10%", directorate = CHILDREN,
  methodology = "Entrants in the quarter per 100,000 residents aged 10-17 (about a quarter of "
    .. "the annual rate).", benchmark_source = "YJB youth justice statistics" }
kpi "TH07" { title = "Total recorded crime per 1,000 population", parent = "safer_streets",
  formula = rate("recorded_crime", "population_all", 1000),
  unit = "per 1,000", decimals = 1, polarity = "down",
  target = 28, tolerance = "5%", directorate = ECONOMY,
  methodology = "Crimes recorded in the quarter per 1,000 residents.",
  benchmark_source = "ONS recorded crime by Community Safety Partnership",
  breakdowns = { "ward" } }
kpi "TH08" { title = "Violent crime: offences per 100,000 population", parent = "safer_streets",
  formula = rate("violent_crime", "population_all", 100000),
  unit = "per 100,000", decimals = 0, polarity = "down",
  target = 1100, tolerance = "5%", directorate = ECONOMY,
  methodology = "Violence against the person offences recorded in the quarter per 100,000 "
    .. "residents.", benchmark_source = "ONS recorded crime by Community Safety Partnership",
  breakdowns = { "ward" } }

-- Thriving and Happy: Resilient and Empowered Communities -----------------------------------
kpi "TH09" { title = "Customers empowered to feel confident to complete process independently "
    .. "by Walsall Connected", parent = "resilient_communities",
  formula = pct("walsall_connected_confident", "walsall_connected_feedback"), polarity = "up",
  target = 70, tolerance = "5%", directorate = RESOURCES, national = false }
kpi "TH10" { title = "Election turnout (% of those registered)", parent = "resilient_communities",
  formula = pct("election_votes_cast", "electorate_registered"),
  polarity = "up", frequency = "annual", directorate = RESOURCES, national = false,
  methodology = "Data only (no target): turnout at the year's local elections.",
  source = "Electoral Services" }
kpi "TH11" { title = "Number of residents engaging with Making Connections Walsall",
  parent = "resilient_communities", formula = "walsall_making_connections_residents",
  unit = "count", decimals = 0, polarity = "up",
  target = 1500, tolerance = "10%", directorate = ADULTS, national = false, type = "output" }
kpi "TH12" { title = "Total number of residents supported by Walsall Connected",
  parent = "resilient_communities", formula = "walsall_connected_residents_supported",
  unit = "count", decimals = 0, polarity = "up",
  directorate = RESOURCES, national = false, type = "output",
  methodology = "Data only (no target): a volume measure read alongside TH09 and PI10." }

-- Healthy and Well: Living Active and Healthy Lives -----------------------------------------
kpi "HW01" { title = "% of children in year 6 who are overweight or obese",
  parent = "active_healthy", formula = pct("ncmp_y6_overweight_obese", "ncmp_y6_measured"),
  polarity = "down", frequency = "annual", target = 40, tolerance = "3%", directorate = ADULTS,
  benchmark_source = "OHID Fingertips (NCMP)" }
kpi "HW02" { title = "% of physically inactive adults", parent = "active_healthy",
  formula = "adults_physically_inactive_pct",
  unit = "%", decimals = 1, polarity = "down", frequency = "annual",
  target = 30, tolerance = "5%", directorate = ADULTS,
  benchmark_source = "OHID Fingertips" }
kpi "HW03" { title = "Admission episodes for alcohol-specific conditions per 100,000",
  parent = "active_healthy",
  formula = rate("alcohol_specific_admissions", "population_all", 100000),
  unit = "per 100,000", decimals = 0, polarity = "down", frequency = "annual",
  target = 600, tolerance = "5%", directorate = ADULTS,
  methodology = "Crude rate per 100,000 residents; OHID publishes a directly age-standardised "
    .. "rate for benchmarking.", benchmark_source = "OHID Fingertips" }
kpi "HW04" { title = "Overweight and obesity prevalence in adults (18+)",
  parent = "active_healthy", formula = "adults_overweight_obese_pct",
  unit = "%", decimals = 1, polarity = "down", frequency = "annual",
  target = 68, tolerance = "3%", directorate = ADULTS,
  benchmark_source = "OHID Fingertips" }
kpi "HW05" { title = "Population vaccination coverage: MMR, 2 doses in 5 year olds",
  parent = "active_healthy", formula = pct("mmr2_age5_vaccinated", "mmr2_age5_cohort"),
  polarity = "up", target = 95, tolerance = "5%", directorate = ADULTS,
  methodology = "Target: the 95% coverage standard for population protection.",
  benchmark_source = "UKHSA COVER" }
kpi "HW06" { title = "Smoking prevalence in adults (18+): current smokers (1 year range)",
  parent = "active_healthy", formula = "adults_smoking_pct",
  unit = "%", decimals = 1, polarity = "down", frequency = "annual",
  target = 13, tolerance = "5%", directorate = ADULTS,
  benchmark_source = "OHID Fingertips" }

-- Healthy and Well: Supported and Cared for -------------------------------------------------
kpi "HW07" { title = "% care leavers in suitable accommodation (19-21)",
  parent = "supported_cared",
  formula = pct("care_leavers_19_21_suitable_accommodation", "care_leavers_19_21"),
  polarity = "up",
  target = 90, tolerance = "5%", comparator = "dfe_sn", directorate = CHILDREN,
  benchmark_source = "LAIT" }
kpi "HW08" { title = "% of children in care with 3 or more placements in a year",
  parent = "supported_cared", formula = pct("cla_3_plus_placements", "children_in_care"),
  polarity = "down",
  target = 10, tolerance = "10%", comparator = "dfe_sn", directorate = CHILDREN,
  benchmark_source = "LAIT",
  methodology = "Children in care at the period end with 3+ placements in the previous 12 "
    .. "months, as a % of children in care at the period end." }
kpi "HW09" { title = "Proportion of adults (18-64) with learning disabilities who live in "
    .. "their own home or with their family", parent = "supported_cared",
  formula = pct("ld_adults_own_home_family", "ld_adults_supported"), polarity = "up",
  target = 85, tolerance = "5%", directorate = ADULTS,
  benchmark_source = "ASCOF" }
kpi "HW10" { title = "Proportion of carers receiving self-directed support",
  parent = "supported_cared",
  formula = pct("carers_self_directed_support", "carers_supported"), polarity = "up",
  target = 95, tolerance = "5%", directorate = ADULTS, type = "output",
  benchmark_source = "ASCOF" }
kpi "HW11" { title = "Proportion of new people whose request is concluded by not requiring "
    .. "long-term support", parent = "supported_cared",
  formula = pct("asc_new_requests_no_long_term", "asc_new_requests_concluded"),
  polarity = "up", target = 75, tolerance = "5%", directorate = ADULTS,
  benchmark_source = "SALT / ASCOF" }
kpi "HW12" { title = "Proportion of people who receive long term services who reside in the "
    .. "community", parent = "supported_cared",
  formula = pct("asc_long_term_community", "asc_long_term_clients"), polarity = "up",
  target = 75, tolerance = "5%", directorate = ADULTS, national = false }

-- Healthy and Well: Homes for All -----------------------------------------------------------
kpi "HW13" { title = "Housing affordability ratio", parent = "homes_for_all",
  formula = ratio("median_house_price", "median_earnings_workplace"),
  unit = "ratio", decimals = 2, polarity = "down", frequency = "annual", directorate = ECONOMY,
  methodology = "Data only (no target): median house price / median workplace-based annual "
    .. "earnings.", benchmark_source = "ONS HPSSA" }
kpi "HW14" { title = "Number of children in temporary accommodation", parent = "homes_for_all",
  formula = "children_temporary_accommodation",
  unit = "count", decimals = 0, polarity = "down",
  target = 300, tolerance = "10%", directorate = ECONOMY,
  benchmark_source = "MHCLG statutory homelessness statistics" }
kpi "HW15" { title = "Number of households in bed and breakfast accommodation",
  parent = "homes_for_all", formula = "households_bed_and_breakfast",
  unit = "count", decimals = 0, polarity = "down",
  target = 20, tolerance = "20%", directorate = ECONOMY,
  benchmark_source = "MHCLG statutory homelessness statistics" }
kpi "HW16" { title = "Number of households in temporary accommodation", parent = "homes_for_all",
  formula = "households_temporary_accommodation",
  unit = "count", decimals = 0, polarity = "down",
  target = 250, tolerance = "10%", directorate = ECONOMY,
  benchmark_source = "MHCLG statutory homelessness statistics" }

-- Prosperous and Innovative: Supporting Business and Inclusive Growth -----------------------
kpi "PI01" { title = "Business survival rate (3 years)", parent = "business_growth",
  formula = pct("business_births_surviving_3yr", "business_births_3yr_cohort"),
  polarity = "up", frequency = "annual", target = 55, tolerance = "5%", directorate = ECONOMY,
  benchmark_source = "ONS Business Demography" }
kpi "PI02" { title = "Gross value added (all industries)", parent = "business_growth",
  formula = "gva_all_industries",
  unit = "£m", decimals = 0, polarity = "up", frequency = "annual",
  target = baseline { period = "2024/25", change = "+3%" }, tolerance = "2%",
  directorate = ECONOMY, methodology = "Target: 3% above the 2024/25 figure (cash terms).",
  benchmark_source = "ONS regional GVA" }
kpi "PI03" { title = "Percentage of business planning applications decided on time",
  parent = "business_growth",
  formula = pct("walsall_business_planning_in_time", "walsall_business_planning_decided"),
  polarity = "up",
  target = 85, tolerance = "5%", directorate = ECONOMY, national = false, type = "process" }
kpi "PI04" { title = "Total number of enterprises supported", parent = "business_growth",
  formula = "businesses_supported", unit = "count", decimals = 0, polarity = "up",
  target = 150, tolerance = "10%", directorate = ECONOMY, national = false, type = "output" }

-- Prosperous and Innovative: Skills and Jobs for All ----------------------------------------
kpi "PI05" { title = "% of 16, 17 and 18 year-olds who are not in education, employment or "
    .. "training (NEET)", parent = "skills_jobs", formula = pct("neet_16_18", "cohort_16_18"),
  polarity = "down",
  target = 5, tolerance = "10%", comparator = "dfe_sn", directorate = CHILDREN,
  benchmark_source = "DfE NCCIS" }
kpi "PI06" { title = "% of care leavers who are in education, employment or training (EET)",
  parent = "skills_jobs", formula = pct("care_leavers_19_21_eet", "care_leavers_19_21"),
  polarity = "up",
  target = 55, tolerance = "5%", comparator = "dfe_sn", directorate = CHILDREN,
  benchmark_source = "LAIT" }
kpi "PI07" { title = "% of working age adults (16-64) claiming unemployment benefits",
  parent = "skills_jobs", formula = pct("claimants_16_64", "population_16_64"),
  polarity = "down", target = 6, tolerance = "5%", directorate = ECONOMY,
  benchmark_source = "ONS claimant count (Nomis)", breakdowns = { "ward", "age_band" } }
kpi "PI08" { title = "% of working age population with no qualifications", parent = "skills_jobs",
  formula = "working_age_no_qualifications_pct",
  unit = "%", decimals = 1, polarity = "down", frequency = "annual",
  target = 10, tolerance = "5%", directorate = ECONOMY,
  benchmark_source = "ONS APS (Nomis)" }
kpi "PI09" { title = "Average Attainment 8 score per pupil (measure of KS4 achievement)",
  parent = "skills_jobs", formula = "attainment8_average",
  unit = "points", decimals = 1, polarity = "up", frequency = "annual",
  target = 45, tolerance = "3%", comparator = "dfe_sn", directorate = CHILDREN,
  benchmark_source = "DfE KS4 performance" }

-- Prosperous and Innovative: Accessible Services and Connected Places -----------------------
kpi "PI10" { title = "% of total supported digitally at Walsall Connected",
  parent = "accessible_services",
  formula = pct("walsall_connected_supported_digitally", "walsall_connected_residents_supported"),
  polarity = "up",
  target = 40, tolerance = "10%", directorate = RESOURCES, national = false, type = "output" }
kpi "PI11" { title = "Percentage of A roads identified being in a good/acceptable condition",
  parent = "accessible_services",
  -- good/acceptable = surveyed length not in the red category (shares DfT's two metrics).
  formula = custom { inputs = { red = "a_roads_red_km", surveyed = "a_roads_surveyed_km" },
    fn = function(m)
      if not m.surveyed or m.surveyed <= 0 or not m.red then return nil end
      return 100 * (m.surveyed - m.red) / m.surveyed
    end },
  unit = "%", decimals = 1, polarity = "up", frequency = "annual",
  target = 97, tolerance = 1, directorate = ECONOMY,
  methodology = "100 x (surveyed A-road length - red length) / surveyed length.",
  benchmark_source = "DfT RDC0120" }
kpi "PI12" { title = "Percentage of high amenity footways identified being in a "
    .. "good/acceptable condition", parent = "accessible_services",
  formula = pct("footways_high_amenity_good_km", "footways_high_amenity_surveyed_km"),
  polarity = "up", frequency = "annual",
  target = 90, tolerance = "3%", directorate = ECONOMY, national = false }

-- Proud of our Borough: A Clean and Green Future --------------------------------------------
kpi "PB01" { title = "% of household waste sent for reuse, recycling and composting",
  parent = "clean_green",
  formula = pct("household_waste_recycled_tonnes", "household_waste_total_tonnes"),
  polarity = "up", target = 40, tolerance = "5%", directorate = ECONOMY,
  benchmark_source = "DEFRA WasteDataFlow (CIPFA neighbours)" }
kpi "PB02" { title = "Number of fly-tip incidents reported", parent = "clean_green",
  formula = "fly_tipping_incidents", unit = "count", decimals = 0, polarity = "down",
  target = 1200, tolerance = "10%", directorate = ECONOMY,
  benchmark_source = "DEFRA Flycapture", breakdowns = { "ward" } }
kpi "PB03" { title = "Number of enforcement actions taken in relation to litter and fly-tipping",
  parent = "clean_green", formula = "enforcement_actions_litter_flytipping",
  unit = "count", decimals = 0, polarity = "up",
  target = 500, tolerance = "10%", directorate = ECONOMY, national = false, type = "output" }
kpi "PB04" { title = "Number of issues raised by residents in relation to grass-cutting",
  parent = "clean_green", formula = "walsall_grass_cutting_issues",
  unit = "count", decimals = 0, polarity = "down",
  target = 150, tolerance = "10%", directorate = ECONOMY, national = false,
  methodology = "Seasonal: most issues fall in Q1 and Q2 (the cutting season)." }
kpi "PB05" { title = "Total number of publicly available electric vehicle charging devices",
  parent = "clean_green", formula = "ev_charging_devices",
  unit = "count", decimals = 0, polarity = "up",
  target = { ["2025/26"] = 150, ["2026/27"] = 200 }, tolerance = "10%",
  directorate = ECONOMY, type = "output",
  benchmark_source = "DfT EV charging statistics" }

-- Proud of our Borough: Celebrating our Culture and Heritage --------------------------------
kpi "PB06" { title = "Enterprises in visitor economy in Walsall", parent = "culture_heritage",
  formula = "visitor_economy_enterprises",
  unit = "count", decimals = 0, polarity = "up", frequency = "annual",
  target = 600, tolerance = "5%", directorate = ECONOMY, national = false,
  benchmark_source = "ONS UK Business Counts" }
kpi "PB07" { title = "Number of visitors to Walsall libraries", parent = "culture_heritage",
  formula = "library_visits", unit = "count", decimals = 0, polarity = "up",
  target = 120000, tolerance = "10%", directorate = ECONOMY, national = false, type = "output",
  benchmark_source = "CIPFA public library statistics" }
kpi "PB08" { title = "Number of visits to Council cultural and heritage sites",
  parent = "culture_heritage", formula = "visits_council_culture_heritage",
  unit = "count", decimals = 0, polarity = "up",
  target = 60000, tolerance = "10%", directorate = ECONOMY, national = false, type = "output" }

-- Proud of our Borough: Vibrant Towns -------------------------------------------------------
kpi "PB09" { title = "Number of visits to Council managed sports and leisure centres",
  parent = "vibrant_towns", formula = "leisure_centre_visits",
  unit = "count", decimals = 0, polarity = "up",
  target = 250000, tolerance = "10%", directorate = ECONOMY, national = false, type = "output" }
kpi "PB10" { title = "Percentage of major planning applications determined in mandated "
    .. "timescale", parent = "vibrant_towns",
  formula = pct("major_planning_in_time", "major_planning_decided"), polarity = "up",
  target = 90, tolerance = "5%", directorate = ECONOMY, type = "process",
  benchmark_source = "MHCLG live table P151" }
kpi "PB11" { title = "Percentage of non-major applications decided on time",
  parent = "vibrant_towns",
  formula = pct("nonmajor_planning_in_time", "nonmajor_planning_decided"), polarity = "up",
  target = 85, tolerance = "5%", directorate = ECONOMY, type = "process",
  benchmark_source = "MHCLG live table P153" }

-- Continuously Improving: A Quality Experience for All --------------------------------------
kpi "CI01" { title = "Corporate complaints resolution within 10 working days (SLA) (%)",
  parent = "quality_experience",
  formula = pct("complaints_responded_on_time", "complaints_received"), polarity = "up",
  target = 90, tolerance = "5%", directorate = RESOURCES, national = false, type = "process",
  definition = "Corporate complaints resolved within the 10 working day service level "
    .. "agreement as a % of complaints closed." }
kpi "CI02" { title = "Customer experience centre customer satisfaction scores",
  parent = "quality_experience",
  formula = pct("walsall_cxc_satisfied", "walsall_cxc_survey_responses"), polarity = "up",
  target = 85, tolerance = "5%", directorate = RESOURCES, national = false }
kpi "CI03" { title = "CXC % of calls answered (%)", parent = "quality_experience",
  formula = pct("contact_centre_calls_answered", "contact_centre_calls_offered"),
  polarity = "up",
  target = 90, tolerance = "5%", directorate = RESOURCES, national = false, type = "process" }

-- Continuously Improving: A Skilled and Engaged Workforce -----------------------------------
kpi "CI04" { title = "% of workforce from ethnic minority group (of those that declared)",
  parent = "skilled_workforce",
  formula = pct("staff_ethnic_minority", "staff_ethnicity_declared"), polarity = "up",
  target = 25, tolerance = "5%", directorate = RESOURCES, national = false, type = "input",
  methodology = "Target: moving towards the borough's working-age population profile." }
kpi "CI05" { title = "% of workforce with a disability (of those that declared)",
  parent = "skilled_workforce", formula = pct("staff_disabled", "staff_disability_declared"),
  polarity = "up",
  target = 8, tolerance = "5%", directorate = RESOURCES, national = false, type = "input" }
kpi "CI06" { title = "Average sick days lost per employee", parent = "skilled_workforce",
  formula = ratio("staff_sickness_days", "staff_fte"),
  unit = "days", decimals = 2, polarity = "down",
  target = 2.4, tolerance = "10%", directorate = RESOURCES, national = false, type = "input",
  methodology = "FTE days lost in the quarter / FTE at the quarter end (about a quarter of "
    .. "the annual figure)." }
kpi "CI07" { title = "Total employee turnover rate", parent = "skilled_workforce",
  formula = pct("staff_leavers", "staff_headcount"), polarity = "down",
  target = 3, tolerance = "10%", directorate = RESOURCES, national = false, type = "input",
  methodology = "Leavers in the quarter as a % of headcount at the quarter end." }

-- Continuously Improving: Efficient and Effective Services ----------------------------------
kpi "CI08" { title = "Budget: Variance £", parent = "efficient_services",
  formula = diff("revenue_outturn", "revenue_budget"),
  unit = "£", decimals = 0, polarity = "down",
  target = 0, tolerance = 1000000, directorate = RESOURCES, national = false, type = "input",
  methodology = "Forecast outturn less current net budget (overspend positive): green at or "
    .. "under budget, amber up to £1m over, red beyond." }
kpi "CI09" { title = "Council tax collected as a percentage of council tax due",
  parent = "efficient_services", formula = pct("council_tax_collected", "council_tax_due"),
  polarity = "up", target = 96, tolerance = 1, directorate = RESOURCES, type = "process",
  benchmark_source = "MHCLG council tax collection rates" }
kpi "CI10" { title = "FOI requests issued within statutory deadline", parent = "efficient_services",
  formula = pct("foi_requests_on_time", "foi_requests_received"), polarity = "up",
  target = 90, tolerance = "5%", directorate = RESOURCES, national = false, type = "process" }
kpi "CI11" { title = "Walsall Connected queries resolved at first point of contact",
  parent = "efficient_services",
  formula = pct("walsall_connected_resolved_first_contact", "walsall_connected_queries"),
  polarity = "up",
  target = 80, tolerance = "5%", directorate = RESOURCES, national = false }
kpi "CI12" { title = "SARs requests issued within statutory deadline",
  parent = "efficient_services",
  formula = pct("sar_requests_on_time", "sar_requests_received"), polarity = "up",
  target = 90, tolerance = "5%", directorate = RESOURCES, national = false, type = "process" }

---------------------------------------------------------------------------------------------
-- Reporting: plan - do - check - act, at least quarterly
---------------------------------------------------------------------------------------------
-- Cabinet's quarterly Council Plan delivery report carries, from 2025/26, a point-in-time
-- dashboard for each Council Plan priority: one "dashboard:<priority id>" per priority.
local cabinet_receives = { "scorecard", "narrative", "exceptions" }
for _, p in ipairs(PRIORITIES) do
  cabinet_receives[#cabinet_receives + 1] = "dashboard:" .. p[1]
end

board "cmt" { title = "Corporate Management Team (CMT)", cadence = "quarterly",
  receives = { "scorecard", "narrative", "exceptions" }, after_days = 25,
  description = "Receives quarterly reports to monitor the delivery of corporate priorities "
    .. "and outcomes; supports Cabinet with any realignment of resources." }
board "cabinet" { title = "Cabinet", cadence = "quarterly", receives = cabinet_receives,
  after_days = 45,
  description = "Quarterly Council Plan delivery report (narrative, trend, benchmarking, "
    .. "target and timescale), published on CMIS with a PDF dashboard per priority." }
board "scrutiny_overview_governance" { title = "Scrutiny Overview and Governance Committee",
  cadence = "quarterly", receives = { "scorecard", "narrative" }, after_days = 55,
  description = "Overview and Scrutiny: holds Cabinet to account for delivery of the Council "
    .. "Plan; reviews the quarterly delivery report Cabinet receives, and may request "
    .. "performance data for its work programme." }
board "audit_risk_assurance" { title = "Audit, Risk and Assurance Committee", cadence = "annual",
  receives = { "pmf_review" }, after_days = 65,
  description = "Annual review of the Performance Management Framework's effectiveness as "
    .. "part of the review of internal controls; considers revisions before Cabinet." }

deadline "data_entry" { working_days = 10 }      -- illustrative

-- Areas of concern or underperformance are escalated with commentary.
rule "commentary_required" { statuses = { "red", "amber" } }
