# pmf: build, test, bench, install.
#
#   make demo          install missing Debian packages, build, run the demo (reports in out/)
#   make test          install missing packages, build, run every test; ends "N passed, N failed"
#   make check-asan    the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make check-valgrind  the end-to-end tests under valgrind
#   make bench         the benchmarks, each beside raw SQLite on the same rows
#   make fuzz          each fuzz target for FUZZ_SECONDS (default 60)
#   make install PREFIX=/usr/local   /  make uninstall
#
# Outputs go to $(BUILD) (default build/); `make SAN=address,undefined BUILD=build-asan`
# is a sanitizer build.  Explicit source lists, header dependencies from -MMD.

PREFIX   ?= /usr/local
BUILD    ?= build
SAN      ?=
CC       ?= cc
LUA_VER  := 5.4

PKGS        := lua5.4 sqlite3 lua5.4-cjson
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs sqlite3 lua5.4-cjson 2>/dev/null)
LUA_LIBS    := $(shell pkg-config --libs lua5.4 2>/dev/null)
XLSX_CFLAGS := $(shell pkg-config --cflags xlsxwriter 2>/dev/null)
XLSX_LIBS   := $(shell pkg-config --libs xlsxwriter 2>/dev/null)
# The xlsx reader: libzip for the package, expat for its XML.
XLSXR_PKGS  := libzip expat
XLSXR_CFLAGS := $(shell pkg-config --cflags $(XLSXR_PKGS) 2>/dev/null)
XLSXR_LIBS  := $(shell pkg-config --libs $(XLSXR_PKGS) 2>/dev/null)

OPT      ?= -O2 -g
# -fvisibility=hidden: only what pmf.h marks PMF_API leaves pmf.so and libpmf.a.
CFLAGS   := -std=c11 -Wall -Wextra -Werror $(OPT) -fPIC -fvisibility=hidden -D_POSIX_C_SOURCE=200809L \
            $(PKG_CFLAGS) $(XLSX_CFLAGS) $(XLSXR_CFLAGS) -MMD -MP
LDLIBS   := $(PKG_LIBS) $(XLSX_LIBS) $(XLSXR_LIBS) -lm
ifneq ($(SAN),)
CFLAGS   += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SAN)
endif

# The engine's C sources (all but main.c go into libpmf.a and pmf.so).
CORE_SRC := core/pmf.c \
            core/store.c \
            core/store_schema.c \
            core/store_ref.c \
            core/lstore.c \
            core/lstore_sql.c \
            core/csv.c \
            core/csv_open.c \
            core/csv_number.c \
            core/period.c \
            core/period_parse.c \
            core/period_dhis2.c \
            core/period_read.c \
            core/calendar.c \
            core/lperiod.c \
            core/lperiod_type.c \
            core/rag.c \
            core/lrag.c \
            core/reader.c \
            core/store_read.c \
            core/store_pack.c \
            core/series.c \
            core/series_math.c \
            core/lseries.c \
            core/lseries_args.c \
            core/lseries_bulk.c \
            core/import.c \
            core/import_msg.c \
            core/import_fields.c \
            core/import_row.c \
            core/import_read.c \
            core/limport.c \
            core/limport_tools.c \
            core/recipe.c \
            core/recipe_row.c \
            core/recipe_lua.c \
            core/recipe_rowfn.c \
            core/breakdown.c \
            core/engine.c \
            core/lengine.c \
            core/lreader.c \
            core/lgrid.c \
            core/lsandbox.c \
            core/pattern.c \
            core/lpattern.c \
            core/lxlsx.c \
            core/lxlsx_member.c \
            core/lxlsx_spark.c \
            core/xlsx_spark.c \
            core/lfile.c \
            core/xlsx_read.c \
            core/xlsx_sheet.c \
            core/lxlsxread.c \
            core/store_area.c \
            core/lstore_area.c
CORE_OBJ := $(CORE_SRC:core/%.c=$(BUILD)/core/%.o)

UNIT_TESTS := test_store test_period test_csv test_rag test_series test_import test_pattern test_xlsx_read test_engine test_xlsx_spark test_pack
UNIT_BINS  := $(UNIT_TESTS:%=$(BUILD)/tests/%)

