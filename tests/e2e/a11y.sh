#!/usr/bin/env bash
# Accessibility and layout of every HTML report, in the real browser.
#
# How: a realistic store (the Walsall framework in frameworks/, with two years of the demo
# generator's data for the council, its CIPFA neighbours and England); every report the
# engine registers (pmf.report.order, so a new report is covered without editing this file)
# is written by the CLI as HTML and as JSON for one quarter; a report that needs a KPI or a
# node is given one (the first rated KPI with a comparator group; the node with the most KPIs
# short of the whole framework).  tests/browser/check.js then opens each HTML file in
# Debian's headless Chromium, driven over the DevTools protocol through a pipe (no port, no
# browser download, no npm package besides axe-core), and:
#   - injects axe-core (npm, pinned in tests/browser/package-lock.json, installed by
#     `make test-deps`) and runs it with runOnly wcag2a, wcag2aa, wcag21a, wcag21aa,
#     wcag22aa: zero violations required; each one is named (rule, impact, element);
#   - checks the layout at a desktop window (1366x900) and at the printed page's width (print
#     media, A4 less the report's @page margins, landscape when its @page says so): no
#     sideways scroll, no element past the page's edges;
#   - requires no console errors, and every KPI that the JSON report lists to be in the page
#     as an element with data-kpi="ID" (the markup's contract for "a KPI row or tile");
#   - keeps a screenshot at each size and a PDF of each report (pmf's own when
#     `--format pdf` exists, else the browser's print of the HTML with no browser header or
#     footer, as `chromium --print-to-pdf --no-pdf-header-footer` does).
# The PDF's text (pdftotext) must carry the report's title and, in the head or foot of every
# page, its page number ("Page 2", "2 of 5", "2 / 5").  Screenshots, PDFs and the measurements
# (NAME-result.json) are in the test's temporary folder, and copied to $PMF_KEEP/a11y when
# set.  Chromium, Debian's node (/usr/bin/node: a node elsewhere on PATH is not what a fresh
# machine has), axe-core and pdftotext are all required: a missing one is a failure, never a
# skip.
. "$(dirname "$0")/lib.sh"

# Under $PMF_WRAP (valgrind) this would take minutes to re-check what report.sh already runs
# under it (the report code); the browser half gains nothing from it.
if [ -n "${PMF_WRAP:-}" ]; then
  skip 1 "accessibility and layout in Chromium: the HTML does not change under $PMF_WRAP"
  done_testing
  exit $?
fi

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
NODE=/usr/bin/node
AXE_DIR=$ROOT/tests/browser/node_modules/axe-core
missing=""
[ -n "$CHROMIUM" ] || missing+=" chromium (Debian package chromium)"
[ -x "$NODE" ] || missing+=" /usr/bin/node (Debian package nodejs)"
[ -f "$AXE_DIR/axe.min.js" ] || missing+=" axe-core (tests/browser/node_modules: make test-deps runs npm ci there)"
command -v pdftotext >/dev/null || missing+=" pdftotext (Debian package poppler-utils)"
if [ -n "$missing" ]; then
  fail "the browser tests' tools are installed (make test-deps):$missing"
  done_testing
  exit $?
fi

# The axe-core installed is the one the lock file pins.
want=$("$NODE" -p 'require(process.argv[1]).packages["node_modules/axe-core"].version' \
  "$ROOT/tests/browser/package-lock.json" 2>&1)
have=$("$NODE" -p 'require(process.argv[1]).version' "$AXE_DIR/package.json" 2>&1)
eq "$have" "$want" "the installed axe-core is the version package-lock.json pins (make test-deps)"

# ---- the store and the reports ------------------------------------------------------------
FW=walsall
PERIOD="2025/26 Q2"
cat > setup.lua <<LUA
package.path = "$ROOT/examples/lib/?.lua;" .. package.path
local generate = require "generate"
local s = pmf.default_store()
local first = generate.range{ years = 2 }
assert(pmf.framework.load(s, "$ROOT/frameworks/$FW.lua", { at = first .. "T00:00:00", by = "a11y test" }))
assert(generate.run{ store = s, seed = 13, years = 2, by = "a11y test" })
LUA
pmf setup.lua
rc_is 0 "the store is set up (framework $FW, generated data)"

