#include "collect/collector.hpp"

#include <signal.h>

#include <algorithm>

#include "collect/proc_self.hpp"
#include "record/reentry_guard.hpp"
#include "record/runtime.hpp"
#include "record/sampler.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

// Between two looks at the clock: one lap of the ring at most, so snapshots stay on time.
constexpr size_t kDrainBatch = Runtime::kRingCapacity;
// Waits end at the next snapshot, or earlier when producers wake the collector because
// the ring passed a quarter full, filled up, or a barrier or stop needs it now. Each
// wake-up costs the program a context switch, so there is no short poll.
constexpr uint64_t kMaxWaitNs = 100000000;
// Pause while the final drain waits for a claimed slot to be filled.
constexpr uint64_t kFinalDrainPollNs = 20000;
// How often a fork child that has not recorded anything yet looks again.
constexpr uint64_t kFirstUsePollNs = 1000000;
// How long the final drain waits for a slot a producer claimed but has not filled yet.
constexpr uint64_t kFinalDrainWaitNs = 100000000;

}  // namespace

Collector::Collector(Runtime& runtime, FailureFn onFailure)
    : m_rt(runtime), m_onFailure(onFailure), m_live(1u << 14), m_pending(64) {}

bool Collector::open(const char* path, const format::HeaderView& header,
                     uint64_t startMonotonicNs) {
  m_startNs = startMonotonicNs;
  if (!m_live.ok() || !m_pending.ok()) return false;
  return m_writer.create(path) && m_writer.append(header) && m_writer.publish();
}

bool Collector::start() {
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  // The thread inherits this mask: the program's signals are never delivered to it.
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  m_rt.collectorAlive.store(true, std::memory_order_release);
  const int r = pthread_create(&m_thread, &attr, &Collector::threadMain, this);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (r != 0) {
    m_rt.collectorAlive.store(false, std::memory_order_release);
    return false;
  }
  m_running = true;
  return true;
}

void Collector::stop() {
  if (!m_running) return;
  m_stop.store(true, std::memory_order_release);
  wakeCollector(m_rt);
  pthread_join(m_thread, nullptr);
  m_running = false;
}

void* Collector::threadMain(void* self) {
  // Nothing this thread does is ever recorded, whatever it calls.
  t_inProfiler = true;
  pthread_setname_np(pthread_self(), "slowburn");
  static_cast<Collector*>(self)->run();
  return nullptr;
}

bool Collector::awaitFirstUse() {
  EventRing* ring = m_rt.ring.load(std::memory_order_acquire);
  const auto* wakeWord = reinterpret_cast<const uint32_t*>(&m_rt.collectorWake);
  for (;;) {
    const uint32_t wakes = m_rt.collectorWake.load(std::memory_order_acquire);
    if (ring->claimed() != 0) return true;
    for (SiteEntry* s = m_rt.sites.syscallSites(); s != nullptr; s = s->nextSyscall) {
      if (s->calls.load(std::memory_order_relaxed) != 0) return true;
    }
    if (m_stop.load(std::memory_order_acquire)) return false;
    raw::waitOnWord(wakeWord, wakes, kFirstUsePollNs);
  }
}

void Collector::run() {
  if (m_deferredOpen != nullptr && (!awaitFirstUse() || !m_deferredOpen(*this))) {
    m_rt.collectorAlive.store(false, std::memory_order_release);
    return;
  }
  const uint64_t interval = uint64_t{m_rt.options.intervalMs} * 1000000ull;
  if (!scanModules() || !m_writer.flush()) fail("cannot write the dump");
  uint64_t next = m_startNs + interval;
  const auto* wakeWord = reinterpret_cast<const uint32_t*>(&m_rt.collectorWake);
  while (!m_failed) {
    // Read before draining, so a wake that lands after the drain ends the wait at once.
    const uint32_t wakes = m_rt.collectorWake.load(std::memory_order_acquire);
    const size_t n = drain(kDrainBatch);
    const uint64_t now = raw::monotonicNs();
    if (now >= next) {
      if (!snapshot(now)) break;
      next += interval;
      if (next <= now) next = now + interval;  // fell behind: skip, never burst
    }
    if (m_stop.load(std::memory_order_acquire)) break;
    if (n == kDrainBatch || next <= now) continue;  // a full lap: more may be waiting
    raw::waitOnWord(wakeWord, wakes, std::min(next - now, kMaxWaitNs));
  }
  if (!m_failed) {
    // Everything pushed before the stop, including slots claimed but not yet filled.
    EventRing* ring = m_rt.ring.load(std::memory_order_acquire);
    const uint64_t waitStart = raw::monotonicNs();
    while (!m_failed) {
      drain(SIZE_MAX);
      if (ring->claimed() == m_popped) break;
      if (raw::monotonicNs() - waitStart > kFinalDrainWaitNs) break;
      raw::sleepNs(kFinalDrainPollNs);
    }
    const uint64_t now = raw::monotonicNs();
    // snapshot() reports its own failure; END carries the final snapshot's time.
    const format::End end{m_lastSnapshotNs, m_rt.dropped.load(std::memory_order_relaxed)};
    if (snapshot(now) && !(m_writer.append(end) && m_writer.flush())) {
      fail("cannot write the dump");
    }
  }
  m_rt.collectorAlive.store(false, std::memory_order_release);
}

