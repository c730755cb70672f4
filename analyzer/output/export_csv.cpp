#include "output/export_csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "output/terminal.hpp"
#include "rank/correlate.hpp"

namespace slowburn::analyze {
namespace {

// Shortest round-trip form; empty for values CSV readers could not parse.
std::string number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

}  // namespace

std::string csvField(std::string_view s) {
  std::string safe;
  safe.reserve(s.size());
  // CR and LF are kept (quoted below); each stretch between them follows the terminal rule.
  for (size_t from = 0; from <= s.size();) {
    const size_t end = std::min(s.find_first_of("\r\n", from), s.size());
    appendPrintable(safe, s.substr(from, end - from));
    if (end == s.size()) break;
    safe += s[end];
    from = end + 1;
  }
  if (safe.find_first_of(",\"\r\n") == std::string::npos) return safe;
  std::string out = "\"";
  for (char c : safe) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void exportCsv(const Analysis& analysis, const TextSink& sink) {
  PieceWriter out(sink);
  out.text() =
      "rank,kind,op,class,score,growth_bytes_per_s,confidence,live_bytes_end,peak_live_bytes,"
      "allocs,frees,syscall_calls,syscall_bytes,retained_bytes_per_syscall,function,file,line,"
      "module\r\n";
  for (const RankedSite& r : analysis.sites()) {
    const SiteProfile& s = analysis.site(r);
    const Frame& where = analysis.location(r);
    const TrendVerdict& v = r.verdict;
    fmt::format_to(
        std::back_inserter(out.text()), "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
        r.rank, kindName(s.kind), syscallName(s.op), className(v.cls), number(v.score),
        number(r.growthBytesPerSec.value_or(0.0)), number(v.confidence), s.liveBytes,
        s.peakLiveBytes, s.allocs, s.frees, s.calls, s.bytes,
        r.retainedBytesPerSyscall ? number(*r.retainedBytesPerSyscall) : std::string(),
        csvField(where.function), csvField(where.file), where.line, csvField(where.module));
    out.maybeHandOver();
  }
  out.handOver();
}

std::string exportCsv(const Analysis& analysis) {
  return collectPieces([&](const TextSink& sink) { exportCsv(analysis, sink); });
}

}  // namespace slowburn::analyze
