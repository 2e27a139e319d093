#!/usr/bin/env bash
# `pmf report` as a user runs it: every report and format, --as-of reproducibility, the
# publish gate and republishing.
. "$(dirname "$0")/lib.sh"

cat > fw.lua <<'LUA'
framework "rt" { title = "Report test council", council = "E08000027", year_start = "April",
  levels = { "priority", "outcome" }, comparator = "cipfa_2024:E08000027" }
priority "p1" { title = "Priority one" }
outcome "o1" { title = "Outcome one", parent = "p1" }
priority "p2" { title = "Priority two" }
metric "recycled" { title = "Recycled", unit = "tonnes", aggregation = "sum" }
metric "waste" { title = "Waste", unit = "tonnes", aggregation = "sum" }
metric "placements" { title = "Placements", unit = "count", aggregation = "sum" }
kpi "K1" { title = "Recycling rate", parent = "o1", formula = pct("recycled", "waste"),
  unit = "%", decimals = 1, polarity = "up", frequency = "quarterly", target = 50,
  tolerance = "5%", owner = "Head of Waste" }
kpi "K2" { title = "Waste collected", parent = "o1", formula = "waste", unit = "tonnes",
  decimals = 0, polarity = "down", frequency = "quarterly", target = 30000, owner = "Head of Waste" }
kpi "K3" { title = "Rare placements", parent = "p2", formula = "placements", unit = "count",
  polarity = "down", frequency = "quarterly", target = 90000, suppress_below = 50000 }
board "cabinet" { title = "Cabinet", cadence = "quarterly", receives = { "scorecard" }, after_days = 40 }
deadline "data_entry" { working_days = 10 }
LUA
cat > setup.lua <<'LUA'
assert(pmf.framework.load(store, "fw.lua", { at = "2025-10-01T08:00" }))
for i, q in ipairs(pmf.period.range(pmf.period("2024/25 Q1"), pmf.period("2025/26 Q2"))) do
  store:observe{ metric = "recycled", area = "E08000027", period = q, value = 4000 + 100 * i, at = "2025-10-05T09:00" }
  store:observe{ metric = "waste", area = "E08000027", period = q, value = 10000 + 10 * i, at = "2025-10-05T09:00" }
  store:observe{ metric = "placements", area = "E08000027", period = q, value = 43217, at = "2025-10-05T09:00" }
end
LUA
pmf setup.lua
rc_is 0 "the store is set up"

R=(report scorecard --framework rt --period "2025/26 Q2" --as-of 2025-10-20)
pmf "${R[@]}"
rc_is 0 "a text scorecard"
out_has '^Scorecard' "titled"
out_has 'K1 +Recycling rate .*(R Red|A Amber|G Green)' "RAG as a word and symbol"
out_has 'As of 2025-10-20' "the as-of date is printed"
out_lacks $'\e\\[' "no colour when not a terminal"
out_lacks '43217|43,217' "the suppressed number is not shown"
out_has 'suppressed' "suppressed is said"

for fmt in text md csv json html; do
  pmf "${R[@]}" --format $fmt -o "sc1.$fmt"
  rc_is 0 "--format $fmt -o writes"
  ok "$fmt file written" test -s "sc1.$fmt"
  if grep -Eq '43217|43,217' "sc1.$fmt"; then fail "$fmt shows a suppressed number"; else pass; fi
done
pmf "${R[@]}" -o sc1.xlsx
rc_is 0 "xlsx by extension"
ok "xlsx is a zip" bash -c 'head -c 2 sc1.xlsx | grep -q PK'

