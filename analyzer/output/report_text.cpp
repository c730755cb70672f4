#include "output/report_text.hpp"

#include <fmt/format.h>

#include <array>

#include "output/frame_text.hpp"
#include "output/terminal.hpp"
#include "output/units.hpp"
#include "rank/correlate.hpp"

namespace slowburn::analyze {
namespace {

constexpr std::array<SiteClass, 5> kClasses{SiteClass::Growing, SiteClass::Plateau,
                                            SiteClass::Churn, SiteClass::Transient,
                                            SiteClass::Stable};

std::string paintClass(const Palette& pal, SiteClass cls) {
  const std::string name = fmt::format("{:<9}", className(cls));
  switch (cls) {
    case SiteClass::Growing: return pal.red(name);
    case SiteClass::Plateau: return pal.yellow(name);
    case SiteClass::Churn: return pal.cyan(name);
    case SiteClass::Transient:
    case SiteClass::Stable: return pal.green(name);
  }
  return name;
}

// A frame line keeps its location visible: a long function name is cut, not the file:line.
std::string frameLine(const std::string& indent, const Frame& f, size_t width) {
  std::string line = indent + printable(frameWithPlace(f));
  if (line.size() <= width) return line;
  const std::string tail = line.substr(line.rfind(" ("));
  if (tail.size() + indent.size() + 10 > width) return fitWidth(line, width);
  return fitWidth(line.substr(0, line.size() - tail.size()), width - tail.size()) + tail;
}

std::string classCounts(const Analysis& analysis) {
  std::array<size_t, kClasses.size()> counts{};
  for (const RankedSite& r : analysis.sites()) ++counts[static_cast<size_t>(r.verdict.cls)];
  std::string out;
  for (size_t i = 0; i < kClasses.size(); ++i) {
    if (counts[i] == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", counts[i], className(kClasses[i]));
  }
  return out;
}

void writeHeader(std::string& out, const Analysis& analysis, const ReportSettings& settings,
                 const Palette& pal) {
  const Profile& p = analysis.profile();
  const std::string title = "slowburn report: ";
  out += pal.bold(title) +
         fitWidth(fmt::format("{} (pid {})", printable(p.header.exe), p.header.pid),
                  settings.width - title.size()) +
         "\n";
  out += fmt::format("  ran {}, {} snapshot{} every {} ms{}\n", formatDuration(p.durationS()),
                     p.snapshotPoints, p.snapshotPoints == 1 ? "" : "s", p.header.intervalMs,
                     p.header.sampleBytes > 0
                         ? fmt::format(", sampled every {} on average",
                                       formatBytes(static_cast<double>(p.header.sampleBytes)))
                         : std::string());
  out += fmt::format("  live {} at end, peak {}; RSS {} at end, peak {}\n",
                     formatBytes(static_cast<double>(p.liveBytesEnd)),
                     formatBytes(static_cast<double>(p.peakLiveBytes)),
                     formatBytes(static_cast<double>(p.rssEnd)),
                     formatBytes(static_cast<double>(p.peakRss)));
  size_t syscallSites = 0;
  for (const SiteProfile& s : p.sites) syscallSites += s.isAlloc() ? 0 : 1;
  out += fmt::format("  {} sites ({} alloc, {} syscall): {}\n", p.sites.size(),
                     p.sites.size() - syscallSites, syscallSites,
                     p.sites.empty() ? "none" : classCounts(analysis));

  if (p.read.truncated) {
    out += pal.yellow(
               fitWidth("  note: torn tail: " + printable(p.read.tornTailNote), settings.width)) +
           "\n";
  } else if (!p.end) {
    out += pal.yellow(std::string("  note: ") + kNoEndNote) + "\n";
  }
  if (const uint64_t dropped = p.droppedEvents(); dropped > 0) {
    out += pal.yellow(
               fmt::format("  note: {} events dropped by the recorder: figures are low", dropped)) +
           "\n";
  }
  for (const Note& n : p.notes) {
    if (n.kind == format::NoteKind::DroppedEvents) continue;
    out += pal.yellow(fitWidth("  note: " + printable(n.text), settings.width)) + "\n";
  }
  if (p.notesLeftOut > 0) {
    out += pal.yellow(fmt::format("  note: {} more NOTE records not shown", p.notesLeftOut)) + "\n";
  }
}

void writeSite(std::string& out, const Analysis& analysis, const RankedSite& r,
               const ReportSettings& settings, const Palette& pal) {
  const SiteProfile& s = analysis.site(r);
  const TrendVerdict& v = r.verdict;
  const std::string rank = pal.bold(fmt::format("#{:<3}", r.rank));
  if (s.isAlloc()) {
    const std::string growth = r.growthBytesPerSec ? (*r.growthBytesPerSec > 0 ? "+" : "") +
                                                         formatRate(*r.growthBytesPerSec)
                                                   : "—";
    out += fmt::format("{} {} growth {:>11}  confidence {:.2f}\n", rank, paintClass(pal, v.cls),
                       growth, v.confidence);
  } else {
    // A syscall site's class describes its call rate.
    out += fmt::format("{} {} {}() call rate, confidence {:.2f}\n", rank, paintClass(pal, v.cls),
                       syscallName(s.op), v.confidence);
  }

  const std::string indent = "     ";
  const StackView stack = analysis.stack(r);
  out += pal.bold(frameLine(indent, analysis.location(r), settings.width)) + "\n";

  if (s.isAlloc()) {
    // A global container freed by its destructor at exit still grew while the program ran.
    const std::string beforeExit =
        r.liveBeforeExit > 2 * s.liveBytes + 1024
            ? fmt::format(" ({} before exit)", formatBytes(static_cast<double>(r.liveBeforeExit)))
            : std::string();
    out += fmt::format("{}live {} at end{}, peak {}; {} allocs, {} frees\n", indent,
                       formatBytes(static_cast<double>(s.liveBytes)), beforeExit,
                       formatBytes(static_cast<double>(s.peakLiveBytes)), s.allocs, s.frees);
  } else {
    out += fmt::format("{}{} calls moving {}, peak {:.0f} calls/s\n", indent, s.calls,
                       formatBytes(static_cast<double>(s.bytes)), s.peakCallRate);
  }
  if (r.retainedBytesPerSyscall) {
    const RankedSite& partner = analysis.sites()[r.correlatedRank - 1];
    const SiteProfile& ps = analysis.site(partner);
    if (s.isAlloc()) {
      out += pal.bold(fmt::format("{}keeps {} per {}() at the same function ({} calls, #{})",
                                  indent, formatBytes(*r.retainedBytesPerSyscall),
                                  syscallName(ps.op), ps.calls, partner.rank)) +
             "\n";
    } else {
      out += fmt::format("{}growing sites in this function keep {} per call (#{})\n", indent,
                         formatBytes(*r.retainedBytesPerSyscall), partner.rank);
    }
  }

  const size_t first = stack.location() + 1;
  const size_t last = std::min(stack.size(), first + settings.frames);
  for (size_t i = first; i < last; ++i) {
    out += pal.dim(frameLine(indent + "  from ", stack[i], settings.width)) + "\n";
  }
  if (last < stack.size()) {
    out += pal.dim(fmt::format("{}  ... {} more frame{} (--frames N)", indent, stack.size() - last,
                               stack.size() - last == 1 ? "" : "s")) +
           "\n";
  }
}

}  // namespace

std::string fitWidth(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  size_t keep = width <= 3 ? width : width - 3;
  // Back off over continuation bytes (10xxxxxx) so a multi-byte character is not split.
  while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) --keep;
  return s.substr(0, keep) + (width <= 3 ? "" : "...");
}

void reportText(const Analysis& analysis, const ReportSettings& settings, const TextSink& sink) {
  const Palette pal(settings.color);
  PieceWriter out(sink);
  writeHeader(out.text(), analysis, settings, pal);
  const auto& sites = analysis.sites();
  const size_t shown = settings.all ? sites.size() : std::min(settings.top, sites.size());
  for (size_t i = 0; i < shown; ++i) {
    out.text() += '\n';
    writeSite(out.text(), analysis, sites[i], settings, pal);
    out.maybeHandOver();
  }
  if (shown < sites.size()) {
    out.text() += fmt::format("\n{} more site{} not shown (--top N or --all)\n",
                              sites.size() - shown, sites.size() - shown == 1 ? "" : "s");
  }
  out.handOver();
}

std::string reportText(const Analysis& analysis, const ReportSettings& settings) {
  return collectPieces([&](const TextSink& sink) { reportText(analysis, settings, sink); });
}

}  // namespace slowburn::analyze
