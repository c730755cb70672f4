// Counting a read()/write() against its call site, at the cost of a cheap identity.
//
// A syscall site is its caller told apart by the first kIdentityFrames frames of its stack
// (the caller of read(), its caller, and one more): a wrapper around read() reached from
// two places counts for each of them. Walking those frames for every call would cost more
// than a cheap read() itself, so each thread keeps a small cache keyed by the caller's
// return address and stack pointer, holding the rules that stepped from frame to frame and
// the return addresses they found. A hit replays those steps (no rule lookups, two loads a
// step) and checks that each lands on the same return address: equal registers and equal
// stack words make the walk, and so the identity, exactly what it was. A miss walks with
// the shared rule cache, finds or makes the site, and refills the slot.

#include <sys/types.h>

#include <atomic>

#include "record/recorder.hpp"
#include "record/reentry_guard.hpp"
#include "record/site_definition.hpp"
#include "record/unwinder.hpp"
#include "slowburn/checksum.hpp"

namespace slowburn::preload {
namespace {

constexpr uint32_t kIdentityFrames = 3;
constexpr uint32_t kSteps = kIdentityFrames - 1;
constexpr uint64_t kSyscallKeySeed = 0x7379736361ull;  // "sysca"
constexpr unsigned kCallerSlots = 16;

struct CallerSlot {
  uint64_t ip;   // the caller's return address
  uint64_t sp;   // and the stack pointer it returns with
  uint64_t tag;  // channel epoch, loader epoch and op: see tagOf
  uint32_t steps;
  uint64_t rules[kSteps];   // the rule of each frame walked past
  uint64_t next[kSteps];    // the return address each step found
  SyscallCounter* counter;  // the site's shared counter on this channel (nullptr: none)
  SiteEntry* site;
};

[[gnu::tls_model("initial-exec")]] thread_local CallerSlot t_callers[kCallerSlots];

// Slots of another channel (a fork child's), or from before a dlclose, never match.
uint64_t tagOf(const Runtime& rt, format::SyscallOp op) {
  return uint64_t{rt.channelEpoch.load(std::memory_order_relaxed)} << 40 |
         uint64_t{rt.loaderEpoch.load(std::memory_order_relaxed)} << 8 | static_cast<uint64_t>(op);
}

CallerSlot& slotFor(const Unwinder::Frame& f, format::SyscallOp op) {
  const uint64_t h = (f.ip ^ f.sp ^ static_cast<uint64_t>(op)) >> 4;
  return t_callers[(h ^ (h >> 5)) & (kCallerSlots - 1)];
}

// The slot's walk replayed from f: true when every step lands where it landed before.
inline bool stillHolds(const CallerSlot& slot, Unwinder::Frame f) {
  static_assert(kSteps == 2);  // unrolled
  if (slot.steps == 0) return true;
  if (!Unwinder::step(FrameRule(slot.rules[0]), f) || f.ip != slot.next[0]) return false;
  if (slot.steps == 1) return true;
  return Unwinder::step(FrameRule(slot.rules[1]), f) && f.ip == slot.next[1];
}

inline void add(SyscallCounter& counter, uint64_t bytes) {
  counter.calls.fetch_add(1, std::memory_order_relaxed);
  if (bytes != 0) counter.bytes.fetch_add(bytes, std::memory_order_relaxed);
}

// The site of the frames walked from f (the caller and up to kSteps more); the walk goes
// into *slot. Made on first sight; defined on this channel with the whole stack, captured
// now, when the collector does not know it yet.
SiteEntry* identify(Runtime& rt, Channel& channel, format::SyscallOp op, Unwinder::Frame f,
                    uint32_t epoch, CallerSlot* slot) {
  // The op, the loader epoch, how many frames, then the frames (the unused ones 0).
  uint64_t words[3 + kIdentityFrames] = {static_cast<uint64_t>(op),
                                         rt.loaderEpoch.load(std::memory_order_relaxed), 0, f.ip};
  slot->steps = 0;
  while (slot->steps < kSteps) {
    const FrameRule rule = Unwinder::ruleFor(f.ip);
    if (!Unwinder::step(rule, f) || f.ip == 0) break;
    slot->rules[slot->steps] = rule.word();
    slot->next[slot->steps] = f.ip;
    words[4 + slot->steps++] = f.ip;
  }
  words[2] = slot->steps;
  const uint64_t key = XXH3_64bits_withSeed(words, sizeof(words), kSyscallKeySeed);
  SiteEntry* site = rt.sites.find(key);
  if (site == nullptr) site = rt.sites.intern(key, format::SiteKind::Syscall, op);
  if (site == nullptr || isDefined(*site, epoch)) return site;
  uint64_t frames[Unwinder::kBufferFrames];
  uint32_t n = Unwinder::capture(frames, rt.options.depth);
  if (n == 0) {
    frames[0] = words[3];
    n = 1;
  }
  return ensureDefined(rt, channel, *site, epoch, frames, n) ? site : nullptr;
}

// A caller not in the cache (or no longer what it was): find its site, make sure the
// collector knows it, count, and remember the caller. Works everything out again, so the
// hot path hands over nothing it would have to keep.
[[gnu::noinline]] void countMissed(format::SyscallOp op, uint64_t bytes, const void* hookFrame) {
  ErrnoKeeper keepErrno;  // only a caller's first call walks, defines or pushes
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  const Unwinder::Frame f = Unwinder::firstOutside(hookFrame);
  CallerSlot fresh{};
  fresh.ip = f.ip;
  fresh.sp = f.sp;
  fresh.tag = tagOf(rt, op);
  const auto epoch = static_cast<uint32_t>(fresh.tag >> 40);
  SiteEntry* site = identify(rt, *channel, op, f, epoch, &fresh);
  if (site == nullptr) return;
  const uint64_t counterTag = site->counterTag.load(std::memory_order_acquire);
  const auto counter = static_cast<uint32_t>(counterTag);
  if ((counterTag >> 32) == epoch && counter < channel->counterCapacity()) {
    fresh.counter = &channel->counter(counter);
    fresh.site = site;
    slotFor(f, op) = fresh;
    add(*fresh.counter, bytes);
    return;
  }
  // No shared counter left for it: each call is an event.
  pushEvent(*channel, makeEvent(EventOp::Calls, bytes, 1, site->id, 0));
}

}  // namespace

void countSyscall(format::SyscallOp op, ssize_t result, const void* hookFrame) {
  const uint64_t bytes = result > 0 ? static_cast<uint64_t>(result) : 0;
  // A fork child that has not recorded yet starts its channel on the way.
  if (currentChannel() == nullptr && recordingChannel() == nullptr) return;
  const Unwinder::Frame f = Unwinder::firstOutside(hookFrame);
  const CallerSlot& slot = slotFor(f, op);
  if (slot.ip == f.ip && slot.sp == f.sp && slot.tag == tagOf(runtime(), op) && stillHolds(slot, f))
      [[likely]] {
    add(*slot.counter, bytes);
    return;
  }
  countMissed(op, bytes, hookFrame);
}

}  // namespace slowburn::preload
