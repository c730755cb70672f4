#include "record/recorder.hpp"

#include <atomic>

#include "record/reentry_guard.hpp"
#include "record/site_definition.hpp"
#include "record/unwinder.hpp"
#include "slowburn/checksum.hpp"

namespace slowburn::preload {
namespace {

constexpr uint64_t kAllocKeySeed = 0x616c6c6f63ull;  // "alloc"

// The site of the current stack, whose frames go to frames (kBufferFrames long), their
// number to *count.
SiteEntry* allocSite(Runtime& rt, uint64_t* frames, uint32_t* count) {
  *count = Unwinder::capture(frames, rt.options.depth);
  const uint64_t key = XXH3_64bits_withSeed(frames, *count * sizeof(uint64_t), kAllocKeySeed);
  SiteEntry* site = rt.sites.find(key);
  if (site != nullptr) return site;
  return rt.sites.intern(key, format::SiteKind::Alloc, format::SyscallOp::None);
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
  uint64_t frames[Unwinder::kBufferFrames];
  uint32_t count = 0;
  SiteEntry* site = allocSite(rt, frames, &count);
  if (site == nullptr ||
      !ensureDefined(rt, *channel, *site, rt.channelEpoch.load(std::memory_order_relaxed), frames,
                     count)) {
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

}  // namespace slowburn::preload
