#pragma once
// The hooks' side of recording: sample, capture the call site, make sure the collector
// knows it, and hand a compact event to the collector through the channel. Called with the
// reentry guard held, only while recording is Active; each call leaves errno as it found
// it.
//
// Ordering (why a reused address is never matched to the wrong event): the FREE is
// pushed before the real free and the ALLOC after the real malloc returns. Ring positions
// are one total order, so a later malloc that reuses the address is behind the FREE. A
// site's definition (and the modules its frames point into) is pushed before the first
// event that names it, by the same thread or visibly before another's (see site.hpp).
// What happens when the ring is full is the channel's policy (channel.hpp).

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

// A counted syscall returned result; its site is the caller of the hook whose frame is
// hookFrame, told apart by the first few frames of its stack (syscall_counting.cpp).
void countSyscall(format::SyscallOp op, ssize_t result, const void* hookFrame);

}  // namespace slowburn::preload
