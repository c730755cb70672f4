// sbdump: a dump read back through the analyzer's reader, for tests and for a look inside.
//   sbdump DUMP          one line: what the dump holds and how it ends
//   sbdump --json DUMP   one JSON object per line: every record in file order, then each
//                        site's totals over the run (the analyzer's profile), then the read
//                        summary. The end-to-end tests read dumps this way.
// A dump the reader refuses: one line on stderr and exit 2.

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "output/json_writer.hpp"
#include "read/dump_reader.hpp"
#include "read/profile.hpp"

namespace {

using namespace slowburn;
using namespace slowburn::analyze;

std::string hex(const std::string& bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

const char* opName(format::SyscallOp op) {
  return op == format::SyscallOp::None ? "none" : format::syscallName(op);
}

const char* noteKindName(format::NoteKind kind) {
  switch (kind) {
    case format::NoteKind::DroppedEvents: return "dropped_events";
    case format::NoteKind::Degraded: return "degraded";
    case format::NoteKind::Info: return "info";
  }
  return "unknown";
}

// One JSON object on one line, written to stdout when it closes.
class Line {
 public:
  explicit Line(std::string_view type) : m_json(m_text) {
    m_json.setCompact(true);
    m_json.beginObject();
    field("type", type);
  }
  ~Line() {
    m_json.endObject();
    std::fwrite(m_text.data(), 1, m_text.size(), stdout);
  }
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  template <class T>
  Line& field(std::string_view key, const T& value) {
    m_json.key(key);
    m_json.value(value);
    return *this;
  }
  JsonWriter& json() { return m_json; }

 private:
  std::string m_text;
  JsonWriter m_json;
};

// Prints every record as it is read and passes it on to the profile.
class JsonLines : public DumpVisitor {
 public:
  explicit JsonLines(ProfileBuilder& profile) : m_profile(profile) {}

  void onHeader(const Header& h) override {
    Line("header")
        .field("pid", h.pid)
        .field("ppid", h.ppid)
        .field("start_realtime_ns", h.startRealtimeNs)
        .field("interval_ms", h.intervalMs)
        .field("sample_bytes", h.sampleBytes)
        .field("stack_depth", h.stackDepth)
        .field("exe", h.exe);
    m_profile.onHeader(h);
  }
  void onModule(const Module& m) override {
    Line("module")
        .field("id", uint64_t{m.id})
        .field("load_address", m.loadAddress)
        .field("size", m.size)
        .field("build_id", hex(m.buildId))
        .field("path", m.path);
    m_profile.onModule(m);
  }
  void onSite(const Site& s) override {
    Line line("site");
    line.field("id", uint64_t{s.id}).field("kind", kindName(s.kind)).field("op", opName(s.op));
    JsonWriter& w = line.json();
    w.key("frames");
    w.beginArray();
    for (const uint64_t frame : s.frames) w.value(frame);
    w.endArray();
    m_profile.onSite(s);
  }
  void onSnapshot(const Snapshot& snap) override {
    Line line("snapshot");
    line.field("time_ns", snap.timeNs)
        .field("rss_bytes", snap.rssBytes)
        .field("peak_live_bytes", snap.peakLiveBytes);
    JsonWriter& w = line.json();
    w.key("changes");
    w.beginArray();
    for (const SiteChange& c : snap.changes) {
      w.beginObject();
      w.key("site");
      w.value(uint64_t{c.siteId});
      const bool alloc = format::holdsBytes(c.kind);
      const std::pair<const char*, uint64_t> fields[] = {
          {"live_bytes", c.liveBytes},     {"live_count", c.liveCount},
          {"allocs_delta", c.allocsDelta}, {"frees_delta", c.freesDelta},
          {"peak_bytes", c.peakBytes},     {"calls_delta", c.callsDelta},
          {"bytes_delta", c.bytesDelta}};
      // Only the fields the site's kind carries on disk.
      for (size_t i = alloc ? 0 : 5; i < (alloc ? 5 : 7); ++i) {
        w.key(fields[i].first);
        w.value(fields[i].second);
      }
      w.endObject();
    }
    w.endArray();
    m_profile.onSnapshot(snap);
  }
  void onNote(const Note& n) override {
    Line("note").field("kind", noteKindName(n.kind)).field("count", n.count).field("text", n.text);
    m_profile.onNote(n);
  }
  void onEnd(const End& e) override {
    Line("end")
        .field("time_ns", e.timeNs)
        .field("dropped_events", e.droppedEvents)
        .field("collector_peak_rss_bytes", e.collectorPeakRssBytes)
        .field("block_map_peak_bytes", e.blockMapPeakBytes)
        .field("block_map_peak_blocks", e.blockMapPeakBlocks);
    m_profile.onEnd(e);
  }
  void onTeardown(const Teardown& t) override {
    Line("teardown").field("time_ns", t.timeNs);
    m_profile.onTeardown(t);
  }

 private:
  ProfileBuilder& m_profile;
};

// Counts records by kind for the one-line view.
class Census : public DumpVisitor {
 public:
  uint64_t modules = 0, sites = 0, snapshots = 0, notes = 0;
  void onModule(const Module&) override { ++modules; }
  void onSite(const Site&) override { ++sites; }
  void onSnapshot(const Snapshot&) override { ++snapshots; }
  void onNote(const Note&) override { ++notes; }
};

void printTotals(const Profile& profile) {
  for (const SiteProfile& s : profile.sites) {
    Line("site_totals")
        .field("site", uint64_t{s.id})
        .field("live_bytes", s.liveBytes)
        .field("live_count", s.liveCount)
        .field("allocs", s.allocs)
        .field("frees", s.frees)
        .field("peak_bytes", s.peakLiveBytes)
        .field("calls", s.calls)
        .field("bytes", s.bytes);
  }
}

int usage() {
  std::fprintf(stderr, "usage: sbdump [--json] DUMP\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const bool json = argc == 3 && std::strcmp(argv[1], "--json") == 0;
  if (argc != (json ? 3 : 2) || argv[argc - 1][0] == '-') return usage();
  const std::string path = argv[argc - 1];
  try {
    if (json) {
      ProfileBuilder builder;
      JsonLines printer(builder);
      const ReadSummary s = readDump(path, printer);
      printTotals(builder.finish(s));
      Line("summary")
          .field("records", s.records)
          .field("bytes", s.bytes)
          .field("saw_end", s.sawEnd)
          .field("chunked", s.chunked)
          .field("truncated", s.truncated)
          .field("torn_tail_note", s.tornTailNote);
      return 0;
    }
    Census census;
    const ReadSummary s = readDump(path, census);
    std::printf("%s: %" PRIu64 " records, %" PRIu64 " bytes: %" PRIu64 " modules, %" PRIu64
                " sites, %" PRIu64 " snapshot records, %" PRIu64 " notes; %s\n",
                path.c_str(), s.records, s.bytes, census.modules, census.sites, census.snapshots,
                census.notes,
                s.sawEnd      ? "ends with END"
                : s.truncated ? s.tornTailNote.c_str()
                              : "no END: the process was killed or left through _exit");
    return 0;
  } catch (const DumpError& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "sbdump: %s\n", e.what());
    return 2;
  }
}
