// Counting a read()/write() against its call site, at the cost of a cheap identity.
//
// A syscall site is its caller told apart by the first kIdentityFrames frames of its stack
// (the caller of read(), its caller, and one more): a wrapper around read() reached from
// two places counts for each of them. Walking those frames for every call would cost more
// than a cheap read() itself, so each thread keeps a small cache keyed by the caller's
// return address and stack pointer. The walk from there is a function of the registers it
// starts with and of the stack words it reads, nothing else (the rules are a function of
// the return addresses, and the loader epoch in the tag covers a dlclose). So a slot keeps
// where those words were and what they held (at most kChecks of them: a return address
// per step, and a saved rbp that a later step's rule reads), and rbp when a rule read it
// before anything restored it. A hit compares those few words: when they are all equal,
// the walk, and so the identity, would come out exactly as before. A miss walks with the
// shared rule cache, finds or makes the site, and refills the slot.

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
// Eight: the slots are static TLS, and slowburn attach dlopens this library into a running
// program, where all of its TLS must fit glibc's small surplus (16 slots did not).
constexpr unsigned kCallerSlots = 8;

constexpr uint32_t kChecks = kSteps + 1;

struct CallerSlot {
  uint64_t ip;      // the caller's return address
  uint64_t sp;      // and the stack pointer it returns with
  uint64_t tag;     // channel epoch, loader epoch and op: see tagOf
  uint64_t bp;      // the rbp the walk depends on (if bpMask is all ones)
  uint64_t bpMask;  // all ones when a rule read rbp before any step restored it, else 0
  const uint64_t* word[kChecks];  // the stack words the walk read (unused: kUnusedWord)
  uint64_t want[kChecks];         // and what they held
  SyscallCounter* counter;        // the site's shared counter on this channel
  SiteEntry* site;
};

[[gnu::tls_model("initial-exec")]] thread_local CallerSlot t_callers[kCallerSlots];

// What an unused check compares: always equal to its want of 0.
constexpr uint64_t kUnusedWord = 0;

// Slots of another channel (a fork child's), or from before a dlclose, never match.
uint64_t tagOf(const Runtime& rt, format::SyscallOp op) {
  return uint64_t{rt.channelEpoch.load(std::memory_order_relaxed)} << 40 |
         uint64_t{rt.loaderEpoch.load(std::memory_order_relaxed)} << 8 | static_cast<uint64_t>(op);
}

CallerSlot& slotFor(const Unwinder::Frame& f, format::SyscallOp op) {
  const uint64_t h = (f.ip ^ f.sp ^ static_cast<uint64_t>(op)) >> 4;
  return t_callers[(h ^ (h >> 5)) & (kCallerSlots - 1)];
}

// Whether the walk from f would read what it read when the slot was filled (see the top).
inline bool stillHolds(const CallerSlot& slot, const Unwinder::Frame& f) {
  static_assert(kChecks == 3);  // unrolled, without branches between the loads
  const uint64_t differ = ((f.bp ^ slot.bp) & slot.bpMask) | (*slot.word[0] ^ slot.want[0]) |
                          (*slot.word[1] ^ slot.want[1]) | (*slot.word[2] ^ slot.want[2]);
  return differ == 0;
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
  uint32_t checks = 0;
  auto check = [&](uint64_t address, uint64_t value) {
    slot->word[checks] = reinterpret_cast<const uint64_t*>(address);
    slot->want[checks++] = value;
  };
  slot->bp = f.bp;
  slot->bpMask = 0;
  uint64_t savedBpAt = 0;  // where the last step restored rbp from; 0: rbp is still f.bp
  uint32_t steps = 0;
  while (steps < kSteps) {
    const FrameRule rule = Unwinder::ruleFor(f.ip);
    if (!rule.isStep()) break;
    if (rule.cfaFromRbp()) {
      if (savedBpAt == 0) {
        slot->bpMask = ~uint64_t{0};
      } else {
        check(savedBpAt, f.bp);
      }
    }
    if (!Unwinder::step(rule, f)) break;
    check(f.sp - 8, f.ip);  // the new sp is the CFA; the return address sits below it
    if (f.ip == 0) break;
    if (rule.rbpSaved()) savedBpAt = f.sp + static_cast<uint64_t>(rule.rbpOffset());
    words[4 + steps++] = f.ip;
  }
  while (checks < kChecks) check(reinterpret_cast<uint64_t>(&kUnusedWord), kUnusedWord);
  words[2] = steps;
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
  // A fork child that has not recorded yet starts its channel on the way.
  Channel* channel = recordingChannel();
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
  const Unwinder::Frame f = Unwinder::firstOutside(hookFrame);
  const CallerSlot& slot = slotFor(f, op);
  // A slot is filled only with a channel current, and a new channel has a new epoch.
  if (slot.ip == f.ip && slot.sp == f.sp && slot.tag == tagOf(runtime(), op) &&
      stillHolds(slot, f) && currentChannel() != nullptr) [[likely]] {
    add(*slot.counter, bytes);
    return;
  }
  countMissed(op, bytes, hookFrame);
}

}  // namespace slowburn::preload
