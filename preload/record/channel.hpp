#pragma once
// The one way from the program to its collector process: one shared mapping (a memfd)
// holding the control block, the syscall counters and the event ring. The program maps it
// when recording starts; the collector, a separate process, maps the same pages. Nothing
// in it is an address, so each side may map it wherever it likes.
//
// Allocation events travel through the ring, in one total order (see recorder.hpp). Syscall
// counts do not: a read() costs ~0.2 us, a ring event would add a fifth to it, and the dump
// only keeps per-interval totals anyway. So each syscall site owns a counter here, bumped
// with relaxed atomic adds by the program's threads and read by the collector once per
// snapshot. The site's definition still goes through the ring before its first count is
// read, and a site that finds the counters used up sends Calls events instead.
//
// Full ring policy (producers): wait with bounded backoff (spin, yield, then sleeps of
// 50 us doubling to 1 ms) for as long as the collector is alive and draining. If it is
// gone, or has consumed nothing for a whole second (stopped by a debugger, starved), the
// event is dropped and counted instead: waiting further could hang the program, dropping
// silently would lie. Further pushes drop at once until the collector moves again. The
// counts reach the dump as NOTE records and in END.
//
// The control block is also the collector's lifecycle handshake: the program waits for
// Running before it records, and for Finished when it exits, so a dump is complete by the
// time the process is gone; a collector that fails leaves its one-line reason here for the
// program to print on its own stderr.

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "record/event_ring.hpp"
#include "slowburn/format.hpp"

namespace slowburn::preload {

struct SyscallCounter {
  alignas(64) std::atomic<uint64_t> calls;  // a line each: hot sites on two threads
  std::atomic<uint64_t> bytes;              // never share one
};
inline constexpr uint32_t kNoCounter = UINT32_MAX;

// What the collector needs to know of the program, fixed when recording starts.
struct CollectorSetup {
  int32_t pid = 0;
  int32_t ppid = 0;
  uint64_t startRealtimeNs = 0;
  uint64_t startMonotonicNs = 0;
  uint32_t intervalMs = 0;
  uint32_t depth = 0;
  uint64_t sampleBytes = 0;
  uint32_t attached = 0;  // started by slowburn attach: the program ran before recording
  dev_t channelDev = 0;   // the memfd's identity, to tell an exec from a closed descriptor
  ino_t channelIno = 0;
  char exe[format::kMaxStringBytes] = {};
  char dumpPattern[format::kMaxStringBytes] = {};  // absolute; %p and %e still to expand
};

enum class CollectorState : uint32_t { Starting = 0, Running = 1, Failed = 2, Finished = 3 };

struct ChannelControl {
  uint64_t magic = 0;
  uint64_t ringCapacity = 0;
  uint64_t counterCapacity = 0;
  uint64_t countersOffset = 0;
  uint64_t ringOffset = 0;
  uint64_t bytes = 0;
  CollectorSetup setup;
  char failure[512] = {};  // the collector's reason, when state is Failed

  alignas(64) std::atomic<uint32_t> state{0};  // CollectorState; a futex word
  std::atomic<uint32_t> stop{0};               // the program is exiting: finish the dump
  std::atomic<uint32_t> alive{0};              // the collector process is consuming
  std::atomic<uint32_t> failureShown{0};
  alignas(64) std::atomic<uint32_t> wake{0};  // futex word: bumped to wake the collector
  alignas(64) std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> stalledAt{UINT64_MAX};  // ring position where the collector stalled
  std::atomic<uint32_t> countersUsed{0};
  RingCursors cursors;
};

class Channel {
 public:
  static constexpr size_t kRingCapacity = 1u << 16;
  // Sampled mode pushes a few events per megabyte allocated: a smaller ring keeps the
  // memory it touches (and faults in) small.
  static constexpr size_t kSampledRingCapacity = 1u << 13;
  static constexpr size_t kCounterCapacity = 2048;

  Channel() = default;
  ~Channel() = default;  // the mapping outlives the object on purpose: see unmapAll()
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // The program: a fresh shared mapping (the ring rounded up to a power of two), a memfd
  // whose descriptor stays open until closeFd(), or plain shared memory (fd() -1) where
  // RLIMIT_FSIZE is too low to size a memfd. at: an earlier channel's retired range of
  // exactly bytesFor() bytes to map over, or nullptr.
  bool create(size_t ringCapacity, size_t counterCapacity, void* at = nullptr);
  static size_t bytesFor(size_t ringCapacity, size_t counterCapacity);
  // The collector: maps the channel behind fd (checked for size and layout).
  bool attach(int fd);
  // A fork child: drops its own copy of the parent's mapping, untouched.
  void leaveInChild();
  void unmapAll();
  // slowburn attach, after the collector finished: the shared pages are swapped for
  // private zero pages at the same address, never unmapped, so a thread still inside a
  // hook writes there harmlessly. Returns the range's start (its size is bytes()).
  void* retire();
  size_t bytes() const { return m_bytes; }
  int fd() const { return m_fd; }
  void closeFd();

  ChannelControl& control() const { return *m_control; }
  EventRing& ring() { return m_ring; }
  SyscallCounter& counter(uint32_t slot) const { return m_counters[slot]; }
  uint32_t counterCapacity() const { return m_counterCapacity; }
  // A free counter slot, or kNoCounter when all are taken.
  uint32_t claimCounter();

  // Producers, with the full ring policy above.
  bool push(const Event& event) {
    uint64_t position = 0;
    if (!m_ring.tryClaim(1, &position)) [[unlikely]]
      return pushSlow(event);
    m_ring.fill(position, event);
    // The collector sleeps until its next snapshot: wake it each time another quarter of
    // the ring has been claimed, long before the ring can fill.
    if ((position & (m_ring.capacity() / 4 - 1)) == 0) [[unlikely]]
      wakeCollector();
    return true;
  }
  bool pushMessage(const Event& head, const void* body, size_t bodyBytes);
  void drop(uint64_t events = 1) {
    m_control->dropped.fetch_add(events, std::memory_order_relaxed);
  }
  void wakeCollector();

  CollectorState state() const {
    return static_cast<CollectorState>(m_control->state.load(std::memory_order_acquire));
  }
  // The collector sets its state and wakes whoever waits for it.
  void setState(CollectorState state);
  // Prints the collector's reason for failing on the program's stderr, once per process.
  void showFailure();
  // Waits up to ns for the state to leave `from`; returns the state then.
  CollectorState awaitStateChange(CollectorState from, uint64_t ns) const;

 private:
  void abandon();
  bool claimSlow(uint32_t count, uint64_t* first);
  bool pushSlow(const Event& event);
  bool mapLayout(void* base);

  ChannelControl* m_control = nullptr;
  SyscallCounter* m_counters = nullptr;
  uint32_t m_counterCapacity = 0;
  EventRing m_ring;
  void* m_base = nullptr;
  size_t m_bytes = 0;
  int m_fd = -1;
};

}  // namespace slowburn::preload