size_t Collector::drain(size_t limit) {
  EventRing* ring = m_rt.ring.load(std::memory_order_acquire);
  size_t n = 0;
  Event event;
  while (n < limit && ring->tryPop(&event)) {
    apply(event);
    ++n;
  }
  m_popped += n;
  if (n != 0) m_rt.handled.store(m_popped, std::memory_order_release);
  return n;
}

void Collector::apply(const Event& event) {
  PointerMap::Value block;
  switch (event.op) {
    case EventOp::Alloc: track(event.ptr, event.site, event.size); break;
    case EventOp::Free:
      if (m_live.erase(event.ptr, &block)) release(block);
      break;  // unknown: allocated before recording started, or never sampled
    case EventOp::ReallocBegin:
      if (m_live.erase(event.ptr, &block)) m_pending.insert(event.thread, block);
      break;
    case EventOp::ReallocCommit:
      if (m_pending.erase(event.thread, &block)) release(block);
      break;
    case EventOp::ReallocAbort:
      if (m_pending.erase(event.thread, &block)) m_live.insert(event.ptr, block);
      break;
    case EventOp::Barrier:
      if (!publishSyscallSites() || !m_writer.flush()) fail("cannot write the dump");
      break;
  }
}

SampleWeight Collector::weightOf(uint64_t size) const {
  const uint64_t mean = m_rt.sampler.meanBytes();
  return mean == 0 ? SampleWeight{size, kCountOne} : sampleWeight(size, mean);
}

void Collector::track(uint64_t address, SiteEntry* site, uint64_t size) {
  if (site == nullptr || !publish(*site)) return;
  PointerMap::Value old;
  // Still present: its free was never seen (dropped); it is gone now all the same.
  if (m_live.erase(address, &old)) release(old);
  if (!m_live.insert(address, PointerMap::Value{site, size})) {
    degraded("out of memory for the live-block map; some blocks are not tracked");
    return;
  }
  const SampleWeight w = weightOf(size);
  SiteTally& t = site->tally;
  t.liveBytes += w.bytes;
  t.intervalPeak = std::max(t.intervalPeak, t.liveBytes);
  m_liveTotal += w.bytes;
  m_intervalPeakTotal = std::max(m_intervalPeakTotal, m_liveTotal);
  t.liveCountQ += w.countQ;
  t.allocsQ += w.countQ;
  markDirty(*site);
}

void Collector::release(const PointerMap::Value& block) {
  const SampleWeight w = weightOf(block.size);
  SiteTally& t = block.site->tally;
  t.liveBytes -= std::min(t.liveBytes, w.bytes);
  m_liveTotal -= std::min(m_liveTotal, w.bytes);
  t.liveCountQ -= std::min(t.liveCountQ, w.countQ);
  t.freesQ += w.countQ;
  markDirty(*block.site);
}

void Collector::markDirty(SiteEntry& site) {
  if (site.tally.dirty) return;
  site.tally.dirty = true;
  if (!m_dirty.push(&site)) {
    site.tally.dirty = false;
    degraded("out of memory for the snapshot list; some changes are late");
  }
}

bool Collector::scanModules() {
  auto emit = [](void* context, const format::ModuleView& module) {
    auto* self = static_cast<Collector*>(context);
    format::ModuleView record = module;
    record.id = self->m_nextModuleId++;
    return self->m_writer.append(record);
  };
  return m_modules.scan(emit, this);
}

