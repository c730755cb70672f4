#include "collect/collector.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstring>

#include "dump/dump_path.hpp"
#include "slowburn/checksum.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

// Between two looks at the clock: one lap of the ring at most, so snapshots stay on time.
constexpr size_t kDrainBatch = Channel::kRingCapacity;
// How far ahead of the event being applied the block map's lines are fetched: about a
// memory latency's worth of events (8 and 32 did alike on python3, 64 worse).
constexpr uint64_t kPrefetchAhead = 8;
// ... when the block map is at least this big: a smaller one stays in a core's cache
// (1 MiB of L2 on the machine of docs/BENCHMARKS.md), where looking ahead costs only its
// hashing.
constexpr size_t kLookAheadMapBytes = size_t{1} << 20;
// Waits end at the next snapshot, or earlier when producers wake the collector because the
// ring passed a quarter full or filled up, or the program is exiting. Each wake-up costs
// the program a context switch, so there is no short poll; the program's liveness is
// looked at on every wake-up, hence at least this often.
constexpr uint64_t kMaxWaitNs = 100000000;
// A message's body slots are being written right behind its head: wait this long at most.
constexpr uint64_t kBodyWaitNs = 1000000000;
// After the program is gone, slots it claimed but never filled are given this long.
constexpr uint64_t kFinalDrainWaitNs = 100000000;
constexpr uint64_t kFinalDrainPollNs = 20000;
constexpr uint64_t kRssRefreshNs = 10000000;

const char* errorName(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : "unknown error";
}

// Appends parts to out (NUL-terminated, truncated to size).
void compose(char* out, size_t size, std::initializer_list<const char*> parts) {
  size_t n = 0;
  for (const char* part : parts)
    for (const char* p = part; p != nullptr && *p != '\0' && n + 1 < size; ++p) out[n++] = *p;
  out[n] = '\0';
}

}  // namespace

Collector::Collector(Channel& channel, int livenessFd, int programFd)
    : m_channel(channel),
      m_setup(channel.control().setup),
      m_sampleBytes(m_setup.sampleBytes),
      m_watch(m_setup.pid, livenessFd, programFd, m_setup.channelDev, m_setup.channelIno),
      m_resident(m_setup.pid),
      m_pending(64) {}

bool Collector::openDump() {
  static char s_path[DumpWriter::kPathBytes];
  if (!expandPattern(m_setup.dumpPattern, m_setup.pid, baseName(m_setup.exe), s_path,
                     sizeof(s_path))) {
    compose(m_channel.control().failure, sizeof(m_channel.control().failure),
            {"dump path too long, not recording: ", m_setup.dumpPattern});
    return false;
  }
  format::HeaderView header;
  header.pid = static_cast<uint64_t>(m_setup.pid);
  header.ppid = static_cast<uint64_t>(m_setup.ppid);
  header.startRealtimeNs = m_setup.startRealtimeNs;
  header.intervalMs = m_setup.intervalMs;
  header.sampleBytes = m_setup.sampleBytes;
  header.stackDepth = m_setup.depth;
  header.exe = m_setup.exe;
  if (!m_live.ok() || !m_pending.ok() || !m_writer.create(s_path) || !m_writer.append(header) ||
      !m_writer.publish()) {
    compose(m_channel.control().failure, sizeof(m_channel.control().failure),
            {"cannot create the dump ", s_path, " (",
             errorName(m_writer.error() != 0 ? m_writer.error() : ENOMEM), "); not recording"});
    return false;
  }
  return true;
}

int Collector::run() {
  ChannelControl& control = m_channel.control();
  if (!openDump()) {
    m_channel.setState(CollectorState::Failed);
    return 1;
  }
  // The program is alive and waiting for us now: a program killed before the collector's
  // first turn still leaves an RSS behind.
  m_rssReadNs = raw::monotonicNs();
  m_lastRss = m_resident.read();
  control.alive.store(1, std::memory_order_release);
  m_channel.setState(CollectorState::Running);
  const End how = record();
  if (!m_failed) finish(how);
  control.alive.store(0, std::memory_order_release);
  m_channel.setState(m_failed ? CollectorState::Failed : CollectorState::Finished);
  return m_failed ? 1 : 0;
}

