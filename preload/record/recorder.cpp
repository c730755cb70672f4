#include "record/recorder.hpp"

#include <sched.h>

#include <atomic>

#include "record/reentry_guard.hpp"
#include "record/runtime.hpp"
#include "record/unwinder.hpp"
#include "slowburn/checksum.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

constexpr uint64_t kAllocKeySeed = 0x616c6c6f63ull;    // "alloc"
constexpr uint64_t kSyscallKeySeed = 0x7379736361ull;  // "sysca"
constexpr uint64_t kStallNs = 1000000000ull;
constexpr uint64_t kBarrierWaitNs = 2000000000ull;

// A direct-mapped cache of this thread's syscall callers: the common case of a loop
// calling read() from one place costs one compare, no unwind, no table walk.
struct CallerSlot {
  uintptr_t caller;
  uint32_t tag;  // loader epoch << 8 | op
  SiteEntry* site;
};
constexpr unsigned kCallerSlots = 16;

[[gnu::tls_model("initial-exec")]] thread_local CallerSlot t_callers[kCallerSlots];
[[gnu::tls_model("initial-exec")]] thread_local uint32_t t_token = 0;

uint32_t threadToken(Runtime& rt) {
  if (t_token == 0) {
    uint32_t token = rt.nextThreadToken.fetch_add(1, std::memory_order_relaxed);
    if (token == 0) token = rt.nextThreadToken.fetch_add(1, std::memory_order_relaxed);
    t_token = token;
  }
  return t_token;
}

void drop(Runtime& rt) { rt.dropped.fetch_add(1, std::memory_order_relaxed); }

bool pushSlow(Runtime& rt, EventRing& ring, const Event& event, uint64_t* position) {
  if (rt.ownerPid.load(std::memory_order_relaxed) != raw::pid()) {
    drop(rt);  // a copy of the process made without fork(): no collector reads this ring
    return false;
  }
  uint64_t seen = ring.consumed();
  if (seen == rt.stalledAt.load(std::memory_order_relaxed)) {
    drop(rt);
    return false;
  }
  uint64_t progressAt = 0;
  uint64_t sleep = 50000;
  wakeCollector(rt);  // it may be idling: the ring just filled up
  for (unsigned round = 0;; ++round) {
    if (ring.tryPush(event, position)) return true;
    if (!rt.collectorAlive.load(std::memory_order_acquire)) break;
    if (round < 64) {
      __builtin_ia32_pause();
      continue;
    }
    if (round < 128) {
      sched_yield();
      continue;
    }
    const uint64_t now = raw::monotonicNs();
    const uint64_t consumed = ring.consumed();
    if (consumed != seen || progressAt == 0) {
      seen = consumed;
      progressAt = now;
    } else if (now - progressAt > kStallNs) {
      rt.stalledAt.store(consumed, std::memory_order_relaxed);
      break;
    }
    raw::sleepNs(sleep);
    if (sleep < 1000000) sleep *= 2;
  }
  drop(rt);
  return false;
}

bool push(Runtime& rt, const Event& event, uint64_t* position = nullptr) {
  EventRing* ring = rt.ring.load(std::memory_order_acquire);
  if (ring == nullptr) {
    drop(rt);
    return false;
  }
  uint64_t ignored = 0;
  uint64_t* pos = position != nullptr ? position : &ignored;
  if (ring->tryPush(event, pos)) [[likely]] {
    // The collector sleeps until its next snapshot: wake it each time another quarter of
    // the ring has been claimed, long before the ring can fill.
    if ((*pos & (ring->capacity() / 4 - 1)) == 0) [[unlikely]]
      wakeCollector(rt);
    return true;
  }
  return pushSlow(rt, *ring, event, pos);
}

SiteEntry* allocSite(Runtime& rt) {
  uint64_t frames[Unwinder::kBufferFrames];
  const uint32_t n = Unwinder::capture(frames, rt.options.depth);
  const uint64_t key = XXH3_64bits_withSeed(frames, n * sizeof(uint64_t), kAllocKeySeed);
  SiteEntry* site = rt.sites.find(key);
  if (site != nullptr) return site;
  return rt.sites.intern(key, format::SiteKind::Alloc, format::SyscallOp::None, frames, n);
}

