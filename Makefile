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

# Debian packages the build, the tests, the demo and the benchmarks need (sqlite3, perl, git
# and util-linux's setpriv/unshare are programs the end-to-end tests profile).
DEBIAN_PACKAGES := g++ make python3 libunwind-dev libxxhash-dev libcli11-dev libfmt-dev \
                   libdw-dev libelf-dev zlib1g-dev libzstd-dev libgtest-dev libbenchmark-dev \
                   clang libclang-rt-14-dev clang-format sqlite3 perl git util-linux

.DEFAULT_GOAL := all
.PHONY: all deps test test-asan fuzz format clean demo

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

# Every test: unit, end-to-end and a short fuzz run; ends with "N passed, M failed".
test: deps
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

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf build build-asan build-fuzz
