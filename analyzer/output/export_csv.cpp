#include "output/export_csv.hpp"

#include <fmt/format.h>

#include <cmath>

#include "rank/correlate.hpp"

namespace slowburn::analyze {
namespace {

// Shortest round-trip form; empty for values CSV readers could not parse.
std::string number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

}  // namespace

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string exportCsv(const Analysis& analysis) {
  std::string out =
      "rank,kind,op,class,score,growth_bytes_per_s,confidence,live_bytes_end,peak_live_bytes,"
      "allocs,frees,syscall_calls,syscall_bytes,retained_bytes_per_syscall,function,file,line,"
      "module\r\n";
  for (const RankedSite& r : analysis.sites()) {
    const SiteProfile& s = analysis.site(r);
    const Frame& where = analysis.location(r);
    const TrendVerdict& v = r.verdict;
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n", r.rank, kindName(s.kind),
        syscallName(s.op), className(v.cls), number(v.score),
        number(r.growthBytesPerSec.value_or(0.0)), number(v.confidence), s.liveBytes,
        s.peakLiveBytes, s.allocs, s.frees, s.calls, s.bytes,
        r.retainedBytesPerSyscall ? number(*r.retainedBytesPerSyscall) : std::string(),
        csvField(where.function), csvField(where.file), where.line, csvField(where.module));
  }
  return out;
}

}  // namespace slowburn::analyze
