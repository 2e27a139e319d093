-- frameworks/sandwell.lua: Sandwell Metropolitan Borough Council's corporate Performance
-- Management Framework (PMF), as approved by Council on 12 April 2022.
--
-- Source: Sandwell Metropolitan Borough Council, "A Performance Management Framework for the
-- Council", report to Council, 12 April 2022 (Director - Business Strategy and Change; the
-- report names no agenda item).  From the report:
--   * the golden thread: Vision 2030 -> Corporate Plan strategic outcomes (and the
--     Improvement Plan, the actions answering the Grant Thornton Governance Value for Money
--     Review, later the CIPFA Financial Management Review and the LGA Corporate Peer
--     Challenge) -> directorate business plans -> service plans -> team plans -> individual
--     work plans and appraisals; the Corporate Transformation Plan draws on all of them;
--   * the four PMF components: Organisational Health (incl. "pulse" checks), Customer
--     Experience (incl. consultation results), Finance and Contracts (budget monitoring, key
--     corporate contracts, % of spend in the local area), Corporate Plan measures;
--   * the eight Improvement Plan actions about the PMF itself (section 4.1.3);
--   * the reporting framework: Leadership Team monthly (all measures), Cabinet quarterly,
--     Budget and Corporate Management Scrutiny quarterly; progress to the Government-appointed
--     Commissioners.
-- Not in the report (its appendices 1-4, the measures, were not part of it):
--   * five of the six strategic outcomes: only "People Live Well and Age Well" is named in the
--     report; the other five are written as we understand the council's refreshed Corporate
--     Plan (2021) to word them, unchecked against a source here: treat their wording as
--     illustrative.  They give the Corporate Plan measures somewhere to hang;
--   * every KPI, its target and tolerance, the directorate business plans below the outcomes,
--     the service and team plans, the milestones' dates, the risks and the board timings:
--     all ILLUSTRATIVE (the framework's defaults make every KPI `illustrative = true`),
--     chosen to be typical of a metropolitan borough's corporate scorecard, never Sandwell's
--     own figures.

framework "sandwell" {
  title = "Sandwell Council Corporate Performance Management Framework",
  council = "E08000028",
  year_start = "April",
  -- Sandwell's words for the levels of its service planning framework, top-down.
  levels = { "vision", "plan", "component", "strategic_outcome", "business_plan",
             "service_plan", "team_plan" },
  comparator = "cipfa",
  defaults = { illustrative = true, frequency = "quarterly" },
}

group "wm_mets" {
  title = "West Midlands metropolitan boroughs",
  members = { "E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030",
              "E08000031" },
}

-- ---- the golden thread -----------------------------------------------------------------

vision "vision_2030" { title = "Sandwell Vision 2030",
  description = "The ambitions for the borough developed across partners and communities." }

plan "corporate_plan" { title = "Corporate Plan", parent = "vision_2030",
  description = "The council's strategic outcomes, refreshed October 2021." }
plan "improvement_plan" { title = "Improvement Plan", parent = "vision_2030",
  description = "Actions answering the Grant Thornton Governance Value for Money Review " ..
                "(approved by Council 18 January 2022), to take in the CIPFA Financial " ..
                "Management Review and the LGA Corporate Peer Challenge." }
plan "transformation_plan" { title = "Corporate Transformation Plan",
  parents = { "corporate_plan", "improvement_plan" },
  description = "Projects and programmes that deliver corporate transformation, in line " ..
                "with the Corporate Plan and the Medium-Term Financial Strategy." }

-- The four components of the PMF (section 4.2).
component "organisational_health" { title = "Organisational Health",
  parents = { "improvement_plan" },
  description = "Workforce indicators and 'pulse' checks on the organisation's wellbeing." }
component "customer_experience" { title = "Customer Experience",
  parents = { "improvement_plan" },
  description = "Customer contact, complaints and public consultation results." }
component "finance_and_contracts" { title = "Finance and Contracts",
  parents = { "improvement_plan" },
  description = "Budget monitoring, key corporate contracts and % of spend in the local area." }
component "corporate_plan_measures" { title = "Corporate Plan measures",
  parents = { "corporate_plan" },
  description = "Outcome and operational measures of the Corporate Plan's strategic outcomes." }

-- The Corporate Plan's strategic outcomes (see the header: only the second is in the report).
strategic_outcome "best_start" { title = "The best start in life for children and young people",
  parent = "corporate_plan_measures" }
strategic_outcome "live_well_age_well" { title = "People Live Well and Age Well",
  parent = "corporate_plan_measures" }
strategic_outcome "resilient_communities" { title = "Strong resilient communities",
  parent = "corporate_plan_measures" }
strategic_outcome "quality_homes" { title = "Quality homes in thriving neighbourhoods",
  parent = "corporate_plan_measures" }
strategic_outcome "inclusive_economy" { title = "A strong and inclusive economy",
  parent = "corporate_plan_measures" }
strategic_outcome "connected_sandwell" { title = "A connected and accessible Sandwell",
  parent = "corporate_plan_measures" }

-- Directorate business plans (illustrative structure): each contributes to one or more
-- strategic outcomes and PMF components.
business_plan "bp_children" { title = "Children and Education business plan",
  parents = { "best_start" } }
business_plan "bp_adults" { title = "Adult Social Care business plan",
  parents = { "live_well_age_well" } }
business_plan "bp_public_health" { title = "Public Health business plan",
  parents = { "live_well_age_well", "resilient_communities" } }
business_plan "bp_housing" { title = "Housing business plan",
  parents = { "quality_homes" } }
business_plan "bp_regeneration" { title = "Regeneration and Growth business plan",
  parents = { "inclusive_economy", "connected_sandwell" } }
business_plan "bp_borough_economy" { title = "Borough Economy business plan",
  parents = { "resilient_communities", "connected_sandwell" } }
business_plan "bp_finance" { title = "Finance business plan",
  parents = { "finance_and_contracts" } }
business_plan "bp_business_strategy" { title = "Business Strategy and Change business plan",
  parents = { "organisational_health", "customer_experience" } }

-- Service plans (monitored in directorates) and team plans below them (examples).
service_plan "sp_hr" { title = "Human Resources service plan", parent = "bp_business_strategy" }
service_plan "sp_customer" { title = "Customer Services service plan",
  parent = "bp_business_strategy" }
service_plan "sp_revenues" { title = "Revenues and Benefits service plan", parent = "bp_finance" }
service_plan "sp_procurement" { title = "Procurement and Contracts service plan",
  parent = "bp_finance" }
service_plan "sp_waste" { title = "Waste and Recycling service plan", parent = "bp_borough_economy" }
service_plan "sp_leisure" { title = "Leisure and Physical Activity service plan",
  parents = { "bp_borough_economy", "bp_public_health" } }
team_plan "tp_contact_centre" { title = "Contact Centre team plan", parent = "sp_customer" }
team_plan "tp_complaints" { title = "Customer Feedback team plan", parent = "sp_customer" }

-- ---- metrics ---------------------------------------------------------------------------
-- Shared metrics (populations, national returns, finance, workforce, customer contact)
-- are declared once in frameworks/catalogue.lua and named here by id; below are
-- Sandwell's own ("sandwell_" only where truly local).

metric "appraisals_completed" { title = "Appraisals completed", unit = "count",
  aggregation = "sum", definition = "Annual appraisals completed in the period.",
  source = "HR system" }
metric "appraisals_due" { title = "Appraisals due", unit = "count", aggregation = "sum",
  definition = "Annual appraisals due in the period.", source = "HR system" }
metric "sandwell_pulse_positive" { title = "Pulse check: positive responses", unit = "count",
  aggregation = "sum", definition = "Responses to the staff wellbeing pulse check that agree " ..
  "'I feel supported and valued at work'.", source = "Sandwell staff pulse survey" }
metric "sandwell_pulse_responses" { title = "Pulse check: responses", unit = "count",
  aggregation = "sum", definition = "All responses to the staff wellbeing pulse check.",
  source = "Sandwell staff pulse survey" }

metric "contact_centre_wait_seconds" { title = "Average wait to answer (seconds)",
  unit = "seconds", aggregation = "mean", definition = "Mean time answered callers waited.",
  source = "Telephony system" }
metric "residents_survey_satisfied" { title = "Residents satisfied with the council",
  unit = "count", aggregation = "sum", definition = "Respondents satisfied with the way the " ..
  "council runs things.", source = "Residents' survey (LGA polling questions)" }
metric "residents_survey_respondents" { title = "Residents' survey respondents", unit = "count",
  aggregation = "sum", definition = "Respondents answering the satisfaction question.",
  source = "Residents' survey (LGA polling questions)" }
metric "consultation_responses" { title = "Responses to public consultations", unit = "count",
  aggregation = "sum", definition = "Responses received to the council's public consultations, " ..
  "including the budget consultation.", source = "Consultation portal" }

metric "capital_spend" { title = "Capital expenditure", unit = "£", aggregation = "sum",
  definition = "Capital expenditure incurred in the period.", source = "Financial ledger" }
metric "invoices_paid" { title = "Undisputed invoices paid", unit = "count", aggregation = "sum",
  definition = "Undisputed supplier invoices paid.", source = "Financial ledger" }
metric "invoices_paid_30_days" { title = "Undisputed invoices paid within 30 days",
  unit = "count", aggregation = "sum", definition = "Of those paid, paid within 30 days of " ..
  "receipt.", source = "Financial ledger" }
metric "spend_local_suppliers" { title = "Spend with local suppliers", unit = "£",
  aggregation = "sum", definition = "Third-party spend with suppliers whose invoicing or " ..
  "trading address is in the borough.", source = "Procurement spend analysis" }
metric "spend_total_suppliers" { title = "Third-party spend", unit = "£", aggregation = "sum",
  definition = "All third-party spend with suppliers.", source = "Procurement spend analysis" }
metric "sandwell_key_contracts_green" { title = "Key corporate contracts performing to standard",
  unit = "count", aggregation = "last", definition = "Key corporate contracts whose contract " ..
  "management rating is green at period end.", source = "Contract management register" }
metric "sandwell_key_contracts" { title = "Key corporate contracts monitored", unit = "count",
  aggregation = "last", definition = "Key corporate contracts under corporate oversight.",
  source = "Contract management register" }
metric "savings_delivered" { title = "Budget savings delivered (forecast)", unit = "£",
  aggregation = "last", definition = "Savings for the year forecast to be delivered.",
  source = "Budget monitoring" }
metric "savings_planned" { title = "Budget savings planned", unit = "£", aggregation = "last",
  definition = "Savings built into the year's budget.", source = "Budget monitoring" }

metric "adults_physically_active" { title = "Adults physically active", unit = "count",
  aggregation = "sum", definition = "Respondents aged 19+ doing 150+ moderate intensity " ..
  "equivalent minutes of physical activity a week.", source = "Sport England Active Lives" }
metric "adults_activity_respondents" { title = "Active Lives respondents aged 19+",
  unit = "count", aggregation = "sum", definition = "Respondents aged 19+.",
  source = "Sport England Active Lives" }
metric "asb_incidents" { title = "Anti-social behaviour incidents", unit = "count",
  aggregation = "sum", definition = "ASB incidents recorded by the police in the area.",
  source = "Police recorded ASB (data.police.uk)" }
metric "council_homes_relet_days" { title = "Average days to re-let council homes",
  unit = "days", aggregation = "mean", definition = "Mean calendar days from void to re-let " ..
  "for general needs council homes (excluding major works).", source = "Housing management system" }
metric "repairs_completed" { title = "Responsive repairs completed", unit = "count",
  aggregation = "sum", definition = "Responsive repairs to council homes completed.",
  source = "Housing repairs system" }
metric "repairs_right_first_time" { title = "Responsive repairs right first time",
  unit = "count", aggregation = "sum", definition = "Of repairs completed, those completed at " ..
  "the first visit.", source = "Housing repairs system" }

-- ---- KPIs ------------------------------------------------------------------------------
-- Every KPI below is illustrative: the report gives the components, not the measures (see the
-- header).  Tolerances are absolute for percentages (percentage points) unless given as "x%".

-- Organisational Health
kpi "OH01" {
  title = "Working days lost to sickness absence per FTE",
  parents = { "organisational_health", "sp_hr" },
  formula = ratio("staff_sickness_days", "staff_fte"),
  unit = "days", decimals = 2, polarity = "down",
  target = 2.5, tolerance = "10%", type = "process",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
  definition = "Days lost in the quarter divided by FTE at quarter end (a year at target is " ..
               "10 days per FTE).",
}
kpi "OH02" {
  title = "Staff turnover (% of employees leaving in the quarter)",
  parents = { "organisational_health", "sp_hr" },
  formula = pct("staff_leavers", "staff_headcount"), polarity = "down",
  target = 3.0, tolerance = 0.5, type = "process",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}
kpi "OH03" {
  title = "Pulse check: staff who feel supported and valued at work",
  parents = { "organisational_health", "sp_hr" },
  formula = pct("sandwell_pulse_positive", "sandwell_pulse_responses"), polarity = "up",
  target = 65, tolerance = 5, type = "outcome",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
  definition = "The Improvement Plan's 'pulse' check on the organisation's wellbeing.",
}
kpi "OH04" {
  title = "Appraisals completed", parents = { "organisational_health", "sp_hr" },
  formula = pct("appraisals_completed", "appraisals_due"), polarity = "up",
  target = 90, tolerance = 5, type = "process",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}
kpi "OH05" {
  title = "Employees from ethnic minority backgrounds",
  parents = { "organisational_health", "sp_hr" },
  formula = pct("staff_ethnic_minority", "staff_headcount"), polarity = "up",
  target = 30, tolerance = 3, type = "outcome",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
  definition = "An equality measure of the workforce (the report: 'Equality measures are " ..
               "included in the PMF, including the Organisational Health workforce indicators').",
}

-- Customer Experience
kpi "CE01" {
  title = "Complaints responded to within timescale",
  parents = { "customer_experience", "tp_complaints" },
  formula = pct("complaints_responded_on_time", "complaints_received"),
  polarity = "up", frequency = "monthly", target = 90, tolerance = 5, type = "process",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}
kpi "CE02" {
  title = "Complaints received", parents = { "customer_experience", "tp_complaints" },
  formula = "complaints_received",
  unit = "count", decimals = 0, polarity = "down", frequency = "monthly",
  type = "output",       -- data only: no target
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}
kpi "CE03" {
  title = "Contact centre calls answered",
  parents = { "customer_experience", "tp_contact_centre" },
  formula = pct("contact_centre_calls_answered", "contact_centre_calls_offered"),
  polarity = "up", frequency = "monthly",
  target = 90, tolerance = 5, blue = 5, type = "output",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}
kpi "CE04" {
  title = "Average wait for a call to be answered",
  parents = { "customer_experience", "tp_contact_centre" },
  formula = "contact_centre_wait_seconds",
  unit = "seconds", decimals = 0, polarity = "down", frequency = "monthly",
  target = 120, tolerance = "25%", type = "output",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}
kpi "CE05" {
  title = "Freedom of Information requests answered within 20 working days",
  parents = { "customer_experience" },
  formula = pct("foi_requests_on_time", "foi_requests_received"),
  polarity = "up", frequency = "monthly",
  target = 90, tolerance = 5, type = "process", national = true,
  owner = "Director - Law and Governance", directorate = "Law and Governance",
}
kpi "CE06" {
  title = "Residents satisfied with the way the council runs things",
  parents = { "customer_experience" },
  formula = pct("residents_survey_satisfied", "residents_survey_respondents"),
  decimals = 0, polarity = "up", frequency = "annual",
  target = 60, tolerance = 5, type = "outcome",
  definition = "Consultation results in the PMF (Improvement Plan: 'ensure public " ..
               "consultation results are incorporated').",
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}
kpi "CE07" {
  title = "Responses to public consultations (incl. the budget consultation)",
  parents = { "customer_experience" }, formula = "consultation_responses",
  unit = "count", decimals = 0, polarity = "up", frequency = "annual",
  type = "output",       -- data only
  owner = "Director - Business Strategy and Change", directorate = "Business Strategy and Change",
}

-- Finance and Contracts
kpi "FC01" {
  title = "Forecast revenue outturn variance (% of net budget)",
  parents = { "finance_and_contracts", "bp_finance" },
  formula = custom {
    inputs = { budget = "revenue_budget", outturn = "revenue_outturn" },
    fn = function(m)
      if not m.budget or not m.outturn or m.budget == 0 then return nil end
      return (m.outturn - m.budget) / m.budget * 100
    end,
  },
  unit = "%", decimals = 2, polarity = "down", frequency = "monthly",
  target = 0, tolerance = 1, type = "input",
  owner = "Director of Finance", directorate = "Finance",
  definition = "Positive = forecast overspend.  Green at or under budget, amber up to 1% over.",
}
kpi "FC02" {
  title = "Capital programme delivered (% of budget spent)",
  parents = { "finance_and_contracts", "bp_finance" },
  formula = pct("capital_spend", "capital_budget"), polarity = "up", frequency = "annual",
  target = 85, tolerance = 10, type = "output",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FC03" {
  title = "Council tax collected in year",
  parents = { "finance_and_contracts", "sp_revenues" },
  formula = pct("council_tax_collected", "council_tax_due"),
  polarity = "up", frequency = "monthly",
  target = { ["2022/23"] = 94.5, ["2023/24"] = 95, ["2024/25"] = 95, ["2025/26"] = 95.5 },
  tolerance = 1, type = "output", benchmark_source = "DLUHC collection rates",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FC04" {
  title = "Business rates collected in year",
  parents = { "finance_and_contracts", "sp_revenues" },
  formula = pct("business_rates_collected", "business_rates_due"),
  polarity = "up", frequency = "monthly", target = 97, tolerance = 1, type = "output",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FC05" {
  title = "Spend with local suppliers (% of third-party spend)",
  parents = { "finance_and_contracts", "sp_procurement", "inclusive_economy" },
  formula = pct("spend_local_suppliers", "spend_total_suppliers"), polarity = "up",
  target = 40, tolerance = 5, type = "outcome",
  definition = "Social value: the share of spend in the local area (the report, section 5).",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FC06" {
  title = "Key corporate contracts performing to standard",
  parents = { "finance_and_contracts", "sp_procurement" },
  formula = pct("sandwell_key_contracts_green", "sandwell_key_contracts"),
  decimals = 0, polarity = "up", target = 80, tolerance = 10, type = "process",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FC07" {
  title = "Undisputed invoices paid within 30 days",
  parents = { "finance_and_contracts", "sp_procurement" },
  formula = pct("invoices_paid_30_days", "invoices_paid"),
  polarity = "up", frequency = "monthly", target = 95, tolerance = 3, type = "process",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FC08" {
  title = "Budget savings forecast to be delivered",
  parents = { "finance_and_contracts", "bp_finance", "transformation_plan" },
  formula = pct("savings_delivered", "savings_planned"), decimals = 0, polarity = "up",
  target = 100, tolerance = 10, type = "outcome",
  owner = "Director of Finance", directorate = "Finance",
}

-- Corporate Plan measures
kpi "CP01" {
  title = "Children looked after per 10,000 children",
  parents = { "best_start", "bp_children" },
  formula = rate("children_in_care", "population_0_17", 10000),
  unit = "per 10,000", decimals = 1, polarity = "down",
  target = benchmark { group = "cipfa", stat = "median" }, tolerance = "5%",
  national = true, type = "outcome", benchmark_source = "DfE LAIT",
  owner = "Director of Children and Education", directorate = "Children and Education",
}
kpi "CP02" {
  title = "New EHC plans issued within 20 weeks", parents = { "best_start", "bp_children" },
  formula = pct("ehcp_issued_20_weeks", "ehcp_issued"), polarity = "up",
  target = 60, tolerance = 10, national = true, type = "process",
  owner = "Director of Children and Education", directorate = "Children and Education",
}
kpi "CP03" {
  title = "Permanent admissions of older people to care homes per 100,000 aged 65+",
  parents = { "live_well_age_well", "bp_adults" },
  formula = rate("care_home_admissions_65_plus", "population_65_plus", 100000),
  unit = "per 100,000", decimals = 1, polarity = "down", frequency = "annual",
  target = 600, tolerance = "10%", national = true, type = "outcome",
  benchmark_source = "ASCOF 2A", owner = "Director of Adult Social Care",
  directorate = "Adult Social Care",
}
kpi "CP04" {
  title = "Older people still at home 91 days after discharge into reablement",
  parents = { "live_well_age_well", "bp_adults" },
  formula = pct("reablement_still_home_91_days", "reablement_discharges"), polarity = "up",
  target = 82, tolerance = 3, national = true, type = "outcome",
  benchmark_source = "ASCOF 2B", owner = "Director of Adult Social Care",
  directorate = "Adult Social Care",
}
kpi "CP05" {
  title = "Adults who are physically active",
  parents = { "live_well_age_well", "bp_public_health", "sp_leisure" },
  formula = pct("adults_physically_active", "adults_activity_respondents"),
  polarity = "up", frequency = "annual",
  target = baseline { period = "2022/23", change = "+2%" }, tolerance = 2,
  type = "outcome", benchmark_source = "OHID Fingertips",
  owner = "Director of Public Health", directorate = "Public Health",
}
kpi "CP06" {
  title = "Leisure centre visits", parents = { "live_well_age_well", "sp_leisure" },
  formula = "leisure_centre_visits", unit = "count", decimals = 0, polarity = "up",
  target = 250000, tolerance = "10%", type = "output",
  owner = "Director of Borough Economy", directorate = "Borough Economy",
}
kpi "CP07" {
  title = "Anti-social behaviour incidents per 1,000 population",
  parents = { "resilient_communities", "bp_borough_economy" },
  formula = rate("asb_incidents", "population_all", 1000),
  unit = "per 1,000", decimals = 2, polarity = "down",
  target = 4.5, tolerance = "10%", type = "outcome",
  owner = "Director of Borough Economy", directorate = "Borough Economy",
}
kpi "CP08" {
  title = "Fly-tipping incidents",
  parents = { "resilient_communities", "connected_sandwell", "sp_waste" },
  formula = "fly_tipping_incidents", unit = "count", decimals = 0, polarity = "down",
  target = 2700, tolerance = "10%", type = "outcome", national = true,
  owner = "Director of Borough Economy", directorate = "Borough Economy",
}
kpi "CP09" {
  title = "Households in temporary accommodation", parents = { "quality_homes", "bp_housing" },
  formula = "households_temporary_accommodation",
  unit = "count", decimals = 0, polarity = "down", frequency = "monthly",
  target = 150, tolerance = "10%", type = "outcome",
  owner = "Director of Housing", directorate = "Housing",
}
kpi "CP10" {
  title = "Average days to re-let council homes", parents = { "quality_homes", "bp_housing" },
  formula = "council_homes_relet_days",
  unit = "days", decimals = 1, polarity = "down", frequency = "monthly",
  target = 30, tolerance = "15%", type = "process", benchmark_source = "Housemark",
  owner = "Director of Housing", directorate = "Housing",
}
kpi "CP11" {
  title = "Council home repairs completed right first time",
  parents = { "quality_homes", "bp_housing" },
  formula = pct("repairs_right_first_time", "repairs_completed"),
  polarity = "up", frequency = "monthly",
  target = 90, tolerance = 3, type = "process", benchmark_source = "Housemark",
  owner = "Director of Housing", directorate = "Housing",
}
kpi "CP12" {
  title = "Net additional homes",
  parents = { "quality_homes", "inclusive_economy", "bp_regeneration" },
  formula = "net_additional_dwellings",
  unit = "count", decimals = 0, polarity = "up", frequency = "annual",
  target = 650, tolerance = "15%", national = true, type = "outcome",
  owner = "Director of Regeneration and Growth", directorate = "Regeneration and Growth",
}
kpi "CP13" {
  title = "Claimant count rate, aged 16-64",
  parents = { "inclusive_economy", "bp_regeneration" },
  formula = pct("claimants_16_64", "population_16_64"),
  polarity = "down", frequency = "monthly", target = 6.0, tolerance = 0.5, type = "outcome",
  owner = "Director of Regeneration and Growth", directorate = "Regeneration and Growth",
}
kpi "CP14" {
  title = "16-17 year olds not in education, employment or training (or not known)",
  parents = { "inclusive_economy", "best_start", "bp_children" },
  formula = pct("neet_16_17", "cohort_16_17"), polarity = "down",
  target = 5.0, tolerance = 0.5, national = true, type = "outcome",
  owner = "Director of Children and Education", directorate = "Children and Education",
}
kpi "CP15" {
  title = "Major planning applications decided in time",
  parents = { "inclusive_economy", "bp_regeneration" },
  formula = pct("major_planning_in_time", "major_planning_decided"), polarity = "up",
  target = 90, tolerance = 5, national = true, type = "process",
  owner = "Director of Regeneration and Growth", directorate = "Regeneration and Growth",
}
kpi "CP16" {
  title = "Household waste sent for reuse, recycling or composting",
  parents = { "connected_sandwell", "sp_waste" },
  formula = pct("household_waste_recycled_tonnes", "household_waste_total_tonnes"),
  polarity = "up", target = 35, tolerance = 3, national = true, type = "outcome",
  benchmark_source = "Defra (NI 192)",
  owner = "Director of Borough Economy", directorate = "Borough Economy",
}
-- Revise: from 2025/26 the recycling target steps up (an illustrative effective-dated change).
change "CP16" { from = "2025/26 Q1", target = 37, tolerance = 3 }

-- ---- Improvement Plan actions about the PMF (section 4.1.3; due dates illustrative) ------

action "IP01" {
  title = "Develop and embed a corporate performance management framework that provides " ..
          "Leadership Team and members collective oversight of progress on the Corporate Plan, " ..
          "key operational level intelligence, organisational health and improvement activity",
  parent = "improvement_plan", owner = "Director - Business Strategy and Change",
  due = "2023-03-31",
  milestones = {
    { title = "PMF approved by Council", due = "2022-04-12" },
    { title = "First quarterly performance report to Cabinet", due = "2022-09-30" },
    { title = "Monthly Leadership Team performance sessions embedded", due = "2022-12-31" },
  },
}
action "IP02" {
  title = "Ensure public consultation results are incorporated into the performance " ..
          "management framework, including on budget development",
  parent = "improvement_plan", owner = "Director - Business Strategy and Change",
  due = "2023-03-31",
  milestones = {
    { title = "Budget consultation results reported alongside the PMF", due = "2023-02-28" },
  },
}
action "IP03" {
  title = "Build organisational health metrics into the performance management framework, " ..
          "including 'pulse' checks on the organisation's wellbeing",
  parent = "improvement_plan", owner = "Director - Business Strategy and Change",
  due = "2022-12-31",
  milestones = {
    { title = "First pulse check run", due = "2022-07-31" },
    { title = "Workforce indicators in the Leadership Team dashboard", due = "2022-09-30" },
  },
}
action "IP04" {
  title = "Embed management of key corporate contracts within the performance management " ..
          "framework to ensure oversight of performance and link to the Corporate Plan",
  parent = "improvement_plan", owner = "Director of Finance", due = "2023-03-31",
  milestones = {
    { title = "Key corporate contracts register agreed", due = "2022-09-30" },
    { title = "Contract performance reported quarterly", due = "2023-03-31" },
  },
}
action "IP05" {
  title = "Build benchmarking of financial and service performance into the performance " ..
          "management framework",
  parent = "improvement_plan", owner = "Director - Business Strategy and Change",
  due = "2023-06-30",
  milestones = {
    { title = "Comparator group agreed (CIPFA nearest neighbours)", due = "2022-10-31" },
  },
}
action "IP06" {
  title = "Develop, implement and monitor progress of Directorate and Service level plans to " ..
          "deliver the Corporate Plan",
  parent = "improvement_plan", owner = "Director - Business Strategy and Change",
  due = "2024-03-31",
  milestones = {
    { title = "Directorate business plans in place", due = "2022-04-30" },
    { title = "Service plans in place for 2023/24", due = "2023-03-31" },
  },
}
action "IP07" {
  title = "Embed regular budget monitoring reporting to Leadership Team and Cabinet within " ..
          "the corporate performance management framework",
  parent = "improvement_plan", owner = "Director of Finance", due = "2022-12-31",
  milestones = {
    { title = "Monthly budget monitoring to Leadership Team", due = "2022-06-30" },
    { title = "Quarterly budget monitoring to Cabinet", due = "2022-09-30" },
  },
}
action "IP08" {
  title = "Explore implementation of a corporate performance management system",
  parent = "improvement_plan", owner = "Director - Business Strategy and Change",
  due = "2023-09-30",
  milestones = {
    { title = "Options appraisal to Leadership Team", due = "2023-03-31" },
  },
}

-- ---- risks (illustrative) ----------------------------------------------------------------

risk "R01" { title = "The Improvement Plan is not delivered at the pace Commissioners expect",
  parent = "improvement_plan", owner = "Chief Executive", likelihood = 3, impact = 5 }
risk "R02" { title = "The Medium-Term Financial Strategy is not balanced",
  parent = "finance_and_contracts", owner = "Director of Finance", likelihood = 3, impact = 4 }
risk "R03" { title = "A key corporate contract fails to perform",
  parent = "finance_and_contracts", owner = "Director of Finance", likelihood = 2, impact = 4 }
risk "R04" { title = "Workforce capacity and wellbeing fall short of what the plans need",
  parent = "organisational_health", owner = "Director - Business Strategy and Change",
  likelihood = 3, impact = 3 }
risk "R05" { title = "Poor data quality undermines the reliability of reported performance",
  parent = "corporate_plan_measures", owner = "Director - Business Strategy and Change",
  likelihood = 2, impact = 3 }

-- ---- reporting framework (section 4.4) -----------------------------------------------------

board "leadership_team" { title = "Leadership Team", cadence = "monthly",
  receives = { "scorecard", "exceptions", "actions", "risks" }, after_days = 15,
  description = "Monthly dedicated sessions on all measures in the PMF, business plans and " ..
                "the Improvement Plan." }
board "cabinet" { title = "Cabinet", cadence = "quarterly",
  receives = { "scorecard", "exceptions" }, after_days = 40,
  description = "Performance against the Corporate Plan and high-level service KPIs." }
board "budget_scrutiny" { title = "Budget and Corporate Management Scrutiny Board",
  cadence = "quarterly", receives = { "scorecard", "exceptions", "benchmark" }, after_days = 45,
  description = "The PMF quarterly; informs the work programmes of all Scrutiny Boards." }
board "commissioners" { title = "Government-appointed Commissioners", cadence = "quarterly",
  receives = { "scorecard", "actions" }, after_days = 30,
  description = "Progress of the Improvement Plan and the PMF." }

deadline "data_entry" { working_days = 10 }
rule "commentary_required" { statuses = { "red", "amber" } }
