# slowburn, the analyzer: a static library of everything but main, and the CLI on top.

ANALYZER_SRCS := $(filter-out analyzer/commands/main.cpp,$(wildcard analyzer/*/*.cpp))
ANALYZER_OBJS := $(ANALYZER_SRCS:%.cpp=$(BUILD)/obj/%.o)
ANALYZER_LIBS := -lfmt -ldw -lelf -lz -lzstd -lprotobuf -lcpp-httplib -pthread

# pprof's schema as Debian's golang-github-google-pprof-dev ships it, compiled by protoc into
# each build directory; its code is not ours, so its header is a system one.
PPROF_PROTO := /usr/share/gocode/src/github.com/google/pprof/proto/profile.proto
ANALYZER_GEN_OBJS := $(BUILD)/obj/gen/profile.pb.o
# cpp-httplib's classes depend on the options Debian built it with.
HTTPLIB_CFLAGS = $(shell pkg-config --cflags cpp-httplib)

%/gen/profile.pb.cc %/gen/profile.pb.h: $(PPROF_PROTO)
	@mkdir -p $*/gen
	protoc --proto_path=$(dir $(PPROF_PROTO)) --cpp_out=$*/gen $(notdir $(PPROF_PROTO))

$(BUILD)/obj/gen/profile.pb.o: $(BUILD)/gen/profile.pb.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -isystem $(BUILD)/gen $(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/analyzer/%.o: analyzer/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ianalyzer -isystem $(BUILD)/gen $(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/analyzer/output/export_pprof.o: $(BUILD)/gen/profile.pb.h
$(BUILD)/obj/analyzer/output/metrics_server.o: CPPFLAGS += $(HTTPLIB_CFLAGS)

$(BUILD)/libanalyzer.a: $(ANALYZER_OBJS) $(ANALYZER_GEN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/slowburn: $(BUILD)/obj/analyzer/commands/main.o $(BUILD)/libanalyzer.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ANALYZER_LIBS)

all-targets asan-targets: $(BUILD)/slowburn
-include $(ANALYZER_OBJS:.o=.d) $(BUILD)/obj/analyzer/commands/main.d