Collector::End Collector::record() {
  ChannelControl& control = m_channel.control();
  const uint64_t interval = uint64_t{m_setup.intervalMs} * 1000000ull;
  uint64_t next = m_setup.startMonotonicNs + interval;
  const auto* wakeWord = reinterpret_cast<const uint32_t*>(&control.wake);
  while (!m_failed) {
    // Read before draining, so a wake that lands after the drain ends the wait at once.
    const uint32_t wakes = control.wake.load(std::memory_order_acquire);
    const size_t n = drain(kDrainBatch, kBodyWaitNs);
    const uint64_t now = raw::monotonicNs();
    if (now >= next) {
      if (!snapshot(now)) break;
      next += interval;
      if (next <= now) next = now + interval;  // fell behind: skip, never burst
    }
    if (control.stop.load(std::memory_order_acquire) != 0) return End::Clean;
    // The program's RSS is read between snapshots too, so a program killed before the
    // next one still leaves its last RSS behind.
    if (now - m_rssReadNs >= kRssRefreshNs) {
      m_rssReadNs = now;
      if (const uint64_t rss = m_resident.read(); rss != 0) m_lastRss = rss;
    }
    switch (m_watch.poll(now)) {
      case TargetWatch::Fate::Running: break;
      case TargetWatch::Fate::Exited: return End::Gone;
      case TargetWatch::Fate::Replaced: return End::Replaced;
    }
    if (n == kDrainBatch || next <= now) continue;  // a full lap: more may be waiting
    raw::waitOnSharedWord(wakeWord, wakes, std::min(next - now, kMaxWaitNs));
  }
  return End::Gone;
}

