#include "record/channel.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstring>
#include <new>

#include "support/page_memory.hpp"
#include "support/raw_io.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace {

constexpr uint64_t kMagic = 0x6e727562776f6c73ull;  // "slowburn"
constexpr uint64_t kStallNs = 1000000000ull;

size_t alignUp(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

struct Layout {
  size_t countersOffset, ringOffset, bytes;
};

Layout layoutFor(size_t ringCapacity, size_t counterCapacity) {
  Layout l{};
  l.countersOffset = alignUp(sizeof(ChannelControl), 4096);
  l.ringOffset = alignUp(l.countersOffset + counterCapacity * sizeof(SyscallCounter), 4096);
  l.bytes = roundToPages(l.ringOffset + EventRing::bytesFor(ringCapacity));
  return l;
}

}  // namespace

bool Channel::mapLayout(void* base) {
  m_base = base;
  m_control = static_cast<ChannelControl*>(base);
  auto* bytes = static_cast<uint8_t*>(base);
  m_counters = reinterpret_cast<SyscallCounter*>(bytes + m_control->countersOffset);
  m_counterCapacity = static_cast<uint32_t>(m_control->counterCapacity);
  m_ring.attach(&m_control->cursors, reinterpret_cast<RingSlot*>(bytes + m_control->ringOffset),
                m_control->ringCapacity);
  return true;
}

size_t Channel::bytesFor(size_t wantedCapacity, size_t counterCapacity) {
  size_t ringCapacity = 2;
  while (ringCapacity < wantedCapacity) ringCapacity <<= 1;
  return layoutFor(ringCapacity, counterCapacity).bytes;
}

bool Channel::create(size_t wantedCapacity, size_t counterCapacity, void* at) {
  size_t ringCapacity = 2;
  while (ringCapacity < wantedCapacity) ringCapacity <<= 1;
  const Layout l = layoutFor(ringCapacity, counterCapacity);
  const int fixed = at != nullptr ? MAP_FIXED : 0;
  // A memfd, so an exec'd collector can map it; sizing it is subject to RLIMIT_FSIZE, and
  // going past that would send the program SIGXFSZ. Under a lower limit the mapping is
  // plain shared memory, which only a copy of this process inherits.
  struct rlimit fsize {};
  const bool sizable = getrlimit(RLIMIT_FSIZE, &fsize) != 0 || fsize.rlim_cur == RLIM_INFINITY ||
                       fsize.rlim_cur >= l.bytes;
  int fd = sizable ? raw::memfdCreate("slowburn", MFD_CLOEXEC) : -1;
  if (fd >= 0 && raw::ftruncate(fd, static_cast<off_t>(l.bytes)) != 0) {
    raw::close(fd);
    fd = -1;
  }
  void* base = fd >= 0 ? raw::map(at, l.bytes, PROT_READ | PROT_WRITE, MAP_SHARED | fixed, fd, 0)
                       : raw::map(at, l.bytes, PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS | fixed, -1, 0);
  if (base == nullptr) {
    if (fd >= 0) raw::close(fd);
    return false;
  }
  m_fd = fd >= 0 ? raw::moveHigh(fd, 900) : -1;
  m_bytes = l.bytes;
  auto* control = new (base) ChannelControl;
  control->ringCapacity = ringCapacity;
  control->counterCapacity = counterCapacity;
  control->countersOffset = l.countersOffset;
  control->ringOffset = l.ringOffset;
  control->bytes = l.bytes;
  struct stat st {};
  if (m_fd >= 0 && raw::fstat(m_fd, &st) == 0) {
    control->setup.channelDev = st.st_dev;
    control->setup.channelIno = st.st_ino;
  }
  control->magic = kMagic;
  return mapLayout(base);
}

