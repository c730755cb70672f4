#pragma once
// `slowburn watch`'s metrics in the Prometheus text exposition format (version 0.0.4), what
// /metrics serves and what the node_exporter textfile holds.
//
// Cardinality is bounded whatever the program does: one series per metric for each of the
// top N alloc locations (the report's ranking, so a GROWING line is always among them) and
// one more, location="other", for all the rest. Every series carries the watched process's
// pid and exe, so several watches feeding one Prometheus or one textfile directory never
// collide. Names follow Prometheus conventions: the slowburn_ prefix, base units (bytes,
// seconds), _bytes for sizes, _ratio for 0..1, _total on counters only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "rank/analysis.hpp"

namespace slowburn::analyze {

struct MetricsSettings {
  size_t top = 10;  // alloc locations with series of their own
  // Whether a ranked location counts as growing for the 0/1 gauge: GROWING above the watch's
  // budget, with enough confidence. Empty: every GROWING location.
  std::function<bool(const RankedSite&)> growing;
};

// What the watch has seen of the dump besides the analysis.
struct WatchCounters {
  uint64_t snapshots = 0;      // SNAPSHOT records read
  uint64_t droppedEvents = 0;  // events the recorder lost so far
};

std::string metricsText(const Analysis& analysis, const MetricsSettings& settings,
                        const WatchCounters& counters);

// A label value as the exposition format takes it: terminal-safe (no controls, valid UTF-8),
// '\' and '"' escaped, and at most maxBytes long before escaping (cut at a character).
std::string metricsLabelValue(std::string_view text, size_t maxBytes = 512);

}  // namespace slowburn::analyze