pmf "${R[@]}" --format json
ok "json parses" bash -c 'printf "%s" "$1" | lua5.4 -e "local c = require \"cjson\"; local d = c.decode(io.read(\"a\")); assert(d.rows[1].kpi == \"K1\" and type(d.rows[1].value) == \"number\" and type(d.rows[1].rag) == \"string\")"' _ "$OUT"
pmf --db "$PMF_DB" --as-of 2025-10-20 -e 'local r = pmf.kpi.rate{framework = "rt", period = "2025/26 Q2"}; for _, x in ipairs(r) do print(x.kpi .. "," .. x.rag) end'
ENGINE=$OUT
pmf "${R[@]}" --format csv
eq "$(sed -E 's/"([^"]|"")*"/Q/g' <<<"$OUT" | awk -F, 'NR > 1 {print $1 "," $6}')" "$ENGINE" "csv RAG equals the engine's"

# a later revision does not change a report rebuilt as of the earlier date
pmf -e 'store:observe{ metric = "recycled", area = "E08000027", period = "2025/26 Q2", value = 1 }'
for fmt in text md csv json html xlsx; do
  pmf "${R[@]}" --format $fmt -o "sc2.$fmt"
  ok "--as-of gives the same $fmt bytes" cmp -s "sc1.$fmt" "sc2.$fmt"
done
pmf --as-of 2025-10-20 report scorecard --framework rt --period "2025/26 Q2" --format html -o sc3.html
ok "the global --as-of works too" cmp -s sc1.html sc3.html
pmf report scorecard --framework rt --period "2025/26 Q2" --format json -o live.json
if cmp -s sc1.json live.json; then fail "without --as-of the revision shows"; else pass; fi

for name in exceptions golden_thread golden-thread data_quality calendar integrated; do
  pmf report $name --framework rt --period "2025/26 Q2" --as-of 2025-10-20
  rc_is 0 "report $name"
done
pmf report kpi --framework rt --kpi K1 --period "2025/26 Q2" --as-of 2025-10-20 --format md
rc_is 0 "report kpi"
out_has '^# KPI K1' "kpi detail titled"
pmf report benchmark --framework rt --kpi K1 --period "2025/26 Q2" --as-of 2025-10-20
rc_is 0 "report benchmark"
out_has 'Dudley' "the council is in the league table"
pmf report scorecard --framework rt --node p2 --period "2025/26 Q2" --as-of 2025-10-20
out_has 'Priority two' "--node picks a priority"
out_lacks 'K1' "and only its KPIs"
pmf report scorecard --framework rt --node nope --period "2025/26 Q2"
rc_is 1 "an unknown node fails"
err_has "unknown node 'nope'" "and says so"
pmf report nonesuch --framework rt
rc_is 2 "an unknown report is a usage error"
pmf report scorecard
rc_is 2 "--framework is required"
pmf report scorecard --framework rt --format pdf
rc_is 2 "an unknown format is a usage error"

# the publish gate
pmf report scorecard --framework rt --period "2025/26 Q2" --as-of 2025-10-20 --publish --format html -o pub.html
rc_is 1 "publish refuses while blocked"
err_has 'not signed off' "blocker: sign-off"
err_has 'K1 .*has no commentary' "blocker: missing commentary"
ok "nothing written when refused" test ! -e pub.html
pmf -e 'for _, r in ipairs(pmf.kpi.exceptions{framework = "rt", period = "2025/26 Q2"}) do
  store:comment{ framework = "rt", kpi = r.kpi, period = "2025/26 Q2", text = "Explained", at = "2025-10-10T10:00" } end
  store:signoff("rt", "2025/26 Q2", { by = "chief", at = "2025-10-11T10:00" })'
rc_is 0 "commentary added and signed off"
pmf report scorecard --framework rt --period "2025/26 Q2" --as-of 2025-10-20 --publish --format html -o pub.html
rc_is 0 "publish succeeds once unblocked"
err_has 'publication 1' "and names the publication"
pmf sql "SELECT framework, report, as_of FROM publication" --format csv
out_has 'as_of,framework,report' "pmf sql renders through pmf.render.rows"
out_has '2025-10-20,rt,scorecard' "the publication is recorded"
pmf report --republish 1 -o rep.html
rc_is 0 "republish"
ok "republish rebuilds the same bytes" cmp -s pub.html rep.html
pmf report --republish 99
rc_is 1 "an unknown publication fails"

done_testing
