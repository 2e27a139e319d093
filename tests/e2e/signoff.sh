#!/usr/bin/env bash
# Sign-off as councils do it before Cabinet: once a framework's quarter is signed off, an
# import touching it is refused with a clear error; reopening (with a reason) lets it in;
# both steps stay in the audit trail.  Also history, areas and metrics.
. "$(dirname "$0")/lib.sh"
FW="$ROOT/frameworks/example.lua"
pmf load "$FW"
rc_is 0 "load the example framework"
metric=$(${PMF_WRAP:-} "$PMF_BIN" -e 'local fw = pmf.framework.get(store, "example"); local ids = {}; for id in pairs(fw.metrics) do ids[#ids+1] = id end; table.sort(ids); print(ids[1])')
area=$(${PMF_WRAP:-} "$PMF_BIN" -e 'print(pmf.framework.get(store, "example").council)')
printf 'metric,area,period,value\n%s,%s,2025-05,10\n' "$metric" "$area" > may.csv
printf 'metric,area,period,value\n%s,%s,2025-05,12\n' "$metric" "$area" > may_revised.csv

pmf import may.csv
rc_is 0 "import before sign-off"
pmf signoff example "2025/26 Q1" --note "Cabinet 10 September" --by "Head of Performance"
rc_is 0 "sign off Q1"
out_has "signed off example 2025/26 Q1" "says so"
pmf signoff example "2025/26 Q1"
rc_is 1 "signing off twice is refused"

pmf import may_revised.csv
rc_is 1 "an import touching the signed-off quarter is refused"
err_has "signed off by framework example \(2025/26 Q1\): reopen it first" "naming the framework and period"
err_has "may_revised.csv:2" "and the file and line"
pmf -e "print((store:get('$metric', '$area', '2025-05')))"
eq "$OUT" "10.0" "the store is unchanged"

pmf reopen example "2025/26 Q1"
rc_is 2 "reopen without a reason is a usage error"
pmf reopen example "2025/26 Q1" --reason "late data correction" --by "Head of Performance"
rc_is 0 "reopen with a reason"
pmf import may_revised.csv
rc_is 0 "after reopening, the import goes in"
out_has "1 revised" "as a revision"

pmf history "$metric" "$area" 2025-05
rc_is 0 "history"
out_has "^1 +10" "lists the first version"
out_has "^2 +12.*yes" "and the current one"

pmf sql "SELECT detail, what FROM audit WHERE what IN ('signoff','reopen') ORDER BY id" --format csv
out_has "^example 2025/26 Q1: Cabinet 10 September,signoff" "the sign-off is in the audit trail"
out_has "^example 2025/26 Q1: late data correction,reopen" "so is the reopening, with its reason"

pmf areas --group cipfa_2024:E08000027
out_has "E08000027 .*Dudley" "areas --group lists the comparator group"
pmf metrics
out_has "$metric" "metrics lists the framework's metrics"
pmf sql "DELETE FROM observation"
rc_is 1 "pmf sql is read-only"
done_testing
