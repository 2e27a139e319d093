-- frameworks/wolverhampton.lua: City of Wolverhampton Council's Performance Management
-- Framework, approved by Cabinet on 22 July 2015.
--
-- Source: City of Wolverhampton Council, "Performance Management Framework", report to
-- Cabinet, 22 July 2015 (Transformation; considered by the Strategic Executive Board on 19
-- May, the Executive Team on 3 June and the Confident Capable Council Scrutiny Panel on 16
-- June 2015; the report names no agenda item).  From the report:
--   * the framework sits under the Corporate Plan priority "Confident Capable Council" and its
--     "Future Performance" objective, and is a stage of the "Golden Thread" in the
--     "Wolverhampton Way";
--   * the cycle is Plan - Do - Review - Revise, over business and service planning and
--     performance management (here: the plan is the golden thread below, "do" is the data,
--     "review" the boards, and "revise" the effective-dated `change` entries at the end);
--   * a business intelligence and analytic dashboard (a BI dashboard board below);
--   * data broken down by protected characteristics wherever possible (equality duty): KPIs
--     carry `breakdowns`, and counts under `suppress_below` are shown suppressed, never as
--     numbers, so small groups cannot be identified;
--   * the bodies that considered it: Strategic Executive Board, Executive Team, the Confident
--     Capable Council (C3) Scrutiny Panel, Cabinet.
-- Not in the report, so ILLUSTRATIVE: the other two Corporate Plan priorities of the time
-- (Stronger Economy, Stronger Communities) and every objective under them, every KPI with its
-- target and tolerance (the framework's defaults make every KPI `illustrative = true`), the
-- risks, the actions beyond the report's procurement of a BI dashboard, and the boards'
-- cadences and timings.

framework "wolverhampton" {
  title = "City of Wolverhampton Council Performance Management Framework",
  council = "E08000031",
  year_start = "April",
  levels = { "corporate_plan", "priority", "objective", "service_plan" },
  comparator = "cipfa",
  defaults = { illustrative = true, frequency = "quarterly", type = "outcome" },
}

group "wm_mets" {
  title = "West Midlands metropolitan boroughs",
  members = { "E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030",
              "E08000031" },
}

-- ---- the golden thread (Plan) -----------------------------------------------------------

corporate_plan "corporate_plan" { title = "Corporate Plan" }

priority "stronger_economy" { title = "Stronger Economy", parent = "corporate_plan" }
priority "stronger_communities" { title = "Stronger Communities", parent = "corporate_plan" }
priority "c3" { title = "Confident Capable Council", parent = "corporate_plan" }

objective "future_performance" { title = "Future Performance", parent = "c3" }
objective "financial_sustainability" { title = "Financially sustainable council", parent = "c3" }
objective "customer_access" { title = "Customers served well, online first", parent = "c3" }
objective "skills_work" { title = "More people into skills and work",
  parent = "stronger_economy" }
objective "business_growth" { title = "Business growth and city centre regeneration",
  parent = "stronger_economy" }
objective "children_young_people" { title = "Children and young people get the best start",
  parents = { "stronger_communities", "stronger_economy" } }
objective "independent_living" { title = "Adults live independently for longer",
  parent = "stronger_communities" }
objective "safe_clean_city" { title = "A safe, clean and green city",
  parent = "stronger_communities" }
objective "homes" { title = "Homes for all", parent = "stronger_communities" }

service_plan "sp_transformation" { title = "Transformation service plan",
  parents = { "future_performance" } }
service_plan "sp_hr" { title = "Human Resources service plan", parents = { "future_performance" } }
service_plan "sp_revenues" { title = "Revenues and Benefits service plan",
  parents = { "financial_sustainability" } }
service_plan "sp_skills" { title = "Skills and Employment service plan",
  parents = { "skills_work" } }
service_plan "sp_childrens" { title = "Children's Services service plan",
  parents = { "children_young_people" } }
service_plan "sp_adults" { title = "Adult Services service plan",
  parents = { "independent_living" } }
service_plan "sp_environment" { title = "Environmental Services service plan",
  parents = { "safe_clean_city" } }
service_plan "sp_housing" { title = "Housing service plan", parents = { "homes" } }

-- ---- metrics ---------------------------------------------------------------------------
-- Shared metrics (populations, national returns, finance, workforce, customer contact)
-- are declared once in frameworks/catalogue.lua and named here by id; below are
-- Wolverhampton's own.

metric "population_18_64" { title = "Population aged 18-64", unit = "people",
  aggregation = "last", definition = "Usual residents aged 18-64, mid-year estimate.",
  source = "ONS mid-year estimates" }

metric "apprenticeship_starts" { title = "Apprenticeship starts by residents", unit = "count",
  aggregation = "sum", definition = "Apprenticeship programme starts by residents.",
  source = "DfE Further education and skills statistics" }

metric "child_protection_plans" { title = "Children subject to a child protection plan",
  unit = "count", aggregation = "last", definition = "Children on a child protection plan at " ..
  "the period end.", source = "DfE Children in Need census" }
metric "adults_direct_payments" { title = "Adults receiving direct payments", unit = "count",
  aggregation = "last", definition = "Adults receiving long-term community support through a " ..
  "direct payment at period end.", source = "NHS England SALT" }
metric "adults_community_support" { title = "Adults receiving long-term community support",
  unit = "count", aggregation = "last", definition = "Adults receiving long-term community " ..
  "support at period end.", source = "NHS England SALT" }

-- ---- KPIs ------------------------------------------------------------------------------
-- All illustrative (see the header).  The equality breakdowns: sex ("sex=F"), age band
-- ("age_band=18-24"), ethnicity, disability and ward ("ward=<ward code>"), wherever the
-- source can give them; counts under suppress_below are never shown.

local equality = { "sex", "age_band", "ethnicity", "disability", "ward" }

-- Confident Capable Council
kpi "CCC01" {
  title = "Working days lost to sickness absence per FTE",
  parents = { "future_performance", "sp_hr" },
  formula = ratio("staff_sickness_days", "staff_fte"),
  unit = "days", decimals = 2, polarity = "down",
  target = 2.3, tolerance = "10%", type = "process",
  owner = "Head of HR", directorate = "Corporate",
  breakdowns = { "sex", "age_band", "disability" },
}
kpi "CCC02" {
  title = "Employees who declare a disability", parents = { "future_performance", "sp_hr" },
  formula = pct("staff_disabled", "staff_headcount"), polarity = "up",
  target = 6, tolerance = 1, owner = "Head of HR", directorate = "Corporate",
  breakdowns = { "sex", "age_band" },
}
kpi "CCC03" {
  title = "Complaints responded to within timescale",
  parents = { "future_performance", "customer_access" },
  formula = pct("complaints_responded_on_time", "complaints_received"),
  polarity = "up", frequency = "monthly", target = 90, tolerance = 5, type = "process",
  owner = "Head of Customer Services", directorate = "Corporate",
}
kpi "CCC04" {
  title = "Customer transactions completed online",
  parents = { "customer_access", "sp_transformation" },
  formula = pct("online_transactions", "customer_transactions"),
  polarity = "up", frequency = "monthly", target = 50, tolerance = 5, type = "output",
  owner = "Head of Transformation", directorate = "Corporate",
}
kpi "CCC05" {
  title = "Council tax collected in year",
  parents = { "financial_sustainability", "sp_revenues" },
  formula = pct("council_tax_collected", "council_tax_due"),
  polarity = "up", frequency = "monthly", target = 95, tolerance = 1, type = "output",
  owner = "Head of Revenues and Benefits", directorate = "Corporate",
}
kpi "CCC06" {
  title = "Forecast revenue outturn variance (% of net budget)",
  parents = { "financial_sustainability" },
  formula = custom {
    inputs = { budget = "revenue_budget", outturn = "revenue_outturn" },
    fn = function(m)
      if not m.budget or not m.outturn or m.budget == 0 then return nil end
      return (m.outturn - m.budget) / m.budget * 100
    end,
  },
  unit = "%", decimals = 2, polarity = "down", frequency = "monthly",
  target = 0, tolerance = 1, type = "input",
  owner = "Director of Finance", directorate = "Corporate",
}

-- Stronger Economy
kpi "SE01" {
  title = "Claimant count rate, aged 16-64", parents = { "skills_work", "sp_skills" },
  formula = pct("claimants_16_64", "population_16_64"),
  polarity = "down", frequency = "monthly", target = 7.0, tolerance = 0.5,
  owner = "Head of Skills and Employment", directorate = "Place",
  breakdowns = { "sex", "age_band", "ward" },
}
kpi "SE02" {
  title = "16-17 year olds not in education, employment or training (or not known)",
  parents = { "skills_work", "children_young_people", "sp_skills" },
  formula = pct("neet_16_17", "cohort_16_17"), polarity = "down",
  target = 5.5, tolerance = 0.5, national = true,
  owner = "Head of Skills and Employment", directorate = "People",
  breakdowns = equality, suppress_below = 5,
}
kpi "SE03" {
  title = "Apprenticeship starts by residents", parents = { "skills_work", "sp_skills" },
  formula = "apprenticeship_starts", unit = "count", decimals = 0, polarity = "up",
  target = 600, tolerance = "10%", type = "output",
  owner = "Head of Skills and Employment", directorate = "Place",
  breakdowns = { "sex", "age_band", "ethnicity", "disability" }, suppress_below = 5,
}
kpi "SE04" {
  title = "Business rates collected in year",
  parents = { "business_growth", "financial_sustainability", "sp_revenues" },
  formula = pct("business_rates_collected", "business_rates_due"),
  polarity = "up", frequency = "monthly", target = 97, tolerance = 1, type = "output",
  owner = "Head of Revenues and Benefits", directorate = "Corporate",
}

-- Stronger Communities
kpi "SC01" {
  title = "Children looked after per 10,000 children",
  parents = { "children_young_people", "sp_childrens" },
  formula = rate("children_in_care", "population_0_17", 10000),
  unit = "per 10,000", decimals = 1, polarity = "down",
  target = 110, tolerance = "5%", national = true, benchmark_source = "DfE LAIT",
  owner = "Director of Children's Services", directorate = "People",
  breakdowns = equality, suppress_below = 5,
}
kpi "SC02" {
  title = "Children subject to a child protection plan",
  parents = { "children_young_people", "sp_childrens" }, formula = "child_protection_plans",
  unit = "count", decimals = 0, polarity = "down", frequency = "monthly",
  target = 300, tolerance = "10%", national = true,
  owner = "Director of Children's Services", directorate = "People",
  breakdowns = { "sex", "age_band", "ethnicity", "ward" }, suppress_below = 5,
}
kpi "SC03" {
  title = "Permanent admissions of older people to care homes per 100,000 aged 65+",
  parents = { "independent_living", "sp_adults" },
  formula = rate("care_home_admissions_65_plus", "population_65_plus", 100000),
  unit = "per 100,000", decimals = 1, polarity = "down",
  target = 150, tolerance = "10%", national = true, benchmark_source = "ASCOF 2A",
  owner = "Director of Adult Services", directorate = "People",
  breakdowns = { "sex", "ethnicity" }, suppress_below = 5,
}
kpi "SC04" {
  title = "Adults receiving community support through a direct payment",
  parents = { "independent_living", "sp_adults" },
  formula = pct("adults_direct_payments", "adults_community_support"), polarity = "up",
  target = 30, tolerance = 3, national = true, benchmark_source = "ASCOF 1C",
  owner = "Director of Adult Services", directorate = "People",
  breakdowns = { "sex", "age_band", "ethnicity", "disability" }, suppress_below = 5,
}
kpi "SC05" {
  title = "Household waste sent for reuse, recycling or composting",
  parents = { "safe_clean_city", "sp_environment" },
  formula = pct("household_waste_recycled_tonnes", "household_waste_total_tonnes"),
  polarity = "up", target = 40, tolerance = 3, national = true,
  owner = "Head of Environmental Services", directorate = "Place",
}
kpi "SC06" {
  title = "Fly-tipping incidents", parents = { "safe_clean_city", "sp_environment" },
  formula = "fly_tipping_incidents", unit = "count", decimals = 0, polarity = "down",
  target = 1350, tolerance = "10%",
  owner = "Head of Environmental Services", directorate = "Place",
  breakdowns = { "ward" }, suppress_below = 5,
}
kpi "SC07" {
  title = "Households whose homelessness was prevented or relieved",
  parents = { "homes", "sp_housing" }, formula = "homelessness_prevented",
  unit = "count", decimals = 0, polarity = "up", target = 350, tolerance = "10%",
  owner = "Head of Housing", directorate = "Place", breakdowns = equality, suppress_below = 5,
}
kpi "SC08" {
  title = "Households in temporary accommodation", parents = { "homes", "sp_housing" },
  formula = "households_temporary_accommodation",
  unit = "count", decimals = 0, polarity = "down", frequency = "monthly",
  target = 200, tolerance = "10%", owner = "Head of Housing", directorate = "Place",
  breakdowns = { "ethnicity", "disability", "ward" }, suppress_below = 5,
}

-- Revise: effective-dated changes (the fourth step of Plan - Do - Review - Revise).
change "SC05" { from = "2024/25 Q1", target = 42 }
change "CCC04" { from = "2025/26 Q1", target = 60, tolerance = 5 }

-- ---- actions (Appendix A of the report: an action plan, summarised; dates illustrative) -----

action "PMF01" { title = "Procure a business intelligence and analytic dashboard solution",
  parent = "future_performance", owner = "Head of Transformation", due = "2016-03-31",
  milestones = { { title = "Options appraisal (e.g. Qlikview)", due = "2015-10-31" },
                 { title = "Dashboard live for the Executive Team", due = "2016-03-31" } } }
action "PMF02" { title = "Break performance data down by protected characteristics in " ..
  "reports and dashboards wherever possible", parent = "future_performance",
  owner = "Head of Transformation", due = "2016-09-30",
  milestones = { { title = "Equality breakdowns for corporate KPIs", due = "2016-06-30" } } }
action "PMF03" { title = "Review structures for a central business intelligence team",
  parent = "future_performance", owner = "Head of Transformation", due = "2016-03-31" }

-- ---- risks (illustrative) ----------------------------------------------------------------

risk "RSK01" { title = "Data quality is not good enough for decisions", parent = "future_performance",
  owner = "Head of Transformation", likelihood = 3, impact = 3 }
risk "RSK02" { title = "Savings required by the Medium Term Financial Strategy are not delivered",
  parent = "financial_sustainability", owner = "Director of Finance", likelihood = 3, impact = 5 }
risk "RSK03" { title = "Demand for children's social care exceeds capacity",
  parent = "children_young_people", owner = "Director of Children's Services",
  likelihood = 3, impact = 4 }

-- ---- Review: the bodies that receive performance -----------------------------------------

board "bi_dashboard" { title = "Business intelligence dashboard", cadence = "monthly",
  receives = { "dashboard" }, after_days = 5 }
board "executive_team" { title = "Executive Team", cadence = "monthly",
  receives = { "scorecard", "exceptions" }, after_days = 10 }
board "strategic_executive_board" { title = "Strategic Executive Board", cadence = "quarterly",
  receives = { "scorecard", "exceptions", "equalities" }, after_days = 20 }
board "c3_scrutiny" { title = "Confident Capable Council Scrutiny Panel", cadence = "quarterly",
  receives = { "scorecard", "exceptions" }, after_days = 45 }
board "cabinet" { title = "Cabinet", cadence = "quarterly",
  receives = { "scorecard", "exceptions", "equalities" }, after_days = 40 }

deadline "data_entry" { working_days = 10 }
rule "commentary_required" { statuses = { "red", "amber" } }
