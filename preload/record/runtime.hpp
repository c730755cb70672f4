#pragma once
// What every hook needs to record: settings, the sampler, the program's site table, the
// sampled set, the module publisher and the channel to the collector. Built once with
// placement new in static storage, so nothing depends on the order in which constructors
// run: hooks can be called long before this library's constructor.

#include <atomic>
#include <cstdint>
#include <new>

#include "lifecycle/options.hpp"
#include "record/channel.hpp"
#include "record/module_publisher.hpp"
#include "record/sampled_set.hpp"
#include "record/sampler.hpp"
#include "record/site_table.hpp"

namespace slowburn::preload {

struct Runtime {
  Options options;
  char absolutePattern[format::kMaxStringBytes] = {};  // SLOWBURN_OUT anchored at start
  char collectorPath[format::kMaxStringBytes] = {};    // the program beside this library
  Sampler sampler;
  SiteTable sites;
  SampledSet sampled;
  ModulePublisher modules;
  std::atomic<uint32_t> channelEpoch{0};  // one per channel this process has recorded into
  std::atomic<uint32_t> loaderEpoch{0};   // bumped by dlclose: stale caller caches
  std::atomic<uint32_t> nextThreadToken{1};
};

namespace detail {
// Static storage at a fixed address: the hooks reach the runtime without loading a pointer.
alignas(Runtime) inline unsigned char s_runtimeStorage[sizeof(Runtime)];
inline constinit bool s_runtimeBuilt = false;
// The channel pointer lives alone in a page the kernel wipes in every child it copies
// (MADV_WIPEONFORK): a child made by raw clone(), which runs no fork handlers, finds no
// channel instead of writing into its parent's.
struct ChannelLink {
  std::atomic<Channel*> channel;
};
inline constinit ChannelLink* s_link = nullptr;
// Starts recording in a fork child on its first event (set by the lifecycle).
using StartFn = Channel* (*)();
inline constinit StartFn s_startInChild = nullptr;
}  // namespace detail

// Only valid once the library's init ran (the lifecycle guarantees it for recorders).
inline Runtime& runtime() {
  return *std::launder(reinterpret_cast<Runtime*>(detail::s_runtimeStorage));
}
inline bool runtimeBuilt() { return detail::s_runtimeBuilt; }
// Builds the runtime and the channel link; false if their memory could not be mapped.
bool constructRuntime(const Options& options, const char* absolutePattern);

inline Channel* currentChannel() {
  return detail::s_link == nullptr ? nullptr
                                   : detail::s_link->channel.load(std::memory_order_acquire);
}
void setCurrentChannel(Channel* channel);

// The channel to record into; a fork child starts its own on first use. nullptr when this
// process does not record (a raw clone() child, or recording could not start).
inline Channel* recordingChannel() {
  Channel* channel = currentChannel();
  if (channel != nullptr) [[likely]]
    return channel;
  return detail::s_startInChild != nullptr ? detail::s_startInChild() : nullptr;
}

}  // namespace slowburn::preload