# Debian packages: to build and run (DEBS: all `make demo` installs), and (TEST_DEBS) what the
# test suite also drives.  Every library on the link line and every tool a test runs must be
# named here: a package that merely happens to be installed on a developer's machine is
# missing on a user's.  tests/e2e/deps.sh checks these lists against what the build links
# and the tests call (`make print-debs` prints them), and ../shared/tools/fresh-machine runs
# the README's two commands on a bare Debian.  binutils: ld -r, objcopy and ar make libpmf.a,
# and tests/e2e/symbols.sh reads the exports with nm.  zlib1g-dev: libxlsxwriter's pkg-config file
# links -lz.  chromium, fonts-dejavu-core: `make demo` writes each council's PDF pack and the
# README's screenshots (Chromium prints; it needs a font to print text).  man-db: the
# man page test.  libzip-dev, libexpat1-dev: the xlsx reader's zip and XML layers.  nodejs,
# npm: the browser tests run axe-core (tests/browser, npm ci) under Debian's /usr/bin/node.
DEBS      := gcc make binutils pkg-config liblua5.4-dev lua5.4 libsqlite3-dev lua-cjson-dev \
             libreadline-dev libxlsxwriter-dev zlib1g-dev sqlite3 libzip-dev libexpat1-dev \
             chromium fonts-dejavu-core
TEST_DEBS := valgrind tmux clang libclang-rt-14-dev cppcheck poppler-utils man-db nodejs npm

.PHONY: all demo test test-run check-asan check-valgrind bench fuzz install uninstall \
        deps test-deps clean cppcheck print-debs

all: $(BUILD)/pmf $(BUILD)/pmf.so $(BUILD)/libpmf.a $(BUILD)/embed-host

# ---- set-up ---------------------------------------------------------------------------
# Install what is missing (as root, or through sudo), after one `apt-get update`.  A name that
# an installed package provides counts as there (a nodejs package that ships npm).
define apt_install
	@provided=$$(dpkg-query -W -f '$${db:Status-Abbrev}|$${Provides}\n' 2>/dev/null | \
	  sed -n 's/^ii *|//p' | tr ',' '\n' | sed 's/ *(.*//; s/^ *//'); \
	missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || \
	  printf '%s\n' "$$provided" | grep -qxF $$p || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(DEBS))

# The browser tests' npm packages (axe-core, pinned by tests/browser/package-lock.json), again
# only when the lock file is newer than the last install.  Behind a proxy that re-signs TLS
# with its own certificate (common on council networks) npm refuses the registry's
# certificate; the lock file pins each package's sha512, which npm ci checks on every
# tarball, so the install is retried without TLS verification, saying so.
test-deps: deps
	$(call apt_install,$(TEST_DEBS))
	@[ tests/browser/node_modules/.package-lock.json -nt tests/browser/package-lock.json ] || { \
	  echo "installing the browser tests' npm packages (npm ci in tests/browser)"; \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error 2>npm-ci.err || \
	  { if grep -q -e CERT -e certificate npm-ci.err; then \
	      echo "npm: the registry's TLS certificate is not trusted here (a re-signing proxy?);" \
	           "retrying with the lock file's sha512 checks only"; \
	      npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error --strict-ssl=false; \
	    else cat npm-ci.err >&2; rm -f npm-ci.err; exit 1; fi; }; \
	  rm -f npm-ci.err; }

# Two lines: what `make demo` installs, then what `make test` adds.
print-debs:
	@echo $(DEBS)
	@echo $(TEST_DEBS)

# ---- build ----------------------------------------------------------------------------
# Objects are rebuilt when the compiler or its flags change (a build folder from before a
# flag such as -fvisibility=hidden must not keep its old objects).
$(BUILD)/cflags.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS)' > $@

$(BUILD)/core/%.o: core/%.c $(BUILD)/cflags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Only pmf.o knows where the source tree and PREFIX are; it is rebuilt when PREFIX changes.
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
$(BUILD)/core/pmf.o: core/pmf.c $(BUILD)/prefix.stamp $(BUILD)/cflags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DPMF_SRCDIR='"$(CURDIR)"' -DPMF_DATADIR='"$(PREFIX)/share/pmf"' -c $< -o $@
FORCE:

# libpmf.a holds one object, libpmf.o: the engine's objects linked together (ld -r) with
# every hidden name made local (objcopy --localize-hidden), so the archive exports pmf.h's
# names only, as pmf.so does.  The pmf binary and the C unit tests, which use internal
# names, link the objects themselves.
$(BUILD)/libpmf.o: $(CORE_OBJ)
	$(LD) -r -o $@.tmp $^
	objcopy --localize-hidden $@.tmp $@
	rm -f $@.tmp

$(BUILD)/libpmf.a: $(BUILD)/libpmf.o
	rm -f $@
	ar rcs $@ $^

