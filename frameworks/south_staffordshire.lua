-- frameworks/south_staffordshire.lua: South Staffordshire District Council's Integrated
-- Performance Management Framework ("Measuring our success"), Council Plan 2020-2024.
--
-- Source: South Staffordshire Council, "Measuring our success: Integrated Performance
-- Management Framework", the council's framework document for the Council Plan 2020-2024 (it
-- names no date, committee or agenda item).  From the document:
--   * the vision "Shaping South Staffordshire's future" and the priorities "Prosperous
--     Communities" and "Vibrant Communities";
--   * the five delivery areas of focus and every theme under each of them;
--   * service plan measures relate to one or more delivery areas (so KPIs here have several
--     parents, often across delivery areas);
--   * integrated reporting: performance, capital and revenue budgets, risk and the Financial
--     Strategy together; the Integrated Performance Management (IPM) report quarterly to CLT
--     (check and challenge) and Cabinet, to Overview and Scrutiny at half year and year end;
--     a monthly CLT dashboard; Standards and Resources (complaints and employment trends);
--     Audit and Risk (corporate risk); Council (Leader's report up to four times a year).
-- Not in the document, so ILLUSTRATIVE: every KPI, its target and tolerance (the framework's
-- defaults make every KPI `illustrative = true`), the risks, the actions and the board
-- timings (after_days).  The measures are typical of a district council's service plans,
-- never the council's own figures.  South Staffordshire is a district: its CIPFA
-- nearest-neighbour group ("cipfa") is of districts; the Staffordshire districts group is a
-- local comparison.

framework "south_staffordshire" {
  title = "South Staffordshire Council Plan 2020-2024: Integrated Performance Management",
  council = "E07000196",
  year_start = "April",
  levels = { "vision", "priority", "delivery_area", "theme" },
  comparator = "cipfa",
  defaults = { illustrative = true, frequency = "quarterly" },
}

group "staffordshire_districts" {
  title = "Staffordshire district councils",
  members = { "E07000192", "E07000193", "E07000194", "E07000195", "E07000196", "E07000197",
              "E07000198", "E07000199" },
}

-- ---- the golden thread -----------------------------------------------------------------

vision "shaping_future" { title = "Shaping South Staffordshire's future" }

priority "prosperous" { title = "Prosperous Communities", parent = "shaping_future" }
priority "vibrant" { title = "Vibrant Communities", parent = "shaping_future" }

-- The five delivery areas of focus deliver both priorities.
delivery_area "financial_stability" { title = "Financial Stability",
  parents = { "prosperous", "vibrant" } }
delivery_area "embracing_technology" { title = "Embracing Technology",
  parents = { "prosperous", "vibrant" } }
delivery_area "flexible_skilled" { title = "Flexible and Skilled Council",
  parents = { "prosperous", "vibrant" } }
delivery_area "working_with_communities" { title = "Working with our Communities",
  parents = { "prosperous", "vibrant" } }
delivery_area "business_community_hub" { title = "Create a Business and Community Hub",
  parents = { "prosperous", "vibrant" } }

-- Themes of each delivery area, in the document's words.
theme "fs_assets" { title = "Assets", parent = "financial_stability" }
theme "fs_land_purchases" { title = "Land purchases", parent = "financial_stability" }
theme "fs_financial_management" { title = "Good financial management",
  parent = "financial_stability" }
theme "fs_business_growth" { title = "Business growth and support", parent = "financial_stability" }
theme "fs_council_tax_rates" { title = "Council Tax and Business Rates",
  parent = "financial_stability" }

theme "et_self_service" { title = "Self Service", parent = "embracing_technology" }
theme "et_my_account" { title = "My Account", parent = "embracing_technology" }
theme "et_digital" { title = "Digital enablement", parent = "embracing_technology" }
theme "et_caring_customers" { title = "Caring for customers", parent = "embracing_technology" }

theme "fsc_agile" { title = "Agile working", parent = "flexible_skilled" }
theme "fsc_workforce" { title = "Adaptable and innovative workforce", parent = "flexible_skilled" }
theme "fsc_workforce_strategy" { title = "Workforce Development Strategy",
  parent = "flexible_skilled" }
theme "fsc_member_engagement" { title = "Community leadership and Member engagement",
  parent = "flexible_skilled" }

theme "wc_brighter_futures" { title = "Creating Brighter Futures",
  parent = "working_with_communities" }
theme "wc_local_plan" { title = "Local Plan", parent = "working_with_communities" }
theme "wc_wellbeing" { title = "Wellbeing of our residents", parent = "working_with_communities" }
theme "wc_environment" { title = "Maintaining a rural and sustainable environment",
  parent = "working_with_communities" }
theme "wc_champions" { title = "Member Community Champions", parent = "working_with_communities" }

theme "hub_supporting_businesses" { title = "Supporting businesses",
  parent = "business_community_hub" }
theme "hub_income" { title = "Generate income", parent = "business_community_hub" }
theme "hub_facilities" { title = "Modern facilities", parent = "business_community_hub" }
theme "hub_partnership" { title = "Working in partnership", parent = "business_community_hub" }
theme "hub_community_service" { title = "Community focused service",
  parent = "business_community_hub" }

-- ---- metrics ---------------------------------------------------------------------------
-- Shared metrics (populations, national returns, finance, workforce, customer contact)
-- are declared once in frameworks/catalogue.lua and named here by id; below are
-- South Staffordshire's own.

metric "capital_forecast_outturn" { title = "Capital outturn (forecast)", unit = "£",
  aggregation = "last", definition = "Forecast capital expenditure for the financial year at " ..
  "the period end (the actual at year end).", source = "Budget monitoring" }
metric "south_staffordshire_commercial_income" { title = "Income from commercial property " ..
  "and services", unit = "£", aggregation = "sum", definition = "Rental and commercial " ..
  "income from the council's assets and traded services.", source = "Financial ledger" }

metric "south_staffordshire_my_account_users" { title = "My Account registered users",
  unit = "count", aggregation = "last", definition = "Residents registered for My Account at " ..
  "the period end.", source = "Customer platform" }

metric "staff_training_completed" { title = "Employees up to date with mandatory training",
  unit = "count", aggregation = "last", definition = "Employees at period end who have " ..
  "completed all mandatory training modules.", source = "Learning management system" }
metric "member_training_attended" { title = "Member development sessions attended",
  unit = "count", aggregation = "sum", definition = "Attendances by councillors at member " ..
  "development sessions.", source = "Democratic services" }
metric "member_training_places" { title = "Member development places offered",
  unit = "count", aggregation = "sum", definition = "Places offered to councillors at member " ..
  "development sessions.", source = "Democratic services" }

metric "residual_household_waste_tonnes" { title = "Residual household waste", unit = "tonnes",
  aggregation = "sum", definition = "Household waste not reused, recycled or composted.",
  source = "Defra WasteDataFlow" }
metric "households" { title = "Households", unit = "households", aggregation = "last",
  definition = "Dwellings on the council tax list (a proxy for households).",
  source = "DLUHC Council Taxbase" }
metric "disabled_facilities_grants" { title = "Disabled facilities grant adaptations completed",
  unit = "count", aggregation = "sum", definition = "Adaptations completed under DFG.",
  source = "Housing improvement system" }
metric "south_staffordshire_hub_rooms_booked" { title = "Community Hub room hours booked",
  unit = "hours", aggregation = "sum", definition = "Hours of room bookings at the Codsall " ..
  "Community Hub.", source = "Hub bookings system" }
metric "south_staffordshire_hub_rooms_available" { title = "Community Hub room hours available",
  unit = "hours", aggregation = "sum", definition = "Bookable room hours at the Codsall " ..
  "Community Hub.", source = "Hub bookings system" }

-- ---- KPIs ------------------------------------------------------------------------------
-- All illustrative (see the header).  Each names one or more themes as parents; several
-- span delivery areas, as the document's service-plan measures do.

-- Integrated finance
kpi "FIN01" {
  title = "Revenue budget: forecast outturn variance (% of net budget)",
  parents = { "fs_financial_management" },
  formula = custom {
    inputs = { budget = "revenue_budget", outturn = "revenue_outturn" },
    fn = function(m)
      if not m.budget or not m.outturn or m.budget == 0 then return nil end
      return (m.outturn - m.budget) / m.budget * 100
    end,
  },
  unit = "%", decimals = 2, polarity = "down", target = 0, tolerance = 1, type = "input",
  owner = "Director of Finance", directorate = "Finance",
  definition = "Positive = forecast overspend.",
}
kpi "FIN02" {
  title = "Capital programme: forecast outturn variance (% of budget)",
  parents = { "fs_financial_management", "fs_assets" },
  formula = custom {
    inputs = { budget = "capital_budget", outturn = "capital_forecast_outturn" },
    fn = function(m)
      if not m.budget or not m.outturn or m.budget == 0 then return nil end
      return (m.outturn - m.budget) / m.budget * 100
    end,
  },
  unit = "%", decimals = 1, polarity = "band", band = { -10, 5 }, tolerance = 5,
  type = "input", owner = "Director of Finance", directorate = "Finance",
  definition = "Negative = slippage.  Within -10% .. +5% of budget is on track.",
}
kpi "FIN03" {
  title = "Council tax collected in year", parents = { "fs_council_tax_rates" },
  formula = pct("council_tax_collected", "council_tax_due"), polarity = "up",
  target = 98, tolerance = 0.5, type = "output", benchmark_source = "DLUHC collection rates",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FIN04" {
  title = "Business rates collected in year",
  parents = { "fs_council_tax_rates", "fs_business_growth" },
  formula = pct("business_rates_collected", "business_rates_due"), polarity = "up",
  target = 98, tolerance = 0.5, type = "output",
  owner = "Director of Finance", directorate = "Finance",
}
kpi "FIN05" {
  title = "Income from commercial property and services",
  parents = { "fs_assets", "hub_income" },           -- two delivery areas
  formula = "south_staffordshire_commercial_income", unit = "£", decimals = 0, polarity = "up",
  target = 400000, tolerance = "10%", type = "outcome",
  owner = "Director of Finance", directorate = "Finance",
}

-- Embracing Technology
kpi "TEC01" {
  title = "Customer transactions completed online",
  parents = { "et_self_service", "et_digital" },
  formula = pct("online_transactions", "customer_transactions"),
  polarity = "up", frequency = "monthly",
  target = { ["2022/23"] = 55, ["2023/24"] = 60, ["2024/25"] = 65, ["2025/26"] = 70 },
  tolerance = 5, type = "output",
  owner = "Assistant Director Customer and Digital", directorate = "Corporate Services",
}
kpi "TEC02" {
  title = "My Account registered users",
  parents = { "et_my_account", "hub_community_service" },
  formula = "south_staffordshire_my_account_users",
  unit = "count", decimals = 0, polarity = "up", frequency = "monthly",
  target = 25000, tolerance = "10%", type = "output",
  owner = "Assistant Director Customer and Digital", directorate = "Corporate Services",
}
kpi "TEC03" {
  title = "Contact centre calls answered", parents = { "et_caring_customers" },
  formula = pct("contact_centre_calls_answered", "contact_centre_calls_offered"),
  polarity = "up", frequency = "monthly", target = 92, tolerance = 4, type = "output",
  owner = "Assistant Director Customer and Digital", directorate = "Corporate Services",
}
kpi "TEC04" {
  title = "Complaints responded to within timescale",
  parents = { "et_caring_customers", "hub_community_service" },
  formula = pct("complaints_responded_on_time", "complaints_received"), polarity = "up",
  target = 95, tolerance = 5, type = "process",
  owner = "Assistant Director Customer and Digital", directorate = "Corporate Services",
}

-- Flexible and Skilled Council
kpi "WF01" {
  title = "Working days lost to sickness absence per FTE",
  parents = { "fsc_workforce", "fsc_agile" },
  formula = ratio("staff_sickness_days", "staff_fte"),
  unit = "days", decimals = 2, polarity = "down",
  target = 2.0, tolerance = "10%", type = "process",
  owner = "Assistant Director HR", directorate = "Corporate Services",
  definition = "Days lost in the quarter divided by FTE at quarter end.",
}
kpi "WF02" {
  title = "Staff turnover (% of employees leaving in the quarter)",
  parents = { "fsc_workforce" }, formula = pct("staff_leavers", "staff_headcount"),
  polarity = "down", target = 3.0, tolerance = 0.5, type = "process",
  owner = "Assistant Director HR", directorate = "Corporate Services",
}
kpi "WF03" {
  title = "Employees up to date with mandatory training",
  parents = { "fsc_workforce_strategy" },
  formula = pct("staff_training_completed", "staff_headcount"), polarity = "up",
  target = 95, tolerance = 5, type = "process",
  owner = "Assistant Director HR", directorate = "Corporate Services",
}
kpi "WF04" {
  title = "Member development places taken up",
  parents = { "fsc_member_engagement", "wc_champions" },   -- two delivery areas
  formula = pct("member_training_attended", "member_training_places"),
  decimals = 0, polarity = "up", frequency = "half-yearly",
  target = 75, tolerance = 10, type = "process",
  owner = "Assistant Director Governance", directorate = "Corporate Services",
}

-- Working with our Communities
kpi "COM01" {
  title = "Household waste sent for reuse, recycling or composting",
  parents = { "wc_environment" },
  formula = pct("household_waste_recycled_tonnes", "household_waste_total_tonnes"),
  polarity = "up", target = 52, tolerance = 3, national = true, type = "outcome",
  benchmark_source = "Defra (NI 192)",
  owner = "Assistant Director Environment", directorate = "Environment and Community Services",
}
kpi "COM02" {
  title = "Residual household waste per household (kg)", parents = { "wc_environment" },
  formula = custom {
    inputs = { residual = "residual_household_waste_tonnes", households = "households" },
    fn = function(m)
      if not m.residual or not m.households or m.households == 0 then return nil end
      return m.residual * 1000 / m.households
    end,
  },
  unit = "kg", decimals = 1, polarity = "down",
  target = 100, tolerance = "5%", national = true, type = "outcome",
  owner = "Assistant Director Environment", directorate = "Environment and Community Services",
}
kpi "COM03" {
  title = "Fly-tipping incidents", parents = { "wc_environment" },
  formula = "fly_tipping_incidents", unit = "count", decimals = 0, polarity = "down",
  target = 200, tolerance = "15%", type = "outcome",
  owner = "Assistant Director Environment", directorate = "Environment and Community Services",
}
kpi "COM04" {
  title = "Major planning applications decided in time",
  parents = { "wc_local_plan", "fs_business_growth" },     -- two delivery areas
  formula = pct("major_planning_in_time", "major_planning_decided"), polarity = "up",
  target = 90, tolerance = 5, national = true, type = "process",
  owner = "Assistant Director Planning", directorate = "Planning and Infrastructure",
}
kpi "COM05" {
  title = "Non-major planning applications decided in time", parents = { "wc_local_plan" },
  formula = pct("nonmajor_planning_in_time", "nonmajor_planning_decided"), polarity = "up",
  target = 85, tolerance = 5, national = true, type = "process",
  owner = "Assistant Director Planning", directorate = "Planning and Infrastructure",
}
kpi "COM06" {
  title = "Net additional homes", parents = { "wc_local_plan", "wc_brighter_futures" },
  formula = "net_additional_dwellings",
  unit = "count", decimals = 0, polarity = "up", frequency = "annual",
  target = 250, tolerance = "15%", national = true, type = "outcome",
  owner = "Assistant Director Planning", directorate = "Planning and Infrastructure",
}
kpi "COM07" {
  title = "Households whose homelessness was prevented or relieved",
  parents = { "wc_brighter_futures", "wc_wellbeing" }, formula = "homelessness_prevented",
  unit = "count", decimals = 0, polarity = "up",
  target = 40, tolerance = "15%", type = "outcome",
  owner = "Assistant Director Housing", directorate = "Environment and Community Services",
}
kpi "COM08" {
  title = "Disabled facilities grant adaptations completed", parents = { "wc_wellbeing" },
  formula = "disabled_facilities_grants", unit = "count", decimals = 0, polarity = "up",
  target = 30, tolerance = "15%", type = "output",
  owner = "Assistant Director Housing", directorate = "Environment and Community Services",
}
kpi "COM09" {
  title = "Leisure centre visits",
  parents = { "wc_wellbeing", "hub_facilities" },          -- two delivery areas
  formula = "leisure_centre_visits", unit = "count", decimals = 0, polarity = "up",
  target = 135000, tolerance = "10%", type = "output",
  owner = "Assistant Director Communities", directorate = "Environment and Community Services",
}

-- Create a Business and Community Hub
kpi "HUB01" {
  title = "Businesses supported",
  parents = { "hub_supporting_businesses", "fs_business_growth", "hub_partnership" },
  formula = "businesses_supported", unit = "count", decimals = 0, polarity = "up",
  target = 60, tolerance = "15%", type = "output",
  owner = "Assistant Director Enterprise", directorate = "Planning and Infrastructure",
}
kpi "HUB02" {
  title = "Community Hub room occupancy", parents = { "hub_facilities", "hub_income" },
  formula = pct("south_staffordshire_hub_rooms_booked", "south_staffordshire_hub_rooms_available"),
  polarity = "up", target = 60, tolerance = 10, type = "output",
  owner = "Assistant Director Communities", directorate = "Environment and Community Services",
}

-- ---- risks (the corporate risk register: illustrative) ----------------------------------

risk "CR01" { title = "Funding reform leaves a gap in the Medium Term Financial Strategy",
  parent = "financial_stability", owner = "Director of Finance", likelihood = 4, impact = 4 }
risk "CR02" { title = "A cyber attack disrupts online and self-service channels",
  parent = "embracing_technology", owner = "Assistant Director Customer and Digital",
  likelihood = 3, impact = 5 }
risk "CR03" { title = "Recruitment and retention pressures reduce capacity",
  parent = "flexible_skilled", owner = "Assistant Director HR", likelihood = 3, impact = 3 }
risk "CR04" { title = "The Local Plan review is delayed",
  parent = "wc_local_plan", owner = "Assistant Director Planning", likelihood = 3, impact = 4 }
risk "CR05" { title = "Commercial income falls short of the budgeted level",
  parent = "hub_income", owner = "Director of Finance", likelihood = 2, impact = 3 }

-- ---- actions (illustrative) --------------------------------------------------------------

action "ACT01" { title = "Extend My Account to all high-volume services",
  parent = "et_my_account", owner = "Assistant Director Customer and Digital",
  due = "2024-03-31",
  milestones = { { title = "Waste and recycling services online", due = "2023-06-30" },
                 { title = "Council tax and benefits self-service", due = "2024-03-31" } } }
action "ACT02" { title = "Submit the Local Plan review for examination",
  parent = "wc_local_plan", owner = "Assistant Director Planning", due = "2025-03-31",
  milestones = { { title = "Publication plan consultation", due = "2024-06-30" } } }
action "ACT03" { title = "Deliver the Workforce Development Strategy",
  parent = "fsc_workforce_strategy", owner = "Assistant Director HR", due = "2024-03-31" }

-- ---- reporting (the performance management cycle) ----------------------------------------

board "clt_dashboard" { title = "Corporate Leadership Team: monthly dashboard",
  cadence = "monthly", receives = { "dashboard" }, after_days = 10 }
board "clt" { title = "Corporate Leadership Team: IPM check and challenge",
  cadence = "quarterly", receives = { "scorecard", "exceptions", "finance", "risks" },
  after_days = 20 }
board "cabinet" { title = "Cabinet: Integrated Performance Management report",
  cadence = "quarterly", receives = { "scorecard", "exceptions", "finance", "risks" },
  after_days = 40 }
board "overview_scrutiny" { title = "Overview and Scrutiny Committee",
  cadence = "half-yearly", receives = { "scorecard", "exceptions", "finance", "risks" },
  after_days = 50 }
board "standards_resources" { title = "Standards and Resources Committee: complaints and " ..
  "employment trends", cadence = "annual", receives = { "scorecard" }, after_days = 60 }
board "audit_risk" { title = "Audit and Risk Committee: corporate risk",
  cadence = "quarterly", receives = { "risks" }, after_days = 45 }

deadline "data_entry" { working_days = 8 }
rule "commentary_required" { statuses = { "red", "amber" } }
