#pragma once
// `slowburn export --format collapsed`: Brendan Gregg's folded stacks, one line per alloc
// site, "outermost;...;innermost VALUE", for flamegraph.pl, inferno or speedscope.

#include <cstdint>
#include <string>
#include <string_view>

#include "rank/analysis.hpp"

namespace slowburn::analyze {

enum class CollapsedValue {
  LiveBytes,  // live bytes before the exit teardown (RankedSite::liveBeforeExit): what is held
  PeakBytes,  // each site's own peak
  Allocs,     // allocation counts: where the churn is
};

// "live", "peak", "allocs"; throws std::invalid_argument for anything else.
CollapsedValue parseCollapsedValue(std::string_view text);

// The value a site's line carries; alloc sites only, 0 for the others.
uint64_t collapsedValue(const RankedSite& ranked, const SiteProfile& site, CollapsedValue value);

// Sites whose value is 0 are left out, as flame graph tools expect.
std::string exportCollapsed(const Analysis& analysis,
                            CollapsedValue value = CollapsedValue::LiveBytes);

// A frame's name as one folded-stack element: no ';' (the separator) and no line breaks.
std::string collapsedFrameName(const Frame& frame);

}  // namespace slowburn::analyze
