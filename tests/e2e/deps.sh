#!/usr/bin/env bash
# The Makefile's Debian package lists (DEBS, TEST_DEBS) against what the build really links
# and what the tests really run.  Last time a missing zlib1g-dev (libxlsxwriter's pkg-config
# file links -lz) passed CI, because the CI machine happened to have it, and both README
# commands failed for a new user.  Here each library on the link line and each tool the tests
# call is traced to the Debian package that ships it (dpkg -S); that package must be listed,
# be pulled in by a listed package (or by build-essential, which the README assumes), or be
# part of every Debian system (Essential / Priority required).  Libraries are checked against
# DEBS alone (all that `make demo` installs); tools against DEBS and TEST_DEBS.  ../shared/tools/fresh-machine
# is the whole check; this one runs in every `make test`.
. "$(dirname "$0")/lib.sh"

if ! command -v dpkg >/dev/null || ! command -v apt-cache >/dev/null; then
  fail "dpkg and apt-cache are needed to check the package lists (this is a Debian project)"
  done_testing
  exit $?
fi

debs=$(make -s -C "$ROOT" print-debs)
build_debs=$(sed -n 1p <<<"$debs")
all_debs=$(tr '\n' ' ' <<<"$debs")
[ -n "$build_debs" ] && [ "$build_debs" != "$all_debs" ] && pass ||
  fail "make print-debs prints the two package lists" "$debs"

# closure PKG...: the packages and all they depend on, recursively (one name a line).
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "$@" 2>/dev/null |
    sed -n 's/^\([a-z0-9][^ :<>]*\).*/\1/p; s/^ *\(Pre\)\{0,1\}Depends: \([a-z0-9][^ :<>]*\).*/\2/p' |
    sort -u
}
build_closure=$(closure $build_debs build-essential)
all_closure=$(closure $all_debs build-essential)
[ "$(wc -l <<<"$build_closure")" -gt 20 ] && pass || fail "apt-cache gives the dependency closure"

# owner PATH: the package that ships PATH.  The path itself first (a -dev package ships the
# lib*.so link; its target belongs to the runtime package), then its merged-/usr twin, then
# the link's target (a tool reached through /etc/alternatives).
owner() {
  local p r
  p=$(realpath -s "$1")
  r=$(readlink -f "$1" 2>/dev/null || echo "$p")
  for c in "$p" "${p/#\/usr\/bin/\/bin}" "${p/#\/usr\/lib/\/lib}" "$r" "${r/#\/usr\/bin/\/bin}" \
           "${r/#\/usr\/lib/\/lib}"; do
    dpkg -S "$c" 2>/dev/null | sed -n '1s/^\([^:,]*\).*/\1/p' | grep . && return 0
  done
  return 1
}

# provided PKG CLOSURE: in the closure of the lists, or on every Debian system.
provided() {
  local pkg=$1
  grep -qxF "$pkg" <<<"$2" && return 0
  case "$(dpkg-query -W -f='${Essential} ${Priority}' "$pkg" 2>/dev/null)" in
    yes*|*required) return 0 ;;
  esac
  return 1
}

# --- libraries on the link line (the same pkg-config queries as the Makefile's) ---------
libs=$(cd "$ROOT" && { pkg-config --libs sqlite3 lua5.4-cjson lua5.4 xlsxwriter libzip expat; echo -lreadline -lm; } |
  tr ' ' '\n' | sed -n 's/^-l//p' | sort -u)
for l in $libs; do
  f=$(cc -print-file-name="lib$l.so")
  [ "$f" = "lib$l.so" ] && f=$(cc -print-file-name="lib$l.a")
  if [ ! -e "$f" ]; then fail "the linker finds -l$l" "cc -print-file-name gave '$f'"; continue; fi
  pkg=$(owner "$f") || { fail "a Debian package ships $f (-l$l)"; continue; }
  if provided "$pkg" "$build_closure"; then pass; else
    fail "-l$l comes from $pkg, which the Makefile's DEBS neither lists nor pulls in"
  fi
done

# --- tools the tests and CI call ---------------------------------------------------------
# /usr/bin/node by its path: the browser tests run that one, whatever node is first on PATH.
tools="cc make pkg-config ld objcopy ar nm lua5.4 sqlite3 valgrind tmux chromium pdftoppm pdftotext clang cppcheck man
       script od cmp timeout awk sed /usr/bin/node npm"
for t in $tools; do
  p=$(command -v "$t") || { fail "the tests' tool '$t' is installed (make test-deps)"; continue; }
  pkg=$(owner "$p") || { fail "a Debian package ships $p"; continue; }
  if provided "$pkg" "$all_closure"; then pass; else
    fail "'$t' comes from $pkg, which the Makefile's lists neither name nor pull in"
  fi
done

# --- a font for Chromium's PDFs ------------------------------------------------------------
fonts=$(find /usr/share/fonts -name '*.ttf' -o -name '*.otf' 2>/dev/null | head -n 50)
font_ok=0
for f in $fonts; do
  pkg=$(owner "$f") && provided "$pkg" "$all_closure" && { font_ok=1; break; }
done
[ $font_ok = 1 ] && pass || fail "a font installed by a listed package (Chromium prints PDFs with it)"

done_testing
