# slowburn — one Makefile; each part of the tree adds its rules in its own build.mk.
# `make demo` and `make test` are all a fresh Debian 12 machine needs.

BUILD    ?= build
CXX      ?= g++
CLANGXX  ?= clang++
# ASAN=1 builds the analyzer and the unit-tested parts with sanitizers; set here, not on the
# command line, so the preload's and the samples' target-specific "SAN :=" can switch it off.
ASAN     ?= 0
ifeq ($(ASAN),1)
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
else
SAN      :=
endif

# Warnings are errors everywhere.
CXXSTD   := -std=c++20
WARN     := -Wall -Wextra -Wpedantic -Werror
OPT      ?= -O2 -g
CPPFLAGS := -Iinclude -MMD -MP
CXXFLAGS = $(CXXSTD) $(WARN) $(OPT) $(SAN)
LDFLAGS  = $(SAN)

# Debian packages the build, the tests, the demo and the benchmarks need (sqlite3, perl, git,
# strace and util-linux's setpriv/unshare are programs the end-to-end tests profile; jemalloc,
# tcmalloc and mimalloc are allocators test programs link with; prometheus and golang-go's
# go tool pprof read what watch and export --format pprof write; chromium loads the html
# reports; groff checks the man page).
DEBIAN_PACKAGES := g++ make python3 libunwind-dev libxxhash-dev libcli11-dev libfmt-dev \
                   libdw-dev libelf-dev zlib1g-dev libzstd-dev libgtest-dev libbenchmark-dev \
                   clang libclang-rt-14-dev clang-format sqlite3 perl git strace util-linux \
                   libjemalloc-dev libgoogle-perftools-dev libmimalloc-dev \
                   pkg-config libprotobuf-dev protobuf-compiler golang-github-google-pprof-dev \
                   libcpp-httplib-dev prometheus golang-go chromium groff-base valgrind

.DEFAULT_GOAL := all
.PHONY: all deps browser-deps test test-asan fuzz format clean demo install uninstall

all: deps
	@$(MAKE) --no-print-directory all-targets

deps:
	@bash scripts/install-deps.sh $(DEBIAN_PACKAGES)

include preload/build.mk
include analyzer/build.mk
include tests/build.mk
include samples/build.mk
include fuzz/build.mk
-include bench/build.mk

# The browser tests' driver (playwright-core, driving Debian's chromium), from the
# committed lock file into tests/browser/node_modules.
BROWSER_MODULES := tests/browser/node_modules/.package-lock.json
browser-deps: $(BROWSER_MODULES)
$(BROWSER_MODULES): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error

# Every test: unit, end-to-end and a short fuzz run; ends with "N passed, M failed".
test: deps browser-deps
	@$(MAKE) --no-print-directory all-targets
	@BUILD=$(BUILD) bash tests/run_tests.sh

# ASan + UBSan build of the analyzer and the unit-tested parts, in its own build dir.
test-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  ASAN=1 asan-targets
	@BUILD=build-asan SLOWBURN_ASAN=1 bash tests/run_tests.sh --asan

demo: deps
	@$(MAKE) --no-print-directory all-targets
	@bash scripts/demo.sh $(BUILD)

# Installation by the GNU conventions: make install PREFIX=/usr/local DESTDIR=/staging.
# The preload and its collector share one directory: the library execs the collector
# beside itself, and an installed `slowburn run` finds the library at ../lib/slowburn.
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir      ?= $(exec_prefix)/bin
libdir      ?= $(exec_prefix)/lib
pkglibdir   ?= $(libdir)/slowburn
datarootdir ?= $(prefix)/share
mandir      ?= $(datarootdir)/man
man1dir     ?= $(mandir)/man1
docdir      ?= $(datarootdir)/doc/slowburn
INSTALL     ?= install
INSTALLED_DOCS := README.md docs/FORMAT.md docs/RANKING.md docs/JSON.md docs/COLLECTOR.md \
                  docs/BENCHMARKS.md

install: $(BUILD)/slowburn $(BUILD)/libslowburn.so $(BUILD)/slowburn-collector
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(pkglibdir) $(DESTDIR)$(man1dir) \
	  $(DESTDIR)$(docdir)
	$(INSTALL) -m 755 $(BUILD)/slowburn $(DESTDIR)$(bindir)/slowburn
	$(INSTALL) -m 644 $(BUILD)/libslowburn.so $(DESTDIR)$(pkglibdir)/libslowburn.so
	$(INSTALL) -m 755 $(BUILD)/slowburn-collector $(DESTDIR)$(pkglibdir)/slowburn-collector
	$(INSTALL) -m 644 docs/slowburn.1 $(DESTDIR)$(man1dir)/slowburn.1
	$(INSTALL) -m 644 $(INSTALLED_DOCS) $(DESTDIR)$(docdir)

uninstall:
	rm -f $(DESTDIR)$(bindir)/slowburn $(DESTDIR)$(pkglibdir)/libslowburn.so \
	  $(DESTDIR)$(pkglibdir)/slowburn-collector $(DESTDIR)$(man1dir)/slowburn.1 \
	  $(addprefix $(DESTDIR)$(docdir)/,$(notdir $(INSTALLED_DOCS)))
	-rmdir $(DESTDIR)$(pkglibdir) $(DESTDIR)$(docdir) 2>/dev/null

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf build build-asan build-fuzz
