#include "output/export_collapsed.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "output/frame_text.hpp"

namespace slowburn::analyze {

CollapsedValue parseCollapsedValue(std::string_view text) {
  if (text == "live") return CollapsedValue::LiveBytes;
  if (text == "peak") return CollapsedValue::PeakBytes;
  if (text == "allocs") return CollapsedValue::Allocs;
  throw std::invalid_argument("collapsed value must be live, peak or allocs");
}

std::string collapsedFrameName(const Frame& frame) {
  std::string name = frameName(frame);
  for (char& c : name) {
    if (c == ';') c = ':';
    if (c == '\n' || c == '\r') c = ' ';
  }
  return name;
}

uint64_t collapsedValue(const RankedSite& ranked, const SiteProfile& site, CollapsedValue value) {
  if (!site.isAlloc()) return 0;
  switch (value) {
    // After a clean exit the static destructors have freed the culprit too.
    case CollapsedValue::LiveBytes: return ranked.liveBeforeExit;
    case CollapsedValue::PeakBytes: return site.peakLiveBytes;
    case CollapsedValue::Allocs: return site.allocs;
  }
  return 0;
}

std::string exportCollapsed(const Analysis& analysis, CollapsedValue value) {
  std::string out;
  for (const RankedSite& r : analysis.sites()) {
    const uint64_t v = collapsedValue(r, analysis.site(r), value);
    if (v == 0) continue;
    const StackView stack = analysis.stack(r);
    std::string line;
    for (size_t i = stack.size(); i-- > 0;) {
      if (!line.empty()) line += ';';
      line += collapsedFrameName(stack[i]);
    }
    if (line.empty()) line = "[unknown]";
    out += fmt::format("{} {}\n", line, v);
  }
  return out;
}

}  // namespace slowburn::analyze
