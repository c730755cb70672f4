#include "output/export_json.hpp"

#include <fmt/format.h>

#include "output/json_frame.hpp"
#include "output/json_writer.hpp"
#include "output/rss_text.hpp"
#include "rank/correlate.hpp"
#include "symbols/interpreter.hpp"

namespace slowburn::analyze {
namespace {

void writeRssAccount(JsonWriter& w, const Profile& p) {
  w.key("rss_account");
  if (!p.rssAccount) {
    w.null();
    return;
  }
  const RssAccount& a = *p.rssAccount;
  w.setCompact(true);
  w.beginObject();
  w.key("from_s");
  w.value(a.fromS);
  w.key("to_s");
  w.value(a.toS);
  w.key("rss_growth_bytes");
  w.value(a.rssGrowth);
  w.key("heap_growth_bytes");
  w.value(a.heapGrowth);
  w.key("mapped_growth_bytes");
  w.value(a.mappedGrowth);
  w.key("explained");
  w.value(a.explained);
  w.key("mostly_unexplained");
  w.value(a.mostlyUnexplained);
  w.key("text");
  w.value(rssAccountLine(a));
  w.endObject();
  w.setCompact(false);
}

void writeProcess(JsonWriter& w, const Profile& p) {
  w.key("process");
  w.beginObject();
  w.key("pid");
  w.value(p.header.pid);
  w.key("ppid");
  w.value(p.header.ppid);
  w.key("exe");
  w.value(p.header.exe);
  w.key("duration_s");
  w.value(p.durationS());
  w.key("snapshots");
  w.value(p.snapshotPoints);
  w.key("interval_ms");
  w.value(p.header.intervalMs);
  w.key("sample_bytes");
  w.value(p.header.sampleBytes);
  w.key("truncated");
  w.value(p.read.truncated);
  w.key("clean_exit");
  w.value(p.end.has_value());
  w.key("dropped_events");
  w.value(p.droppedEvents());
  w.key("rss_bytes_end");
  w.value(p.rssEnd);
  w.key("peak_rss_bytes");
  w.value(p.peakRss);
  w.key("mapped_bytes_end");
  w.value(p.mappedBytesEnd);
  w.key("peak_mapped_bytes");
  w.value(p.peakMappedBytes);
  writeRssAccount(w, p);
  w.key("notes");
  w.beginArray();
  if (p.read.truncated) {
    w.value(p.read.tornTailNote);
  } else if (!p.end) {
    w.value(kNoEndNote);
  }
  for (const Note& n : p.notes) w.value(n.text);
  if (p.rssAccount && p.rssAccount->mostlyUnexplained) w.value(kUnexplainedGrowthNote);
  if (p.notesLeftOut > 0) w.value(fmt::format("{} more NOTE records not kept", p.notesLeftOut));
  w.endArray();
  w.endObject();
}

void writeTotals(JsonWriter& w, const Profile& p) {
  w.key("totals");
  w.beginObject();
  w.key("live_bytes_end");
  w.value(p.liveBytesEnd);
  w.key("peak_live_bytes");
  w.value(p.peakLiveBytes);
  w.key("allocs");
  w.value(p.allocs);
  w.key("frees");
  w.value(p.frees);
  w.endObject();
}

// One of a location's stacks on its own: its dump id, counters and frames.
void writeStack(JsonWriter& w, const Analysis& analysis, size_t site) {
  const SiteProfile& m = analysis.member(site);
  w.beginObject();
  w.key("id");
  w.value(static_cast<uint64_t>(m.id));
  if (m.isAlloc()) {
    w.key("live_bytes_end");
    w.value(m.liveBytes);
    w.key("peak_live_bytes");
    w.value(m.peakLiveBytes);
    w.key("allocs");
    w.value(m.allocs);
    w.key("frees");
    w.value(m.frees);
  } else {
    w.key("syscall_calls");
    w.value(m.calls);
    w.key("syscall_bytes");
    w.value(m.bytes);
  }
  const StackView stack = analysis.stackOf(site);
  w.key("frames");
  w.beginArray();
  w.setCompact(true);
  for (size_t i = 0; i < stack.size(); ++i) writeFrame(w, stack[i]);
  w.setCompact(false);
  w.endArray();
  w.endObject();
}

void writeSite(JsonWriter& w, const Analysis& analysis, const RankedSite& r) {
  const SiteProfile& s = analysis.site(r);
  const TrendVerdict& v = r.verdict;
  w.beginObject();
  w.key("rank");
  w.value(static_cast<uint64_t>(r.rank));
  w.key("id");  // the leading stack's: the totals carry whichever stack was summed into
  w.value(static_cast<uint64_t>(analysis.member(r.siteIndex).id));
  w.key("kind");
  w.value(kindName(s.kind));
  if (!s.isAlloc()) {
    w.key("op");
    w.value(syscallName(s.op));
  }
  w.key("class");
  w.value(className(v.cls));
  w.key("score");
  w.value(v.score);
  // A syscall site holds no memory: its trend is in calls/s per second, reported apart.
  w.key("growth_bytes_per_s");
  w.value(r.growthBytesPerSec.value_or(0.0));
  if (!s.isAlloc()) {
    w.key("growth_calls_per_s2");
    w.value(v.growthBytesPerSec);
  }
  w.key("confidence");
  w.value(v.confidence);
  w.key("live_bytes_end");
  w.value(s.liveBytes);
  w.key("peak_live_bytes");
  w.value(s.peakLiveBytes);
  w.key("live_bytes_before_exit");
  w.value(r.liveBeforeExit);
  w.key("live_count_end");
  w.value(s.liveCount);
  w.key("allocs");
  w.value(s.allocs);
  w.key("frees");
  w.value(s.frees);
  w.key("syscall_calls");
  w.value(s.calls);
  w.key("syscall_bytes");
  w.value(s.bytes);
  w.key("retained_bytes_per_syscall");
  w.value(r.retainedBytesPerSyscall);
  // A rank of 0 is none.
  const auto rankOrNone = [](auto rank) {
    return rank != 0 ? std::optional<uint64_t>(rank) : std::nullopt;
  };
  w.key("takes_over_from_rank");
  w.value(rankOrNone(r.takesOverFromRank));
  w.key("correlated_rank");
  w.value(rankOrNone(r.correlatedRank));

  const StackView stack = analysis.stack(r);
  w.key("interpreter");
  w.value(interpreterOf(analysis.location(r).module));
  w.key("location");
  w.setCompact(true);
  writeFrame(w, analysis.location(r));
  w.setCompact(false);
  w.key("frames");
  w.beginArray();
  w.setCompact(true);
  for (size_t i = 0; i < stack.size(); ++i) writeFrame(w, stack[i]);
  w.setCompact(false);
  w.endArray();

  if (r.sites.size() > 1) {
    // The line's stacks, the leading one (this entry's frames) first.
    w.key("stacks");
    w.beginArray();
    for (const size_t site : r.sites) writeStack(w, analysis, site);
    w.endArray();
  }

  w.key("trend");
  w.setCompact(true);
  w.beginObject();
  w.key("points");
  w.value(static_cast<uint64_t>(v.points));
  // The robust slope whatever the class; growth_bytes_per_s is 0 unless GROWING.
  w.key("slope_per_s");
  w.value(v.growthBytesPerSec);
  w.key("mann_kendall_z");
  w.value(v.mk.z);
  w.key("kendall_tau");
  w.value(v.mk.tau);
  w.key("early_slope");
  w.value(v.earlySlope);
  w.key("late_slope");
  w.value(v.lateSlope);
  w.key("saturation");
  w.value(v.hw.saturation);
  w.key("ratchet");
  w.value(v.hw.ratchet);
  w.key("drift");
  w.value(v.hw.drift);
  w.key("breath");
  w.value(v.breath);
  w.key("steps");
  w.value(static_cast<uint64_t>(v.steps.steps));
  if (v.steps.applies) {
    w.key("step_rate_per_s");
    w.value(v.steps.rate);
    w.key("step_lateness");
    w.value(v.steps.lateness);
    w.key("step_late_limit");
    w.value(v.steps.lateLimit);
  }
  w.endObject();
  w.setCompact(false);
  w.endObject();
}

}  // namespace

std::string exportJson(const Analysis& analysis) {
  return collectPieces([&](const TextSink& sink) { exportJson(analysis, sink); });
}

void exportJson(const Analysis& analysis, const TextSink& sink) {
  PieceWriter out(sink);
  JsonWriter w(out.text());
  const Profile& p = analysis.profile();
  w.beginObject();
  w.key("format");
  w.value("slowburn-report");
  w.key("version");
  w.value(1);
  writeProcess(w, p);
  writeTotals(w, p);
  w.key("sites");
  w.beginArray();
  for (const RankedSite& r : analysis.sites()) {
    writeSite(w, analysis, r);
    out.maybeHandOver();
  }
  w.endArray();
  w.endObject();
  out.handOver();
}

}  // namespace slowburn::analyze
