# Symbolizer fixtures: an -O2 PIE (push_back inlined), its non-PIE twin, stripped and
# split-debug copies, and a library the unit tests dlopen; unit_tests needs them to run.
SAMPLE_FLAGS_sym_pie := -O2 -fPIE -pie
SAMPLE_FLAGS_sym_lib := -O2 -fPIC -shared
SYM_FIXTURES := $(addprefix $(BUILD)/samples/,sym_pie sym_nopie sym_pie.stripped \
                sym_pie.nodebug sym_pie.debug libsym_lib.so)
$(BUILD)/samples/sym_nopie: samples/sym_pie.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(SAMPLE_CXXFLAGS) -O2 -fno-pie -no-pie -o $@ $<
$(BUILD)/samples/sym_pie.stripped: $(BUILD)/samples/sym_pie
	strip --strip-all -o $@ $<
$(BUILD)/samples/sym_pie.nodebug: $(BUILD)/samples/sym_pie
	strip --strip-debug -o $@ $<
$(BUILD)/samples/sym_pie.debug: $(BUILD)/samples/sym_pie
	objcopy --only-keep-debug $< $@
$(BUILD)/samples/libsym_lib.so: $(BUILD)/samples/sym_lib
	cp $< $@
all-targets asan-targets: $(SYM_FIXTURES)
$(BUILD)/unit_tests: | $(SYM_FIXTURES)
# Preload tests: a -z now twin of pl_exact, and the plugin pl_dlopen loads (built as a
# shared object like sym_lib, then given its library name).
SAMPLE_FLAGS_pl_exact_now := -Wl,-z,now
SAMPLE_FLAGS_pl_plugin := -fPIC -shared
SAMPLE_DEPS_pl_dlopen := $(BUILD)/samples/libpl_plugin.so
SAMPLE_LIBS_pl_dlopen := -ldl
$(BUILD)/samples/libpl_plugin.so: $(BUILD)/samples/pl_plugin
	cp $< $@
all-targets asan-targets: $(BUILD)/samples/libpl_plugin.so
# slowburn attach: a statically linked target it must refuse.
SAMPLE_FLAGS_at_static := -static
# slowburn attach: a program that loads a plugin by bare name along its RUNPATH.
SAMPLE_FLAGS_at_plugin_host := -Wl,-rpath,'$$ORIGIN' -Wl,--enable-new-dtags
SAMPLE_DEPS_at_plugin_host := $(BUILD)/samples/libpl_plugin.so
SAMPLE_LIBS_at_plugin_host := -ldl
# Allocator tests: every operator new/delete form (pl_cxx_forms, plain and per allocator)
# and each allocator's own C entry points (pl_allocator_api_*), linked dynamically with
# Debian's jemalloc, tcmalloc and mimalloc; the incident's service linked with jemalloc.
ALLOCATORS := jemalloc tcmalloc mimalloc
ALLOCATOR_DEFINE_jemalloc := -DWITH_JEMALLOC
ALLOCATOR_DEFINE_tcmalloc := -DWITH_TCMALLOC
ALLOCATOR_DEFINE_mimalloc := -DWITH_MIMALLOC
ALLOCATOR_SAMPLES := $(foreach a,$(ALLOCATORS),$(BUILD)/samples/pl_cxx_forms_$(a) \
                     $(BUILD)/samples/pl_allocator_api_$(a)) $(BUILD)/samples/incident_leaky_jemalloc \
                     $(BUILD)/samples/incident_leaky_static_jemalloc
$(BUILD)/samples/pl_cxx_forms_%: samples/pl_cxx_forms.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(SAMPLE_CXXFLAGS) $(ALLOCATOR_DEFINE_$*) -o $@ $< -l$*
$(BUILD)/samples/pl_allocator_api_%: samples/pl_allocator_api.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O1 -g -fno-omit-frame-pointer $(ALLOCATOR_DEFINE_$*) -o $@ $< -l$*
$(BUILD)/samples/incident_leaky_jemalloc: samples/incident_leaky.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(SAMPLE_CXXFLAGS) -o $@ $< -ljemalloc
# jemalloc linked into the executable: its malloc is found before the preload's.
$(BUILD)/samples/incident_leaky_static_jemalloc: samples/incident_leaky.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(SAMPLE_CXXFLAGS) -o $@ $< -Wl,-Bstatic -ljemalloc_pic -Wl,-Bdynamic -ldl -lm
all-targets asan-targets: $(ALLOCATOR_SAMPLES)
# The syscall-callers sample again without frame pointers, so its frames step by rsp.
$(BUILD)/samples/pl_syscall_callers_nofp: samples/pl_syscall_callers.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(SAMPLE_CXXFLAGS) -O2 -fomit-frame-pointer -o $@ $<
all-targets asan-targets: $(BUILD)/samples/pl_syscall_callers_nofp
