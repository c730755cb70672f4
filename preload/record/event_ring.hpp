#pragma once
// Bounded lock-free multi-producer / single-consumer ring of Events.
//
// Dmitry Vyukov's bounded queue: each slot carries a sequence number; a producer claims
// position p by CAS on the tail when slot p's sequence equals p, writes the event, then
// publishes it by storing p+1. The consumer takes slot head when its sequence is head+1
// and frees it for the next lap by storing head+capacity. No locks, no heap: the slots
// are one mmap'ed block. Positions are claimed in one total order, which is what keeps a
// free ordered before a later malloc of the same address (see recorder.hpp).
//
// Slot i stores its sequence minus i, so the initial sequences are all zero: the slots
// are left as the kernel's zero pages and only the ones a run reaches are ever faulted in.
//
// A full ring is the caller's decision (tryPush returns false); see Recorder::push.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "record/event.hpp"

namespace slowburn::preload {

class EventRing {
 public:
  explicit EventRing(size_t capacity);  // rounded up to a power of two
  ~EventRing();
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;

  bool ok() const { return m_slots != nullptr; }
  size_t capacity() const { return m_mask + 1; }

  // Any thread. False when the ring is full.
  bool tryPush(const Event& event);
  // Claims a position and returns it through *position (for barriers); false when full.
  bool tryPush(const Event& event, uint64_t* position);

  // Consumer thread only. False when the next slot is empty or not yet published.
  bool tryPop(Event* out);

  // Positions consumed so far; a producer waits on this for a barrier.
  uint64_t consumed() const { return m_head.load(std::memory_order_acquire); }
  // Positions claimed so far (published or about to be).
  uint64_t claimed() const { return m_tail.load(std::memory_order_acquire); }

 private:
  struct Slot {
    std::atomic<uint64_t> sequence;
    Event event;
  };

  Slot* m_slots = nullptr;
  size_t m_mask = 0;
  size_t m_bytes = 0;
  alignas(64) std::atomic<uint64_t> m_tail{0};
  alignas(64) std::atomic<uint64_t> m_head{0};
};

}  // namespace slowburn::preload
