#pragma once
// When recording happens. One atomic state, advanced only by compare-exchange:
//
//   Uninit --(library constructor)--> Initializing --> Active --(exit / failure)--> Disabled
//                                                  \--> Disabled (no collector)
//
// Hooks record only in Active and pass everything straight through otherwise, including
// before the constructor ran (allocations made that early are simply not tracked, and
// their frees are ignored). Disabled is final for the process. While Active, records go
// to the current channel (record/runtime.hpp); a fork child has none until it records.
//
// When slowburn attach loaded the library into a running program (attach.hpp), the
// constructor does nothing and recording comes and goes through its entry points:
//
//   Uninit / Detached --(slowburn_attach_start)--> Initializing --> Active
//                                                              \--> Detached (failed)
//   Active --(slowburn_attach_stop)--> Stopping --> Detached      (attach again later)
//
// A failure while attached still ends in Disabled, which a later attach may leave again
// unless the process is exiting.

#include <atomic>

#include "record/reentry_guard.hpp"

namespace slowburn::preload {

enum class State : int { Uninit, Initializing, Active, Disabled, Stopping, Detached };

inline constinit std::atomic<State> s_state{State::Uninit};

namespace detail {
// Loaded by slowburn attach rather than preloaded (set before the first attach starts).
inline constinit bool s_attached = false;
// The process is running its exit handlers: no attach may start any more.
inline constinit std::atomic<bool> s_exiting{false};
}  // namespace detail

// Whether the malloc and free hooks may take their quick path (count down, filter, pass
// on) on this one flag alone, instead of asking the state, the mode and the allocator:
// true only while Active in sampled mode over glibc's malloc. Opened after the state turns
// Active and closed after it leaves Active, so a stale answer is only ever a true that the
// slow paths, which ask the state again, correct.
namespace detail {
inline constinit std::atomic<bool> s_quickPath{false};
}  // namespace detail

// Called once the state is Active: opens the quick path when the mode allows it, and
// closes it again if the state left Active meanwhile.
void openQuickPath();
inline void closeQuickPath() { detail::s_quickPath.store(false); }

// Whether this call should be recorded: recording is on and we are not inside the
// profiler on this thread.
inline bool shouldRecord() {
  return !t_inProfiler && s_state.load(std::memory_order_acquire) == State::Active;
}

// Every state may end in Disabled, and Disabled is final: a CAS loop, never a blind store.
inline void disableRecording() {
  State state = s_state.load(std::memory_order_acquire);
  while (state != State::Disabled &&
         !s_state.compare_exchange_weak(state, State::Disabled, std::memory_order_acq_rel)) {
  }
  closeQuickPath();
}

// The fork gate's handlers and the fork child's decision, registered once per process.
void installForkHandlers();

}  // namespace slowburn::preload
