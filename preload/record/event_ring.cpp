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
