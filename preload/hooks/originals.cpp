#include "hooks/originals.hpp"

#include <dlfcn.h>
#include <sched.h>

#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace detail {

Originals s_originals;
bool s_allocatorMaps = false;

namespace {
[[gnu::tls_model("initial-exec")]] thread_local bool t_resolving = false;

// Whether path names glibc's shared object (libc.so.6, wherever it lives).
bool isGlibc(const char* path) {
  if (path == nullptr) return false;
  const char* base = path;
  for (const char* p = path; *p != '\0'; ++p)
    if (*p == '/') base = p + 1;
  const char kName[] = "libc.so";
  for (size_t i = 0; i + 1 < sizeof(kName); ++i)
    if (base[i] != kName[i]) return false;
  return true;
}

// Fills s_originals from handle (RTLD_NEXT or RTLD_DEFAULT); true when malloc and free
// were found.
bool resolveFrom(void* handle) {
  t_resolving = true;
#define SLOWBURN_RESOLVE(name, ...) \
  s_originals.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name));
  SLOWBURN_ALL_HOOKS(SLOWBURN_RESOLVE)
#undef SLOWBURN_RESOLVE
  Dl_info info{};
  s_allocatorMaps = s_originals.malloc != nullptr &&
                    dladdr(reinterpret_cast<void*>(s_originals.malloc), &info) != 0 &&
                    !isGlibc(info.dli_fname);
  t_resolving = false;
  return s_originals.malloc != nullptr && s_originals.free != nullptr;
}

}  // namespace

const Originals* resolveSlow() {
  auto expected = ResolveState::Unresolved;
  if (s_resolveState.compare_exchange_strong(expected, ResolveState::Resolving,
                                             std::memory_order_acq_rel)) {
    if (!resolveFrom(RTLD_NEXT)) {
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

}  // namespace detail

bool resolveFromGlobalScope() {
  using detail::ResolveState;
  auto expected = ResolveState::Unresolved;
  if (!detail::s_resolveState.compare_exchange_strong(expected, ResolveState::Resolving,
                                                      std::memory_order_acq_rel)) {
    return expected == ResolveState::Resolved;
  }
  // No hook of this library is reachable yet (nothing is redirected): dlsym's own
  // allocations go to the program's allocator directly.
  if (!detail::resolveFrom(RTLD_DEFAULT)) {
    detail::s_resolveState.store(ResolveState::Unresolved, std::memory_order_release);
    return false;
  }
  detail::s_resolveState.store(ResolveState::Resolved, std::memory_order_release);
  return true;
}

}  // namespace slowburn::preload
