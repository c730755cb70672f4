#include "hooks/originals.hpp"

#include <sched.h>

#include "support/stderr_line.hpp"

namespace slowburn::preload::detail {

Originals s_originals;

namespace {
[[gnu::tls_model("initial-exec")]] thread_local bool t_resolving = false;
}  // namespace

const Originals* resolveSlow() {
  auto expected = ResolveState::Unresolved;
  if (s_resolveState.compare_exchange_strong(expected, ResolveState::Resolving,
                                             std::memory_order_acq_rel)) {
    t_resolving = true;
#define SLOWBURN_RESOLVE(name, ...) \
  s_originals.name = reinterpret_cast<decltype(&::name)>(dlsym(RTLD_NEXT, #name));
    SLOWBURN_HOOKS(SLOWBURN_RESOLVE)
#undef SLOWBURN_RESOLVE
    t_resolving = false;
    if (s_originals.malloc == nullptr || s_originals.free == nullptr) {
      diag::line("cannot find the real malloc/free; the program cannot continue");
      __builtin_trap();
    }
    s_resolveState.store(ResolveState::Resolved, std::memory_order_release);
    return &s_originals;
  }
  if (t_resolving) return nullptr;  // dlsym's own allocation: bootstrap arena
  // Another thread is resolving: it takes microseconds, once.
  while (s_resolveState.load(std::memory_order_acquire) != ResolveState::Resolved) sched_yield();
  return &s_originals;
}

}  // namespace slowburn::preload::detail
