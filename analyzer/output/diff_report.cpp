#include "output/diff_report.hpp"

#include <fmt/format.h>

#include "output/frame_text.hpp"
#include "output/json_frame.hpp"
#include "output/json_writer.hpp"
#include "output/terminal.hpp"
#include "output/units.hpp"

namespace slowburn::analyze {
namespace {

// B's location when it has one: the line as the newer build calls it.
const Frame& whereOf(const DiffRun& a, const DiffRun& b, const DiffRow& row) {
  return row.b ? b.analysis->location(*row.b) : a.analysis->location(*row.a);
}

std::string classOf(const RankedSite* r) { return r ? className(r->verdict.cls) : "—"; }

std::string growthOf(const RankedSite* r, double growth) {
  if (r == nullptr) return "—";
  if (!r->growthBytesPerSec) return "0";
  return (growth > 0 ? "+" : "") + formatRate(growth);
}

std::string liveOf(const RankedSite* r, uint64_t live, const Analysis& analysis) {
  if (r == nullptr) return "—";
  if (!analysis.site(*r).isAlloc()) return "calls";
  return formatBytes(static_cast<double>(live));
}

std::string changeText(const DiffRow& row) {
  if (row.newGrowth) return "NEW GROWTH";
  switch (row.change) {
    case DiffChange::New: return "new";
    case DiffChange::Gone: return "gone";
    case DiffChange::ClassChanged: return "changed";
    case DiffChange::Same: return "";
  }
  return "";
}

std::string runLine(const char* name, const DiffRun& run) {
  const Profile& p = run.analysis->profile();
  return fmt::format("  {}: {} (pid {}), ran {}, {} locations; {}\n", name, printable(p.header.exe),
                     p.header.pid, formatDuration(p.durationS()), run.analysis->sites().size(),
                     printable(run.path));
}

void writeRun(JsonWriter& w, const DiffRun& run) {
  const Profile& p = run.analysis->profile();
  w.beginObject();
  w.key("dump");
  w.value(run.path);
  w.key("exe");
  w.value(p.header.exe);
  w.key("pid");
  w.value(p.header.pid);
  w.key("duration_s");
  w.value(p.durationS());
  w.key("snapshots");
  w.value(p.snapshotPoints);
  w.key("locations");
  w.value(static_cast<uint64_t>(run.analysis->sites().size()));
  w.endObject();
}

void writeSide(JsonWriter& w, const Analysis& analysis, const RankedSite* r, double growth,
               uint64_t live) {
  if (r == nullptr) {
    w.null();
    return;
  }
  const SiteProfile& s = analysis.site(*r);
  w.beginObject();
  w.key("rank");
  w.value(static_cast<uint64_t>(r->rank));
  w.key("class");
  w.value(className(r->verdict.cls));
  w.key("growth_bytes_per_s");
  w.value(growth);
  w.key("confidence");
  w.value(r->verdict.confidence);
  w.key("live_bytes_before_exit");
  w.value(live);
  w.key("peak_live_bytes");
  w.value(s.peakLiveBytes);
  w.key("allocs");
  w.value(s.allocs);
  w.key("syscall_calls");
  w.value(s.calls);
  w.key("location");
  w.setCompact(true);
  writeFrame(w, analysis.location(*r));
  w.setCompact(false);
  w.endObject();
}

}  // namespace

std::string diffText(const DiffRun& a, const DiffRun& b, const RunDiff& diff,
                     const DiffTextSettings& settings) {
  std::string out = "slowburn diff: what changed from A to B, worst first\n";
  out += runLine("A", a);
  out += runLine("B", b);
  out += fmt::format(
      "  {} newly growing, {} no longer growing; {} matched ({} changed class), {} new, {} "
      "gone\n",
      diff.newGrowth, diff.stoppedGrowing, diff.matched, diff.classChanged, diff.added, diff.gone);
  if (diff.rows.empty()) return out;
  out += fmt::format("\n{:<10}  {:>9} -> {:<9}  {:>13} -> {:<13}  {:>9} -> {:<9}  {}\n", "change",
                     "class A", "class B", "growth A", "growth B", "live A", "live B", "location");
  const size_t shown = settings.all ? diff.rows.size() : std::min(settings.top, diff.rows.size());
  for (size_t i = 0; i < shown; ++i) {
    const DiffRow& row = diff.rows[i];
    std::string where = printable(frameLabel(whereOf(a, b, row)));
    if (row.moved) {
      where += fmt::format(" (line {} in A)", a.analysis->location(*row.a).line);
    }
    const SiteProfile& s = row.b ? b.analysis->site(*row.b) : a.analysis->site(*row.a);
    if (!s.isAlloc()) where = fmt::format("{}() at {}", syscallName(s.op), where);
    out += fmt::format(
        "{:<10}  {:>9} -> {:<9}  {:>13} -> {:<13}  {:>9} -> {:<9}  {}\n", changeText(row),
        classOf(row.a), classOf(row.b), growthOf(row.a, row.growthA), growthOf(row.b, row.growthB),
        liveOf(row.a, row.liveA, *a.analysis), liveOf(row.b, row.liveB, *b.analysis), where);
  }
  if (shown < diff.rows.size()) {
    out +=
        fmt::format("\n{} more locations not shown (--top N or --all)\n", diff.rows.size() - shown);
  }
  return out;
}

std::string diffJson(const DiffRun& a, const DiffRun& b, const RunDiff& diff) {
  std::string out;
  JsonWriter w(out);
  w.beginObject();
  w.key("format");
  w.value("slowburn-diff");
  w.key("version");
  w.value(1);
  w.key("a");
  writeRun(w, a);
  w.key("b");
  writeRun(w, b);
  w.key("summary");
  w.setCompact(true);
  w.beginObject();
  w.key("matched");
  w.value(static_cast<uint64_t>(diff.matched));
  w.key("class_changed");
  w.value(static_cast<uint64_t>(diff.classChanged));
  w.key("new");
  w.value(static_cast<uint64_t>(diff.added));
  w.key("gone");
  w.value(static_cast<uint64_t>(diff.gone));
  w.key("new_growth");
  w.value(static_cast<uint64_t>(diff.newGrowth));
  w.key("stopped_growing");
  w.value(static_cast<uint64_t>(diff.stoppedGrowing));
  w.endObject();
  w.setCompact(false);
  w.key("locations");
  w.beginArray();
  for (const DiffRow& row : diff.rows) {
    const SiteProfile& s = row.b ? b.analysis->site(*row.b) : a.analysis->site(*row.a);
    w.beginObject();
    w.key("change");
    w.value(diffChangeName(row.change));
    w.key("new_growth");
    w.value(row.newGrowth);
    w.key("moved");
    w.value(row.moved);
    w.key("kind");
    w.value(s.isAlloc() ? "alloc" : "syscall");
    if (!s.isAlloc()) {
      w.key("op");
      w.value(syscallName(s.op));
    }
    w.key("growth_delta_bytes_per_s");
    w.value(row.growthB - row.growthA);
    w.key("live_delta_bytes");
    w.value(static_cast<int64_t>(row.liveB) - static_cast<int64_t>(row.liveA));
    w.key("a");
    writeSide(w, *a.analysis, row.a, row.growthA, row.liveA);
    w.key("b");
    writeSide(w, *b.analysis, row.b, row.growthB, row.liveB);
    w.endObject();
  }
  w.endArray();
  w.endObject();
  out += '\n';
  return out;
}

}  // namespace slowburn::analyze
