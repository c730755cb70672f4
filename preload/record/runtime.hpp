#pragma once
// The recording state shared by the hooks (producers) and the collector (consumer).
// Built once with placement new in static storage, so nothing depends on the order in
// which constructors run: hooks can be called long before this library's constructor.

#include <atomic>
#include <cstdint>

#include "lifecycle/options.hpp"
#include "record/event_ring.hpp"
#include "record/sampled_set.hpp"
#include "record/sampler.hpp"
#include "record/site_table.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {

class Collector;

struct Runtime {
  static constexpr size_t kRingCapacity = 1u << 16;
  // Sampled mode pushes a few events per megabyte allocated: a smaller ring keeps the
  // memory it touches (and faults in) small.
  static constexpr size_t kSampledRingCapacity = 1u << 13;

  Options options;
  char absolutePattern[format::kMaxStringBytes] = {};  // SLOWBURN_OUT anchored at start
  Sampler sampler;
  SiteTable sites;
  SampledSet sampled;
  std::atomic<EventRing*> ring{nullptr};
  Collector* collector = nullptr;
  std::atomic<uint64_t> dropped{0};             // events lost, see recorder.hpp's push policy
  std::atomic<uint64_t> handled{0};             // ring positions the collector has finished
  std::atomic<uint64_t> stalledAt{UINT64_MAX};  // ring position where the collector stalled
  std::atomic<uint32_t> loaderEpoch{0};         // bumped by dlclose: stale caller caches
  std::atomic<uint32_t> nextThreadToken{1};
  std::atomic<bool> collectorAlive{false};
  std::atomic<uint32_t> collectorWake{0};  // futex word: bumped to wake an idle collector
  std::atomic<int> ownerPid{0};            // the process whose collector reads the ring
};

namespace detail {
inline constinit Runtime* s_runtime = nullptr;
}

// Wakes the collector from its idle wait (a producer found the ring full).
inline void wakeCollector(Runtime& rt);

// Only valid once the library's init ran (the lifecycle guarantees it for recorders).
inline Runtime& runtime() { return *detail::s_runtime; }
inline bool runtimeBuilt() { return detail::s_runtime != nullptr; }
// Builds the runtime in its static storage; false if its memory could not be mapped.
bool constructRuntime(const Options& options, const char* absolutePattern);

inline void wakeCollector(Runtime& rt) {
  rt.collectorWake.fetch_add(1, std::memory_order_release);
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  raw::wakeWord(reinterpret_cast<const uint32_t*>(&rt.collectorWake));
}

}  // namespace slowburn::preload
