#pragma once
// Streams a dump file record by record into a visitor, validating everything on the way:
// the framing here, each record's payload with its decoder (slowburn/record_codec.hpp).
// Memory is bounded by one record (<= kMaxRecordPayload) plus what the visitor keeps.

#include <cstdint>
#include <functional>
#include <memory>
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
  virtual void onTeardown(const Teardown&) {}
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

// Follows a dump that its process is still writing: each poll() reads the whole records
// appended since the last one and leaves a record cut short at the tail for the next, so a
// long watch reads every byte once. Memory is bounded as readDump's.
class DumpFollower {
 public:
  // Opens path (throws DumpError when it cannot); reads nothing yet.
  DumpFollower(const std::string& path, DumpVisitor& visitor);
  ~DumpFollower();
  DumpFollower(const DumpFollower&) = delete;
  DumpFollower& operator=(const DumpFollower&) = delete;

  // Reads what was appended; returns how many records that was. Throws DumpError for
  // anything malformed, as readDump does.
  uint64_t poll();
  bool started() const;  // the preamble is there
  bool ended() const;    // END was read: nothing more will come
  // Records and bytes read so far; sawEnd once END was read.
  const ReadSummary& summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace slowburn::analyze
