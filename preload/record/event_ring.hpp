#pragma once
// Bounded lock-free multi-producer / single-consumer ring of Events, laid out in memory
// the caller provides (the channel's shared mapping), so producer and consumer may live
// in different processes: positions and sequences are plain numbers, never addresses.
//
// Dmitry Vyukov's bounded queue: each slot carries a sequence number; a producer claims
// position p by CAS on the tail when slot p's sequence equals p, writes the event, then
// publishes it by storing p+1. The consumer takes slot head when its sequence is head+1
// and frees it for the next lap by storing head+capacity. Positions are claimed in one
// total order, which is what keeps a free ordered before a later malloc of the same
// address (see recorder.hpp).
//
// A message claims k consecutive positions with one CAS. That is safe when the last of
// them is free: the consumer frees slots in position order, so every earlier one is too.
//
// Slot i stores its sequence minus i, so the initial sequences are all zero: the slots
// are left as the kernel's zero pages and only the ones a run reaches are ever faulted in.
//
// A full ring is the caller's decision (tryPush returns false); see Channel::push.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "record/event.hpp"

namespace slowburn::preload {

struct RingCursors {
  alignas(64) std::atomic<uint64_t> tail{0};
  alignas(64) std::atomic<uint64_t> head{0};
};

struct RingSlot {
  std::atomic<uint64_t> sequence;
  Event event;
};

class EventRing {
 public:
  // capacity must be a power of two; the slots zero-filled.
  void attach(RingCursors* cursors, RingSlot* slots, size_t capacity);
  static size_t bytesFor(size_t capacity) { return capacity * sizeof(RingSlot); }

  bool attached() const { return m_slots != nullptr; }
  size_t capacity() const { return m_mask + 1; }

  // Any thread. False when the ring is full; *position is the position claimed.
  bool tryPush(const Event& event, uint64_t* position);
  // Claims count consecutive positions; false when they are not all free. Inline: every
  // event pays for it.
  bool tryClaim(uint32_t count, uint64_t* first) {
    if (count == 0 || count > capacity()) return false;
    uint64_t pos = m_cursors->tail.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t last = pos + count - 1;
      const uint64_t index = last & m_mask;
      const uint64_t seq = m_slots[index].sequence.load(std::memory_order_acquire) + index;
      const auto diff = static_cast<int64_t>(seq - last);
      if (diff == 0) {
        if (m_cursors->tail.compare_exchange_weak(pos, pos + count, std::memory_order_relaxed)) {
          *first = pos;
          return true;
        }
      } else if (diff < 0) {
        return false;  // a slot still holds an event from the previous lap
      } else {
        pos = m_cursors->tail.load(std::memory_order_relaxed);
      }
    }
  }
  // Writes and publishes a claimed position.
  void fill(uint64_t position, const Event& event) {
    const uint64_t index = position & m_mask;
    RingSlot& slot = m_slots[index];
    slot.event = event;
    slot.sequence.store(position + 1 - index, std::memory_order_release);
  }

  // Consumer only. False when the next slot is empty or not yet published. Inline: the
  // collector pays for it on every event.
  bool tryPop(Event* out) {
    const uint64_t head = m_cursors->head.load(std::memory_order_relaxed);
    const uint64_t index = head & m_mask;
    RingSlot& slot = m_slots[index];
    if (slot.sequence.load(std::memory_order_acquire) + index != head + 1) return false;
    *out = slot.event;
    slot.sequence.store(head + m_mask + 1 - index, std::memory_order_release);
    m_cursors->head.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer only. The event `ahead` positions past the next one, or nullptr when it is
  // not published yet: a look at what is coming, which leaves it where it is.
  const Event* peek(uint64_t ahead) const {
    const uint64_t position = m_cursors->head.load(std::memory_order_relaxed) + ahead;
    const uint64_t index = position & m_mask;
    const RingSlot& slot = m_slots[index];
    if (slot.sequence.load(std::memory_order_acquire) + index != position + 1) return nullptr;
    return &slot.event;
  }

  // Positions consumed so far.
  uint64_t consumed() const { return m_cursors->head.load(std::memory_order_acquire); }
  // Positions claimed so far (published or about to be).
  uint64_t claimed() const { return m_cursors->tail.load(std::memory_order_acquire); }

 private:
  RingCursors* m_cursors = nullptr;
  RingSlot* m_slots = nullptr;
  size_t m_mask = 0;
};

}  // namespace slowburn::preload
