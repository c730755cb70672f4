#include "record/recorder.hpp"

#include <atomic>

#include "record/reentry_guard.hpp"
#include "record/site_definition.hpp"
#include "record/stack_memo.hpp"
#include "record/unwinder.hpp"
#include "slowburn/checksum.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

constexpr uint64_t kAllocKeySeed = 0x616c6c6f63ull;  // "alloc"
constexpr uint64_t kMapKeySeed = 0x6d6d6170ull;      // "mmap"

// The site of the current stack, for a kind identified by its stack (alloc, mmap), defined
// on this channel; nullptr when it cannot be. Flattened with a constant seed, as XXH3 is
// meant to be: with two callers GCC would otherwise call an outlined copy that recomputes
// its secret from the seed on every allocation.
//
// Called under the reentry guard only, so the thread's stack memo is never used by two
// captures at once. The stack the memo remembers unchanged is the site it was booked to,
// on the same channel: found without hashing.
template <format::SiteKind kKind, uint64_t kSeed>
[[gnu::flatten]] SiteEntry* definedStackSite(Runtime& rt, Channel& channel) {
  uint64_t frames[Unwinder::kBufferFrames];
  const uint32_t epoch = rt.channelEpoch.load(std::memory_order_relaxed);
  const uint64_t memoTag = kSeed ^ uint64_t { epoch } << 40;
  StackMemo* memo = StackMemo::mine();
  Unwinder::Remembered walked{0, nullptr, false};
  if (memo != nullptr) {
    const Unwinder::Frame start = Unwinder::firstOutside();
    const Unwinder::Recalled recalled = Unwinder::recall(start, *memo);
    if (recalled.unchanged) {
      if (void* known = recalled.way->siteFor(memoTag)) return static_cast<SiteEntry*>(known);
    }
    walked = Unwinder::captureRemembered(start, recalled, frames, rt.options.depth, *memo);
  } else {
    walked.count = Unwinder::capture(frames, rt.options.depth);
  }
  const uint32_t count = walked.count;
  const uint64_t key = XXH3_64bits_withSeed(frames, count * sizeof(uint64_t), kSeed);
  SiteEntry* site = rt.sites.find(key);
  if (site == nullptr) site = rt.sites.intern(key, kKind, format::SyscallOp::None);
  if (site == nullptr || !ensureDefined(rt, channel, *site, epoch, frames, count)) return nullptr;
  if (walked.way != nullptr) walked.way->rememberSite(site, memoTag);
  return site;
}

uint64_t addressOf(const void* p) { return reinterpret_cast<uint64_t>(p); }

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
  SiteEntry* site = definedStackSite<format::SiteKind::Alloc, kAllocKeySeed>(rt, *channel);
  if (site == nullptr) {
    if (rt.sampler.enabled()) rt.sampled.erase(address);
    channel->drop();
    return;
  }
  pushEvent(*channel, makeEvent(EventOp::Alloc, address, size, site->id, 0));
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
  pushEvent(*channel, makeEvent(EventOp::Free, address, 0, 0, 0));
}

ReallocTicket beginRealloc(void* old) {
  Channel* channel = currentChannel();
  if (channel == nullptr) return {};
  Runtime& rt = runtime();
  const auto address = reinterpret_cast<uint64_t>(old);
  if (rt.sampler.enabled() && !rt.sampled.mayContain(address)) return {};
  ErrnoKeeper keepErrno;
  if (rt.sampler.enabled() && !rt.sampled.erase(address)) return {};
  pushEvent(*channel, makeEvent(EventOp::ReallocBegin, address, 0, 0, threadToken(rt)));
  return {true};
}

void endRealloc(ReallocTicket ticket, void* old, void* result, size_t size, bool chosen) {
  if (ticket.tracked) {
    ErrnoKeeper keepErrno;
    Runtime& rt = runtime();
    const auto address = reinterpret_cast<uint64_t>(old);
    // On failure the old block is still the program's: put it back where it was.
    const bool failed = result == nullptr && size != 0;
    if (failed && rt.sampler.enabled()) rt.sampled.insert(address);
    if (Channel* channel = currentChannel()) {
      pushEvent(*channel, makeEvent(failed ? EventOp::ReallocAbort : EventOp::ReallocCommit,
                                    address, 0, 0, threadToken(rt)));
    }
  }
  if (chosen) recordAlloc(result, size);
}

void recordTeardown() {
  static std::atomic<bool> s_marked{false};
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  ErrnoKeeper keepErrno;
  // A vfork child shares its parent's memory, channel included: its exit is not the parent's.
  if (raw::pid() != channel->control().setup.pid || s_marked.exchange(true)) return;
  pushEvent(*channel, makeEvent(EventOp::Teardown, raw::monotonicNs(), 0, 0, 0));
}

namespace {

// The mmap site of the current stack, defined on this channel; nullptr (the event is
// counted as dropped) when it cannot be.
SiteEntry* definedMapSite(Runtime& rt, Channel& channel) {
  SiteEntry* site = definedStackSite<format::SiteKind::Mmap, kMapKeySeed>(rt, channel);
  if (site == nullptr) channel.drop();
  return site;
}

}  // namespace

void recordMap(const void* start, size_t length) {
  Channel* channel = recordingChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  ErrnoKeeper keepErrno;
  if (SiteEntry* site = definedMapSite(rt, *channel))
    pushEvent(*channel, makeEvent(EventOp::Map, addressOf(start), length, site->id, 0));
}

void recordUnmap(const void* start, size_t length) {
  // A fork child that has not recorded yet has no mapping in its books: nothing to say.
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  ErrnoKeeper keepErrno;
  pushEvent(*channel, makeEvent(EventOp::Unmap, addressOf(start), length, 0, 0));
}

RemapTicket beginRemap(const void* old, size_t length) {
  Channel* channel = currentChannel();
  if (channel == nullptr) return {};
  ErrnoKeeper keepErrno;
  return {pushEvent(
      *channel, makeEvent(EventOp::RemapBegin, addressOf(old), length, 0, threadToken(runtime())))};
}

void endRemap(RemapTicket ticket, const void* result, size_t length) {
  if (!ticket.pushed) return;
  Channel* channel = currentChannel();
  if (channel == nullptr) return;
  Runtime& rt = runtime();
  ErrnoKeeper keepErrno;
  if (result == nullptr) {
    pushEvent(*channel, makeEvent(EventOp::RemapAbort, 0, 0, 0, threadToken(rt)));
    return;
  }
  // The end must follow its begin even when the new range cannot be booked to a site.
  SiteEntry* site = definedMapSite(rt, *channel);
  pushEvent(*channel, makeEvent(EventOp::RemapCommit, addressOf(result), length,
                                site != nullptr ? site->id : kNoSite, threadToken(rt)));
}

void recordNote(format::NoteKind kind, uint64_t count, const char* text) {
  Channel* channel = recordingChannel();
  if (channel == nullptr) return;
  ErrnoKeeper keepErrno;
  size_t bytes = 0;
  while (text[bytes] != '\0' && bytes < format::kMaxStringBytes) ++bytes;
  if (!channel->pushMessage(makeEvent(EventOp::Note, static_cast<uint64_t>(kind), count,
                                      static_cast<uint32_t>(bytes), 0),
                            text, bytes)) {
    pushFailed(*channel);
  }
}

}  // namespace slowburn::preload
