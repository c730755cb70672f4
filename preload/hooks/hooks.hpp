#pragma once
// The hook implementations. Each has the libc prototype and an assembler name
// "slowburn_hook_<name>"; the file defining it publishes it under the libc name with
// SLOWBURN_EXPORT_HOOKS, the only symbols this library exports.

#include "hooks/hook_list.hpp"

#define SLOWBURN_HOOK(name) asm("slowburn_hook_" #name)

namespace slowburn::preload::hooks {

void* malloc(size_t size) noexcept SLOWBURN_HOOK(malloc);
void free(void* block) noexcept SLOWBURN_HOOK(free);
void* calloc(size_t count, size_t size) noexcept SLOWBURN_HOOK(calloc);
void* realloc(void* block, size_t size) noexcept SLOWBURN_HOOK(realloc);
void* reallocarray(void* block, size_t count, size_t size) noexcept SLOWBURN_HOOK(reallocarray);
int posix_memalign(void** out, size_t alignment, size_t size) noexcept
    SLOWBURN_HOOK(posix_memalign);
void* aligned_alloc(size_t alignment, size_t size) noexcept SLOWBURN_HOOK(aligned_alloc);
void* memalign(size_t alignment, size_t size) noexcept SLOWBURN_HOOK(memalign);
void* valloc(size_t size) noexcept SLOWBURN_HOOK(valloc);
void* pvalloc(size_t size) noexcept SLOWBURN_HOOK(pvalloc);
size_t malloc_usable_size(void* block) noexcept SLOWBURN_HOOK(malloc_usable_size);

#define SLOWBURN_DECLARE_IO_HOOK(name, op, params, args, sysno, rawArgs) \
  ssize_t name params SLOWBURN_HOOK(name);
SLOWBURN_IO_HOOKS(SLOWBURN_DECLARE_IO_HOOK)
#undef SLOWBURN_DECLARE_IO_HOOK

int dlclose(void* handle) noexcept SLOWBURN_HOOK(dlclose);
int __libc_start_main(int (*main)(int, char**, char**), int argc, char** argv, void (*init)(),
                      void (*fini)(), void (*rtldFini)(), void* stackEnd)
    SLOWBURN_HOOK(__libc_start_main);
[[noreturn]] void exit(int status) noexcept SLOWBURN_HOOK(exit);
int dl_iterate_phdr(int (*callback)(struct dl_phdr_info*, size_t, void*), void* data)
    SLOWBURN_HOOK(dl_iterate_phdr);

// slowburn attach only (never exported): GOT entries of dlopen point here while attached.
void* dlopen(const char* file, int mode) noexcept SLOWBURN_HOOK(dlopen);

}  // namespace slowburn::preload::hooks

// The conversion fails to compile unless the hook has the libc prototype, which the
// alias would otherwise take on trust. An alias must sit beside its target's definition.
#define SLOWBURN_EXPORT_HOOK(name, ...)                                           \
  [[maybe_unused]] static constexpr decltype(&::name) slowburn_prototype_##name = \
      &slowburn::preload::hooks::name;                                            \
  extern "C"                                                                      \
      [[gnu::alias("slowburn_hook_" #name), gnu::visibility("default")]] decltype(::name) name;
