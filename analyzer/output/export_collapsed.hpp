#pragma once
// `slowburn export --format collapsed`: Brendan Gregg's folded stacks, one line per alloc
// site, "outermost;...;innermost VALUE", for flamegraph.pl, inferno or speedscope.
//
// Whatever the names hold, a line is one stack: the readers split a line at its last space
// (the value follows it) and the stack at ';'. So in a frame's name ';' becomes ':', and
// everything that could end a line or drive a terminal becomes '?': C0 controls (LF, CR, TAB,
// ESC...), DEL, C1 controls (NEL, CSI), U+2028 and U+2029 (line ends to JavaScript readers)
// and invalid UTF-8. Spaces stay: names hold them ("operator new(unsigned long)") and the
// value is after the last one.

#include <cstdint>
#include <string>
#include <string_view>

#include "output/pieces.hpp"
#include "rank/analysis.hpp"

namespace slowburn::analyze {

enum class CollapsedValue {
  LiveBytes,  // live bytes before the exit teardown (liveBeforeExit): what is held
  PeakBytes,  // each site's own peak
  Allocs,     // allocation counts: where the churn is
};

// "live", "peak", "allocs"; throws std::invalid_argument for anything else.
CollapsedValue parseCollapsedValue(std::string_view text);

// The value a site (or a location's totals) carries; alloc sites only, 0 for the others.
uint64_t collapsedValue(const Profile& profile, const SiteProfile& site, CollapsedValue value);
// Whether a ranked location (its totals) has a stack with a value: its stacks are printed.
bool collapsedShows(const RankedSite& ranked, const SiteProfile& totals, CollapsedValue value);

// A line per stack, each with its own value (a location's stacks apart: a flame graph shows
// which caller holds what); stacks whose value is 0 are left out, as flame graph tools expect.
void exportCollapsed(const Analysis& analysis, CollapsedValue value, const TextSink& sink);
std::string exportCollapsed(const Analysis& analysis,
                            CollapsedValue value = CollapsedValue::LiveBytes);

// A frame's name as one folded-stack element, by the rule above.
std::string collapsedFrameName(const Frame& frame);

}  // namespace slowburn::analyze
