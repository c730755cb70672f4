#include "output/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "output/frame_text.hpp"
#include "output/html_assets.hpp"
#include "output/html_text.hpp"
#include "output/sha256.hpp"
#include "output/svg_chart.hpp"
#include "output/units.hpp"

namespace slowburn::analyze {
namespace {

constexpr std::array<SiteClass, 5> kClasses{SiteClass::Growing, SiteClass::Plateau,
                                            SiteClass::Churn, SiteClass::Transient,
                                            SiteClass::Stable};

const char* classMeaning(SiteClass cls) {
  switch (cls) {
    case SiteClass::Growing:
      return "live bytes kept climbing to the end of the run: a leak, or a cache that is never "
             "evicted. These come first, fastest confident growth first.";
    case SiteClass::Plateau: return "climbed, then levelled off: a cache that filled up.";
    case SiteClass::Churn: return "allocated and freed all the time at a steady level.";
    case SiteClass::Transient: return "rose and fell back to about nothing: one phase of the run.";
    case SiteClass::Stable: return "little change over the run.";
  }
  return "";
}

std::string badge(SiteClass cls) {
  return fmt::format("<span class=\"badge {0}\">{0}</span>", className(cls));
}

std::string bytes(uint64_t b) { return htmlText(formatBytes(static_cast<double>(b))); }

// Live bytes a person should compare: before the exit teardown freed the globals.
uint64_t liveShown(const RankedSite& r, const SiteProfile& s) {
  return s.isAlloc() ? std::max(r.liveBeforeExit, s.liveBytes) : 0;
}

std::string growthText(const RankedSite& r, const SiteProfile& s) {
  if (!s.isAlloc()) return fmt::format("{}() calls", syscallName(s.op));
  if (!r.growthBytesPerSec) return "—";
  return htmlText((*r.growthBytesPerSec > 0 ? "+" : "") + formatRate(*r.growthBytesPerSec));
}

std::string anchor(const RankedSite& r) { return fmt::format("site-{}", r.rank); }

void writeHead(std::string& out, const Profile& p) {
  // The policy allows nothing but this page's own style and script, by hash.
  out += fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>slowburn: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
      cspHashSource(kHtmlStyle), cspHashSource(kHtmlScript), htmlText(fileBasename(p.header.exe)),
      kHtmlStyle);
}

void writeHeader(std::string& out, const Analysis& analysis) {
  const Profile& p = analysis.profile();
  out += fmt::format("<header>\n<h1>slowburn report: <span class=\"exe\">{}</span> (pid {})</h1>\n",
                     htmlText(p.header.exe), p.header.pid);
  out += fmt::format(
      "<p class=\"facts\">ran {}, {} snapshots every {} ms{}; tracked heap {} at end, peak {}; "
      "RSS {} at end, peak {}; {} locations from {} stacks</p>\n",
      htmlText(formatDuration(p.durationS())), p.snapshotPoints, p.header.intervalMs,
      p.header.sampleBytes > 0
          ? fmt::format(", sampled every {} on average: byte figures are estimates",
                        bytes(p.header.sampleBytes))
          : std::string(),
      bytes(p.liveBytesEnd), bytes(p.peakLiveBytes), bytes(p.rssEnd), bytes(p.peakRss),
      analysis.sites().size(), p.sites.size());
  const auto note = [&out](const std::string& text) {
    out += fmt::format("<p class=\"note\">note: {}</p>\n", htmlText(text));
  };
  if (p.read.truncated) {
    note("torn tail: " + p.read.tornTailNote);
  } else if (!p.end) {
    note(kNoEndNote);
  }
  if (const uint64_t dropped = p.droppedEvents(); dropped > 0) {
    note(fmt::format("{} events dropped by the recorder: figures are low", dropped));
  }
  for (const Note& n : p.notes) {
    if (n.kind != format::NoteKind::DroppedEvents) note(n.text);
  }
  out += "</header>\n";
}

// The answer first: the top location when it grows, else that nothing did.
void writeVerdict(std::string& out, const Analysis& analysis) {
  const auto& sites = analysis.sites();
  if (sites.empty() || sites.front().verdict.cls != SiteClass::Growing) {
    out += "<p class=\"verdict\" id=\"verdict\">No location grew steadily during this run.</p>\n";
    return;
  }
  const RankedSite& r = sites.front();
  const SiteProfile& s = analysis.site(r);
  size_t growing = 0;
  for (const RankedSite& x : sites) growing += x.verdict.cls == SiteClass::Growing ? 1 : 0;
  out += fmt::format(
      "<p class=\"verdict bad\" id=\"verdict\">{} <a href=\"#{}\" class=\"where\">{}</a> grows "
      "<b>{}</b> (confidence {:.2f}), {} live before exit{}.</p>\n",
      badge(r.verdict.cls), anchor(r), htmlText(frameLabel(analysis.location(r))), growthText(r, s),
      r.verdict.confidence, bytes(liveShown(r, s)),
      growing > 1 ? fmt::format("; {} growing locations in all", growing) : std::string());
}

void writeProcessChart(std::string& out, const Profile& p) {
  out += "<h2>Process memory over time</h2>\n";
  ChartSpec chart;
  const std::vector<SeriesPoint> rss = p.rssSeries.points();
  const std::vector<SeriesPoint> heap = p.liveSeries.points();
  chart.lines.push_back({&rss, "rss", "RSS"});
  chart.lines.push_back({&heap, "heap", "tracked heap"});
  chart.endS = p.durationS();
  chart.description = "RSS and tracked heap over time";
  out += svgChart(chart);
}

void writeLegend(std::string& out) {
  out += "<dl class=\"legend\">\n";
  for (const SiteClass cls : kClasses) {
    out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", badge(cls), classMeaning(cls));
  }
  out += "</dl>\n";
}

void writeRow(std::string& out, const Analysis& analysis, const RankedSite& r, bool detailed) {
  const SiteProfile& s = analysis.site(r);
  const double growth = r.growthBytesPerSec.value_or(0.0);
  const std::string rank =
      detailed ? fmt::format("<a href=\"#{}\">{}</a>", anchor(r), r.rank) : std::to_string(r.rank);
  out += fmt::format(
      "<tr class=\"{0}\"><td class=\"num\" data-v=\"{1}\">{2}</td>"
      "<td data-v=\"{0}\">{3}</td><td class=\"num\" data-v=\"{4}\">{5}</td>"
      "<td class=\"num\" data-v=\"{6:.3f}\">{6:.2f}</td>",
      className(r.verdict.cls), r.rank, rank, badge(r.verdict.cls), growth, growthText(r, s),
      r.verdict.confidence);
  if (s.isAlloc()) {
    out += fmt::format(
        "<td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td>"
        "<td class=\"num\" data-v=\"{}\">{}</td>",
        liveShown(r, s), bytes(liveShown(r, s)), s.peakLiveBytes, bytes(s.peakLiveBytes), s.allocs,
        s.allocs);
  } else {
    out += fmt::format(
        "<td class=\"num\" data-v=\"0\">—</td><td class=\"num\" data-v=\"0\">—</td>"
        "<td class=\"num\" data-v=\"{0}\">{0} calls</td>",
        s.calls);
  }
  out +=
      fmt::format("<td class=\"where\">{}</td></tr>\n", htmlText(frameLabel(analysis.location(r))));
}

void writeTable(std::string& out, const Analysis& analysis, const HtmlSettings& settings) {
  const auto& sites = analysis.sites();
  const size_t rows = std::min(sites.size(), std::max(settings.rows, settings.top));
  out += fmt::format("<h2>Ranked locations</h2>\n");
  writeLegend(out);
  out +=
      "<table class=\"sortable\" id=\"ranking\">\n<thead><tr><th class=\"num\">#</th>"
      "<th>class</th><th class=\"num\">growth</th><th class=\"num\">confidence</th>"
      "<th class=\"num\">live</th><th class=\"num\">peak</th><th class=\"num\">allocs</th>"
      "<th>location</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < rows; ++i) writeRow(out, analysis, sites[i], i < settings.top);
  out += "</tbody>\n</table>\n";
  if (rows == sites.size()) return;
  // The rest, counted: a compiler's 40,000 locations would make a page no one can open.
  std::array<size_t, kClasses.size()> counts{};
  uint64_t live = 0;
  for (size_t i = rows; i < sites.size(); ++i) {
    ++counts[static_cast<size_t>(sites[i].verdict.cls)];
    live += liveShown(sites[i], analysis.site(sites[i]));
  }
  std::string byClass;
  for (size_t c = 0; c < kClasses.size(); ++c) {
    if (counts[c] == 0) continue;
    byClass +=
        fmt::format("{}{} {}", byClass.empty() ? "" : ", ", counts[c], className(kClasses[c]));
  }
  out += fmt::format(
      "<p class=\"rest\" id=\"rest\">{} more locations not listed ({}), holding {} live in "
      "all; <code>slowburn report --all</code> or <code>slowburn export</code> lists every "
      "one.</p>\n",
      sites.size() - rows, byClass, bytes(live));
}

// The detected growth as a line: the shown slope through the median offset of the late part
// of the run before the exit teardown, where a leak that started late is already climbing.
std::optional<FitLine> growthLine(const RankedSite& r, const SiteProfile& s, const Profile& p) {
  if (!r.growthBytesPerSec || !s.isAlloc()) return std::nullopt;
  const double slope = *r.growthBytesPerSec;
  // A site's series end where the exit's teardown began (the dump marks it).
  const double stop = std::min(p.teardownS.value_or(p.durationS()), p.durationS());
  std::vector<SeriesPoint> kept;
  for (const SeriesPoint& pt : s.series.points()) {
    if (pt.t <= stop) kept.push_back(pt);
  }
  if (kept.size() < 2) return std::nullopt;
  const double start = kept.front().t, end = kept.back().t;
  const double late = end - TrendSettings{}.highWater.lateFraction * (end - start);
  std::vector<double> offsets;
  for (const SeriesPoint& pt : kept) {
    if (pt.t >= late) offsets.push_back(pt.v - slope * pt.t);
  }
  const double offset = medianInPlace(offsets);
  return FitLine{start, offset + slope * start, end, offset + slope * end,
                 "growth " + formatRate(slope)};
}

// The location first, then its callers; the frames from it into the allocator folded away.
void writeStack(std::string& out, const StackView& stack, size_t frames) {
  if (stack.empty()) {
    out += "<p class=\"facts\">no stack was recorded</p>\n";
    return;
  }
  const size_t last = std::min(stack.size(), stack.location() + 1 + frames);
  out += "<ol class=\"stack mono\">\n";
  for (size_t i = stack.location(); i < last; ++i) {
    out += fmt::format("<li class=\"{}\">{}</li>\n", i == stack.location() ? "location" : "caller",
                       htmlText(frameWithPlace(stack[i])));
  }
  out += "</ol>\n";
  if (last < stack.size()) {
    out += fmt::format("<p class=\"facts\">… {} more callers</p>\n", stack.size() - last);
  }
  if (stack.location() == 0) return;
  out += fmt::format(
      "<details class=\"inner\"><summary>{} frames from this line into the allocator</summary>\n"
      "<ol class=\"stack mono\">\n",
      stack.location());
  for (size_t i = stack.location(); i-- > 0;) {
    out += fmt::format("<li class=\"plumbing\">{}</li>\n", htmlText(frameWithPlace(stack[i])));
  }
  out += "</ol>\n</details>\n";
}

void writeSite(std::string& out, const Analysis& analysis, const RankedSite& r,
               const HtmlSettings& settings) {
  const SiteProfile& s = analysis.site(r);
  const Profile& p = analysis.profile();
  out += fmt::format(
      "<section class=\"site {}\" id=\"{}\">\n<h3>#{} {} <span class=\"mono\">{}</span></h3>\n",
      className(r.verdict.cls), anchor(r), r.rank, badge(r.verdict.cls),
      htmlText(frameLabel(analysis.location(r))));
  if (s.isAlloc()) {
    out += fmt::format(
        "<p class=\"facts\">growth <b>{}</b>, confidence <b>{:.2f}</b>; live {} before exit, "
        "{} at end, peak {}; {} allocs, {} frees</p>\n",
        growthText(r, s), r.verdict.confidence, bytes(r.liveBeforeExit), bytes(s.liveBytes),
        bytes(s.peakLiveBytes), s.allocs, s.frees);
  } else {
    out += fmt::format(
        "<p class=\"facts\">{}() call rate, confidence <b>{:.2f}</b>; {} calls moving {}, peak "
        "{:.0f} calls/s</p>\n",
        syscallName(s.op), r.verdict.confidence, s.calls, bytes(s.bytes), s.peakCallRate);
  }
  if (r.retainedBytesPerSyscall && r.correlatedRank != 0) {
    const RankedSite& partner = analysis.sites()[r.correlatedRank - 1];
    const std::string kept = bytes(static_cast<uint64_t>(std::llround(*r.retainedBytesPerSyscall)));
    if (s.isAlloc()) {
      out += fmt::format(
          "<p class=\"facts\">keeps <b>{}</b> per {}() in the same function (#{})</p>\n", kept,
          syscallName(analysis.site(partner).op), partner.rank);
    } else {
      out += fmt::format(
          "<p class=\"facts\">growing locations in this function keep <b>{}</b> per call "
          "(#{})</p>\n",
          kept, partner.rank);
    }
  }
  ChartSpec chart;
  const std::vector<SeriesPoint> points = s.series.points();
  if (s.isAlloc()) {
    chart.lines.push_back({&points, "live", "live bytes"});
    chart.fit = growthLine(r, s, p);
    chart.description = "live bytes over time at " + frameLabel(analysis.location(r));
  } else {
    chart.lines.push_back({&points, "calls", fmt::format("{}() calls/s", syscallName(s.op))});
    chart.unit = ChartUnit::PerSecond;
    chart.description = "calls per second over time at " + frameLabel(analysis.location(r));
  }
  chart.endS = p.durationS();
  out += svgChart(chart);
  writeStack(out, analysis.stack(r), settings.frames);
  if (r.sites.size() > 1) {
    out += fmt::format("<p class=\"facts\">and {} more stacks reach this line</p>\n",
                       r.sites.size() - 1);
  }
  out += "</section>\n";
}

}  // namespace

std::string htmlReport(const Analysis& analysis, const HtmlSettings& settings) {
  const Profile& p = analysis.profile();
  std::string out;
  writeHead(out, p);
  writeHeader(out, analysis);
  writeVerdict(out, analysis);
  writeProcessChart(out, p);
  writeTable(out, analysis, settings);
  const auto& sites = analysis.sites();
  const size_t top = std::min(settings.top, sites.size());
  if (top > 0) out += fmt::format("<h2>Top {} locations</h2>\n", top);
  for (size_t i = 0; i < top; ++i) writeSite(out, analysis, sites[i], settings);
  out += fmt::format("<footer>slowburn html of <span class=\"mono\">{}</span></footer>\n",
                     htmlText(settings.dumpPath));
  out += fmt::format("<script>{}</script>\n</body>\n</html>\n", kHtmlScript);
  return out;
}

}  // namespace slowburn::analyze
