#!/usr/bin/env bash
# examples/generate.lua, the example-data command a user runs (`pmf --db FILE
# examples/generate.lua`): it finds its generator in examples/lib/ (not in the engine), loads
# the council frameworks into an empty store, fills it, refuses a second run and a bad
# argument with a message and status 1.  The figures themselves are tested by
# tests/lua/generate_test.lua.
. "$(dirname "$0")/lib.sh"

pmf --db gen.db "$ROOT/examples/generate.lua" --years 1 --seed 3
rc_is 0 "generate.lua fills a fresh store"
out_has '^loaded walsall v1 ' "it loads the council frameworks first"
out_has '^generated [0-9]+ figures \([0-9]+ breakdown rows, [0-9]+ revisions\) .* 2025-04 to 2025-09, seed 3, ' \
  "and says what it generated (one financial year ending 2025/26 Q2)"
pmf --db gen.db -e 'print(#store:metrics() > 100, pmf.generate == nil)'
eq "$OUT" "true	true" "the store holds the figures' metrics; the engine has no pmf.generate"

pmf --db gen.db "$ROOT/examples/generate.lua" --years 1
rc_is 1 "a second run on the same store is refused"
err_has "^generate: this store already holds generated data \(seed 3, " "and says why"

pmf --db other.db "$ROOT/examples/generate.lua" --years one
rc_is 1 "a bad --years is refused"
err_has "^generate: --years needs a whole number" "naming the option"
err_has "^usage: pmf --db FILE examples/generate.lua " "with the usage"

# run from another folder, through a relative path: the generator is found beside the script
mkdir -p elsewhere && cp -R "$ROOT/examples" elsewhere/ && cp -R "$ROOT/frameworks" elsewhere/
(cd elsewhere && ${PMF_WRAP:-} "$PMF_BIN" --db ../rel.db examples/generate.lua --years 1 >../rel.out 2>&1)
RC=$?; ERR=$(cat rel.out)
rc_is 0 "run as examples/generate.lua from its parent folder"

done_testing
