#pragma once
// One call site: its identity (hash of the stack or of caller + op), the frames, the
// syscall counters bumped by application threads, and the collector's private tallies.

#include <atomic>
#include <cstdint>

#include "slowburn/format.hpp"

namespace slowburn::preload {

inline constexpr uint32_t kUnpublished = UINT32_MAX;

// Counters only the collector thread touches: no atomics needed.
struct SiteTally {
  uint32_t dumpId = kUnpublished;  // dense id in this process's dump, once its SITE is written
  bool dirty = false;              // changed since the last snapshot
  uint64_t liveBytes = 0;
  uint64_t intervalPeak = 0;  // highest liveBytes since the last snapshot: spikes between
                              // snapshots still reach the dump
  uint64_t liveCountQ = 0;    // counts are fixed point (kCountOne per allocation) for sampling
  uint64_t allocsQ = 0;       // cumulative
  uint64_t freesQ = 0;
  uint64_t reportedAllocs = 0;  // whole counts already written
  uint64_t reportedFrees = 0;
  uint64_t reportedCalls = 0;
  uint64_t reportedBytes = 0;
};

inline constexpr uint64_t kCountOne = uint64_t{1} << 16;

struct SiteEntry {
  uint64_t key = 0;
  format::SiteKind kind = format::SiteKind::Alloc;
  format::SyscallOp op = format::SyscallOp::None;
  uint16_t frameCount = 0;
  const uint64_t* frames = nullptr;  // innermost first; lives in the same arena block
  SiteEntry* nextAll = nullptr;      // every site, newest first (the fork child resets them)
  SiteEntry* nextSyscall = nullptr;  // syscall sites only (the collector scans their counters)
  std::atomic<uint64_t> calls{0};    // syscall sites: bumped by the hooks, relaxed
  std::atomic<uint64_t> bytes{0};
  // Its own cache line: the collector writes it constantly while hooks read the key.
  alignas(64) SiteTally tally;
};

}  // namespace slowburn::preload
