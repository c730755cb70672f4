#pragma once
// The dump's records as types: one struct per record kind, shared by the preload (which
// writes it) and the analyzer (which reads it). record_codec.hpp holds each one's encoder
// and decoder; docs/FORMAT.md describes the file around them.
//
// A record's payload is its struct's members in declaration order:
//   integers   unsigned LEB128 varints
//   enums      one byte (u8)
//   Text       varint length + raw bytes, at most the limit format.hpp gives that field
// Members marked "not written" are derived from other records; lists say their own layout.
//
// Text and lists are held as Holds says: Views (below) for a writer that must not allocate,
// owning containers for a reader that keeps records (analyzer/read/records.hpp). Records
// compare equal member by member (a span has no ==, so a Site or Snapshot of views does not).

#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "slowburn/format.hpp"

namespace slowburn::format {

// Borrowed text and lists: the preload points into memory it owns, with no heap.
struct Views {
  using Text = std::string_view;
  template <class T>
  using List = std::span<const T>;
};

// HEADER, tag 1: process facts and recording settings; always the first record.
template <class Holds>
struct Header {
  uint64_t pid = 0;
  uint64_t ppid = 0;
  uint64_t startRealtimeNs = 0;  // CLOCK_REALTIME when recording started
  ClockSource clock = ClockSource::Monotonic;
  uint64_t intervalMs = 0;
  uint64_t sampleBytes = 0;    // mean bytes between samples; 0 = every allocation recorded
  uint64_t stackDepth = 0;     // <= kMaxFrames
  typename Holds::Text exe{};  // <= kMaxStringBytes

  bool operator==(const Header&) const = default;
};

// MODULE, tag 2: one loaded object (the executable, a library, a dlopen'ed plugin). An
// address A inside it is the ELF file's virtual address A - loadAddress. A later MODULE
// overlapping an earlier one replaces it from then on (dlclose then dlopen).
template <class Holds>
struct Module {
  uint32_t id = 0;                 // dense: 0, 1, 2, ... in file order
  uint64_t loadAddress = 0;        // ELF load bias (dl_iterate_phdr's dlpi_addr)
  uint64_t size = 0;               // highest PT_LOAD end, relative to loadAddress
  typename Holds::Text buildId{};  // raw NT_GNU_BUILD_ID bytes, <= kMaxBuildIdBytes; may be empty
  typename Holds::Text path{};     // <= kMaxStringBytes

  bool operator==(const Module&) const = default;
};

// SITE, tag 3: a call site, the stack that led to an allocation, a mapping or a syscall. The frames
// start at the caller of the interposed function (the profiler's own are not recorded);
// every one is a return address.
//
// Version 3 keeps the stacks of all sites as one tree of frames (StackNode): stacks that
// share their outer frames share those nodes, so a site only writes the frames no earlier
// site had. Its stack is a node the site names: the last of the frames it adds, or, when
// it adds none, the node it hangs them from.
template <class Holds>
struct Site {
  uint32_t id = 0;  // dense: 0, 1, 2, ... in file order. Version 3: not written
  SiteKind kind = SiteKind::Alloc;
  SyscallOp op = SyscallOp::None;  // None for an alloc or mmap site, never None for a syscall site
  // Version 3. On disk: the count of new frames; the parent as its distance back from the
  // newest node before this record (0: the new frames start at a root, or there are no
  // frames at all); each new frame as the zigzag delta from its parent's frame (from 0 for
  // a root). Nodes are numbered in the order the file defines them.
  uint32_t parent = 0;       // the node the new frames hang from, plus one; 0: none
  uint32_t nodesBefore = 0;  // nodes defined before this SITE: not written (both sides know)
  uint64_t parentFrame = 0;  // the parent node's frame: not written (what the first delta is from)
  typename Holds::template List<uint64_t> newFrames{};  // outermost first, each under the last
  // Innermost first, <= kMaxFrames. Versions 1 and 2: varint count, the first frame as a varint,
  // each next one as the zigzag delta from the one before. Version 3: not written, filled
  // in by readers from the tree.
  typename Holds::template List<uint64_t> frames{};

