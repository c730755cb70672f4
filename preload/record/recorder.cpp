#include "record/recorder.hpp"

#include <atomic>

#include "lifecycle/lifecycle.hpp"
#include "record/reentry_guard.hpp"
#include "record/unwinder.hpp"
#include "slowburn/checksum.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

constexpr uint64_t kAllocKeySeed = 0x616c6c6f63ull;    // "alloc"
constexpr uint64_t kSyscallKeySeed = 0x7379736361ull;  // "sysca"
constexpr uint64_t kMapKeySeed = 0x6d6d6170ull;        // "mmap"

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

// A push failed: if the collector gave up for good, say why and stop recording.
void pushFailed(Channel& channel) {
  if (channel.state() != CollectorState::Failed) return;
  channel.showFailure();
  disableRecording();
}

bool push(Channel& channel, const Event& e) {
  if (channel.push(e)) [[likely]]
    return true;
  pushFailed(channel);
  return false;
}

Event event(EventOp op, uint64_t ptr, uint64_t size, uint32_t site, uint32_t thread) {
  Event e{};
  e.op = op;
  e.ptr = ptr;
  e.size = size;
  e.site = site;
  e.thread = thread;
  return e;
}

// The shared counter a syscall site counts into on this channel, claimed once per epoch;
// threads that race agree on the first claim (a losing claim's slot stays unused).
uint32_t counterSlot(Channel& channel, SiteEntry& site, uint32_t epoch) {
  uint64_t tag = site.counterTag.load(std::memory_order_acquire);
  while ((tag >> 32) != epoch) {
    const uint64_t mine = uint64_t{epoch} << 32 | channel.claimCounter();
    if (site.counterTag.compare_exchange_strong(tag, mine, std::memory_order_acq_rel)) return mine;
  }
  return static_cast<uint32_t>(tag);
}

// Sends the site's definition on this channel (after any module it may point into).
bool define(Runtime& rt, Channel& channel, SiteEntry& site, uint32_t epoch) {
  if (!rt.modules.publishIfChanged(channel)) return false;
  const uint32_t counter =
      site.kind == format::SiteKind::Syscall ? counterSlot(channel, site, epoch) : kNoCounter;
  const uint64_t shape =
      siteDefShape(static_cast<uint8_t>(site.kind), static_cast<uint8_t>(site.op), site.frameCount);
  if (!channel.pushMessage(event(EventOp::SiteDef, counter, shape, site.id, 0), site.frames,
                           site.frameCount * sizeof(uint64_t))) {
    pushFailed(channel);
    return false;
  }
  site.definedEpoch.store(epoch, std::memory_order_release);
  return true;
}

bool ensureDefined(Runtime& rt, Channel& channel, SiteEntry& site) {
  const uint32_t epoch = rt.channelEpoch.load(std::memory_order_relaxed);
  if (site.definedEpoch.load(std::memory_order_acquire) == epoch) [[likely]]
    return true;
  return define(rt, channel, site, epoch);
}

// The site of the current stack, for a kind identified by its stack (alloc, mmap). Flattened
// with a constant seed, as XXH3 is meant to be: with two callers GCC would otherwise call an
// outlined copy that recomputes its secret from the seed on every allocation.
template <format::SiteKind kKind, uint64_t kSeed>
[[gnu::flatten]] SiteEntry* stackSite(Runtime& rt) {
  uint64_t frames[Unwinder::kBufferFrames];
  const uint32_t n = Unwinder::capture(frames, rt.options.depth);
  const uint64_t key = XXH3_64bits_withSeed(frames, n * sizeof(uint64_t), kSeed);
  SiteEntry* site = rt.sites.find(key);
  if (site != nullptr) return site;
  return rt.sites.intern(key, kKind, format::SyscallOp::None, frames, n);
}

SiteEntry* allocSite(Runtime& rt) { return stackSite<format::SiteKind::Alloc, kAllocKeySeed>(rt); }

SiteEntry* syscallSite(Runtime& rt, format::SyscallOp op, uintptr_t caller) {
  const uint32_t epoch = rt.loaderEpoch.load(std::memory_order_relaxed);
  const uint32_t tag = epoch << 8 | static_cast<uint32_t>(op);
  CallerSlot& slot =
      t_callers[((caller >> 4) ^ (caller >> 11) ^ static_cast<uint32_t>(op)) & (kCallerSlots - 1)];
  if (slot.caller == caller && slot.tag == tag && slot.site != nullptr) [[likely]] {
    return slot.site;
  }
  ErrnoKeeper keepErrno;  // only a caller's first call unwinds or walks the table
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
  Channel* channel = recordingChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  ErrnoKeeper keepErrno;
  const auto address = reinterpret_cast<uint64_t>(block);
  if (rt.sampler.enabled()) {
    // Inserted before the address reaches the program, hence before any free of it.
    if (!rt.sampled.insert(address)) {
      channel->drop();
      return;
    }
  }
  SiteEntry* site = allocSite(rt);
  if (site == nullptr || !ensureDefined(rt, *channel, *site)) {
    if (rt.sampler.enabled()) rt.sampled.erase(address);
    channel->drop();
    return;
  }
  push(*channel, event(EventOp::Alloc, address, size, site->id, threadToken(rt)));
}

void recordFree(void* block) {
  // A fork child that has not recorded yet knows none of these blocks: nothing to say.
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  const auto address = reinterpret_cast<uint64_t>(block);
  // Sampled mode: most blocks were never recorded; only a hit costs an event.
  if (rt.sampler.enabled() && !rt.sampled.mayContain(address)) [[likely]]
    return;
  ErrnoKeeper keepErrno;
  if (rt.sampler.enabled() && !rt.sampled.erase(address)) return;
  push(*channel, event(EventOp::Free, address, 0, 0, threadToken(rt)));
}

