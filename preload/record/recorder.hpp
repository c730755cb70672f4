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

#include "lifecycle/lifecycle.hpp"
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

// Whether an allocation of size is to be recorded: recording is on and, in sampled mode,
// the sampler chose it. Decided before the real call, so in sampled mode most allocations
// cost this countdown and nothing else (no reentry guard, no call). Inside the profiler
// (shouldRecord() false) an allocation is not recorded even when chosen.
inline bool chooseActiveAlloc(size_t size) {  // the caller saw State::Active
  return runtime().sampler.shouldSample(detail::t_sampler, size) && !t_inProfiler;
}
inline bool chooseAlloc(size_t size) {
  return s_state.load(std::memory_order_acquire) == State::Active && chooseActiveAlloc(size);
}

// After the real allocation: records a block chooseAlloc chose.
inline void recordAlloc(void* block, size_t size) {
  if (block != nullptr) recordChosenAlloc(block, size);
}

// Whether a free may concern a recorded block; false is certain. One load in sampled
// mode, so the frees of unsampled blocks cost no call.
inline bool mayBeRecordedActive(const void* block) {  // the caller saw State::Active
  const Runtime& rt = runtime();
  const bool may =
      !rt.sampler.enabled() || rt.sampled.mayContain(reinterpret_cast<uint64_t>(block));
  return may && !t_inProfiler;
}
inline bool mayBeRecorded(const void* block) {
  return s_state.load(std::memory_order_acquire) == State::Active && mayBeRecordedActive(block);
}

// Whether the old block was tracked (a ReallocBegin was pushed).
struct ReallocTicket {
  bool tracked = false;
};
ReallocTicket beginRealloc(void* old);
// chosen: chooseAlloc's answer for the new block, asked before the call.
void endRealloc(ReallocTicket ticket, void* old, void* result, size_t size, bool chosen);

// A counted syscall returned result; its site is the caller of the hook whose frame is
// hookFrame, told apart by the first few frames of its stack (syscall_counting.cpp).
void countSyscall(format::SyscallOp op, ssize_t result, const void* hookFrame);

// Main returned or exit() was called: the collector takes the running program's last
// snapshot now, in event order, before any free of the teardown. Once per process.
void recordTeardown();
// Mappings (hooks_map.cpp says which): a private anonymous mapping is recorded after the
// call that made it returns, an unmap before the call that frees the range, and an mremap
// on both sides of its call, by the same rules as malloc, free and realloc.
void recordMap(const void* start, size_t length);
void recordUnmap(const void* start, size_t length);
struct RemapTicket {
  bool pushed = false;  // a RemapBegin was pushed: its end must follow
};
RemapTicket beginRemap(const void* old, size_t length);
// result nullptr: the call failed and the old range is as it was.
void endRemap(RemapTicket ticket, const void* result, size_t length);

// A NOTE for the dump, from the program (the collector writes it as it comes).
void recordNote(format::NoteKind kind, uint64_t count, const char* text);

}  // namespace slowburn::preload
