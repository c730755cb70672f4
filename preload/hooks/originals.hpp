#pragma once
// The real functions behind the hooks, resolved once: with dlsym(RTLD_NEXT, ...) when
// this library is preloaded, from the program's global scope when slowburn attach loaded
// it (RTLD_NEXT from a dlopen'ed library is not what the program's GOT entries point to).

#include <atomic>

#include "hooks/hook_list.hpp"

namespace slowburn::preload {

struct Originals {
#define SLOWBURN_ORIGINAL(name, ...) decltype(&::name) name = nullptr;
  SLOWBURN_ALL_HOOKS(SLOWBURN_ORIGINAL)
#undef SLOWBURN_ORIGINAL
};

namespace detail {
enum class ResolveState : int { Unresolved, Resolving, Resolved };
inline constinit std::atomic<ResolveState> s_resolveState{ResolveState::Unresolved};
[[gnu::visibility("hidden")]] extern Originals s_originals;  // hidden: no GOT load in the hooks
// The real malloc is not glibc's: such an allocator (jemalloc, tcmalloc, mimalloc) maps its
// memory through the mmap hooks, where glibc's malloc calls the kernel directly.
[[gnu::visibility("hidden")]] extern bool s_allocatorMaps;
const Originals* resolveSlow();
}  // namespace detail

// slowburn attach: resolves the originals from the global scope (RTLD_DEFAULT), the
// definitions the program's own references are bound to. Once; false when malloc or free
// cannot be found.
bool resolveFromGlobalScope();

// The originals, or nullptr while this very thread is resolving them (dlsym allocates:
// the caller then serves the allocation from the bootstrap arena).
inline const Originals* originals() {
  if (detail::s_resolveState.load(std::memory_order_acquire) == detail::ResolveState::Resolved)
      [[likely]] {
    return &detail::s_originals;
  }
  return detail::resolveSlow();
}

}  // namespace slowburn::preload