ReallocTicket beginRealloc(void* old) {
  Channel* channel = currentChannel();
  if (channel == nullptr) return {};
  Runtime& rt = runtime();
  const auto address = reinterpret_cast<uint64_t>(old);
  if (rt.sampler.enabled() && !rt.sampled.mayContain(address)) return {};
  ErrnoKeeper keepErrno;
  if (rt.sampler.enabled() && !rt.sampled.erase(address)) return {};
  push(*channel, event(EventOp::ReallocBegin, address, 0, 0, threadToken(rt)));
  return {true};
}

void endRealloc(ReallocTicket ticket, void* old, void* result, size_t size) {
  if (ticket.tracked) {
    ErrnoKeeper keepErrno;
    Runtime& rt = runtime();
    const auto address = reinterpret_cast<uint64_t>(old);
    // On failure the old block is still the program's: put it back where it was.
    const bool failed = result == nullptr && size != 0;
    if (failed && rt.sampler.enabled()) rt.sampled.insert(address);
    if (Channel* channel = currentChannel()) {
      push(*channel, event(failed ? EventOp::ReallocAbort : EventOp::ReallocCommit, address, 0, 0,
                           threadToken(rt)));
    }
  }
  if (result != nullptr) recordAlloc(result, size);
}

void recordTeardown() {
  static std::atomic<bool> s_marked{false};
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  ErrnoKeeper keepErrno;
  // A vfork child shares its parent's memory, channel included: its exit is not the parent's.
  if (raw::pid() != channel->control().setup.pid || s_marked.exchange(true)) return;
  push(*channel, event(EventOp::Teardown, raw::monotonicNs(), 0, 0, 0));
}

void countSyscall(format::SyscallOp op, uintptr_t caller, ssize_t result) {
  Channel* channel = recordingChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  SiteEntry* site = syscallSite(rt, op, caller);
  if (site == nullptr) return;
  const uint32_t epoch = rt.channelEpoch.load(std::memory_order_relaxed);
  if (site->definedEpoch.load(std::memory_order_acquire) != epoch) [[unlikely]] {
    // Only the first call from a caller on a channel does anything that may set errno.
    ErrnoKeeper keepErrno;
    if (!define(rt, *channel, *site, epoch)) return;
  }
  const uint64_t bytes = result > 0 ? static_cast<uint64_t>(result) : 0;
  const auto slot = static_cast<uint32_t>(site->counterTag.load(std::memory_order_relaxed));
  if (slot < channel->counterCapacity()) [[likely]] {
    SyscallCounter& counter = channel->counter(slot);
    counter.calls.fetch_add(1, std::memory_order_relaxed);
    if (bytes != 0) counter.bytes.fetch_add(bytes, std::memory_order_relaxed);
    return;
  }
  ErrnoKeeper keepErrno;
  push(*channel, event(EventOp::Calls, bytes, 1, site->id, 0));
}

namespace {

// The mmap site of the current stack, defined on this channel; nullptr (the event is
// counted as dropped) when it cannot be.
SiteEntry* definedMapSite(Runtime& rt, Channel& channel) {
  SiteEntry* site = stackSite<format::SiteKind::Mmap, kMapKeySeed>(rt);
  if (site == nullptr || !ensureDefined(rt, channel, *site)) {
    channel.drop();
    return nullptr;
  }
  return site;
}

uint64_t addressOf(const void* p) { return reinterpret_cast<uint64_t>(p); }

}  // namespace

void recordMap(const void* start, size_t length) {
  Channel* channel = recordingChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  ErrnoKeeper keepErrno;
  if (SiteEntry* site = definedMapSite(rt, *channel))
    push(*channel, event(EventOp::Map, addressOf(start), length, site->id, 0));
}

void recordUnmap(const void* start, size_t length) {
  // A fork child that has not recorded yet has no mapping in its books: nothing to say.
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  ErrnoKeeper keepErrno;
  push(*channel, event(EventOp::Unmap, addressOf(start), length, 0, 0));
}

RemapTicket beginRemap(const void* old, size_t length) {
  Channel* channel = currentChannel();
  if (channel == nullptr) return {};
  ErrnoKeeper keepErrno;
  return {push(*channel,
               event(EventOp::RemapBegin, addressOf(old), length, 0, threadToken(runtime())))};
}

void endRemap(RemapTicket ticket, const void* result, size_t length) {
  if (!ticket.pushed) return;
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  ErrnoKeeper keepErrno;
  if (result == nullptr) {
    push(*channel, event(EventOp::RemapAbort, 0, 0, 0, threadToken(rt)));
    return;
  }
  // The end must follow its begin even when the new range cannot be booked to a site.
  SiteEntry* site = definedMapSite(rt, *channel);
  push(*channel, event(EventOp::RemapCommit, addressOf(result), length,
                       site != nullptr ? site->id : kNoSite, threadToken(rt)));
}

void recordNote(format::NoteKind kind, uint64_t count, const char* text) {
  Channel* channel = recordingChannel();
  if (channel == nullptr) return;
  ErrnoKeeper keepErrno;
  size_t bytes = 0;
  while (text[bytes] != '\0' && bytes < format::kMaxStringBytes) ++bytes;
  if (!channel->pushMessage(
          event(EventOp::Note, static_cast<uint64_t>(kind), count, static_cast<uint32_t>(bytes), 0),
          text, bytes)) {
    pushFailed(*channel);
  }
}

}  // namespace slowburn::preload
