#pragma once
// The dump format: the contract between the preload (writer) and the analyzer (reader).
// docs/FORMAT.md describes it for outsiders; keep the two in step.
//
// File   := Preamble Record*
// Preamble := "SLOWBURN" (8 bytes) | u32le format version
// Record := u8 tag | varint payload length | payload | u32le checksum
//   checksum = low 32 bits of XXH3_64bits over tag, length bytes and payload.
// The first record is always HEADER. A reader stops at a torn tail (a record cut short by
// a killed process) and reports it; anything else malformed is an error.

#include <cstddef>
#include <cstdint>

namespace slowburn::format {

inline constexpr char kMagic[8] = {'S', 'L', 'O', 'W', 'B', 'U', 'R', 'N'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kPreambleBytes = sizeof(kMagic) + sizeof(uint32_t);

enum class Tag : uint8_t {
  Header = 1,    // process facts and recording settings; always first
  Module = 2,    // a loaded object: path, load address, size, build-id
  Site = 3,      // a call site: dense id, kind, frame addresses
  Snapshot = 4,  // timestamp, process RSS, per-site changes since the previous snapshot
  Note = 5,      // something the reader should know: dropped events, degraded recording
  End = 6,       // clean exit; absent when the process was killed
};

enum class SiteKind : uint8_t {
  Alloc = 0,
  Syscall = 1,
};

// Which interposed syscall a syscall site counts; stored in SITE records.
enum class SyscallOp : uint8_t {
  None = 0,  // alloc sites
  Read = 1,
  Pread64 = 2,
  Readv = 3,
  Recv = 4,
  Recvfrom = 5,
  Recvmsg = 6,
  Write = 7,
  Pwrite64 = 8,
  Writev = 9,
  Send = 10,
  Sendto = 11,
  Sendmsg = 12,
};
inline constexpr uint8_t kMaxSyscallOp = 12;

// The interposed function each op counts ("" for None): SLOWBURN_SYSCALLS and reports use them.
inline constexpr const char* kSyscallOpNames[kMaxSyscallOp + 1] = {
    "",      "read",     "pread64", "readv", "recv",   "recvfrom", "recvmsg",
    "write", "pwrite64", "writev",  "send",  "sendto", "sendmsg"};

inline constexpr const char* syscallName(SyscallOp op) {
  const auto i = static_cast<uint8_t>(op);
  return i <= kMaxSyscallOp ? kSyscallOpNames[i] : "";
}

enum class ClockSource : uint8_t {
  Monotonic = 1,  // CLOCK_MONOTONIC nanoseconds, snapshot times relative to the header's
};

enum class NoteKind : uint8_t {
  DroppedEvents = 1,  // count = events lost (ring full or untracked), text = why
  Degraded = 2,       // recording stopped or partially failed, text = why
  Info = 3,           // anything else worth showing
};

// Hard limits: a reader rejects anything beyond them, so a hostile file cannot make it
// allocate without bound. A writer never produces anything beyond them.
inline constexpr uint64_t kMaxRecordPayload = 16u << 20;  // 16 MiB
inline constexpr uint32_t kMaxFrames = 256;
inline constexpr uint32_t kMaxStringBytes = 4096;
inline constexpr uint32_t kMaxBuildIdBytes = 64;
inline constexpr uint32_t kMaxSites = 1u << 24;
inline constexpr uint32_t kMaxModules = 1u << 16;
inline constexpr size_t kMaxVarintBytes = 10;
// Record framing overhead at most: tag + varint length + checksum.
inline constexpr size_t kMaxFramingBytes = 1 + kMaxVarintBytes + 4;

// Payload layouts (all integers are unsigned LEB128 varints unless noted):
//
// HEADER:   pid, ppid, start_realtime_ns, clock (u8, ClockSource), interval_ms,
//           sample_bytes, stack_depth, exe (string)
// MODULE:   module_id (dense: 0,1,2,... in file order), load_address, size,
//           build_id (bytes), path (string)
// SITE:     site_id (dense: 0,1,2,... in file order), kind (u8, SiteKind),
//           op (u8, SyscallOp; None for alloc), frame_count,
//           frames: first absolute, then zigzag deltas from the previous frame
// SNAPSHOT: time_ns (since header's start, non-decreasing), rss_bytes, peak_live_bytes
//           (highest total tracked live bytes since the previous snapshot), change_count,
//           changes sorted by site id: site_id delta from the previous change (first is
//           absolute), then for an alloc site: live_bytes, live_count, allocs_delta,
//           frees_delta, peak_bytes (the site's highest live bytes since the previous
//           snapshot, >= live_bytes); for a syscall site: calls_delta, bytes_delta.
//           Several SNAPSHOT records with the same time_ns form one point.
// NOTE:     kind (u8, NoteKind), count, text (string)
// END:      time_ns, dropped_events
//
// string/bytes = varint length + raw bytes (length bounded by the limits above).

}  // namespace slowburn::format
