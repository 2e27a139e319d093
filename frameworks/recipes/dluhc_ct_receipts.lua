-- DLUHC council tax receipts by quarter (ct_receipts_westmids.csv, as published): long, one
-- row per council and quarter ("April to June 2010 (Q1)"), in £ thousands (x 1000 here).
-- England and region rows are skipped; the notes columns are ignored.
recipe "DLUHC council tax receipts, West Midlands (ct_receipts_westmids.csv)"
format "csv"
columns { area = "ONS Code", period = "Occurrence", value = "Observation" }
constant { metric = "council_tax_receipts", source = "DLUHC QRC4" }
ignore { "Local authority", "Percentage Change (%) from Q4 2021", "Notes", "Note1", "Note2",
         "Note3", "Note4", "Note5" }
value { scale = 1000 }
areas { by = "code", skip = { "region", "country" } }
