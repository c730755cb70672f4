# Unit tests (one GoogleTest binary) and the dump inspector the end-to-end tests use.

UNIT_SRCS := $(wildcard tests/unit/*.cpp)
UNIT_OBJS := $(UNIT_SRCS:%.cpp=$(BUILD)/obj/%.o)
# Simulated programs and their families (tests/support/families.hpp): the unit tests' rate
# bounds and sbfamilies' table come from the same code.
SUPPORT_SRCS := $(wildcard tests/support/*.cpp)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.cpp=$(BUILD)/obj/%.o)
UNIT_PRELOAD_OBJS := $(PRELOAD_UNIT_SRCS:%.cpp=$(BUILD)/obj/unit-preload/%.o)

$(BUILD)/obj/tests/%.o: tests/%.cpp | $(BUILD)/gen/profile.pb.h
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ianalyzer -Ipreload -Itests -isystem $(BUILD)/gen $(CXXFLAGS) -c $< -o $@

# The preload's pure parts, compiled again as ordinary (sanitizable) code for the unit tests.
$(BUILD)/obj/unit-preload/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ipreload $(CXXFLAGS) -fno-omit-frame-pointer -c $< -o $@

$(BUILD)/unit_tests: $(UNIT_OBJS) $(SUPPORT_OBJS) $(UNIT_PRELOAD_OBJS) $(BUILD)/libanalyzer.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ANALYZER_LIBS) -lgtest -lgtest_main -lunwind -lpthread -ldl

$(BUILD)/sbdump: $(BUILD)/obj/tests/tools/sbdump.o $(BUILD)/libanalyzer.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ANALYZER_LIBS)

# Writes a dump the way a long-running process streams one, fast: for `slowburn watch`.
$(BUILD)/sbgrow: $(BUILD)/obj/tests/tools/sbgrow.o
	$(CXX) $(LDFLAGS) -o $@ $^

# Writes a dump from a text description: hostile names and chosen series for e2e tests.
$(BUILD)/sbcraft: $(BUILD)/obj/tests/tools/sbcraft.o
	$(CXX) $(LDFLAGS) -o $@ $^

# Detection and false-alarm rates over families of simulated programs: RANKING.md's table.
# The simulation books allocations with the preload's own sampler.
SBFAMILIES_PRELOAD_OBJS := $(addprefix $(BUILD)/obj/unit-preload/preload/, \
                           record/sampler.o support/raw_io.o)
$(BUILD)/sbfamilies: $(BUILD)/obj/tests/tools/sbfamilies.o $(SUPPORT_OBJS) \
                     $(SBFAMILIES_PRELOAD_OBJS) $(BUILD)/libanalyzer.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ANALYZER_LIBS)

# Hostile dumps for the end-to-end tests and the fuzz corpora: the format's encoders only.
$(BUILD)/craft_dump: $(BUILD)/obj/tests/tools/craft_dump.o
	$(CXX) $(LDFLAGS) -o $@ $^

all-targets asan-targets: $(BUILD)/unit_tests $(BUILD)/sbdump $(BUILD)/sbgrow $(BUILD)/sbcraft \
                          $(BUILD)/craft_dump $(BUILD)/sbfamilies
-include $(UNIT_OBJS:.o=.d) $(SUPPORT_OBJS:.o=.d) $(UNIT_PRELOAD_OBJS:.o=.d) \
         $(BUILD)/obj/tests/tools/sbfamilies.d $(BUILD)/obj/tests/tools/sbdump.d \
         $(BUILD)/obj/tests/tools/sbgrow.d $(BUILD)/obj/tests/tools/sbcraft.d \
         $(BUILD)/obj/tests/tools/craft_dump.d
