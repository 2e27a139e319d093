#!/usr/bin/env bash
# The public C surface: pmf.so and libpmf.a export pmf.h's eight names and nothing else
# (the engine is built -fvisibility=hidden, pmf.h marks its names PMF_API, and libpmf.a is
# one object with the hidden names made local).  A host linking libpmf.a can call those
# names and cannot reach an internal one.
. "$(dirname "$0")/lib.sh"
BUILDDIR=${PMF_BUILD:-$ROOT/build}

want="luaopen_pmf
pmf_close
pmf_errmsg
pmf_lua
pmf_open
pmf_run_file
pmf_run_string
pmf_version"

# defined, global names of a file, one a line, sorted
so_names() { nm -D --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort; }
ar_names() { nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort; }

got=$(so_names "$BUILDDIR/pmf.so")
eq "$got" "$want" "nm -D pmf.so lists exactly pmf.h's public names"
got=$(ar_names "$BUILDDIR/libpmf.a")
eq "$got" "$want" "libpmf.a's global symbols are exactly pmf.h's public names"

# pmf.h declares exactly those, each marked PMF_API.
got=$(sed -n 's/^PMF_API .*[ *]\([a-z_]*\)(.*/\1/p' "$ROOT/core/pmf.h" | sort)
eq "$got" "$want" "pmf.h marks the same eight names PMF_API"

# A host with pmf.h alone links against libpmf.a; an internal name does not resolve.
# (A sanitizer build's library needs the sanitizer's runtime on the host's link line too.)
libs="$(pkg-config --libs sqlite3 lua5.4-cjson lua5.4 xlsxwriter libzip expat) ${SAN:+-fsanitize=$SAN}"
mkdir -p inc && cp "$ROOT/core/pmf.h" inc/
cat >public.c <<'C'
#include <stdio.h>
#include "pmf.h"
int main(void) { printf("%s\n", pmf_version()); return 0; }
C
cat >internal.c <<'C'
#include "pmf.h"
int pmf_date_valid(int y, int m, int d);   /* calendar.h: inside the library, not public */
int main(void) { return pmf_date_valid(2025, 1, 1) && pmf_version() != 0 ? 0 : 1; }
C
if cc -Iinc $(pkg-config --cflags lua5.4) public.c "$BUILDDIR/libpmf.a" $libs -lm -o public 2>cc.err; then
  pass
  eq "$(./public)" "$(sed -n 's/^#define PMF_VERSION "\(.*\)"/\1/p' inc/pmf.h)" \
    "a host built from pmf.h and libpmf.a runs"
else
  fail "a host with pmf.h alone links against libpmf.a" "$(cat cc.err)"
fi
if cc -Iinc $(pkg-config --cflags lua5.4) internal.c "$BUILDDIR/libpmf.a" $libs -lm -o internal 2>cc.err; then
  fail "an internal name (pmf_date_valid) is not reachable through libpmf.a"
else
  grep -q "undefined reference to .pmf_date_valid" cc.err && pass ||
    fail "linking an internal name fails for that name" "$(cat cc.err)"
fi

done_testing
