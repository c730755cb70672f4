# Sample programs: each samples/NAME.cpp becomes $(BUILD)/samples/NAME. A sample that needs
# more sets SAMPLE_FLAGS_NAME / SAMPLE_LIBS_NAME / SAMPLE_DEPS_NAME below. Never sanitized:
# they run under the preload.

SAMPLE_SRCS := $(wildcard samples/*.cpp)
SAMPLES     := $(SAMPLE_SRCS:samples/%.cpp=$(BUILD)/samples/%)
SAMPLE_CXXFLAGS := $(CXXSTD) $(WARN) -O1 -g -fno-omit-frame-pointer -pthread

-include samples/extra.mk

$(SAMPLES): SAN :=
.SECONDEXPANSION:
$(BUILD)/samples/%: samples/%.cpp $$(SAMPLE_DEPS_$$*)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(SAMPLE_CXXFLAGS) $(SAMPLE_FLAGS_$*) -o $@ $< $(SAMPLE_LIBS_$*)

all-targets asan-targets: $(SAMPLES)
-include $(SAMPLES:=.d)