# plan.lua FW PERIOD: one line per registered report, "report NAME [--kpi ID | --node ID]"
# (the arguments it needs) or "broken NAME message"; then "formats ...".
cat > plan.lua <<'LUA'
local s = pmf.default_store()
local fwid, period = arg[1], arg[2]
local fw = assert(pmf.framework.get(s, fwid))
local rated = pmf.kpi.rate{ store = s, framework = fw, period = period }
local kpi
for _, r in ipairs(rated) do
  if (r.rag == "red" or r.rag == "amber" or r.rag == "green") and (r.n or 0) > 3 then kpi = r.kpi; break end
end
local function under(id, seen)
  local node, n = fw.nodes[id], 0
  n = n + #(node.kpis or {})
  for _, c in ipairs(node.children or {}) do
    if not seen[c] then seen[c] = true; n = n + under(c, seen) end
  end
  return n
end
local node, best = nil, 0
for _, id in ipairs(fw.node_order) do
  local n = under(id, {})
  if n < #rated and n > best then node, best = id, n end
end
for _, name in ipairs(pmf.report.order) do
  local got, why
  for _, extra in ipairs({ {}, { kpi = kpi }, { node = node } }) do
    local a = { store = s, framework = fwid, period = period }
    for k, v in pairs(extra) do a[k] = v end
    local ok, rep, err = pcall(pmf.report.run, name, a)
    if ok and rep then got = extra; break end
    why = ok and err or rep
  end
  if got then
    local flags = {}
    for k, v in pairs(got) do flags[#flags + 1] = "--" .. k .. " " .. v end
    print("report " .. name .. (#flags > 0 and " " or "") .. table.concat(flags, " "))
  else
    print("broken " .. name .. " " .. tostring(why):gsub("\n", " "))
  end
end
print("formats " .. table.concat(pmf.render.formats, " "))
LUA
pmf plan.lua "$FW" "$PERIOD"
rc_is 0 "the list of reports (pmf.report.order)"
plan=$OUT
nreports=$(grep -c '^report ' <<<"$plan")
[ "$nreports" -ge 8 ] && pass || fail "every registered report is planned (got $nreports)" "$plan$ERR"
has_pdf=0
grep -q '^formats .* pdf\b' <<<"$plan" && has_pdf=1
while read -r kind name why; do
  [ "$kind" = broken ] && fail "report $name can be built for $FW $PERIOD" "$why"
done <<<"$plan"

mkdir -p reports
pages=()
while read -r kind name extra; do
  [ "$kind" = report ] || continue
  # shellcheck disable=SC2086  # $extra is "--kpi ID" or "--node ID"
  args=(report "$name" --framework "$FW" --period "$PERIOD" $extra)
  pmf "${args[@]}" --format html -o "reports/$name.html"
  rc_is 0 "pmf report $name --format html"
  pmf "${args[@]}" --format json -o "reports/$name.json"
  rc_is 0 "pmf report $name --format json"
  if [ $has_pdf = 1 ]; then
    pmf "${args[@]}" --format pdf -o "reports/$name.pdf"
    rc_is 0 "pmf report $name --format pdf"
  fi
  [ -s "reports/$name.html" ] && [ -s "reports/$name.json" ] && pages+=("reports/$name.html")
done <<<"$plan"

# ---- the browser --------------------------------------------------------------------------
mkdir -p shots
timeout 300 "$NODE" "$ROOT/tests/browser/check.js" --chromium "$CHROMIUM" --axe "$AXE_DIR/axe.min.js" \
  --out "$WORK/shots" "${pages[@]}" >check.out 2>check.err
status=$?
[ $status -eq 0 ] && pass || fail "the browser harness ran (status $status)" "$(tail -n 20 check.err)"
grep -q '^browser	' check.out && pass || fail "Chromium answered over the DevTools pipe" "$(tail -n 20 check.err)"
while IFS=$'\t' read -r tag verdict what details; do
  [ "$tag" = CHECK ] || continue
  if [ "$verdict" = ok ]; then pass; else fail "$what" "$details"; fi
done <check.out

# ---- the harness sees what it checks: a page with known faults --------------------------------
mkdir -p control
cat > control/faulty.html <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>Faulty</title></head><body>
<p style="color:#bbb;background:#fff">Pale text.</p>
<div style="width:3000px">Too wide.</div>
<table><tr data-kpi="K9"><td>K9</td></tr></table>
<script>console.error("a console error")</script></body></html>
HTML
printf '{"title":"Faulty","rows":[{"kpi":"K1"}]}\n' > control/faulty.json
timeout 120 "$NODE" "$ROOT/tests/browser/check.js" --chromium "$CHROMIUM" --axe "$AXE_DIR/axe.min.js" \
  --out "$WORK/control" control/faulty.html >control.out 2>control.err
control_fails() { grep -P "^CHECK\tfail\tfaulty: $1" control.out | grep -q -- "$2"; }
ok "control: axe finds the missing language" control_fails 'no WCAG' '"html-has-lang"'
ok "control: axe finds the low contrast" control_fails 'no WCAG' '"color-contrast"'
ok "control: the sideways scroll at desktop size is seen" control_fails 'no sideways scroll at desktop' '"scrollWidth":3[0-9][0-9][0-9]'
ok "control: the wide element is named" control_fails 'no element past the page edges at desktop' 'Too wide'
ok "control: the console error is seen" control_fails 'no console errors' 'a console error'
ok "control: the KPI missing from the page and the one not in the JSON are seen" \
  control_fails 'every KPI row' '"missing":\["K1"\].*"notInJson":\["K9"\]'

# ---- screenshots and PDFs ---------------------------------------------------------------------
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(wc -c <"$1")" -gt 5000 ]; }
for page in "${pages[@]}"; do
  name=$(basename "$page" .html)
  ok "$name: desktop and print screenshots are PNGs" eval 'is_png "shots/$name-desktop.png" && is_png "shots/$name-print.png"'
  pdf=shots/$name.pdf
  if [ "$(head -c 4 "$pdf" 2>/dev/null)" != "%PDF" ]; then fail "$name: a PDF is printed"; continue; fi
  pass
  pdftotext -layout "$pdf" "shots/$name.txt" 2>/dev/null
  title=$("$NODE" -p 'require(process.argv[1]).title' "reports/$name.json" 2>/dev/null)
  # the title's words in order, whatever the line breaks
  if tr -s ' \n\f' '   ' <"shots/$name.txt" | grep -qF -- "$(tr -s ' \n' '  ' <<<"$title")"; then pass; else
    fail "$name: the PDF's text has the report's title '$title'" "$(head -c 400 "shots/$name.txt")"
  fi
  # pdftotext ends each page with a form feed: page i of n must show its number
  n=$(tr -cd '\f' <"shots/$name.txt" | wc -c)
  lacking=()
  for ((i = 1; i <= n; i++)); do
    # the page's head and foot: its first 3 and last 5 lines with text
    lines=$(awk -v RS='\f' -v i="$i" 'NR == i' "shots/$name.txt" | grep -v '^[[:space:]]*$')
    text=$(head -n 3 <<<"$lines"; tail -n 5 <<<"$lines")
    grep -Eq "(Page|page|PAGE) $i([^0-9]|\$)|(^|[^0-9])$i (of|/) $n([^0-9]|\$)|(^|[^0-9])$i/$n([^0-9]|\$)" <<<"$text" ||
      lacking+=("$i")
  done
  if [ "$n" -gt 0 ] && [ ${#lacking[@]} -eq 0 ]; then pass; else
    fail "$name: every page of the PDF ($n pages) prints its page number" \
      "pages without one: ${lacking[*]:0:12}"
  fi
done

if [ -n "${PMF_KEEP:-}" ]; then
  mkdir -p "$PMF_KEEP/a11y"
  cp shots/*.png shots/*.pdf shots/*-result.json "$PMF_KEEP/a11y/" 2>/dev/null
fi

done_testing
