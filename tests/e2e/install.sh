#!/usr/bin/env bash
# `make install PREFIX=...` puts the binary, the Lua module, the Lua library, the frameworks,
# the header, libpmf.a and the man page in place; the installed pmf finds its library there;
# `make uninstall` removes them all.
. "$(dirname "$0")/lib.sh"
P="$WORK/prefix"
BUILD_DIR=$(basename "${PMF_BUILD:-build}")
make -s -C "$ROOT" install PREFIX="$P" BUILD="$BUILD_DIR" >"$WORK/make.log" 2>&1
ok "make install succeeds" test $? -eq 0
for f in bin/pmf lib/libpmf.a include/pmf.h lib/lua/5.4/pmf.so share/pmf/lua/pmf/lib.lua \
         share/pmf/lua/data/areas.csv share/man/man1/pmf.1; do
  ok "installs $f" test -e "$P/$f"
done
ok "installs the frameworks" test -n "$(ls "$P/share/pmf/frameworks" 2>/dev/null)"
ok "installs the PDF printer (lua/pmf/render/chromium.lua)" test -e "$P/share/pmf/lua/pmf/render/chromium.lua"
eq "$(find "$P" -name 'generate*.lua' | wc -l)" "0" "the demo-data generator is not installed (examples/lib/ is example code)"

# The installed binary, run from elsewhere with the source tree out of sight, uses its own tree.
OUT=$(cd "$WORK" && env -u PMF_HOME ${PMF_WRAP:-} "$P/bin/pmf" --db :memory: -e 'print(pmf.home)' 2>&1)
eq "$OUT" "$P/share/pmf" "the installed pmf finds its Lua library under PREFIX/share/pmf"
OUT=$(cd "$WORK" && ${PMF_WRAP:-} "$P/bin/pmf" --db :memory: -e 'print(store:area_info("E08000027").name)' 2>&1)
eq "$OUT" "Dudley" "and its reference data"
if [ -z "${SAN:-}" ]; then
  OUT=$(cd "$WORK" && LUA_CPATH="$P/lib/lua/5.4/?.so" lua5.4 -e 'local pmf = require "pmf"; print(pmf.home)' 2>&1)
  eq "$OUT" "$P/share/pmf" "the installed module loads in the stock lua5.4"
fi
ok "the man page is valid troff" sh -c "man -l '$P/share/man/man1/pmf.1' 2>/dev/null | grep -q 'pmf - performance'"

make -s -C "$ROOT" uninstall PREFIX="$P" BUILD="$BUILD_DIR" >>"$WORK/make.log" 2>&1
ok "make uninstall succeeds" test $? -eq 0
left=$(find "$P" -type f | wc -l)
eq "$left" "0" "make uninstall leaves no file behind"
done_testing
