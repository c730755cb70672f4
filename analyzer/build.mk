# slowburn, the analyzer: a static library of everything but main, and the CLI on top.

ANALYZER_SRCS := $(filter-out analyzer/commands/main.cpp,$(wildcard analyzer/*/*.cpp))
ANALYZER_OBJS := $(ANALYZER_SRCS:%.cpp=$(BUILD)/obj/%.o)
ANALYZER_LIBS := -lfmt -ldw -lelf -lz -lzstd

$(BUILD)/obj/analyzer/%.o: analyzer/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ianalyzer $(CXXFLAGS) -c $< -o $@

$(BUILD)/libanalyzer.a: $(ANALYZER_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/slowburn: $(BUILD)/obj/analyzer/commands/main.o $(BUILD)/libanalyzer.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ANALYZER_LIBS)

all-targets asan-targets: $(BUILD)/slowburn
-include $(ANALYZER_OBJS:.o=.d) $(BUILD)/obj/analyzer/commands/main.d
