#!/usr/bin/env bash
# `pmf import` and `pmf comment` where a new user found gaps (issue #12's audit): a refused
# import creates no store, "1 row", a workbook of targets by the CLI, comment --period-type.
. "$(dirname "$0")/lib.sh"
FIX="$ROOT/tests/fixtures/import"

# a refused import, into a store that does not exist yet, leaves none behind
printf 'metric,area,period,value\nx,E08000027,2025-04,1\n' > x.csv
pmf --db fresh.db import --recipe nosuch x.csv
rc_is 1 "an unknown recipe refuses the import"
err_has "no recipe 'nosuch'" "and says why"
ok "no store was created by the refused import" test ! -e fresh.db
pmf --db fresh.db import x.csv
rc_is 1 "an unknown metric refuses the file"
ok "no store was created by the refused file" test ! -e fresh.db
# ... but an existing store is never removed
pmf --db kept.db -e 'store:metric{id="m1", title="M1"}'
pmf --db kept.db import x.csv
rc_is 1 "refused into an existing store"
ok "the existing store is kept" test -e kept.db

# one row: "1 row"
pmf -e 'store:metric{id="m1", title="M1"}'
printf 'metric,area,period,value\nm1,E08000027,2025-04,1\n' > one.csv
pmf import one.csv
rc_is 0 "one row imports"
out_has "one.csv: 1 row: 1 new, 0 revised, 0 unchanged" "the summary says 1 row"

# targets in a workbook, by the CLI, with and without --kind
pmf load "$FIX/importables_fw.lua"
rc_is 0 "the framework loads"
pmf -e 'assert(pmf.xlsx.write("t2.xlsx", { sheets = { { name = "Targets",
  columns = { { title = "framework" }, { title = "kpi" }, { title = "area" }, { title = "period" }, { title = "value" } },
  rows = { { "imp", "K1", "E08000027", "2025/26", 46.5 } } } } }))'
pmf import t2.xlsx
rc_is 0 "pmf import t2.xlsx: targets from a workbook"
out_has "t2.xlsx \(sheet 'Targets'\): 1 target: 1 new" "the summary names the sheet"
pmf import t2.xlsx --kind targets --sheet Targets
rc_is 0 "--kind targets --sheet Targets"
out_has "1 target: 0 new, 0 revised, 1 unchanged" "the same again changes nothing"

# pmf comment: an ambiguous label says how to declare the year type, and --period-type does
pmf comment --framework imp --kpi K1 --period "Q1 2025" "Fell in the strike."
rc_is 1 "an ambiguous period is refused"
err_has "declare the year type \(--period-type financial, academic or calendar\)" "naming the option that declares it"
pmf comment --framework imp --kpi K1 --period "Q1 2025" --period-type calendar "Fell in the strike."
rc_is 0 "--period-type calendar reads it"
pmf comment --framework imp --kpi K1 --period "Q1 2025" --period-type calendar
out_has "^Fell in the strike.$" "and it reads back"

done_testing
