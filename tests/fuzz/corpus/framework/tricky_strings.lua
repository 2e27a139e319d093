framework "f" { title = ("").rep("z", 10), levels = { "priority", "priority" } }
priority "p" { title = ("x"):rep(100000), parent = "p" }
priority "" { }
kpi "K" "nobody"
kpi { }
metric "m" (1)
kpi "K2" { title = "K2", parent = "p", formula = custom { inputs = {}, fn = 3, extra = 1 },
  target = function() error({}) end, rag = "green", polarity = "band", band = { 2, 1 } }
change "K2" { from = "2025/26 Q1" } change "K2" { from = "2025/26 Q1" }
