framework "f" { title = "F", levels = { "priority", "kpi", "1bad" } }
priority "p" { title = "P", parent = "nowhere" }
kpi "K" { title = "K", parent = "p", formula = pct(1, nil), polarity = "sideways", target = "x" }
kpi "K" { title = "dup", parent = "p", formula = rate("a", "b", -1), tolerance = {} }
change "nokpi" { from = "2025/26 Q9" }
node "x" { level = "nolevel", title = "X", parents = { "x" } }
kpi "H" { title = "hangs nowhere", formula = "m" }
