#pragma once
// Streams a dump file record by record into a visitor, validating everything on the way.
// Memory is bounded by one record (<= kMaxRecordPayload) plus what the visitor keeps.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "slowburn/format.hpp"

namespace slowburn::analyze {

// A dump that cannot be trusted: bad magic, version, checksum, field, or reference.
class DumpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Header {
  uint64_t pid = 0;
  uint64_t ppid = 0;
  uint64_t startRealtimeNs = 0;
  format::ClockSource clock = format::ClockSource::Monotonic;
  uint64_t intervalMs = 0;
  uint64_t sampleBytes = 0;
  uint64_t stackDepth = 0;
  std::string exe;
};

struct Module {
  uint32_t id = 0;
  uint64_t loadAddress = 0;
  uint64_t size = 0;
  std::string buildId;  // raw bytes
  std::string path;
};

struct Site {
  uint32_t id = 0;
  format::SiteKind kind = format::SiteKind::Alloc;
  format::SyscallOp op = format::SyscallOp::None;
  std::vector<uint64_t> frames;  // innermost first
};

struct SiteChange {
  uint32_t siteId = 0;
  // Alloc sites: absolute live state and counts since the previous snapshot.
  uint64_t liveBytes = 0;
  uint64_t liveCount = 0;
  uint64_t allocsDelta = 0;
  uint64_t freesDelta = 0;
  uint64_t peakBytes = 0;  // highest live bytes since the previous snapshot (>= liveBytes)
  // Syscall sites: counts since the previous snapshot.
  uint64_t callsDelta = 0;
  uint64_t bytesDelta = 0;
};

struct Snapshot {
  uint64_t timeNs = 0;  // since the header's start
  uint64_t rssBytes = 0;
  uint64_t peakLiveBytes = 0;       // highest total tracked live bytes since the previous snapshot
  std::vector<SiteChange> changes;  // ascending site id
};

struct Note {
  format::NoteKind kind = format::NoteKind::Info;
  uint64_t count = 0;
  std::string text;
};

struct End {
  uint64_t timeNs = 0;
  uint64_t droppedEvents = 0;
};

class DumpVisitor {
 public:
  virtual ~DumpVisitor() = default;
  virtual void onHeader(const Header&) {}
  virtual void onModule(const Module&) {}
  virtual void onSite(const Site&) {}
  virtual void onSnapshot(const Snapshot&) {}
  virtual void onNote(const Note&) {}
  virtual void onEnd(const End&) {}
};

struct ReadSummary {
  uint64_t records = 0;
  uint64_t bytes = 0;
  bool sawEnd = false;
  bool truncated = false;    // the last record was cut short: the process was killed
  std::string tornTailNote;  // human-readable, set when truncated
};

struct ReadOptions {
  // Called now and then with (bytes read, file size) for a progress bar.
  std::function<void(uint64_t, uint64_t)> progress;
};

// Reads the whole file at path; throws DumpError on anything malformed.
ReadSummary readDump(const std::string& path, DumpVisitor& visitor, const ReadOptions& = {});

// Same, from memory (used by the fuzzer and tests).
ReadSummary readDumpBytes(const uint8_t* data, size_t size, DumpVisitor& visitor);

}  // namespace slowburn::analyze
