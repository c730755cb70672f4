#pragma once
// The one thread that reads the ring. It owns the map of live blocks, the per-site
// tallies and the dump: it applies each event in ring order, writes MODULE and SITE
// records before their first use, and every interval appends one SNAPSHOT of the sites
// that changed, plus the process RSS. Stopping drains the ring, writes a final snapshot
// and END.

#include <pthread.h>

#include <atomic>
#include <cstdint>

#include "collect/module_map.hpp"
#include "collect/pointer_map.hpp"
#include "collect/proc_self.hpp"
#include "dump/dump_writer.hpp"
#include "record/event.hpp"
#include "record/sampler.hpp"
#include "support/mapped_vector.hpp"

namespace slowburn::preload {

struct Runtime;

class Collector {
 public:
  // Called once, from the collector thread, when writing the dump fails for good.
  using FailureFn = void (*)(const char* what, int error);

  Collector(Runtime& runtime, FailureFn onFailure);
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Creates the dump with its preamble and HEADER already in it.
  bool open(const char* path, const format::HeaderView& header, uint64_t startMonotonicNs);
  // Opens the dump from the collector thread only once something is recorded, by calling
  // open back from openFn (false: stay silent and stop). A fork child that only execs
  // then leaves no empty dump behind.
  using OpenFn = bool (*)(Collector& collector);
  void deferOpen(OpenFn openFn) { m_deferredOpen = openFn; }
  // Closes the descriptor a fork child inherited from its parent's collector.
  void closeInheritedDump() {
    m_writer.forgetInherited();
    m_resident.closeInherited();
  }
  // Starts the thread (all signals blocked in it). False if it could not be created.
  bool start();
  // Asks the thread to finish (drain, final snapshot, END) and waits for it.
  void stop();

  const DumpWriter& writer() const { return m_writer; }

 private:
  static void* threadMain(void* self);
  void run();
  bool awaitFirstUse();
  size_t drain(size_t limit);
  void apply(const Event& event);
  bool publish(SiteEntry& site);
  bool publishSyscallSites();
  bool scanModules();
  SampleWeight weightOf(uint64_t size) const;
  void track(uint64_t address, SiteEntry* site, uint64_t size);
  void release(const PointerMap::Value& block);
  void markDirty(SiteEntry& site);
  bool snapshot(uint64_t nowNs);
  bool reportDropped();
  void degraded(const char* what);
  void fail(const char* what);

  Runtime& m_rt;
  FailureFn m_onFailure;
  OpenFn m_deferredOpen = nullptr;
  DumpWriter m_writer;
  ResidentReader m_resident;
  PointerMap m_live;
  PointerMap m_pending;  // thread token -> block set aside by that thread's realloc
  ModuleMap m_modules;
  MappedVector<SiteEntry*> m_dirty;
  MappedVector<format::SiteChange> m_changes;
  uint32_t m_nextSiteId = 0;
  uint32_t m_nextModuleId = 0;
  uint64_t m_startNs = 0;
  uint64_t m_lastSnapshotNs = 0;
  uint64_t m_popped = 0;
  uint64_t m_reportedDropped = 0;
  uint64_t m_liveTotal = 0;          // tracked live bytes of every site
  uint64_t m_intervalPeakTotal = 0;  // highest m_liveTotal since the last snapshot
  bool m_failed = false;
  bool m_degraded = false;
  pthread_t m_thread{};
  bool m_running = false;
  std::atomic<bool> m_stop{false};
};

}  // namespace slowburn::preload
