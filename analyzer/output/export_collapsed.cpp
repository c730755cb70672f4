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

std::string exportCollapsed(Analysis& analysis, CollapsedValue value) {
  std::string out;
  for (const RankedSite& r : analysis.sites()) {
    const SiteProfile& s = analysis.site(r);
    if (!s.isAlloc()) continue;
    uint64_t v = 0;
    switch (value) {
      // After a clean exit the static destructors have freed the culprit too.
      case CollapsedValue::LiveBytes: v = r.liveBeforeExit; break;
      case CollapsedValue::PeakBytes: v = s.peakLiveBytes; break;
      case CollapsedValue::Allocs: v = s.allocs; break;
    }
    if (v == 0) continue;
    const std::vector<Frame>& frames = analysis.stack(r).frames;
    std::string line;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      if (!line.empty()) line += ';';
      line += collapsedFrameName(*it);
    }
    if (line.empty()) line = "[unknown]";
    out += fmt::format("{} {}\n", line, v);
  }
  return out;
}

}  // namespace slowburn::analyze
