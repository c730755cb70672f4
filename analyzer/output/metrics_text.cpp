#include "output/metrics_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "output/frame_text.hpp"
#include "slowburn/terminal_safe.hpp"

namespace slowburn::analyze {
namespace {

// One location's series, or "other"'s.
struct LocationSeries {
  double liveBytes = 0;
  double growthBytesPerSec = 0;
  double confidence = 0;
  bool growing = false;

  // Locations that share a label set (two main.cpp:10 in different directories) become one
  // series: a scrape must never hold the same series twice.
  void merge(const LocationSeries& other) {
    liveBytes += other.liveBytes;
    growthBytesPerSec += other.growthBytesPerSec;
    confidence = std::max(confidence, other.confidence);
    growing = growing || other.growing;
  }
};

// "server.cpp:12", else what frame_text names the frame by ("app+0x1136").
std::string locationLabel(const Frame& frame) {
  if (!frame.file.empty() && frame.line > 0)
    return fmt::format("{}:{}", fileBasename(frame.file), frame.line);
  if (!frame.file.empty()) return fileBasename(frame.file);
  return frameName(frame);
}

LocationSeries seriesOf(const RankedSite& r, const SiteProfile& site, bool growing) {
  LocationSeries s;
  s.liveBytes = static_cast<double>(site.liveBytes);
  // Only a GROWING location has a growth rate (shownGrowth): any other slope is no leak rate.
  if (r.growthBytesPerSec) {
    s.growthBytesPerSec = *r.growthBytesPerSec;
    s.confidence = r.verdict.confidence;
  }
  s.growing = growing;
  return s;
}

class Exposition {
 public:
  explicit Exposition(const Header& header)
      : m_process(fmt::format("pid=\"{}\",exe=\"{}\"", header.pid, metricsLabelValue(header.exe))) {
  }

  void family(std::string_view name, std::string_view type, std::string_view help) {
    m_out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, std::string_view labels, double value) {
    m_out +=
        fmt::format("{}{{{}{}{}}} {}\n", name, m_process, labels.empty() ? "" : ",", labels, value);
  }
  std::string take() { return std::move(m_out); }

 private:
  std::string m_process;
  std::string m_out;
};

}  // namespace

std::string metricsLabelValue(std::string_view text, size_t maxBytes) {
  std::string safe;
  format::forEachTerminalSafeByte(text.data(), text.size(), [&](char c) { safe += c; });
  if (safe.size() > maxBytes) {
    size_t cut = maxBytes;
    // Back up to the start of a UTF-8 character: continuation bytes are 10xxxxxx.
    while (cut > 0 && (static_cast<unsigned char>(safe[cut]) & 0xC0) == 0x80) --cut;
    safe.resize(cut);
  }
  std::string out;
  out.reserve(safe.size());
  for (const char c : safe) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string metricsText(const Analysis& analysis, const MetricsSettings& settings,
                        const WatchCounters& counters) {
  // Top N alloc locations by label set, in rank order, and the rest summed.
  std::vector<std::pair<std::string, LocationSeries>> top;
  std::map<std::string, size_t> byLabels;
  LocationSeries other;
  size_t taken = 0;
  for (const RankedSite& r : analysis.sites()) {
    const SiteProfile& site = analysis.site(r);
    if (!site.isAlloc()) continue;
    const bool growing =
        settings.growing ? settings.growing(r) : r.verdict.cls == SiteClass::Growing;
    const LocationSeries s = seriesOf(r, site, growing);
    if (taken++ >= settings.top) {
      other.merge(s);
      continue;
    }
    const Frame& where = analysis.location(r);
    std::string labels =
        fmt::format("function=\"{}\",location=\"{}\"", metricsLabelValue(frameName(where)),
                    metricsLabelValue(locationLabel(where)));
    auto [it, fresh] = byLabels.emplace(labels, top.size());
    if (fresh) {
      top.emplace_back(std::move(labels), s);
    } else {
      top[it->second].second.merge(s);
    }
  }
  top.emplace_back("function=\"other\",location=\"other\"", other);

  const Profile& p = analysis.profile();
  Exposition out(p.header);
  const auto perLocation = [&](std::string_view name, std::string_view help, auto value) {
    out.family(name, "gauge", help);
    for (const auto& [labels, s] : top) out.sample(name, labels, value(s));
  };
  perLocation("slowburn_location_live_bytes",
              "Live heap bytes allocated at a program line (top N by growth, then \"other\").",
              [](const LocationSeries& s) { return s.liveBytes; });
  perLocation("slowburn_location_growth_bytes_per_second",
              "Growth rate of a GROWING line's live bytes; 0 for any other class.",
              [](const LocationSeries& s) { return s.growthBytesPerSec; });
  perLocation("slowburn_location_growth_confidence_ratio",
              "How sure the GROWING verdict is, 0 to 1; 0 for any other class.",
              [](const LocationSeries& s) { return s.confidence; });
  perLocation("slowburn_location_growing",
              "1 while the line is GROWING above the watch's budget and confidence, else 0.",
              [](const LocationSeries& s) { return s.growing ? 1.0 : 0.0; });

  out.family("slowburn_process_resident_memory_bytes", "gauge",
             "Resident set size of the watched process at its latest snapshot.");
  out.sample("slowburn_process_resident_memory_bytes", "", static_cast<double>(p.rssEnd));
  out.family("slowburn_process_tracked_heap_bytes", "gauge",
             "Live heap bytes slowburn tracks in the watched process, all lines summed.");
  out.sample("slowburn_process_tracked_heap_bytes", "", static_cast<double>(p.liveBytesEnd));
  out.family("slowburn_dump_snapshots_total", "counter",
             "Snapshot records read from the watched process's dump.");
  out.sample("slowburn_dump_snapshots_total", "", static_cast<double>(counters.snapshots));
  out.family("slowburn_dump_dropped_events_total", "counter",
             "Allocation events the recorder lost; its figures are lower bounds when not 0.");
  out.sample("slowburn_dump_dropped_events_total", "", static_cast<double>(counters.droppedEvents));
  return out.take();
}

}  // namespace slowburn::analyze