  bool operator==(const Site&) const = default;
};

// A node of version 3's tree of frames, as a reader keeps it.
struct StackNode {
  static constexpr uint32_t kRoot = UINT32_MAX;  // the parent of an outermost frame
  uint32_t parent = kRoot;                       // an earlier node's number
  uint64_t frame = 0;                            // a return address

  bool operator==(const StackNode&) const = default;
};

// CHUNK, tag 8 (version 3 on): the next bytes of the file's one zstd stream, which
// decompresses into records framed like the file's own. The payload is those bytes, raw.
template <class Holds>
struct Chunk {
  typename Holds::Text bytes{};

  bool operator==(const Chunk&) const = default;
};

// One site's line in a SNAPSHOT. On disk: the site id (the first change of a record: the id
// itself; each next: the positive delta from the previous id, so ids ascend strictly),
// then the fields of the site's kind, in the order below.
struct SiteChange {
  uint32_t siteId = 0;
  SiteKind kind = SiteKind::Alloc;  // not written: the site's SITE record says it
  // Alloc and mmap sites (holdsBytes): the live state at this moment, counts since the
  // previous snapshot. An mmap site's count is its live mapped ranges, its allocs the
  // mappings it made and its frees the ranges that were unmapped whole.
  uint64_t liveBytes = 0;
  uint64_t liveCount = 0;
  uint64_t allocsDelta = 0;
  uint64_t freesDelta = 0;
  uint64_t peakBytes = 0;  // highest live bytes since the previous snapshot; written as
                           // max(peakBytes, liveBytes), so a reader can rely on >= liveBytes
  // Syscall sites: counts since the previous snapshot.
  uint64_t callsDelta = 0;
  uint64_t bytesDelta = 0;

  bool operator==(const SiteChange&) const = default;
};
static_assert(std::is_trivially_copyable_v<SiteChange>);  // the collector keeps them raw

// SNAPSHOT, tag 4: the process RSS and the sites that changed since the previous snapshot
// (a site absent did not change). Several SNAPSHOT records with the same time form one point:
// a writer splits a point that does not fit its buffer, each record read on its own.
template <class Holds>
struct Snapshot {
  uint64_t timeNs = 0;  // CLOCK_MONOTONIC since the header's start; never goes backwards
  uint64_t rssBytes = 0;
  uint64_t peakLiveBytes =
      0;  // highest total live bytes of alloc sites since the previous snapshot
  // Ascending site id. On disk: varint count, then each change.
  typename Holds::template List<SiteChange> changes{};

  bool operator==(const Snapshot&) const = default;
};

// NOTE, tag 5: something the reader must pass on.
template <class Holds>
struct Note {
  NoteKind kind = NoteKind::Info;
  uint64_t count = 0;           // DroppedEvents: events lost; otherwise what the text says
  typename Holds::Text text{};  // <= kMaxStringBytes

  bool operator==(const Note&) const = default;
};

// END, tag 6: a clean exit; absent when the process was killed, called _exit or exec'ed.
struct End {
  uint64_t timeNs = 0;         // the last snapshot's time
  uint64_t droppedEvents = 0;  // the run's total
  // Version 3: what the profiler kept for itself, in the collector process. Not written
  // before (read as 0).
  uint64_t collectorPeakRssBytes = 0;
  uint64_t blockMapPeakBytes = 0;   // the live-block map's most mapped at once
  uint64_t blockMapPeakBlocks = 0;  // the most live blocks it held

  bool operator==(const End&) const = default;
};

// TEARDOWN, tag 7 (version 2 on): where a clean exit's teardown began — main returned or
// exit() was called — before static destructors and atexit handlers free what the program
// held. The SNAPSHOT records just before it, at the same time, are the live state then;
// snapshots after it (and END) show the teardown. At most one; absent when the program did
// not exit through main's return or exit() (killed, _exit, exec).
struct Teardown {
  uint64_t timeNs = 0;  // the time of the snapshot just before

  bool operator==(const Teardown&) const = default;
};

using HeaderView = Header<Views>;
using ModuleView = Module<Views>;
using SiteView = Site<Views>;
using SnapshotView = Snapshot<Views>;
using NoteView = Note<Views>;
using ChunkView = Chunk<Views>;

}  // namespace slowburn::format