SiteEntry* syscallSite(Runtime& rt, format::SyscallOp op, uintptr_t caller) {
  const uint32_t epoch = rt.loaderEpoch.load(std::memory_order_relaxed);
  const uint32_t tag = epoch << 8 | static_cast<uint32_t>(op);
  CallerSlot& slot =
      t_callers[((caller >> 4) ^ (caller >> 11) ^ static_cast<uint32_t>(op)) & (kCallerSlots - 1)];
  if (slot.caller == caller && slot.tag == tag && slot.site != nullptr) [[likely]] {
    return slot.site;
  }
  ErrnoKeeper keepErrno;  // only the first call from a caller does anything that may set it
  const uint64_t words[3] = {caller, static_cast<uint64_t>(op), epoch};
  const uint64_t key = XXH3_64bits_withSeed(words, sizeof(words), kSyscallKeySeed);
  SiteEntry* site = rt.sites.find(key);
  if (site == nullptr) {
    // First call from this caller: unwind once; later calls only bump counters.
    uint64_t frames[Unwinder::kBufferFrames];
    uint32_t n = Unwinder::capture(frames, rt.options.depth);
    if (n == 0) {
      frames[0] = caller;
      n = 1;
    }
    site = rt.sites.intern(key, format::SiteKind::Syscall, op, frames, n);
    if (site == nullptr) return nullptr;
  }
  slot = CallerSlot{caller, tag, site};
  return site;
}

}  // namespace

void recordChosenAlloc(void* block, size_t size) {
  Runtime& rt = runtime();
  ErrnoKeeper keepErrno;
  const auto address = reinterpret_cast<uint64_t>(block);
  if (rt.sampler.enabled()) {
    // Inserted before the address reaches the program, hence before any free of it.
    if (!rt.sampled.insert(address)) {
      drop(rt);
      return;
    }
  }
  SiteEntry* site = allocSite(rt);
  if (site == nullptr) {
    if (rt.sampler.enabled()) rt.sampled.erase(address);
    drop(rt);
    return;
  }
  push(rt, Event{address, size, site, threadToken(rt), EventOp::Alloc});
}

void recordFree(void* block) {
  Runtime& rt = runtime();
  const auto address = reinterpret_cast<uint64_t>(block);
  // Sampled mode: most blocks were never recorded; only a hit costs an event.
  if (rt.sampler.enabled() && !rt.sampled.mayContain(address)) [[likely]]
    return;
  ErrnoKeeper keepErrno;
  if (rt.sampler.enabled() && !rt.sampled.erase(address)) return;
  push(rt, Event{address, 0, nullptr, threadToken(rt), EventOp::Free});
}

ReallocTicket beginRealloc(void* old) {
  Runtime& rt = runtime();
  const auto address = reinterpret_cast<uint64_t>(old);
  if (rt.sampler.enabled() && !rt.sampled.mayContain(address)) return {};
  ErrnoKeeper keepErrno;
  if (rt.sampler.enabled() && !rt.sampled.erase(address)) return {};
  push(rt, Event{address, 0, nullptr, threadToken(rt), EventOp::ReallocBegin});
  return {true};
}

void endRealloc(ReallocTicket ticket, void* old, void* result, size_t size) {
  {
    ErrnoKeeper keepErrno;
    Runtime& rt = runtime();
    const auto address = reinterpret_cast<uint64_t>(old);
    if (ticket.tracked) {
      // On failure the old block is still the program's: put it back where it was.
      const bool failed = result == nullptr && size != 0;
      if (failed && rt.sampler.enabled()) rt.sampled.insert(address);
      push(rt, Event{address, 0, nullptr, threadToken(rt),
                     failed ? EventOp::ReallocAbort : EventOp::ReallocCommit});
    }
  }
  if (result != nullptr) recordAlloc(result, size);
}

void countSyscall(format::SyscallOp op, uintptr_t caller, ssize_t result) {
  Runtime& rt = runtime();
  SiteEntry* site = syscallSite(rt, op, caller);
  if (site == nullptr) return;
  site->calls.fetch_add(1, std::memory_order_relaxed);
  if (result > 0) site->bytes.fetch_add(static_cast<uint64_t>(result), std::memory_order_relaxed);
}

void waitForCollector() {
  ErrnoKeeper keepErrno;
  Runtime& rt = runtime();
  uint64_t position = 0;
  if (!push(rt, Event{0, 0, nullptr, threadToken(rt), EventOp::Barrier}, &position)) return;
  wakeCollector(rt);
  const uint64_t start = raw::monotonicNs();
  while (rt.handled.load(std::memory_order_acquire) <= position &&
         rt.collectorAlive.load(std::memory_order_acquire) &&
         raw::monotonicNs() - start < kBarrierWaitNs) {
    raw::sleepNs(100000);
  }
}

}  // namespace slowburn::preload
