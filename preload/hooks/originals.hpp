#pragma once
// The real functions behind the hooks, resolved once with dlsym(RTLD_NEXT, ...).

#include <atomic>

#include "hooks/hook_list.hpp"

namespace slowburn::preload {

struct Originals {
#define SLOWBURN_ORIGINAL(name, ...) decltype(&::name) name = nullptr;
  SLOWBURN_HOOKS(SLOWBURN_ORIGINAL)
#undef SLOWBURN_ORIGINAL
};

namespace detail {
enum class ResolveState : int { Unresolved, Resolving, Resolved };
inline constinit std::atomic<ResolveState> s_resolveState{ResolveState::Unresolved};
[[gnu::visibility("hidden")]] extern Originals s_originals;  // hidden: no GOT load in the hooks
const Originals* resolveSlow();
}  // namespace detail

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
