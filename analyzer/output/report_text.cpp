#include "output/report_text.hpp"

#include <fmt/format.h>

#include <array>

#include "output/frame_text.hpp"
#include "output/rss_text.hpp"
#include "output/terminal.hpp"
#include "output/units.hpp"
#include "rank/correlate.hpp"
#include "symbols/interpreter.hpp"

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

// "  note: " and text wrapped at word boundaries to width, the rest indented beneath it; a
// word longer than a line (a path) is cut.
std::string noteLines(const std::string& text, size_t width, const Palette& pal) {
  const std::string first = "  note: ";
  const std::string rest(first.size(), ' ');
  std::string out;
  std::string line = first;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    start = end + 1;
    if (line.size() > rest.size() && line.size() + 1 + word.size() > width) {
      out += pal.yellow(line) + "\n";
      line = rest;
    }
    if (line.size() > rest.size()) line += ' ';
    line += word;
  }
  return out + pal.yellow(fitWidth(line, width)) + "\n";
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
  if (p.mappingSites > 0) {
    out += fmt::format("  mapped {} at end, peak {} (private anonymous mappings)\n",
                       formatBytes(static_cast<double>(p.mappedBytesEnd)),
                       formatBytes(static_cast<double>(p.peakMappedBytes)));
  }
  if (p.rssAccount) out += "  " + rssAccountLine(*p.rssAccount) + "\n";
  // Ranked at the level of the program's line; a line may be reached by several stacks.
  size_t syscallLines = 0;
  size_t mappingLines = 0;
  for (const RankedSite& r : analysis.sites()) {
    const SiteProfile& site = analysis.site(r);
    syscallLines += site.isAlloc() ? 0 : 1;
    mappingLines += site.isMapping() ? 1 : 0;
  }
  const size_t lines = analysis.sites().size();
  out += fmt::format(
      "  {} sites ({} alloc, {}{} syscall{}): {}\n", lines, lines - syscallLines - mappingLines,
      mappingLines > 0 ? fmt::format("{} mmap, ", mappingLines) : std::string(), syscallLines,
      p.sites.size() > lines ? fmt::format("; {} stacks", p.sites.size()) : std::string(),
      p.sites.empty() ? "none" : classCounts(analysis));

  if (p.read.truncated) {
    out += noteLines("torn tail: " + printable(p.read.tornTailNote), settings.width, pal);
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
    out += noteLines(printable(n.text), settings.width, pal);
  }
  if (p.rssAccount && p.rssAccount->mostlyUnexplained) {
    out += noteLines(kUnexplainedGrowthNote, settings.width, pal);
  }
  if (p.notesLeftOut > 0) {
    out += pal.yellow(fmt::format("  note: {} more NOTE records not shown", p.notesLeftOut)) + "\n";
  }
}

// Where a stack parts from the leading one: the first caller they do not share ("via"),
// else, with the same callers, the first frame of the way into the allocator they do not
// share ("through": push_back's reallocation beside its fast path).
bool sameLine(const Frame& a, const Frame& b) {
  return a.function == b.function && a.file == b.file && a.line == b.line &&
         (a.line != 0 || a.address == b.address);
}

std::string difference(const StackView& stack, const StackView& leading, size_t width,
                       const std::string& prefix) {
  for (size_t i = stack.location() + 1; i < stack.size(); ++i) {
    const size_t j = i - stack.location() + leading.location();
    if (j >= leading.size() || !sameLine(stack[i], leading[j])) {
      return frameLine(prefix + ", via ", stack[i], width);
    }
  }
  for (size_t i = 0; i < stack.location(); ++i) {
    if (i >= leading.location() || !sameLine(stack[i], leading[i])) {
      return frameLine(prefix + ", through ", stack[i], width);
    }
  }
  return prefix;
}

// The location's other stacks, beneath its leading one: each with its share and the caller
// where it parts from the leading stack.
void writeOtherStacks(std::string& out, const Analysis& analysis, const RankedSite& r,
                      const ReportSettings& settings, const Palette& pal) {
  constexpr size_t kShown = 3;
  if (r.sites.size() < 2) return;
  const std::string indent = "       ";
  const size_t others = r.sites.size() - 1;
  out += fmt::format("     and {} more stack{} at this line:\n", others, others == 1 ? "" : "s");
  const StackView leading = analysis.stack(r);
  for (size_t k = 1; k < r.sites.size() && k <= kShown; ++k) {
    const SiteProfile& m = analysis.member(r.sites[k]);
    const std::string share =
        m.isAlloc() ? fmt::format("live {} at end, peak {}; {} allocs",
                                  formatBytes(static_cast<double>(m.liveBytes)),
                                  formatBytes(static_cast<double>(m.peakLiveBytes)), m.allocs)
                    : fmt::format("{} calls", m.calls);
    out +=
        pal.dim(difference(analysis.stackOf(r.sites[k]), leading, settings.width, indent + share)) +
        "\n";
  }
  if (others > kShown) out += pal.dim(fmt::format("{}... {} more", indent, others - kShown)) + "\n";
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
  const Frame& location = analysis.location(r);
  out += pal.bold(frameLine(indent, location, settings.width)) + "\n";
  if (const auto runtime = interpreterOf(location.module)) {
    out += fmt::format("{}these frames are the {} interpreter's, not the script's lines\n", indent,
                       *runtime);
  }

  if (s.isMapping()) {
    out += fmt::format("{}mapped {} at end, peak {}; {} mapping{} made, {} unmapped\n", indent,
                       formatBytes(static_cast<double>(s.liveBytes)),
                       formatBytes(static_cast<double>(s.peakLiveBytes)), s.allocs,
                       s.allocs == 1 ? "" : "s", s.frees);
  } else if (s.isAlloc()) {
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
  if (r.takesOverFromRank != 0) {
    const RankedSite& source = analysis.sites()[r.takesOverFromRank - 1];
    out += frameLine(indent + fmt::format("climbs only as #{} falls: bytes changing hands from ",
                                          source.rank),
                     analysis.location(source), settings.width) +
           "\n";
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
  writeOtherStacks(out, analysis, r, settings, pal);
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