bool Collector::publish(SiteEntry& site) {
  if (site.tally.dumpId != kUnpublished) return true;
  // A library loaded since the last scan may hold some of these frames: MODULE first.
  if (m_modules.changed() && !scanModules()) {
    fail("cannot write the dump");
    return false;
  }
  const format::SiteView record{m_nextSiteId, site.kind, site.op, {site.frames, site.frameCount}};
  if (!m_writer.append(record)) {
    fail("cannot write the dump");
    return false;
  }
  site.tally.dumpId = m_nextSiteId++;
  return true;
}

bool Collector::publishSyscallSites() {
  for (SiteEntry* s = m_rt.sites.syscallSites(); s != nullptr; s = s->nextSyscall) {
    if (!publish(*s)) return false;
  }
  return true;
}

bool Collector::snapshot(uint64_t nowNs) {
  m_changes.clear();
  for (SiteEntry* site : m_dirty) {
    SiteTally& t = site->tally;
    t.dirty = false;
    // Counts are kept in fixed point for sampling; report them rounded, deltas of the
    // rounded cumulative totals so rounding never accumulates.
    const uint64_t allocs = (t.allocsQ + kCountOne / 2) / kCountOne;
    const uint64_t frees = (t.freesQ + kCountOne / 2) / kCountOne;
    m_changes.push(format::SiteChange{.siteId = t.dumpId,
                                      .kind = format::SiteKind::Alloc,
                                      .liveBytes = t.liveBytes,
                                      .liveCount = (t.liveCountQ + kCountOne / 2) / kCountOne,
                                      .allocsDelta = allocs - t.reportedAllocs,
                                      .freesDelta = frees - t.reportedFrees,
                                      .peakBytes = t.intervalPeak});
    t.intervalPeak = t.liveBytes;
    t.reportedAllocs = allocs;
    t.reportedFrees = frees;
  }
  m_dirty.clear();
  for (SiteEntry* s = m_rt.sites.syscallSites(); s != nullptr; s = s->nextSyscall) {
    SiteTally& t = s->tally;
    const uint64_t calls = s->calls.load(std::memory_order_relaxed);
    const uint64_t bytes = s->bytes.load(std::memory_order_relaxed);
    if (calls == t.reportedCalls && bytes == t.reportedBytes) continue;
    if (!publish(*s)) return false;
    m_changes.push(format::SiteChange{.siteId = t.dumpId,
                                      .kind = format::SiteKind::Syscall,
                                      .callsDelta = calls - t.reportedCalls,
                                      .bytesDelta = bytes - t.reportedBytes});
    t.reportedCalls = calls;
    t.reportedBytes = bytes;
  }
  std::sort(
      m_changes.begin(), m_changes.end(),
      [](const format::SiteChange& a, const format::SiteChange& b) { return a.siteId < b.siteId; });
  // Times never go backwards, even if the final snapshot lands in the same tick.
  const uint64_t t = std::max(nowNs - m_startNs, m_lastSnapshotNs);
  m_lastSnapshotNs = t;
  const uint64_t peakLive = std::max(m_intervalPeakTotal, m_liveTotal);
  m_intervalPeakTotal = m_liveTotal;
  const format::SnapshotView point{
      t, m_resident.read(), peakLive, {m_changes.begin(), m_changes.size()}};
  if (!m_writer.append(point) || !reportDropped() || !m_writer.flush()) {
    fail("cannot write the dump");
    return false;
  }
  return true;
}

bool Collector::reportDropped() {
  const uint64_t dropped = m_rt.dropped.load(std::memory_order_relaxed);
  if (dropped == m_reportedDropped) return true;
  const uint64_t fresh = dropped - m_reportedDropped;
  m_reportedDropped = dropped;
  return m_writer.append(format::NoteView{format::NoteKind::DroppedEvents, fresh,
                                          "events lost: the ring was full while the collector "
                                          "was stalled, or there was no memory to record them"});
}

void Collector::degraded(const char* what) {
  if (m_degraded) return;
  m_degraded = true;
  if (!m_writer.append(format::NoteView{format::NoteKind::Degraded, 1, what}))
    fail("cannot write the dump");
}

void Collector::fail(const char* what) {
  if (m_failed) return;
  m_failed = true;
  if (m_onFailure != nullptr) m_onFailure(what, m_writer.error());
}

}  // namespace slowburn::preload
