#include "record/event_ring.hpp"

#include "support/page_memory.hpp"

namespace slowburn::preload {

EventRing::EventRing(size_t capacity) {
  size_t n = 2;
  while (n < capacity) n <<= 1;
  m_bytes = n * sizeof(Slot);
  m_slots = static_cast<Slot*>(mapPages(m_bytes));
  if (m_slots == nullptr) return;
  m_mask = n - 1;  // fresh anonymous pages are zero: every slot is ready for its first lap
}

EventRing::~EventRing() { unmapPages(m_slots, m_bytes); }

bool EventRing::tryPush(const Event& event) {
  uint64_t ignored = 0;
  return tryPush(event, &ignored);
}

bool EventRing::tryPush(const Event& event, uint64_t* position) {
  uint64_t pos = m_tail.load(std::memory_order_relaxed);
  for (;;) {
    const uint64_t index = pos & m_mask;
    Slot& slot = m_slots[index];
    const uint64_t seq = slot.sequence.load(std::memory_order_acquire) + index;
    const auto diff = static_cast<int64_t>(seq - pos);
    if (diff == 0) {
      if (m_tail.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        slot.event = event;
        slot.sequence.store(pos + 1 - index, std::memory_order_release);
        *position = pos;
        return true;
      }
    } else if (diff < 0) {
      return false;  // the slot still holds an event from the previous lap
    } else {
      pos = m_tail.load(std::memory_order_relaxed);
    }
  }
}

bool EventRing::tryPop(Event* out) {
  const uint64_t head = m_head.load(std::memory_order_relaxed);
  const uint64_t index = head & m_mask;
  Slot& slot = m_slots[index];
  if (slot.sequence.load(std::memory_order_acquire) + index != head + 1) return false;
  *out = slot.event;
  slot.sequence.store(head + m_mask + 1 - index, std::memory_order_release);
  m_head.store(head + 1, std::memory_order_release);
  return true;
}

}  // namespace slowburn::preload
