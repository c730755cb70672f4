#include "output/export_collapsed.hpp"

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>
#include <string_view>

#include "output/frame_text.hpp"
#include "slowburn/terminal_safe.hpp"

namespace slowburn::analyze {

CollapsedValue parseCollapsedValue(std::string_view text) {
  if (text == "live") return CollapsedValue::LiveBytes;
  if (text == "peak") return CollapsedValue::PeakBytes;
  if (text == "allocs") return CollapsedValue::Allocs;
  throw std::invalid_argument("collapsed value must be live, peak or allocs");
}

std::string collapsedFrameName(const Frame& frame) {
  const std::string name = frameName(frame);
  std::string safe;
  safe.reserve(name.size());
  format::forEachTerminalSafeByte(name.data(), name.size(),
                                  [&safe](char c) { safe += c == ';' ? ':' : c; });
  // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR.
  constexpr std::string_view kLineSeparator = "\xE2\x80\xA8", kParagraphSeparator = "\xE2\x80\xA9";
  std::string out;
  out.reserve(safe.size());
  for (size_t i = 0; i < safe.size(); ++i) {
    const std::string_view rest = std::string_view(safe).substr(i);
    if (rest.starts_with(kLineSeparator) || rest.starts_with(kParagraphSeparator)) {
      out += '?';
      i += kLineSeparator.size() - 1;
      continue;
    }
    out += safe[i];
  }
  return out;
}

uint64_t collapsedValue(const Profile& profile, const SiteProfile& site, CollapsedValue value) {
  if (!site.isAlloc()) return 0;
  switch (value) {
    // After a clean exit the static destructors have freed the culprit too.
    case CollapsedValue::LiveBytes: return liveBeforeExit(profile, site);
    case CollapsedValue::PeakBytes: return site.peakLiveBytes;
    case CollapsedValue::Allocs: return site.allocs;
  }
  return 0;
}

bool collapsedShows(const RankedSite& ranked, const SiteProfile& totals, CollapsedValue value) {
  if (!totals.isAlloc()) return false;
  switch (value) {
    case CollapsedValue::LiveBytes: return ranked.liveBeforeExit > 0;
    case CollapsedValue::PeakBytes: return totals.peakLiveBytes > 0;
    case CollapsedValue::Allocs: return totals.allocs > 0;
  }
  return false;
}

void exportCollapsed(const Analysis& analysis, CollapsedValue value, const TextSink& sink) {
  PieceWriter out(sink);
  for (const RankedSite& r : analysis.sites()) {
    for (const size_t site : r.sites) {
      const uint64_t v = collapsedValue(analysis.profile(), analysis.member(site), value);
      if (v == 0) continue;
      const StackView stack = analysis.stackOf(site);
      std::string& line = out.text();
      for (size_t i = stack.size(); i-- > 0;) {
        line += collapsedFrameName(stack[i]);
        if (i > 0) line += ';';
      }
      if (stack.empty()) line += "[unknown]";
      fmt::format_to(std::back_inserter(line), " {}\n", v);
      out.maybeHandOver();
    }
  }
  out.handOver();
}

std::string exportCollapsed(const Analysis& analysis, CollapsedValue value) {
  return collectPieces([&](const TextSink& sink) { exportCollapsed(analysis, value, sink); });
}

}  // namespace slowburn::analyze
