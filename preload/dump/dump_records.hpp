#pragma once
// Encodes each record kind of include/slowburn/format.hpp into the DumpWriter. Every
// function returns false when the writer failed (the caller disables recording).

#include <cstddef>
#include <cstdint>

#include "dump/dump_writer.hpp"

namespace slowburn::preload {

struct HeaderFacts {
  uint64_t pid = 0;
  uint64_t ppid = 0;
  uint64_t startRealtimeNs = 0;
  uint64_t intervalMs = 0;
  uint64_t sampleBytes = 0;
  uint64_t stackDepth = 0;
  const char* exe = "";
};

bool writeHeader(DumpWriter& out, const HeaderFacts& facts);
// A loaded object as its MODULE record describes it.
struct ModuleFacts {
  uint64_t loadAddress = 0;
  uint64_t size = 0;
  const uint8_t* buildId = nullptr;
  uint32_t buildIdSize = 0;
  const char* path = "";
  uint32_t pathSize = 0;
};

bool writeModule(DumpWriter& out, uint32_t moduleId, const ModuleFacts& module);
bool writeSite(DumpWriter& out, uint32_t siteId, format::SiteKind kind, format::SyscallOp op,
               const uint64_t* frames, uint32_t frameCount);
bool writeNote(DumpWriter& out, format::NoteKind kind, uint64_t count, const char* text);
bool writeEnd(DumpWriter& out, uint64_t timeNs, uint64_t droppedEvents);

// One site's line in a snapshot.
struct SiteChange {
  uint32_t siteId;
  format::SiteKind kind;
  uint64_t a;  // alloc: live_bytes     syscall: calls_delta
  uint64_t b;  // alloc: live_count     syscall: bytes_delta
  uint64_t c;  // alloc: allocs_delta
  uint64_t d;  // alloc: frees_delta
  uint64_t e;  // alloc: peak_bytes since the previous snapshot (written as max(e, a))
};

// Writes one snapshot point: changes must be sorted by siteId. Split into several
// SNAPSHOT records with the same time when they do not fit one scratch buffer.
bool writeSnapshot(DumpWriter& out, uint64_t timeNs, uint64_t rssBytes, uint64_t peakLiveBytes,
                   const SiteChange* changes, size_t count);

// Most changes one SNAPSHOT record carries (each change is at most kMaxChangeBytes).
inline constexpr size_t kMaxChangeBytes = 5 + 5 * format::kMaxVarintBytes;
inline constexpr size_t kChangesPerRecord =
    (DumpWriter::kScratchBytes - format::RecordBuilder::kPrefixRoom - 4 -
     4 * format::kMaxVarintBytes) /
    kMaxChangeBytes;

}  // namespace slowburn::preload
