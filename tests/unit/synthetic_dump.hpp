#pragma once
// Builds dumps in memory with the format's own encoders (slowburn/record_codec.hpp), for
// tests of the reader and analyzer.

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "slowburn/record_codec.hpp"

namespace slowburn::testing {

struct AllocChange {
  uint32_t site;
  uint64_t liveBytes, liveCount, allocs, frees;
  uint64_t peakBytes = 0;  // the encoder writes max(peakBytes, liveBytes)
};
struct SyscallChange {
  uint32_t site;
  uint64_t calls, bytes;
};

class SyntheticDump {
 public:
  // recordBytes: the encoding buffer; a snapshot that does not fit is split as the
  // preload splits it. version: the format version written (records are not chunked).
  explicit SyntheticDump(size_t recordBytes = size_t{1} << 20, uint32_t version = format::kVersion)
      : m_scratch(recordBytes), m_version(version) {
    m_bytes.resize(format::kPreambleBytes);
    format::writePreamble(m_bytes.data(), version);
  }

  uint32_t version() const { return m_version; }

  // Appends any record of slowburn/records.hpp, views or owning.
  template <class Record>
  SyntheticDump& add(const Record& record) {
    format::RecordBuilder b(m_scratch.data(), m_scratch.size(), m_version);
    format::writeRecord(b, record, [this](const format::RecordBytes& r) {
      m_bytes.insert(m_bytes.end(), r.data, r.data + r.size);
      ++m_records;
      return r.size != 0;
    });
    return *this;
  }

  SyntheticDump& header(uint64_t pid = 42, const std::string& exe = "/bin/app",
                        uint64_t intervalMs = 100) {
    return add(format::HeaderView{.pid = pid,
                                  .ppid = 1,
                                  .startRealtimeNs = 1'700'000'000'000'000'000ull,
                                  .intervalMs = intervalMs,
                                  .stackDepth = 32,
                                  .exe = exe});
  }

  SyntheticDump& module(uint32_t id, uint64_t load, uint64_t size, const std::string& path,
                        const std::string& buildId = "") {
    return add(format::ModuleView{
        .id = id, .loadAddress = load, .size = size, .buildId = buildId, .path = path});
  }

  // Version 3: the SITE adds the frames no earlier site had to the stack tree.
  SyntheticDump& site(uint32_t id, format::SiteKind kind, const std::vector<uint64_t>& frames,
                      format::SyscallOp op = format::SyscallOp::None) {
    if (m_version < format::kStackTreeVersion)
      return add(format::SiteView{.id = id, .kind = kind, .op = op, .frames = frames});
    const uint32_t before = m_nodes;
    uint32_t parent = format::StackNode::kRoot;
    size_t i = frames.size();
    for (; i > 0; --i) {
      auto it = m_tree.find({parent, frames[i - 1]});
      if (it == m_tree.end()) break;
      parent = it->second;
    }
    const bool hasParent = parent != format::StackNode::kRoot;
    std::vector<uint64_t> fresh;
    for (uint32_t node = parent; i > 0; --i) {
      fresh.push_back(frames[i - 1]);
      m_tree[{node, frames[i - 1]}] = m_nodes;
      node = m_nodes++;
    }
    return add(format::SiteView{.id = id,
                                .kind = kind,
                                .op = op,
                                .parent = hasParent ? parent + 1 : 0,
                                .nodesBefore = before,
                                .parentFrame = hasParent ? frames[fresh.size()] : 0,
                                .newFrames = fresh});
  }

  // Changes must be in ascending site order; alloc and syscall changes are merged by site.
  // The point's peak live bytes is the sum of the alloc changes' live bytes.
  SyntheticDump& snapshot(uint64_t timeNs, uint64_t rss, std::vector<AllocChange> allocs,
                          std::vector<SyscallChange> syscalls = {}) {
    std::vector<format::SiteChange> changes;
    uint64_t total = 0;
    size_t a = 0, s = 0;
    while (a < allocs.size() || s < syscalls.size()) {
      const bool takeAlloc =
          s == syscalls.size() || (a < allocs.size() && allocs[a].site < syscalls[s].site);
      if (takeAlloc) {
        const AllocChange& c = allocs[a++];
        total += c.liveBytes;
        changes.push_back({.siteId = c.site,
                           .kind = format::SiteKind::Alloc,
                           .liveBytes = c.liveBytes,
                           .liveCount = c.liveCount,
                           .allocsDelta = c.allocs,
                           .freesDelta = c.frees,
                           .peakBytes = c.peakBytes});
      } else {
        const SyscallChange& c = syscalls[s++];
        changes.push_back({.siteId = c.site,
                           .kind = format::SiteKind::Syscall,
                           .callsDelta = c.calls,
                           .bytesDelta = c.bytes});
      }
    }
    return add(format::SnapshotView{
        .timeNs = timeNs, .rssBytes = rss, .peakLiveBytes = total, .changes = changes});
  }

  SyntheticDump& note(format::NoteKind kind, uint64_t count, const std::string& text) {
    return add(format::NoteView{.kind = kind, .count = count, .text = text});
  }

  SyntheticDump& teardown(uint64_t timeNs) { return add(format::Teardown{.timeNs = timeNs}); }

  SyntheticDump& end(uint64_t timeNs, uint64_t dropped = 0) {
    return add(format::End{.timeNs = timeNs, .droppedEvents = dropped});
  }

  // Appends arbitrary bytes (for hostile-input tests).
  SyntheticDump& raw(const std::vector<uint8_t>& bytes) {
    m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end());
    return *this;
  }

  const std::vector<uint8_t>& bytes() const { return m_bytes; }
  // Hands over the bytes appended so far and starts empty: a dump written out in pieces.
  std::vector<uint8_t> take() { return std::exchange(m_bytes, {}); }
  size_t size() const { return m_bytes.size(); }
  // Records appended by add() (a split snapshot counts each of its records).
  size_t records() const { return m_records; }

 private:
  std::vector<uint8_t> m_bytes;
  std::vector<uint8_t> m_scratch;
  uint32_t m_version;
  size_t m_records = 0;
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> m_tree;  // (parent, frame) -> node
  uint32_t m_nodes = 0;
};

// Writes bytes to a file (for tests that go through a path).
inline void writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);  // data() may be null
    std::fclose(f);
  }
}

}  // namespace slowburn::testing
