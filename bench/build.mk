# Benchmarks: the workloads bench/run profiles and the Google Benchmark microbenchmarks.
# Deliberately outside all-targets so `make test` never builds them: `make bench-targets`.
#   bench/workloads/NAME.cpp -> $(BUILD)/bench/NAME
#   bench/micro/NAME.cpp     -> $(BUILD)/bench/micro_NAME (links the preload's pure sources)
#   bench/tools/NAME.cpp     -> $(BUILD)/bench/libNAME.so (preloadable measuring aids)

.PHONY: bench-targets

BENCH_WORKLOAD_SRCS := $(wildcard bench/workloads/*.cpp)
BENCH_WORKLOADS     := $(BENCH_WORKLOAD_SRCS:bench/workloads/%.cpp=$(BUILD)/bench/%)
BENCH_MICRO_SRCS    := $(wildcard bench/micro/*.cpp)
BENCH_MICROS        := $(BENCH_MICRO_SRCS:bench/micro/%.cpp=$(BUILD)/bench/micro_%)
BENCH_MICRO_OBJS    := $(BENCH_MICRO_SRCS:%.cpp=$(BUILD)/obj/%.o)
BENCH_TOOL_SRCS     := $(wildcard bench/tools/*.cpp)
BENCH_TOOLS         := $(BENCH_TOOL_SRCS:bench/tools/%.cpp=$(BUILD)/bench/lib%.so)
# Workloads are ordinary optimised programs: what a user would profile.
BENCH_CXXFLAGS      := $(CXXSTD) $(WARN) -O2 -g -pthread

# Never sanitized: workloads run under LD_PRELOAD and benchmarks measure the real thing.
$(BENCH_WORKLOADS) $(BENCH_MICROS) $(BENCH_MICRO_OBJS) $(BENCH_TOOLS): SAN :=

$(BENCH_WORKLOADS): $(BUILD)/bench/%: bench/workloads/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(BENCH_CXXFLAGS) -o $@ $<

$(BENCH_TOOLS): $(BUILD)/bench/lib%.so: bench/tools/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(BENCH_CXXFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $<

$(BUILD)/obj/bench/micro/%.o: bench/micro/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ipreload $(CXXFLAGS) -fno-omit-frame-pointer -c $< -o $@

# The preload's pure parts are the same objects the unit tests link (tests/build.mk).
$(BENCH_MICROS): $(BUILD)/bench/micro_%: $(BUILD)/obj/bench/micro/%.o $(UNIT_PRELOAD_OBJS)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ -lbenchmark -lunwind -lpthread -ldl

bench-targets: $(BENCH_WORKLOADS) $(BENCH_MICROS) $(BENCH_TOOLS)
-include $(BENCH_WORKLOADS:=.d) $(BENCH_MICRO_OBJS:.o=.d) $(BENCH_TOOLS:.so=.d)
