#pragma once
// What the allocation and syscall recorders share: handing events to the channel (with
// the channel's full-ring policy behind it) and making sure the collector knows a site
// before the first event that names it (see recorder.hpp for the ordering rules).

#include <cstdint>

#include "record/event.hpp"
#include "record/runtime.hpp"
#include "record/site.hpp"

namespace slowburn::preload {

inline Event makeEvent(EventOp op, uint64_t ptr, uint64_t size, uint32_t site, uint32_t thread) {
  Event e{};
  e.op = op;
  e.ptr = ptr;
  e.size = size;
  e.site = site;
  e.thread = thread;
  return e;
}

// The collector gave up for good: recording stops, said once.
void pushFailed(Channel& channel);

// Pushes e; false (and recording stopped) when the collector gave up for good.
inline bool pushEvent(Channel& channel, const Event& e) {
  if (channel.push(e)) [[likely]]
    return true;
  pushFailed(channel);
  return false;
}

// This thread's token, pairing a realloc's begin with its end.
uint32_t threadToken(Runtime& rt);

// Whether the collector of this channel knows the site.
inline bool isDefined(const SiteEntry& site, uint32_t channelEpoch) {
  return site.definedEpoch.load(std::memory_order_acquire) == channelEpoch;
}

// Sends the site's definition, with its frames (innermost first), on this channel (after
// any module they may point into) unless the collector has it already; false when it
// could not be sent.
bool ensureDefined(Runtime& rt, Channel& channel, SiteEntry& site, uint32_t channelEpoch,
                   const uint64_t* frames, uint32_t frameCount);

}  // namespace slowburn::preload
