# libslowburn.so, the in-process half, and slowburn-collector, the collector process it
# starts beside each profiled process. Never built with sanitizers (they run under the
# profiled program, not as programs of ours).

PRELOAD_MAIN_SRCS := preload/collect/collector_main.cpp
PRELOAD_SRCS  := $(filter-out $(PRELOAD_MAIN_SRCS),$(wildcard preload/*/*.cpp))
PRELOAD_OBJS  := $(PRELOAD_SRCS:%.cpp=$(BUILD)/obj/%.o)
PRELOAD_FLAGS := -fPIC -fvisibility=hidden -fvisibility-inlines-hidden -ftls-model=initial-exec \
                 -fno-builtin-malloc -fno-exceptions -fno-rtti -fno-omit-frame-pointer
# zstd compresses the dump (dump/stream_compressor.cpp); linked in statically and kept
# out of the exported symbols, so profiled programs gain no new library dependency.
PRELOAD_LIBS  := -Wl,-Bstatic -lzstd -Wl,-Bdynamic -Wl,--exclude-libs,libzstd.a \
                 -lunwind -ldl -lpthread -lm
# Pure parts (no hooks) that the unit tests link directly: everything but the files that
# define the interposed symbols, resolve the originals or run the library's lifecycle.
PRELOAD_HOOK_SRCS := $(wildcard preload/hooks/*.cpp) preload/lifecycle/lifecycle.cpp \
                     preload/lifecycle/attach.cpp
PRELOAD_UNIT_SRCS := $(filter-out $(PRELOAD_HOOK_SRCS),$(PRELOAD_SRCS))
# The collector program: the collector's own sources, statically linked so it runs in
# whatever root the profiled process lives in.
COLLECTOR_SRCS := $(PRELOAD_MAIN_SRCS) $(wildcard preload/collect/*.cpp preload/dump/*.cpp \
                  preload/support/*.cpp) preload/record/channel.cpp preload/record/event_ring.cpp \
                  preload/record/sampler.cpp
COLLECTOR_OBJS := $(sort $(COLLECTOR_SRCS:%.cpp=$(BUILD)/obj/%.o))

$(BUILD)/libslowburn.so $(BUILD)/slowburn-collector $(PRELOAD_OBJS) $(COLLECTOR_OBJS): SAN :=
$(BUILD)/obj/preload/%.o: preload/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ipreload $(CXXFLAGS) $(PRELOAD_FLAGS) -c $< -o $@

$(BUILD)/libslowburn.so: $(PRELOAD_OBJS)
	$(CXX) -shared -Wl,-z,defs -Wl,-z,now -Wl,--as-needed -o $@ $^ $(PRELOAD_LIBS)

$(BUILD)/slowburn-collector: $(COLLECTOR_OBJS)
	$(CXX) -static -o $@ $^ -lzstd -lm

all-targets asan-targets: $(BUILD)/libslowburn.so $(BUILD)/slowburn-collector
-include $(PRELOAD_OBJS:.o=.d) $(BUILD)/obj/$(PRELOAD_MAIN_SRCS:.cpp=.d)
