framework "f" { title = "F" 
kpi "K" { title = [[unterminated
