# Unit tests (one GoogleTest binary) and the dump inspector the end-to-end tests use.

UNIT_SRCS := $(wildcard tests/unit/*.cpp)
UNIT_OBJS := $(UNIT_SRCS:%.cpp=$(BUILD)/obj/%.o)
UNIT_PRELOAD_OBJS := $(PRELOAD_UNIT_SRCS:%.cpp=$(BUILD)/obj/unit-preload/%.o)

$(BUILD)/obj/tests/%.o: tests/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ianalyzer -Ipreload $(CXXFLAGS) -c $< -o $@

# The preload's pure parts, compiled again as ordinary (sanitizable) code for the unit tests.
$(BUILD)/obj/unit-preload/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ipreload $(CXXFLAGS) -fno-omit-frame-pointer -c $< -o $@

$(BUILD)/unit_tests: $(UNIT_OBJS) $(UNIT_PRELOAD_OBJS) $(BUILD)/libanalyzer.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ANALYZER_LIBS) -lgtest -lgtest_main -lunwind -lpthread -ldl

$(BUILD)/sbdump: $(BUILD)/obj/tests/tools/sbdump.o $(BUILD)/libanalyzer.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ANALYZER_LIBS)

# Hostile dumps for the end-to-end tests and the fuzz corpora: the format's encoders only.
$(BUILD)/craft_dump: $(BUILD)/obj/tests/tools/craft_dump.o
	$(CXX) $(LDFLAGS) -o $@ $^

all-targets asan-targets: $(BUILD)/unit_tests $(BUILD)/sbdump $(BUILD)/craft_dump
-include $(UNIT_OBJS:.o=.d) $(UNIT_PRELOAD_OBJS:.o=.d) $(BUILD)/obj/tests/tools/sbdump.d \
         $(BUILD)/obj/tests/tools/craft_dump.d
