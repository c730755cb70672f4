#pragma once
// The dump format: the contract between the preload (writer) and the analyzer (reader).
// This file frames records and names their constants; records.hpp says what each record
// holds and record_codec.hpp how it is written and read. docs/FORMAT.md is the outsiders'
// guide to all three; keep it in step.
//
// File   := Preamble Record*
// Preamble := "SLOWBURN" (8 bytes) | u32le format version
// Record := u8 tag | varint payload length | payload | u32le checksum
//   checksum = low 32 bits of XXH3_64bits over tag, length bytes and payload.
// The first record is always HEADER. A reader stops at a torn tail (a record cut short by
// a killed process) and reports it; anything else malformed is an error.
//
// Versions (writers write the newest; readers read them all):
//   2 adds TEARDOWN and the mmap site kind.
//   3: SITE records add their frames to one tree of stack frames instead of listing them
//      all; SNAPSHOT peaks and END's profiler figures change (record_codec.hpp); CHUNK
//      records carry the pieces of one zstd stream whose decompressed bytes are more
//      records, framed as above but without checksums (the CHUNK has one). Everything
//      after HEADER may travel in chunks; a writer ends a chunk where it flushes (every
//      snapshot), so a cut-short file still decompresses up to there.

#include <cstddef>
#include <cstdint>

namespace slowburn::format {

inline constexpr char kMagic[8] = {'S', 'L', 'O', 'W', 'B', 'U', 'R', 'N'};
inline constexpr uint32_t kVersion = 3;           // what writers write
inline constexpr uint32_t kOldestVersion = 1;     // the oldest readers still read
inline constexpr uint32_t kTeardownVersion = 2;   // TEARDOWN and mmap sites from here on
inline constexpr uint32_t kStackTreeVersion = 3;  // stack tree, CHUNK, v3 SNAPSHOT and END
inline constexpr size_t kPreambleBytes = sizeof(kMagic) + sizeof(uint32_t);

enum class Tag : uint8_t {
  Header = 1,    // records.hpp: Header
  Module = 2,    // records.hpp: Module
  Site = 3,      // records.hpp: Site
  Snapshot = 4,  // records.hpp: Snapshot of SiteChange
  Note = 5,      // records.hpp: Note
  End = 6,       // records.hpp: End
  Teardown = 7,  // records.hpp: Teardown (version 2 on)
  Chunk = 8,     // records.hpp: Chunk (version 3 on)
};

enum class SiteKind : uint8_t {
  Alloc = 0,    // the malloc family (and operator new, and the allocators' own entry points)
  Syscall = 1,  // the read/write family: calls and bytes moved
  Mmap = 2,     // private anonymous mappings the program or its own allocator made
};
inline constexpr uint8_t kMaxSiteKind = 2;

// Alloc and Mmap sites hold live bytes and share one layout in snapshots; a syscall site
// counts calls.
inline constexpr bool holdsBytes(SiteKind kind) { return kind != SiteKind::Syscall; }

// Which interposed syscall a syscall site counts; stored in SITE records.
enum class SyscallOp : uint8_t {
  None = 0,  // alloc and mmap sites
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
inline constexpr uint32_t kMaxStackNodes = 1u << 25;
// A chunked stream's zstd window: readers refuse frames that ask for more memory.
inline constexpr int kMaxWindowLog = 24;
inline constexpr size_t kMaxVarintBytes = 10;
// Record framing overhead at most: tag + varint length + checksum.
inline constexpr size_t kMaxFramingBytes = 1 + kMaxVarintBytes + 4;

}  // namespace slowburn::format
