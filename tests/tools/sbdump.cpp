// sbdump: prints every record of a dump as one JSON object per line, then a summary line.
// The end-to-end tests read dumps through it; exit 2 with one line on a bad dump.

#include <cinttypes>
#include <cstdio>
#include <string>

#include "read/dump_reader.hpp"

namespace {

using namespace slowburn;
using namespace slowburn::analyze;

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

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

class JsonLinesPrinter : public DumpVisitor {
 public:
  void onHeader(const Header& h) override {
    std::printf("{\"type\":\"header\",\"pid\":%" PRIu64 ",\"ppid\":%" PRIu64
                ",\"start_realtime_ns\":%" PRIu64 ",\"interval_ms\":%" PRIu64
                ",\"sample_bytes\":%" PRIu64 ",\"stack_depth\":%" PRIu64 ",\"exe\":%s}\n",
                h.pid, h.ppid, h.startRealtimeNs, h.intervalMs, h.sampleBytes, h.stackDepth,
                jsonString(h.exe).c_str());
  }
  void onModule(const Module& m) override {
    std::printf("{\"type\":\"module\",\"id\":%u,\"load_address\":%" PRIu64 ",\"size\":%" PRIu64
                ",\"build_id\":\"%s\",\"path\":%s}\n",
                m.id, m.loadAddress, m.size, hex(m.buildId).c_str(), jsonString(m.path).c_str());
  }
  void onSite(const Site& s) override {
    std::printf("{\"type\":\"site\",\"id\":%u,\"kind\":\"%s\",\"op\":\"%s\",\"frames\":[", s.id,
                s.kind == format::SiteKind::Alloc ? "alloc" : "syscall", opName(s.op));
    for (size_t i = 0; i < s.frames.size(); ++i)
      std::printf("%s%" PRIu64, i == 0 ? "" : ",", s.frames[i]);
    std::printf("]}\n");
    m_kinds.push_back(s.kind);
  }
  void onSnapshot(const Snapshot& snap) override {
    std::printf("{\"type\":\"snapshot\",\"time_ns\":%" PRIu64 ",\"rss_bytes\":%" PRIu64
                ",\"peak_live_bytes\":%" PRIu64 ",\"changes\":[",
                snap.timeNs, snap.rssBytes, snap.peakLiveBytes);
    for (size_t i = 0; i < snap.changes.size(); ++i) {
      const SiteChange& c = snap.changes[i];
      if (m_kinds[c.siteId] == format::SiteKind::Alloc)
        std::printf("%s{\"site\":%u,\"live_bytes\":%" PRIu64 ",\"live_count\":%" PRIu64
                    ",\"allocs_delta\":%" PRIu64 ",\"frees_delta\":%" PRIu64
                    ",\"peak_bytes\":%" PRIu64 "}",
                    i == 0 ? "" : ",", c.siteId, c.liveBytes, c.liveCount, c.allocsDelta,
                    c.freesDelta, c.peakBytes);
      else
        std::printf("%s{\"site\":%u,\"calls_delta\":%" PRIu64 ",\"bytes_delta\":%" PRIu64 "}",
                    i == 0 ? "" : ",", c.siteId, c.callsDelta, c.bytesDelta);
    }
    std::printf("]}\n");
  }
  void onNote(const Note& n) override {
    static const char* const kKinds[] = {"", "dropped_events", "degraded", "info"};
    std::printf("{\"type\":\"note\",\"kind\":\"%s\",\"count\":%" PRIu64 ",\"text\":%s}\n",
                kKinds[static_cast<uint8_t>(n.kind)], n.count, jsonString(n.text).c_str());
  }
  void onEnd(const End& e) override {
    std::printf("{\"type\":\"end\",\"time_ns\":%" PRIu64 ",\"dropped_events\":%" PRIu64 "}\n",
                e.timeNs, e.droppedEvents);
  }

 private:
  std::vector<format::SiteKind> m_kinds;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sbdump DUMP\n");
    return 2;
  }
  try {
    JsonLinesPrinter printer;
    const ReadSummary s = readDump(argv[1], printer);
    std::printf("{\"type\":\"summary\",\"records\":%" PRIu64 ",\"bytes\":%" PRIu64
                ",\"saw_end\":%s,\"truncated\":%s,\"torn_tail_note\":%s}\n",
                s.records, s.bytes, s.sawEnd ? "true" : "false", s.truncated ? "true" : "false",
                jsonString(s.tornTailNote).c_str());
    return 0;
  } catch (const DumpError& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "sbdump: %s\n", e.what());
    return 2;
  }
}
