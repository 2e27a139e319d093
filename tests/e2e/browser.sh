#!/usr/bin/env bash
# The HTML reports in a real browser (headless Chromium): they render without console
# errors, the DOM has the RAG badges and SVG charts, a screenshot is taken and
# --print-to-pdf gives a PDF whose text (pdftotext) has the report's words, so a font is
# there to print them.  Chromium and poppler-utils are test dependencies (make test-deps):
# without them this test fails rather than passing on nothing.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  fail "chromium is not installed (make test-deps installs it)"
  done_testing
  exit $?
fi

cat > fw.lua <<'LUA'
framework "bt" { title = "Browser test council", council = "E08000030", year_start = "April",
  levels = { "ambition", "priority" }, comparator = "cipfa_2024:E08000030" }
ambition "a1" { title = "Thriving and happy" }
priority "early_years" { title = "Early years", parent = "a1" }
priority "economy" { title = "Economy", parent = "a1" }
metric "passes" { title = "Passes", unit = "count", aggregation = "sum" }
metric "pupils" { title = "Pupils", unit = "count", aggregation = "sum" }
metric "jobs" { title = "Jobs", unit = "count", aggregation = "last" }
kpi "E1" { title = "Good level of development", parent = "early_years",
  formula = pct("passes", "pupils"), unit = "%", decimals = 1, polarity = "up",
  frequency = "quarterly", target = 70, tolerance = "5%", owner = "Director of Children's Services" }
kpi "J1" { title = "Jobs in the borough", parent = "economy", formula = "jobs", unit = "count",
  polarity = "up", frequency = "quarterly", target = 110000, tolerance = "2%", owner = "Director of Economy" }
LUA
cat > setup.lua <<'LUA'
assert(pmf.framework.load(store, "fw.lua", { at = "2025-10-01T08:00" }))
for i, q in ipairs(pmf.period.range(pmf.period("2023/24 Q3"), pmf.period("2025/26 Q2"))) do
  local at = "2025-10-05T09:00"
  store:observe{ metric = "passes", area = "E08000030", period = q, value = 640 + 7 * (i % 4), at = at }
  store:observe{ metric = "pupils", area = "E08000030", period = q, value = 1000, at = at }
  store:observe{ metric = "jobs", area = "E08000030", period = q, value = 105000 + 900 * i, at = at }
end
LUA
pmf setup.lua
rc_is 0 "the store is set up"
A=(--framework bt --period "2025/26 Q2" --as-of 2025-10-20 --format html)
pmf report scorecard "${A[@]}" -o scorecard.html
rc_is 0 "scorecard.html"
pmf report scorecard "${A[@]}" --node early_years -o early_years.html
rc_is 0 "dashboard for one priority"
pmf report kpi "${A[@]}" --kpi E1 -o kpi.html
rc_is 0 "kpi.html"
pmf report golden_thread "${A[@]}" -o golden.html
rc_is 0 "golden.html"

chrome() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d "$WORK/profile.XXXX")" "$@"
}

for page in scorecard early_years kpi golden; do
  chrome --enable-logging=stderr --v=0 --dump-dom "file://$WORK/$page.html" >"$page.dom" 2>"$page.log"
  ok "$page: chromium renders it" test -s "$page.dom"
  if grep -Eq 'CONSOLE|Uncaught|Failed to load resource|net::ERR' "$page.log"; then
    fail "$page: console errors" "$(grep -E 'CONSOLE|Uncaught|Failed to load|net::ERR' "$page.log")"
  else pass; fi
  ok "$page: RAG badges in the DOM" grep -q 'class="rag rag-' "$page.dom"
done
for page in scorecard early_years kpi; do
  ok "$page: SVG in the DOM" grep -q '<svg' "$page.dom"
done
ok "scorecard: sparklines" grep -q '<svg class="spark"' scorecard.dom
ok "scorecard: target lines" grep -q '<line class="target"' scorecard.dom
ok "kpi: trend chart with a target line" grep -q '<polyline class="target"' kpi.dom
ok "the priority dashboard names it" grep -q 'Scorecard: Early years' early_years.dom
if grep -q 'J1' early_years.dom; then fail "the priority dashboard holds only its KPIs"; else pass; fi

chrome --window-size=1400,900 --screenshot="$WORK/scorecard.png" "file://$WORK/scorecard.html" >/dev/null 2>&1
ok "a screenshot is taken" test -s scorecard.png
ok "it is a PNG" bash -c 'head -c 8 scorecard.png | od -An -c | grep -q "P   N   G"'
ok "and not trivial" test "$(wc -c <scorecard.png)" -gt 20000
[ -n "${PMF_KEEP:-}" ] && cp scorecard.png "$PMF_KEEP/scorecard.png"

chrome --no-pdf-header-footer --print-to-pdf="$WORK/scorecard.pdf" "file://$WORK/scorecard.html" >/dev/null 2>&1
ok "--print-to-pdf writes a PDF" test -s scorecard.pdf
eq "$(head -c 4 scorecard.pdf)" "%PDF" "the PDF starts with %PDF"
if command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null; then
  pdftoppm -png -r 50 -f 1 -l 1 scorecard.pdf page
  ok "the PDF's first page renders" test -s page-1.png
  [ -n "${PMF_KEEP:-}" ] && cp page-1.png "$PMF_KEEP/page-1.png"
  pdftotext scorecard.pdf scorecard.txt
  # words, not a phrase: a narrow column may wrap the title across lines
  if grep -q "development" scorecard.txt && grep -q "Browser test council" <(tr -s ' \n' '  ' <scorecard.txt); then
    pass
  else
    fail "the PDF's text has the report's words (Chromium found a font)" \
      "$(head -c 600 scorecard.txt; pdffonts scorecard.pdf 2>&1 | head -5)"
  fi
else
  fail "poppler-utils (pdftoppm, pdftotext) is not installed (make test-deps installs it)"
fi
[ -n "${PMF_KEEP:-}" ] && cp scorecard.pdf kpi.html "$PMF_KEEP/"

done_testing
