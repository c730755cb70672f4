# libFuzzer targets (clang), built apart in build-fuzz with ASan + UBSan.

FUZZ_BUILD := build-fuzz
FUZZ_SRCS  := $(wildcard fuzz/*.cpp)
FUZZERS    := $(FUZZ_SRCS:fuzz/%.cpp=$(FUZZ_BUILD)/%)
FUZZ_FLAGS := $(CXXSTD) -O1 -g -Iinclude -Ianalyzer -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all -Wall -Wextra -Werror \
              -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION

$(FUZZ_BUILD)/%: fuzz/%.cpp $(ANALYZER_SRCS) $(wildcard analyzer/*.hpp include/slowburn/*.hpp)
	@mkdir -p $(dir $@)
	$(CLANGXX) $(FUZZ_FLAGS) -o $@ $< $(ANALYZER_SRCS) $(ANALYZER_LIBS)

fuzz-targets: $(FUZZERS)

# A long run by hand: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-targets
	@for f in $(FUZZERS); do \
	  name=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus-$$name; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	      $(FUZZ_BUILD)/corpus-$$name fuzz/corpus/$$name || exit 1; \
	done
