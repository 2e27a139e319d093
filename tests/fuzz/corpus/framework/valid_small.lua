framework "f" { title = "F", council = "E08000030", year_start = 4, levels = { "priority" } }
priority "p" { title = "P" }
metric "m" { title = "M", aggregation = "sum" }
kpi "K" { title = "K", parent = "p", formula = "m", polarity = "up", target = 5, tolerance = "5%" }
