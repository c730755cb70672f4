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

}  // namespace slowburn::preload
