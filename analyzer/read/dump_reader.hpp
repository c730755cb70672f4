#pragma once
// Streams a dump file record by record into a visitor, validating everything on the way:
// the framing here, each record's payload with its decoder (slowburn/record_codec.hpp).
// Memory is bounded by one record (<= kMaxRecordPayload) plus what the visitor keeps.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "read/records.hpp"

namespace slowburn::analyze {

// A dump that cannot be trusted: bad magic, version, checksum, field, or reference.
class DumpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
  bool chunked = false;      // version 2: records came in compressed CHUNKs
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