bool Channel::attach(int fd) {
  struct stat st {};
  if (raw::fstat(fd, &st) < 0 || st.st_size < static_cast<off_t>(sizeof(ChannelControl))) {
    return false;
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* base = raw::map(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == nullptr) return false;
  const auto* control = static_cast<const ChannelControl*>(base);
  const Layout l = layoutFor(control->ringCapacity, control->counterCapacity);
  const bool powerOfTwo =
      control->ringCapacity != 0 && (control->ringCapacity & (control->ringCapacity - 1)) == 0;
  if (control->magic != kMagic || !powerOfTwo || control->bytes != size || l.bytes != size ||
      l.ringOffset != control->ringOffset || l.countersOffset != control->countersOffset) {
    raw::unmap(base, size);
    return false;
  }
  m_fd = fd;
  m_bytes = size;
  return mapLayout(base);
}

void Channel::leaveInChild() {
  // The child's copy of the mapping only: the parent and its collector keep theirs.
  if (m_base != nullptr) raw::unmap(m_base, m_bytes);
  abandon();
}

void Channel::abandon() {
  m_control = nullptr;
  m_counters = nullptr;
  m_ring = EventRing();
  m_base = nullptr;
  m_bytes = 0;
  m_fd = -1;
}

void Channel::unmapAll() {
  if (m_base != nullptr) raw::unmap(m_base, m_bytes);
  closeFd();
  abandon();
}

void* Channel::retire() {
  void* base = m_base;
  if (base != nullptr && raw::map(base, m_bytes, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == nullptr) {
    return nullptr;  // the shared pages stay: still harmless, only not given back
  }
  closeFd();
  return base;
}

void Channel::closeFd() {
  if (m_fd >= 0) raw::close(m_fd);
  m_fd = -1;
}

uint32_t Channel::claimCounter() {
  const uint32_t slot = m_control->countersUsed.fetch_add(1, std::memory_order_relaxed);
  return slot < m_counterCapacity ? slot : kNoCounter;
}

void Channel::wakeCollector() {
  m_control->wake.fetch_add(1, std::memory_order_release);
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  raw::wakeSharedWord(reinterpret_cast<const uint32_t*>(&m_control->wake));
}

void Channel::setState(CollectorState state) {
  m_control->state.store(static_cast<uint32_t>(state), std::memory_order_release);
  raw::wakeSharedWord(reinterpret_cast<const uint32_t*>(&m_control->state));
}

void Channel::showFailure() {
  ChannelControl& c = *m_control;
  if (c.failure[0] == '\0' || c.failureShown.exchange(1) != 0) return;
  c.failure[sizeof(c.failure) - 1] = '\0';
  diag::line(c.failure);
}

CollectorState Channel::awaitStateChange(CollectorState from, uint64_t ns) const {
  const uint64_t start = raw::monotonicNs();
  for (;;) {
    const CollectorState now = state();
    const uint64_t waited = raw::monotonicNs() - start;
    if (now != from || waited >= ns) return now;
    raw::waitOnSharedWord(reinterpret_cast<const uint32_t*>(&m_control->state),
                          static_cast<uint32_t>(from), ns - waited);
  }
}

bool Channel::claimSlow(uint32_t count, uint64_t* first) {
  ChannelControl& c = *m_control;
  uint64_t seen = m_ring.consumed();
  if (seen == c.stalledAt.load(std::memory_order_relaxed)) return false;
  uint64_t progressAt = 0;
  uint64_t sleep = 50000;
  wakeCollector();  // it may be idling: the ring just filled up
  for (unsigned round = 0;; ++round) {
    if (m_ring.tryClaim(count, first)) return true;
    if (c.alive.load(std::memory_order_acquire) == 0) return false;
    if (round < 64) {
      __builtin_ia32_pause();
      continue;
    }
    if (round < 128) {
      sched_yield();
      continue;
    }
    const uint64_t now = raw::monotonicNs();
    const uint64_t consumed = m_ring.consumed();
    if (consumed != seen || progressAt == 0) {
      seen = consumed;
      progressAt = now;
    } else if (now - progressAt > kStallNs) {
      c.stalledAt.store(consumed, std::memory_order_relaxed);
      return false;
    }
    raw::sleepNs(sleep);
    if (sleep < 1000000) sleep *= 2;
  }
}

bool Channel::pushSlow(const Event& event) {
  uint64_t position = 0;
  if (!claimSlow(1, &position)) {
    drop();
    return false;
  }
  m_ring.fill(position, event);
  return true;
}

bool Channel::pushMessage(const Event& head, const void* body, size_t bodyBytes) {
  const uint32_t slots = 1 + bodySlots(bodyBytes);
  uint64_t first = 0;
  if (slots > m_ring.capacity() || (!m_ring.tryClaim(slots, &first) && !claimSlow(slots, &first))) {
    drop();
    return false;
  }
  // Body first, head last: the collector, which waits on the head, rarely finds a gap.
  const auto* bytes = static_cast<const uint8_t*>(body);
  for (uint32_t i = 1; i < slots; ++i) {
    Event chunk{};
    const size_t offset = (i - 1) * kEventBytes;
    const size_t n = bodyBytes - offset < kEventBytes ? bodyBytes - offset : kEventBytes;
    std::memcpy(&chunk, bytes + offset, n);
    m_ring.fill(first + i, chunk);
  }
  m_ring.fill(first, head);
  return true;
}

}  // namespace slowburn::preload
