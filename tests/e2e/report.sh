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
eq "$(sed -E 's/"([^"]|"")*"/Q/g' <<<"$OUT" | awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "rag") c = i}
     NR > 1 {print $1 "," $c}')" "$ENGINE" "csv RAG equals the engine's"

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
pmf report scorecard --framework rt --format docx
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
out_has '^framework,report,as_of$' "pmf sql keeps the SELECT's column order"
out_has '^rt,scorecard,2025-10-20$' "the publication is recorded"
printf 'minutes of the last meeting\n' > minutes.html
pmf report scorecard --framework rt --period "2025/26 Q2" --as-of 2025-10-20 --publish --format html -o minutes.html
rc_is 1 "publish refuses an -o FILE it may not replace"
err_has 'minutes.html: exists and is not a pmf html report' "and says so"
pmf sql "SELECT count(*) AS n FROM publication" --format csv
eq "$(tail -n 1 <<<"$OUT")" "1" "and records no publication for it"
pmf report --republish 1 -o rep.html
rc_is 0 "republish"
ok "republish rebuilds the same bytes" cmp -s pub.html rep.html
pmf report --republish 99
rc_is 1 "an unknown publication fails"

pmf report --republish 1 -o sc1.json
rc_is 1 "republish will not replace a report of another format"
err_has 'sc1.json: exists and is not a pmf html report' "and says so"

# ---- outputs: nothing lost or corrupted ----------------------------------------------------
pmf sql "SELECT count(*) AS n FROM observation" --format csv
NOBS=$(tail -n 1 <<<"$OUT")
cp "$PMF_DB" store.copy
for target in "$PMF_DB" "./pmf.db" "$PMF_DB-wal" "$PMF_DB-shm" "$PMF_DB-journal"; do
  pmf "${R[@]}" --format html -o "$target" --force
  rc_is 1 "-o $target (the store) is refused, even with --force"
  err_has 'is the store' "and the error says it is the store"
done
ln -s pmf.db store-link.html
pmf "${R[@]}" -o store-link.html
rc_is 1 "a symbolic link to the store is refused"
ln pmf.db store-hardlink.csv
pmf "${R[@]}" -o store-hardlink.csv --force
rc_is 1 "a hard link to the store is refused (same inode)"
ok "the store file is untouched" cmp -s "$PMF_DB" store.copy
pmf sql "SELECT count(*) AS n FROM observation" --format csv
eq "$(tail -n 1 <<<"$OUT")" "$NOBS" "every observation is still there"

printf 'metric,area,period,value\nwaste,E08000027,2025/26 Q1,1\n' > data.csv
cp data.csv data.keep
pmf "${R[@]}" -o data.csv
rc_is 1 "an existing CSV that is not this report is refused"
err_has 'data.csv: exists and is not a pmf csv report \(--force replaces it\)' "naming the file and --force"
ok "and left as it was" cmp -s data.csv data.keep
for f in notes.txt notes.md page.html data.json book.xlsx; do
  printf 'my own work\nAs of nothing\n' > "$f"; cp "$f" "$f.keep"
  pmf "${R[@]}" -o "$f"
  rc_is 1 "an existing $f that pmf did not write is refused"
  ok "$f left as it was" cmp -s "$f" "$f.keep"
done
pmf "${R[@]}" -o data.csv --force
rc_is 0 "--force replaces it"
out_lacks . "nothing on stdout with -o"
ok "with the report" grep -q '^kpi,title,period,value' data.csv
: > empty.html
pmf "${R[@]}" -o empty.html
rc_is 0 "an empty file may be replaced"
for fmt in text md csv json html xlsx; do
  pmf "${R[@]}" --format $fmt -o "sc1.$fmt"
  rc_is 0 "a $fmt report replaces the $fmt report pmf wrote before"
  ok "with the report" test -s "sc1.$fmt"
done
ln -s sc1.html link-to-report.html
pmf "${R[@]}" -o link-to-report.html
rc_is 0 "writing through a symbolic link to a report"
ok "the link is kept" test -L link-to-report.html
# a reader holding the old file keeps reading the whole old file: the new one is renamed in
cp sc1.csv old.csv
exec 3<sc1.csv
pmf "${R[@]}" --format csv -o sc1.csv --csv-raw
ok "a reader of the old file still reads it whole" cmp -s - old.csv <&3
exec 3<&-
ok "no temporary files are left behind" bash -c '! ls -A | grep -q "\.pmf-"'

# write errors: the path and the system's reason, status 1
for fmt in text md csv json html xlsx; do
  pmf "${R[@]}" --format $fmt -o /dev/full
  rc_is 1 "-o /dev/full ($fmt) fails"
  err_has '/dev/full: No space left on device' "naming the path and the reason ($fmt)"
done
"$PMF_BIN" "${R[@]}" > /dev/full 2>err.txt; RC=$?; ERR=$(cat err.txt)
rc_is 1 "a report to a full standard output fails"
err_has 'standard output: No space left on device' "and says why"
"$PMF_BIN" sql "SELECT 1 AS one" > /dev/full 2>err.txt; RC=$?; ERR=$(cat err.txt)
rc_is 1 "pmf sql to a full standard output fails"
"$PMF_BIN" -e 'print("x")' > /dev/full 2>err.txt; RC=$?; ERR=$(cat err.txt)
rc_is 1 "a script printing to a full standard output fails"
err_has 'standard output' "and says so"
pmf "${R[@]}" -o no-such-dir/x.html
rc_is 1 "a folder that does not exist fails"
err_has 'no-such-dir/x.html: No such file or directory' "naming the path"

# ---- outputs: user text made harmless; other frequencies shown ------------------------------
IJ=(--db "$WORK/ij.db")
cat > ij.lua <<'LUA'
framework "ij" { title = "Injection council", council = "E08000027", year_start = "April",
  levels = { "priority" }, comparator = "cipfa_2024:E08000027" }
priority "p1" { title = "=HYPERLINK(\"http://evil.example\",\"x\")" }
metric "spend" { title = "Spend", unit = "£", aggregation = "sum" }
metric "visits" { title = "Visits", unit = "count", aggregation = "sum" }
kpi "V1" { title = "@SUM(1)", parent = "p1", formula = "spend", unit = "£", decimals = 1,
  polarity = "down", frequency = "quarterly", target = 0 }
kpi "V2" { title = "Visits <script>alert(1)</script> | piped", parent = "p1", formula = "visits",
  unit = "count", polarity = "up", frequency = "annual", target = 10 }
LUA
cat > ij-setup.lua <<'LUA'
assert(pmf.framework.load(store, "ij.lua", { at = "2025-10-01T08:00" }))
local at = "2025-10-05T09:00"
store:observe{ metric = "spend", area = "E08000027", period = "2025/26 Q2", value = -1234.5, at = at }
store:observe{ metric = "visits", area = "E08000027", period = "2024/25", value = 0.1 + 0.2, at = at }
store:comment{ framework = "ij", kpi = "V1", period = "2025/26 Q2", at = at,
  text = "+cmd|' /C calc'!A0 \27[31mred\27[0m" }
store:comment{ framework = "ij", kpi = "V2", period = "2025/26 Q2", at = at, text = "\t-2+3" }
LUA
pmf "${IJ[@]}" ij-setup.lua
rc_is 0 "the injection store is set up"
J=(report scorecard --framework ij --period "2025/26 Q2" --as-of 2025-10-20)
pmf "${IJ[@]}" "${J[@]}" --format csv
out_has "^V1,'@SUM\(1\),2025/26 Q2,-1234.5,'?-£1,234.5|^V1,'@SUM\(1\),2025/26 Q2,-1234.5," "csv: a title starting @ is neutralised, the negative value stays a number"
out_has ",'\+cmd\|' /C calc'!A0" "csv: commentary starting + is neutralised"
out_has ",\"'	-2\+3\"|,'	-2\+3" "csv: a cell starting with a tab is neutralised"
out_lacks ",[=+@]" "csv: no cell starts with = + or @"
pmf "${IJ[@]}" "${J[@]}" --format csv --csv-raw
out_has "^V1,@SUM\(1\)," "--csv-raw leaves text as it is (for machines)"
pmf "${IJ[@]}" report golden_thread --framework ij --period "2025/26 Q2" --as-of 2025-10-20 --format csv
out_has "'=HYPERLINK" "csv: a node name starting = is neutralised"
pmf "${IJ[@]}" "${J[@]}" --format md
out_lacks '<script>' "md: no raw <script> from a title"
out_has '&lt;script&gt;alert\(1\)&lt;/script&gt; \\\| piped' "md: HTML escaped and | escaped in a cell"
pmf "${IJ[@]}" "${J[@]}"
out_lacks $'\e' "text: no terminal escape sequences from commentary"
out_has 'red' "text: the commentary's words are kept"
out_has 'Period' "text: a Period column when a KPI is rated for another period"
out_has 'V2 .*2024/25' "text: the annual KPI shows the year it was rated for"
for fmt in md html; do
  pmf "${IJ[@]}" "${J[@]}" --format $fmt
  out_has 'Period' "$fmt: the Period column"
  out_has '2024/25' "$fmt: the rated year"
done
pmf "${IJ[@]}" "${J[@]}" --format json
ok "json: every row has every column, numbers exact, the rated period" bash -c 'printf "%s" "$1" | lua5.4 -e "
  local c = require \"cjson\"; local d = c.decode(io.read(\"a\"))
  local function keys(r) local t = {} for k in pairs(r) do t[#t + 1] = k end table.sort(t) return table.concat(t, \",\") end
  assert(#d.rows == 2 and keys(d.rows[1]) == keys(d.rows[2]), keys(d.rows[1]) .. \" vs \" .. keys(d.rows[2]))
  assert(d.generator == \"pmf\")
  assert(d.rows[2].period == \"2024/25\" and d.rows[2].requested_period == \"2025/26 Q2\")
  assert(d.rows[2].value == 0.1 + 0.2, tostring(d.rows[2].value))
  assert(d.rows[1].value == -1234.5)"' _ "$OUT"
pmf "${IJ[@]}" "${J[@]}" --format csv --csv-raw
ok "csv: the number reads back exactly" bash -c 'grep -q "^V2,.*,2024/25,0.30000000000000004," <<<"$1"' _ "$OUT"
pmf "${IJ[@]}" "${J[@]}" -o ij.xlsx
rc_is 0 "xlsx with user text"

# ---- issue 13: usage lines, defaults, dashboard, pdf, the REPL ----
for name in kpi benchmark; do
  pmf report $name --framework rt --period "2025/26 Q2"
  rc_is 2 "$name without --kpi is a usage error"
  err_has "the $name report needs --kpi ID" "$name: the usage names --kpi"
done
pmf report dashboard --framework rt
rc_is 2 "dashboard without --node is a usage error"
err_has "needs --node ID" "dashboard: the usage names --node"
pmf report dashboard
rc_is 2 "no --framework: a usage error"
err_has "--framework ID is required" "and names it"
pmf report scorecard --framework rt --as-of 2026-11-01
rc_is 0 "no --period: the latest period with figures"
out_has 'Quarter 2 2025/26: July to September 2025 \(latest period with figures\)' "the heading says which and why"
pmf report dashboard --framework rt --node p1 --period "2025/26 Q2" --format md
rc_is 0 "a dashboard in markdown"
out_has '^\*\*Headline: ' "headline counts"
pmf report benchmark --framework rt --kpi K1 --period "2025/26 Q2"
rc_is 0 "benchmark as text"
out_has 'Dudley ◀ this council' "text: the council marked"
out_has '^Group median: ' "text: the median"
out_has '^England: ' "text: England"
PMF_CHROMIUM=/nonexistent/chromium pmf report scorecard --framework rt --period "2025/26 Q2" -o sc.pdf
rc_is 1 "pdf without chromium fails"
err_has "pdf output needs chromium \(apt-get install chromium\)" "and says how to get it"
ok "no pdf left behind" test ! -e sc.pdf
if command -v chromium >/dev/null && command -v pdftotext >/dev/null; then
  pmf report scorecard --framework rt --period "2025/26 Q2" --format pdf -o sc.pdf
  rc_is 0 "--format pdf"
  ok "a pdf with page numbers and the title in the footer" bash -c 'pdftotext -layout sc.pdf - | grep -q "Scorecard | Dudley | 2025/26 Q2 .*Page 1 of"'
  echo "not mine" > other.pdf
  pmf report scorecard --framework rt --period "2025/26 Q2" -o other.pdf
  rc_is 1 "a pdf pmf did not print is not replaced"
else
  ok "pdf needs chromium and pdftotext installed" false
fi
OUT=$(printf 'pmf.kpi.rate{framework = "rt", period = "2025/26 Q2"}\npmf.show(store:query("SELECT 7 AS seven"))\n' |
      COLUMNS=100 HOME=$PWD "$PMF_BIN" -i -e 'x = 1' 2>&1)
ok "REPL: rating rows print as a table with RAG words" bash -c 'grep -Eq "^K1 .*(Red|Amber|Green)" <<<"$1"' _ "$OUT"
ok "REPL: not as table: 0x" bash -c '! grep -q "table: 0x" <<<"$1"' _ "$OUT"
ok "REPL: pmf.show prints any rows" bash -c 'grep -q "^seven" <<<"$1"' _ "$OUT"

done_testing
