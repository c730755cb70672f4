#include "record/event_ring.hpp"

namespace slowburn::preload {

void EventRing::attach(RingCursors* cursors, RingSlot* slots, size_t capacity) {
  m_cursors = cursors;
  m_slots = slots;
  m_mask = capacity - 1;
}

bool EventRing::tryPush(const Event& event, uint64_t* position) {
  if (!tryClaim(1, position)) return false;
  fill(*position, event);
  return true;
}

bool EventRing::tryClaim(uint32_t count, uint64_t* first) {
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

void EventRing::fill(uint64_t position, const Event& event) {
  const uint64_t index = position & m_mask;
  RingSlot& slot = m_slots[index];
  slot.event = event;
  slot.sequence.store(position + 1 - index, std::memory_order_release);
}

bool EventRing::tryPop(Event* out) {
  const uint64_t head = m_cursors->head.load(std::memory_order_relaxed);
  const uint64_t index = head & m_mask;
  RingSlot& slot = m_slots[index];
  if (slot.sequence.load(std::memory_order_acquire) + index != head + 1) return false;
  *out = slot.event;
  slot.sequence.store(head + m_mask + 1 - index, std::memory_order_release);
  m_cursors->head.store(head + 1, std::memory_order_release);
  return true;
}

}  // namespace slowburn::preload
