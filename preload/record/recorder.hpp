#pragma once
// The hooks' side of recording: sample, capture the call site, and hand a compact event
// to the collector through the ring. Called with the reentry guard held, only while
// recording is Active; each call leaves errno as it found it.
//
// Ordering (why a reused address is never matched to the wrong event): the FREE is
// pushed before the real free and the ALLOC after the real malloc returns. Ring positions
// are one total order, so a later malloc that reuses the address is behind the FREE.
//
// Full ring policy: the producer waits with bounded backoff (spin, yield, then sleeps
// of 50 us doubling to 1 ms) for as long as a collector is alive and draining. If the
// collector is gone, or has consumed nothing for a whole second (it may be blocked on a
// lock the waiting thread holds, e.g. inside the loader), the event is dropped and
// counted instead: waiting further could deadlock the program, and dropping silently
// would lie. Further pushes drop at once until the collector moves again. The counts
// reach the dump as NOTE records and in END.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "record/runtime.hpp"
#include "record/sampler.hpp"
#include "slowburn/format.hpp"

namespace slowburn::preload {

namespace detail {
[[gnu::tls_model("initial-exec")]] inline thread_local SamplerState t_sampler;
}  // namespace detail

// An allocation the sampler chose (every allocation in exact mode).
void recordChosenAlloc(void* block, size_t size);
void recordFree(void* block);

// Inline: in sampled mode most allocations end at the countdown, without a call.
inline void recordAlloc(void* block, size_t size) {
  if (runtime().sampler.shouldSample(detail::t_sampler, size)) [[unlikely]]
    recordChosenAlloc(block, size);
}

// Whether a free may concern a recorded block; false is certain. One load in sampled
// mode, so the frees of unsampled blocks cost no call.
inline bool mayBeRecorded(const void* block) {
  const Runtime& rt = runtime();
  return !rt.sampler.enabled() || rt.sampled.mayContain(reinterpret_cast<uint64_t>(block));
}

// Whether the old block was tracked (a ReallocBegin was pushed).
struct ReallocTicket {
  bool tracked = false;
};
ReallocTicket beginRealloc(void* old);
void endRealloc(ReallocTicket ticket, void* old, void* result, size_t size);

void countSyscall(format::SyscallOp op, uintptr_t caller, ssize_t result);

// Waits (bounded) until the collector has handled everything pushed so far and
// published every syscall site: called before dlclose unmaps code the sites point into.
void waitForCollector();

}  // namespace slowburn::preload
