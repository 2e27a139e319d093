-- DLUHC council tax receipts live table (CT_Receipts_Live_Table_Q4_2022-23.xlsx, as
-- published), sheet Table_5: the header in row 6, one row per council, one column per
-- quarter ("April to June 2010 (Q1)") and per financial year ("Total receipts ... - 2010
-- to 2011 (Q1 to Q4)"), in £ thousands (x 1000 here).  England and region rows are skipped.
recipe "DLUHC council tax receipts live table (CT_Receipts_Live_Table_*.xlsx, Table_5)"
format "xlsx"
sheet "Table_5"
range "A6:BS"
layout "wide_periods"
columns { area = "ONS Code" }
constant { metric = "council_tax_receipts", source = "DLUHC QRC4" }
ignore { "E-code", "Local authority", "Class", "Region", "Notes", "Percentage Change (%) from Q4 2021" }
missing { ["[z]"] = "not_applicable", ["[x]"] = "missing" }
value { scale = 1000 }
areas { by = "code", skip = { "region", "country" } }