void Collector::finish(End how) {
  // Everything pushed before the end, including slots claimed but not yet filled (a
  // thread of an exiting program may still be writing one; a dead one never will).
  EventRing& ring = m_channel.ring();
  const uint64_t waitStart = raw::monotonicNs();
  const uint64_t bodyWait = how == End::Clean ? kBodyWaitNs : kFinalDrainWaitNs;
  while (!m_failed) {
    drain(SIZE_MAX, bodyWait);
    if (ring.claimed() == m_popped) break;
    if (raw::monotonicNs() - waitStart > kFinalDrainWaitNs) break;
    raw::sleepNs(kFinalDrainPollNs);
  }
  if (how == End::Replaced &&
      !m_writer.append(
          format::NoteView{format::NoteKind::Info, 0,
                           "the program replaced its image with exec(); this dump ends there"})) {
    fail("cannot write the dump");
    return;
  }
  // snapshot() reports its own failure; END (a clean exit) carries the final snapshot's time.
  if (!snapshot(raw::monotonicNs())) return;
  if (!reportUnknownFrees()) {
    fail("cannot write the dump");
    return;
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const format::End end{
      .timeNs = m_lastSnapshotNs,
      .droppedEvents = m_channel.control().dropped.load(std::memory_order_relaxed),
      .collectorPeakRssBytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024,
      .blockMapPeakBytes = m_live.peakMappedBytes(),
      .blockMapPeakBlocks = m_live.peakSize()};
  if (how == End::Clean && !m_writer.append(end)) {
    fail("cannot write the dump");
    return;
  }
  if (!m_writer.flush(true)) fail("cannot write the dump");
}

size_t Collector::drain(size_t limit, uint64_t bodyWaitNs) {
  EventRing& ring = m_channel.ring();
  size_t n = 0;
  Event event;
  // Until a look ahead finds nothing: then the collector is keeping up, has no misses to
  // hide, and looking again would only read lines that producers are writing.
  bool backlog = m_live.mappedBytes() >= kLookAheadMapBytes;
  while (n < limit && ring.tryPop(&event)) {
    // The block map's lines for events a few places on: their misses overlap this work.
    if (backlog) {
      const Event* ahead = ring.peek(kPrefetchAhead);
      backlog = ahead != nullptr;
      if (backlog && ahead->op <= EventOp::Free) m_live.prefetch(ahead->ptr);
    }
    ++m_popped;
    apply(event, bodyWaitNs);
    ++n;
  }
  return n;
}

bool Collector::takeBody(void* out, size_t capacity, size_t bytes, uint64_t waitNs) {
  auto* dest = static_cast<uint8_t*>(out);
  EventRing& ring = m_channel.ring();
  const uint64_t start = raw::monotonicNs();
  for (size_t offset = 0; offset < bytes;) {
    Event chunk;
    if (!ring.tryPop(&chunk)) {
      if (raw::monotonicNs() - start > waitNs) return false;
      __builtin_ia32_pause();
      continue;
    }
    ++m_popped;
    const size_t n = std::min(bytes - offset, kEventBytes);
    // Bytes past capacity are taken off the ring all the same, so the next head is a head.
    if (offset < capacity) std::memcpy(dest + offset, &chunk, std::min(n, capacity - offset));
    offset += n;
  }
  return true;
}

void Collector::apply(const Event& event, uint64_t bodyWaitNs) {
  if (event.op == EventOp::Alloc) {
    track(event.ptr, event.site, event.size);
  } else if (event.op == EventOp::Free) {
    if (PointerMap::Value block; m_live.erase(event.ptr, &block)) {
      release(block);
    } else {
      ++m_unknownFrees;  // allocated before recording started, or never sampled
    }
  } else {
    applyOther(event, bodyWaitNs);
  }
}

void Collector::applyOther(const Event& event, uint64_t bodyWaitNs) {
  PointerMap::Value block;
  switch (event.op) {
    case EventOp::Alloc:
    case EventOp::Free: apply(event, bodyWaitNs); break;
    case EventOp::ReallocBegin:
      if (m_live.erase(event.ptr, &block)) {
        m_pending.insert(event.thread, block);
      } else {
        ++m_unknownFrees;
      }
      break;
    case EventOp::ReallocCommit:
      if (m_pending.erase(event.thread, &block)) release(block);
      break;
    case EventOp::ReallocAbort:
      if (m_pending.erase(event.thread, &block)) m_live.insert(event.ptr, block);
      break;
    case EventOp::SiteDef: defineSite(event, bodyWaitNs); break;
    case EventOp::ModuleDef: defineModule(event, bodyWaitNs); break;
    case EventOp::Teardown:
      // The running program's last snapshot, then the mark; only the first one counts.
      if (!m_tornDown && snapshot(raw::monotonicNs())) {
        m_tornDown = true;
        if (!m_writer.append(format::Teardown{m_lastSnapshotNs}) || !m_writer.flush())
          fail("cannot write the dump");
      }
      break;
    case EventOp::Calls:
      if (SiteBooks* books = m_sites.find(event.site)) {
        books->eventCalls += event.size;
        books->eventBytes += event.ptr;
      }
      break;
    case EventOp::Map:
    case EventOp::Unmap:
    case EventOp::RemapBegin:
    case EventOp::RemapCommit:
    case EventOp::RemapAbort: applyMapping(event); break;
    case EventOp::Note: writeNote(event, bodyWaitNs); break;
  }
}

void Collector::defineSite(const Event& head, uint64_t bodyWaitNs) {
  const uint32_t frames = std::min(siteDefFrames(head.size), format::kMaxFrames);
  if (!takeBody(m_frames, sizeof(m_frames), siteDefFrames(head.size) * sizeof(uint64_t),
                bodyWaitNs)) {
    degraded("a site's definition was cut short; its events are not counted");
    return;
  }
  if (m_sites.find(head.site) != nullptr) return;  // two threads defined it at once
  const auto kind = static_cast<format::SiteKind>(siteDefKind(head.size));
  const auto op = static_cast<format::SyscallOp>(siteDefOp(head.size));
  SiteBooks* books = m_sites.define(head.site, kind);
  if (books == nullptr) {
    degraded("out of memory for the site books; some sites are not counted");
    return;
  }
  books->op = op;
  books->hasCounter = head.ptr < m_channel.counterCapacity();
  books->counter = static_cast<uint32_t>(head.ptr);
  books->dumpId = m_nextSiteId++;
  // Its frames in the dump's stack tree: only the ones no earlier site shared are written.
  StackTree::Placement at;
  const uint32_t nodesBefore = m_stacks.nodes();
  if (!m_stacks.intern(m_frames, frames, &at)) {
    degraded("out of memory for the stack tree; some sites are written without their frames");
    at = StackTree::Placement{};
  }
  const bool hasParent = at.parent != StackTree::kNone;
  uint64_t fresh[format::kMaxFrames];
  for (uint32_t i = 0; i < at.fresh; ++i) fresh[i] = m_frames[at.fresh - 1 - i];
  const format::SiteView site{.id = books->dumpId,
                              .kind = kind,
                              .op = op,
                              .parent = hasParent ? at.parent + 1 : 0,
                              .nodesBefore = nodesBefore,
                              .parentFrame = hasParent ? m_frames[at.fresh] : 0,
                              .newFrames = {fresh, at.fresh}};
  if (!m_writer.append(site)) fail("cannot write the dump");
}

void Collector::defineModule(const Event& head, uint64_t bodyWaitNs) {
  const size_t pathBytes = std::min<size_t>(head.site, format::kMaxStringBytes);
  const size_t idBytes = std::min<size_t>(head.thread, format::kMaxBuildIdBytes);
  if (!takeBody(m_moduleBody, sizeof(m_moduleBody), size_t{head.site} + head.thread, bodyWaitNs) ||
      idBytes != head.thread) {
    degraded("a module's definition was cut short; some frames may not be symbolized");
    return;
  }
  const auto* path = reinterpret_cast<const char*>(m_moduleBody + idBytes);
  const uint64_t pathHash = XXH3_64bits(path, pathBytes);
  for (const KnownModule& known : m_modules) {
    if (known.start == head.ptr && known.pathHash == pathHash) return;  // sent again
  }
  if (!m_modules.push(KnownModule{head.ptr, pathHash})) {
    degraded("out of memory for the module list");
    return;
  }
  const format::ModuleView module{m_nextModuleId++,
                                  head.ptr,
                                  head.size,
                                  {reinterpret_cast<const char*>(m_moduleBody), idBytes},
                                  {path, pathBytes}};
  if (!m_writer.append(module)) fail("cannot write the dump");
}

void Collector::track(uint64_t address, uint32_t site, uint64_t size) {
  SiteBooks* books = m_sites.find(site);
  if (books == nullptr) return;
  PointerMap::Value old;
  const PointerMap::Placed placed = m_live.insert(address, PointerMap::Value{site, size}, &old);
  if (placed == PointerMap::NoMemory) {
    degraded("out of memory for the live-block map; some blocks are not tracked");
    return;
  }
  // Still present: its free was never seen (dropped); it is gone now all the same.
  if (placed == PointerMap::Replaced) release(old);
  const SampleWeight w = weightOf(size);
  books->liveBytes += w.bytes;
  books->intervalPeak = std::max(books->intervalPeak, books->liveBytes);
  m_liveTotal += w.bytes;
  m_intervalPeakTotal = std::max(m_intervalPeakTotal, m_liveTotal);
  books->liveCountQ += w.countQ;
  books->allocsQ += w.countQ;
  markDirty(*books, site);
}

void Collector::release(const PointerMap::Value& block) {
  SiteBooks& books = m_sites[block.site];
  const SampleWeight w = weightOf(block.size);
  books.liveBytes -= std::min(books.liveBytes, w.bytes);
  m_liveTotal -= std::min(m_liveTotal, w.bytes);
  books.liveCountQ -= std::min(books.liveCountQ, w.countQ);
  books.freesQ += w.countQ;
  markDirty(books, block.site);
}

void Collector::listDirty(SiteBooks& books, uint32_t site) {
  books.dirty = true;
  if (!m_dirty.push(site)) {
    books.dirty = false;
    degraded("out of memory for the snapshot list; some changes are late");
  }
}

bool Collector::snapshot(uint64_t nowNs) {
  m_changes.clear();
  for (const uint32_t id : m_dirty) {
    SiteBooks& b = m_sites[id];
    b.dirty = false;
    // Counts are kept in fixed point for sampling; report them rounded, deltas of the
    // rounded cumulative totals so rounding never accumulates.
    const uint64_t allocs = (b.allocsQ + kCountOne / 2) / kCountOne;
    const uint64_t frees = (b.freesQ + kCountOne / 2) / kCountOne;
    m_changes.push(format::SiteChange{.siteId = b.dumpId,
                                      .kind = b.kind,
                                      .liveBytes = b.liveBytes,
                                      .liveCount = (b.liveCountQ + kCountOne / 2) / kCountOne,
                                      .allocsDelta = allocs - b.reportedAllocs,
                                      .freesDelta = frees - b.reportedFrees,
                                      .peakBytes = b.intervalPeak});
    b.intervalPeak = b.liveBytes;
    b.reportedAllocs = allocs;
    b.reportedFrees = frees;
  }
  m_dirty.clear();
  for (const uint32_t id : m_sites.syscallSites()) {
    SiteBooks& b = m_sites[id];
    uint64_t calls = b.eventCalls;
    uint64_t bytes = b.eventBytes;
    if (b.hasCounter) {
      const SyscallCounter& counter = m_channel.counter(b.counter);
      calls += counter.calls.load(std::memory_order_relaxed);
      bytes += counter.bytes.load(std::memory_order_relaxed);
    }
    if (calls == b.reportedCalls && bytes == b.reportedBytes) continue;
    m_changes.push(format::SiteChange{.siteId = b.dumpId,
                                      .kind = format::SiteKind::Syscall,
                                      .callsDelta = calls - b.reportedCalls,
                                      .bytesDelta = bytes - b.reportedBytes});
    b.reportedCalls = calls;
    b.reportedBytes = bytes;
  }
  std::sort(
      m_changes.begin(), m_changes.end(),
      [](const format::SiteChange& a, const format::SiteChange& b) { return a.siteId < b.siteId; });
  // Times never go backwards, even if the final snapshot lands in the same tick.
  const uint64_t t = std::max(nowNs - m_setup.startMonotonicNs, m_lastSnapshotNs);
  m_lastSnapshotNs = t;
  const uint64_t peakLive = std::max(m_intervalPeakTotal, m_liveTotal);
  m_intervalPeakTotal = m_liveTotal;
  // A program that is gone has no RSS to read: its last known one stands.
  if (const uint64_t rss = m_resident.read(); rss != 0) m_lastRss = rss;
  const format::SnapshotView point{t, m_lastRss, peakLive, {m_changes.begin(), m_changes.size()}};
  if (!m_writer.append(point) || !reportDropped() || !m_writer.flush()) {
    fail("cannot write the dump");
    return false;
  }
  return true;
}

bool Collector::reportDropped() {
  const uint64_t dropped = m_channel.control().dropped.load(std::memory_order_relaxed);
  if (dropped == m_reportedDropped) return true;
  const uint64_t fresh = dropped - m_reportedDropped;
  m_reportedDropped = dropped;
  return m_writer.append(format::NoteView{format::NoteKind::DroppedEvents, fresh,
                                          "events lost: the ring was full while the collector "
                                          "was stalled, or there was no memory to record them"});
}

bool Collector::reportUnknownFrees() {
  // Only a recording that started in a running program (slowburn attach) has many.
  if (m_setup.attached == 0 || m_unknownFrees == 0) return true;
  char digits[24];
  size_t n = 0;
  for (uint64_t v = m_unknownFrees; v != 0; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
  char count[24];
  for (size_t i = 0; i < n; ++i) count[i] = digits[n - 1 - i];
  count[n] = '\0';
  char text[160];
  compose(text, sizeof(text),
          {count, " frees of blocks allocated before recording started: subtracted from no site"});
  return m_writer.append(format::NoteView{format::NoteKind::Info, m_unknownFrees, text});
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
  // The program prints it on its own stderr: the collector holds none of its descriptors.
  compose(m_channel.control().failure, sizeof(m_channel.control().failure),
          {what, ": ", m_writer.path(), " (", errorName(m_writer.error()), "); recording stopped"});
}

}  // namespace slowburn::preload
