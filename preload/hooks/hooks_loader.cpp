// The loader hooks: dlclose, so callers and frame rules cached by address are forgotten
// when a library goes, and dl_iterate_phdr, so no walk of the loader's list can overlap a fork
// (fork_gate.hpp).

#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/fork_gate.hpp"
#include "lifecycle/lifecycle.hpp"
#include "record/runtime.hpp"
#include "record/unwinder.hpp"

namespace slowburn::preload::hooks {

int dlclose(void* handle) noexcept {
  const Originals* r = originals();
  if (r == nullptr || r->dlclose == nullptr) [[unlikely]]
    return -1;
  const bool recording = shouldRecord();
  const Unwinder::Extent extent = Unwinder::extentOf(handle);
  const int result = r->dlclose(handle);
  // Another library may load at the same addresses: callers seen so far are stale.
  if (recording) runtime().loaderEpoch.fetch_add(1, std::memory_order_relaxed);
  Unwinder::forget(extent);
  return result;
}

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info*, size_t, void*), void* data) {
  const Originals* r = originals();
  if (r == nullptr || r->dl_iterate_phdr == nullptr) [[unlikely]]
    return 0;
  // Every walker passes the gate: libunwind's lookups during our unwinds, our module
  // scans, and the program's own walks, which glibc's fork would otherwise wedge as well.
  ForkGate::Pass pass;
  return r->dl_iterate_phdr(callback, data);
}

}  // namespace slowburn::preload::hooks

SLOWBURN_LOADER_HOOKS(SLOWBURN_EXPORT_HOOK)
