#pragma once
// Builds dumps in memory with the real RecordBuilder, for tests of the reader and analyzer.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "slowburn/record_builder.hpp"

namespace slowburn::testing {

struct AllocChange {
  uint32_t site;
  uint64_t liveBytes, liveCount, allocs, frees;
  uint64_t peakBytes = 0;  // written as max(peakBytes, liveBytes)
};
struct SyscallChange {
  uint32_t site;
  uint64_t calls, bytes;
};

class SyntheticDump {
 public:
  SyntheticDump() {
    m_bytes.resize(format::kPreambleBytes);
    format::writePreamble(m_bytes.data());
  }

  SyntheticDump& header(uint64_t pid = 42, const std::string& exe = "/bin/app",
                        uint64_t intervalMs = 100) {
    begin(format::Tag::Header);
    m_b.varint(pid);
    m_b.varint(1);
    m_b.varint(1'700'000'000'000'000'000ull);
    m_b.u8(static_cast<uint8_t>(format::ClockSource::Monotonic));
    m_b.varint(intervalMs);
    m_b.varint(0);
    m_b.varint(32);
    m_b.string(exe.c_str());
    return commit();
  }

  SyntheticDump& module(uint32_t id, uint64_t load, uint64_t size, const std::string& path,
                        const std::string& buildId = "") {
    begin(format::Tag::Module);
    m_b.varint(id);
    m_b.varint(load);
    m_b.varint(size);
    m_b.bytes(buildId.data(), buildId.size());
    m_b.string(path.c_str());
    return commit();
  }

  SyntheticDump& site(uint32_t id, format::SiteKind kind, const std::vector<uint64_t>& frames,
                      format::SyscallOp op = format::SyscallOp::None) {
    begin(format::Tag::Site);
    m_b.varint(id);
    m_b.u8(static_cast<uint8_t>(kind));
    m_b.u8(static_cast<uint8_t>(op));
    m_b.varint(frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
      if (i == 0)
        m_b.varint(frames[0]);
      else
        m_b.zigzag(static_cast<int64_t>(frames[i] - frames[i - 1]));
    }
    return commit();
  }

  // Changes must be in ascending site order; alloc and syscall changes are merged by site.
  SyntheticDump& snapshot(uint64_t timeNs, uint64_t rss, std::vector<AllocChange> allocs,
                          std::vector<SyscallChange> syscalls = {}) {
    begin(format::Tag::Snapshot);
    m_b.varint(timeNs);
    m_b.varint(rss);
    uint64_t total = 0;
    for (const AllocChange& c : allocs) total += c.liveBytes;
    m_b.varint(total);
    m_b.varint(allocs.size() + syscalls.size());
    size_t a = 0, s = 0;
    uint64_t previous = 0;
    bool first = true;
    while (a < allocs.size() || s < syscalls.size()) {
      const bool takeAlloc =
          s == syscalls.size() || (a < allocs.size() && allocs[a].site < syscalls[s].site);
      const uint32_t id = takeAlloc ? allocs[a].site : syscalls[s].site;
      m_b.varint(first ? id : id - previous);
      previous = id;
      first = false;
      if (takeAlloc) {
        const AllocChange& c = allocs[a++];
        m_b.varint(c.liveBytes);
        m_b.varint(c.liveCount);
        m_b.varint(c.allocs);
        m_b.varint(c.frees);
        m_b.varint(std::max(c.peakBytes, c.liveBytes));
      } else {
        const SyscallChange& c = syscalls[s++];
        m_b.varint(c.calls);
        m_b.varint(c.bytes);
      }
    }
    return commit();
  }

  SyntheticDump& note(format::NoteKind kind, uint64_t count, const std::string& text) {
    begin(format::Tag::Note);
    m_b.u8(static_cast<uint8_t>(kind));
    m_b.varint(count);
    m_b.string(text.c_str());
    return commit();
  }

  SyntheticDump& end(uint64_t timeNs, uint64_t dropped = 0) {
    begin(format::Tag::End);
    m_b.varint(timeNs);
    m_b.varint(dropped);
    return commit();
  }

  // Appends arbitrary bytes (for hostile-input tests).
  SyntheticDump& raw(const std::vector<uint8_t>& bytes) {
    m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end());
    return *this;
  }

  const std::vector<uint8_t>& bytes() const { return m_bytes; }
  size_t size() const { return m_bytes.size(); }

 private:
  void begin(format::Tag tag) {
    m_scratch.assign(1 << 20, 0);
    m_b = format::RecordBuilder(m_scratch.data(), m_scratch.size());
    m_b.begin(tag);
  }
  SyntheticDump& commit() {
    const format::RecordBytes rec = m_b.finish();
    m_bytes.insert(m_bytes.end(), rec.data, rec.data + rec.size);
    return *this;
  }

  std::vector<uint8_t> m_bytes;
  std::vector<uint8_t> m_scratch;
  format::RecordBuilder m_b{nullptr, 0};
};

// Writes bytes to a file (for tests that go through a path).
inline void writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);  // data() may be null
    std::fclose(f);
  }
}

}  // namespace slowburn::testing
