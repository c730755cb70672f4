# libFuzzer targets (clang), built apart in build-fuzz with ASan + UBSan. The analyzer's
# objects are compiled once and shared by every fuzzer.

FUZZ_BUILD := build-fuzz
FUZZ_SRCS  := $(wildcard fuzz/*.cpp)
FUZZERS    := $(FUZZ_SRCS:fuzz/%.cpp=$(FUZZ_BUILD)/%)
# The watch's loop and HTTP server read no dump bytes of their own: they are left out.
FUZZ_SRCS_ANALYZER := $(filter-out analyzer/commands/watch_command.cpp \
                      analyzer/output/metrics_server.cpp,$(ANALYZER_SRCS))
FUZZ_OBJS  := $(FUZZ_SRCS_ANALYZER:%.cpp=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_BUILD)/obj/gen/profile.pb.o
# Checksums are skipped in this build mode so the fuzzer reaches the decoders behind them.
FUZZ_FLAGS := $(CXXSTD) -O1 -g -Iinclude -Ianalyzer -isystem $(FUZZ_BUILD)/gen -MMD -MP \
              -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
              -Wall -Wextra -Werror -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION

$(FUZZ_BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CLANGXX) $(FUZZ_FLAGS) -c $< -o $@

$(FUZZ_BUILD)/obj/gen/profile.pb.o: $(FUZZ_BUILD)/gen/profile.pb.cc
	@mkdir -p $(dir $@)
	$(CLANGXX) $(FUZZ_FLAGS) -c $< -o $@
$(FUZZ_BUILD)/obj/analyzer/output/export_pprof.o $(FUZZ_BUILD)/obj/fuzz/fuzz_analysis.o: \
  $(FUZZ_BUILD)/gen/profile.pb.h

$(FUZZ_BUILD)/%: $(FUZZ_BUILD)/obj/fuzz/%.o $(FUZZ_OBJS)
	$(CLANGXX) -fsanitize=fuzzer,address,undefined -o $@ $^ $(ANALYZER_LIBS)

# Keep the objects: they are intermediates of a pattern chain, which make would delete.
.SECONDARY: $(FUZZ_OBJS) $(FUZZ_SRCS:%.cpp=$(FUZZ_BUILD)/obj/%.o)

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

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_SRCS:%.cpp=$(FUZZ_BUILD)/obj/%.d)