LIBPMF = $(BUILD)/libpmf.a

$(BUILD)/pmf: $(BUILD)/core/main.o $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(LUA_LIBS) -lreadline

# The module for the stock interpreter: Lua's own symbols come from the host.
$(BUILD)/pmf.so: $(CORE_OBJ) core/pmf.map
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=core/pmf.map -o $@ $(CORE_OBJ) $(LDLIBS)

# The example host sees pmf.h alone (copied beside it, as an installed include folder would
# be) and libpmf.a.
$(BUILD)/embed-host: examples/embed/host.c $(BUILD)/libpmf.a core/pmf.h
	@mkdir -p $(BUILD)/include
	cp core/pmf.h $(BUILD)/include/pmf.h
	$(CC) $(CFLAGS) -I$(BUILD)/include $(LDFLAGS) -o $@ $< $(LIBPMF) $(LDLIBS) $(LUA_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icore -Itests/unit $(LDFLAGS) -o $@ $< $(CORE_OBJ) $(LDLIBS) $(LUA_LIBS)

-include $(CORE_OBJ:.o=.d) $(BUILD)/core/main.d

# ---- the two commands -----------------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p out && rm -f out/demo.db out/demo.db-wal out/demo.db-shm
	PMF_USER=demo $(BUILD)/pmf --db out/demo.db examples/demo.lua out

test: test-deps
	@$(MAKE) --no-print-directory test-run

test-run: all $(UNIT_BINS)
	@BUILD=$(BUILD) SAN=$(SAN) tests/run.sh

check-asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=address,undefined OPT="-O1 -g" test-run

check-valgrind: test-deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) PMF_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	  tests/run.sh e2e

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr -D_POSIX_C_SOURCE=200809L --suppress=missingIncludeSystem core/

bench: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/pmf --db :memory: tests/bench/bench.lua --pmf $(BUILD)/pmf $(BENCH_ARGS)

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_csv fuzz_period fuzz_framework fuzz_xlsx
fuzz: test-deps
	@mkdir -p $(BUILD)/fuzz
	@for t in $(FUZZ_TARGETS); do \
	  srcs=$$(sed -n 's/^\/\/ sources: //p' tests/fuzz/$$t.c); \
	  [ "$$srcs" = CORE ] && srcs="$(CORE_SRC)"; \
	  clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	    $(PKG_CFLAGS) $(XLSX_CFLAGS) -Icore tests/fuzz/$$t.c $$srcs \
	    -o $(BUILD)/fuzz/$$t $(LDLIBS) $(LUA_LIBS) || exit 1; \
	  mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
	    -artifact_prefix=$(BUILD)/fuzz/$$t- \
	    $(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$${t#fuzz_} >$(BUILD)/fuzz/$$t.log 2>&1; \
	  st=$$?; tail -n 3 $(BUILD)/fuzz/$$t.log; \
	  [ $$st -eq 0 ] || { echo "$$t: a finding (exit $$st): see $(BUILD)/fuzz/$$t.log"; exit 1; }; \
	done

# ---- install --------------------------------------------------------------------------
DESTDIR ?=
BINDIR  := $(DESTDIR)$(PREFIX)/bin
LIBDIR  := $(DESTDIR)$(PREFIX)/lib
INCDIR  := $(DESTDIR)$(PREFIX)/include
SHARE   := $(DESTDIR)$(PREFIX)/share/pmf
LMODDIR := $(DESTDIR)$(PREFIX)/lib/lua/$(LUA_VER)
MANDIR  := $(DESTDIR)$(PREFIX)/share/man/man1

install: all
	install -d $(BINDIR) $(LIBDIR) $(INCDIR) $(SHARE) $(LMODDIR) $(MANDIR)
	install -m 755 $(BUILD)/pmf $(BINDIR)/pmf
	install -m 644 $(BUILD)/libpmf.a $(LIBDIR)/libpmf.a
	install -m 644 core/pmf.h $(INCDIR)/pmf.h
	install -m 755 $(BUILD)/pmf.so $(LMODDIR)/pmf.so
	cp -R lua frameworks $(SHARE)/
	install -m 644 core/pmf.1 $(MANDIR)/pmf.1

uninstall:
	rm -f $(BINDIR)/pmf $(LIBDIR)/libpmf.a $(INCDIR)/pmf.h $(LMODDIR)/pmf.so $(MANDIR)/pmf.1
	rm -rf $(SHARE)

clean:
	rm -rf build build-asan out
