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

#include <atomic>

#include "record/reentry_guard.hpp"

namespace slowburn::preload {

enum class State : int { Uninit, Initializing, Active, Disabled };

inline constinit std::atomic<State> s_state{State::Uninit};

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
}

}  // namespace slowburn::preload
