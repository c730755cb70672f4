#pragma once
// The collector: a process of its own that reads the program's channel. It owns the map of
// live blocks, the per-site books and the dump: it applies each event in ring order,
// writes MODULE and SITE records as their definitions arrive (always before their first
// use), and every interval appends one SNAPSHOT of the sites that changed, plus the
// program's RSS. It stops when the program exits (drain, final snapshot, END), or when the
// program is gone or replaced by exec (drain what was published, final snapshot, no END):
// even a SIGKILL loses nothing the program had handed over.

#include <cstdint>

#include "collect/pointer_map.hpp"
#include "collect/range_map.hpp"
#include "collect/site_books.hpp"
#include "collect/stack_tree.hpp"
#include "collect/target_watch.hpp"
#include "dump/dump_writer.hpp"
#include "record/channel.hpp"
#include "record/sampler.hpp"
#include "support/mapped_vector.hpp"
#include "support/proc_self.hpp"

namespace slowburn::preload {

class Collector {
 public:
  // livenessFd: the read end of the program's liveness pipe (non-blocking); programFd: a
  // pidfd of the program, or -1 (see collect/target_watch.hpp).
  Collector(Channel& channel, int livenessFd, int programFd);
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Creates the dump, reports Running (or Failed, with the reason in the channel), then
  // records until the end; returns this process's exit status.
  int run();

 private:
  enum class End { Clean, Gone, Replaced };

  bool openDump();
  End record();
  void finish(End how);
  size_t drain(size_t limit, uint64_t bodyWaitNs);
  // Takes a message's body off the ring: bytes of it, the first capacity into out.
  bool takeBody(void* out, size_t capacity, size_t bytes, uint64_t waitNs);
  // Inline in drain: its Alloc and Free paths are most of the collector's work.
  [[gnu::always_inline]] inline void apply(const Event& event, uint64_t bodyWaitNs);
  // Every event but the two most frequent, kept apart so their path stays short.
  [[gnu::noinline]] void applyOther(const Event& event, uint64_t bodyWaitNs);
  void defineSite(const Event& head, uint64_t bodyWaitNs);
  void defineModule(const Event& head, uint64_t bodyWaitNs);
  SampleWeight weightOf(uint64_t size) const {
    return m_sampleBytes == 0 ? SampleWeight{size, kCountOne} : sampleWeight(size, m_sampleBytes);
  }
  [[gnu::always_inline]] inline void track(uint64_t address, uint32_t site, uint64_t size);
  [[gnu::always_inline]] inline void release(const PointerMap::Value& block);
  // Inline: every event that changes a site asks, and a site is dirty already on all but
  // its first change of an interval.
  void markDirty(SiteBooks& books, uint32_t site) {
    if (!books.dirty) listDirty(books, site);
  }
  void listDirty(SiteBooks& books, uint32_t site);
  // Mappings (collector_mappings.cpp).
  void applyMapping(const Event& event);
  void mapRange(uint64_t start, uint64_t length, uint32_t site);
  void unmapRange(uint64_t start, uint64_t length);
  void beginRemap(uint32_t thread, uint64_t start, uint64_t length);
  void endRemap(uint32_t thread, bool moved, uint64_t start, uint64_t length, uint32_t site);
  // One mmap site's books: bytes mapped or unmapped, and the change in its ranges.
  void adjustMapped(uint32_t site, int64_t bytes, int ranges, bool made, bool unmapped);
  void writeNote(const Event& head, uint64_t bodyWaitNs);
  bool snapshot(uint64_t nowNs);
  bool reportDropped();
  bool reportUnknownFrees();
  void degraded(const char* what);
  void fail(const char* what);

  // An mremap under way on one thread: its old range, set aside in m_setAside.
  struct PendingRemap {
    uint32_t thread;
    bool tracked;  // some of the old range was in the books
    uint64_t start, end;
  };

  struct KnownModule {
    uint64_t start;
    uint64_t pathHash;
  };

  Channel& m_channel;
  const CollectorSetup& m_setup;
  const uint64_t m_sampleBytes;  // m_setup's, read on every event
  TargetWatch m_watch;
  DumpWriter m_writer;
  ResidentReader m_resident;
  PointerMap m_live;
  WideMap m_pending;    // thread token -> block set aside by that thread's realloc
  RangeMap m_maps;      // live private anonymous mappings -> mmap site
  RangeMap m_setAside;  // old ranges of mremaps under way
  MappedVector<PendingRemap> m_remaps;
  SiteLedger m_sites;
  StackTree m_stacks;
  MappedVector<KnownModule> m_modules;
  MappedVector<uint32_t> m_dirty;
  MappedVector<format::SiteChange> m_changes;
  uint32_t m_nextSiteId = 0;
  uint32_t m_nextModuleId = 0;
  uint64_t m_lastSnapshotNs = 0;
  uint64_t m_lastRss = 0;
  uint64_t m_rssReadNs = 0;
  uint64_t m_popped = 0;
  uint64_t m_reportedDropped = 0;
  uint64_t m_liveTotal = 0;          // tracked live bytes of every site
  uint64_t m_intervalPeakTotal = 0;  // highest m_liveTotal since the last snapshot
  // Frees (and reallocs) of blocks this collector never saw allocated: made before
  // recording started. Never subtracted from a site; slowburn attach reports them.
  uint64_t m_unknownFrees = 0;
  bool m_tornDown = false;  // TEARDOWN written
  bool m_failed = false;
  bool m_degraded = false;
  uint64_t m_frames[format::kMaxFrames];
  uint8_t m_moduleBody[format::kMaxBuildIdBytes + format::kMaxStringBytes];
  char m_noteText[format::kMaxStringBytes];
};

}  // namespace slowburn::preload
