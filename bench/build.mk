# Benchmarks: the workloads bench/run profiles and the Google Benchmark microbenchmarks.
# Deliberately outside all-targets so `make test` never builds them: `make bench-targets`.
#   bench/workloads/NAME.cpp -> $(BUILD)/bench/NAME   (NAME.c: a C program, same place)
#   bench/plugins/NAME.cpp   -> $(BUILD)/bench/libNAME.so (what a workload dlopen()s)
#   bench/micro/NAME.cpp     -> $(BUILD)/bench/micro_NAME (links the preload's pure sources)
#   bench/tools/NAME.cpp     -> $(BUILD)/bench/libNAME.so (preloadable measuring aids)

.PHONY: bench-targets

BENCH_WORKLOAD_SRCS := $(wildcard bench/workloads/*.cpp)
BENCH_WORKLOADS     := $(BENCH_WORKLOAD_SRCS:bench/workloads/%.cpp=$(BUILD)/bench/%)
BENCH_C_SRCS        := $(wildcard bench/workloads/*.c)
BENCH_C_WORKLOADS   := $(BENCH_C_SRCS:bench/workloads/%.c=$(BUILD)/bench/%)
BENCH_PLUGIN_SRCS   := $(wildcard bench/plugins/*.cpp)
BENCH_PLUGINS       := $(BENCH_PLUGIN_SRCS:bench/plugins/%.cpp=$(BUILD)/bench/lib%.so)
BENCH_MICRO_SRCS    := $(wildcard bench/micro/*.cpp)
BENCH_MICROS        := $(BENCH_MICRO_SRCS:bench/micro/%.cpp=$(BUILD)/bench/micro_%)
BENCH_MICRO_OBJS    := $(BENCH_MICRO_SRCS:%.cpp=$(BUILD)/obj/%.o)
BENCH_TOOL_SRCS     := $(wildcard bench/tools/*.cpp)
BENCH_TOOLS         := $(BENCH_TOOL_SRCS:bench/tools/%.cpp=$(BUILD)/bench/lib%.so)
# Workloads are ordinary optimised programs: what a user would profile.
BENCH_CXXFLAGS      := $(CXXSTD) $(WARN) -O2 -g -pthread
BENCH_CFLAGS        := -std=c11 $(WARN) -O2 -g

# Never sanitized: workloads run under LD_PRELOAD and benchmarks measure the real thing.
$(BENCH_WORKLOADS) $(BENCH_C_WORKLOADS) $(BENCH_PLUGINS) $(BENCH_MICROS) $(BENCH_MICRO_OBJS) \
  $(BENCH_TOOLS): SAN :=

$(BENCH_WORKLOADS): $(BUILD)/bench/%: bench/workloads/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(BENCH_CXXFLAGS) -o $@ $<

$(BENCH_C_WORKLOADS): $(BUILD)/bench/%: bench/workloads/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_PLUGINS): $(BUILD)/bench/lib%.so: bench/plugins/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(BENCH_CXXFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $<

$(BENCH_TOOLS): $(BUILD)/bench/lib%.so: bench/tools/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(BENCH_CXXFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $<

$(BUILD)/obj/bench/micro/%.o: bench/micro/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ipreload $(CXXFLAGS) -fno-omit-frame-pointer -c $< -o $@

# The preload's pure parts are the same objects the unit tests link (tests/build.mk).
$(BENCH_MICROS): $(BUILD)/bench/micro_%: $(BUILD)/obj/bench/micro/%.o $(UNIT_PRELOAD_OBJS)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ -lbenchmark -lunwind -lzstd -lpthread -ldl

bench-targets: $(BENCH_WORKLOADS) $(BENCH_C_WORKLOADS) $(BENCH_PLUGINS) $(BENCH_MICROS) $(BENCH_TOOLS)
-include $(BENCH_WORKLOADS:=.d) $(BENCH_C_WORKLOADS:=.d) $(BENCH_PLUGINS:.so=.d) \
  $(BENCH_MICRO_OBJS:.o=.d) $(BENCH_TOOLS:.so=.d)
