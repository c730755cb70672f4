# libslowburn.so: the in-process half. Never built with sanitizers (it is LD_PRELOADed).

PRELOAD_SRCS  := $(wildcard preload/*/*.cpp)
PRELOAD_OBJS  := $(PRELOAD_SRCS:%.cpp=$(BUILD)/obj/%.o)
PRELOAD_FLAGS := -fPIC -fvisibility=hidden -fvisibility-inlines-hidden -ftls-model=initial-exec \
                 -fno-builtin-malloc -fno-exceptions -fno-rtti -fno-omit-frame-pointer
PRELOAD_LIBS  := -lunwind -ldl -lpthread -lm
# Pure parts (no hooks) that the unit tests link directly: everything but the files that
# define the interposed symbols, resolve the originals or run the library's lifecycle.
PRELOAD_HOOK_SRCS := $(wildcard preload/hooks/*.cpp) preload/lifecycle/lifecycle.cpp
PRELOAD_UNIT_SRCS := $(filter-out $(PRELOAD_HOOK_SRCS),$(PRELOAD_SRCS))

$(BUILD)/libslowburn.so $(PRELOAD_OBJS): SAN :=
$(BUILD)/obj/preload/%.o: preload/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Ipreload $(CXXFLAGS) $(PRELOAD_FLAGS) -c $< -o $@

$(BUILD)/libslowburn.so: $(PRELOAD_OBJS)
	$(CXX) -shared -Wl,-z,defs -Wl,-z,now -Wl,--as-needed -o $@ $^ $(PRELOAD_LIBS)

all-targets asan-targets: $(BUILD)/libslowburn.so
-include $(PRELOAD_OBJS:.o=.d)
