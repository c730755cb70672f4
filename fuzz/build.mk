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

# Seeds beside the checked-in corpora: small versions of the hostile shapes of
# tests/tools/craft_dump.cpp (each under -max_len), made with the current format.
FUZZ_SEEDS := $(FUZZ_BUILD)/seeds
HOSTILE_TEXT := $$(printf '\033]0;pwned\007 \302\233 \r\n\177 "q",c;s \377 end')
$(FUZZ_SEEDS)/.made: $(BUILD)/craft_dump
	@mkdir -p $(FUZZ_SEEDS)
	$(BUILD)/craft_dump frames $(FUZZ_SEEDS)/frames.sb 215
	$(BUILD)/craft_dump sites $(FUZZ_SEEDS)/sites.sb 250 30
	$(BUILD)/craft_dump snapshots $(FUZZ_SEEDS)/snapshots.sb 1000 2200
	$(BUILD)/craft_dump terminal $(FUZZ_SEEDS)/terminal.sb "$(HOSTILE_TEXT)" \
	  "/nonexistent/$(HOSTILE_TEXT).so" 0x1136 0x1200
	@touch $@

# A long run by hand: make fuzz FUZZ_SECONDS=600. The limits are far below what the
# analyzer may take on a big dump (ProfileLimits, kMaxResolvedBytes) but far above what an
# input of -max_len bytes may make it take: memory that grows faster than its input fails
# (the analyzer before its bounds took 584 MB on the frames seed). ASan's quarantine of
# freed memory is kept small so that RSS measures what the analyzer holds.
FUZZ_SECONDS ?= 60
FUZZ_LIMITS := -max_len=65536 -rss_limit_mb=256 -malloc_limit_mb=64 -timeout=10 \
               -artifact_prefix=$(FUZZ_BUILD)/
FUZZ_ASAN := ASAN_OPTIONS=$${ASAN_OPTIONS:+$$ASAN_OPTIONS:}quarantine_size_mb=16
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-targets $(FUZZ_SEEDS)/.made
	@for f in $(FUZZERS); do \
	  name=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus-$$name; \
	  $(FUZZ_ASAN) $$f -max_total_time=$(FUZZ_SECONDS) $(FUZZ_LIMITS) \
	      $(FUZZ_BUILD)/corpus-$$name fuzz/corpus/$$name $(FUZZ_SEEDS) || exit 1; \
	done

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_SRCS:%.cpp=$(FUZZ_BUILD)/obj/%.d)
