#include "collect/wide_map.hpp"

#include "collect/open_table.hpp"

namespace slowburn::preload {
namespace {

size_t powerOfTwoAtLeast(size_t n) {
  size_t p = 16;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

WideMap::WideMap(size_t initialCapacity) : m_minCapacity(powerOfTwoAtLeast(initialCapacity)) {
  resize(m_minCapacity);
}

WideMap::~WideMap() { unmapPages(m_slots, m_capacity * sizeof(Slot)); }

size_t WideMap::home(uint64_t key) const {
  // Fibonacci hashing: malloc addresses share their low bits, so mix before masking.
  return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & (m_capacity - 1);
}

bool WideMap::resize(size_t capacity) {
  return moveToFreshTable(
      m_slots, m_capacity, capacity, [](const Slot& s) { return s.key != 0; },
      [&](const Slot& s) {
        size_t j = home(s.key);
        while (m_slots[j].key != 0) j = (j + 1) & (m_capacity - 1);
        m_slots[j] = s;
      });
}

bool WideMap::insert(uint64_t key, Value value) {
  if (m_slots == nullptr) return false;
  if ((m_size + 1) * 2 > m_capacity && !resize(m_capacity * 2)) {
    // Out of memory for a bigger table: keep going while there is any room at all.
    if (m_size + 1 >= m_capacity) return false;
  }
  size_t i = home(key);
  while (m_slots[i].key != 0 && m_slots[i].key != key) i = (i + 1) & (m_capacity - 1);
  if (m_slots[i].key == 0) ++m_size;
  m_slots[i] = Slot{key, value.size, value.site};
  return true;
}

bool WideMap::find(uint64_t key, Value* out) const {
  if (m_slots == nullptr) return false;
  size_t i = home(key);
  while (m_slots[i].key != 0) {
    if (m_slots[i].key == key) {
      if (out != nullptr) *out = Value{m_slots[i].site, m_slots[i].size};
      return true;
    }
    i = (i + 1) & (m_capacity - 1);
  }
  return false;
}

bool WideMap::erase(uint64_t key, Value* out) {
  if (m_slots == nullptr) return false;
  const size_t mask = m_capacity - 1;
  size_t i = home(key);
  while (m_slots[i].key != key) {
    if (m_slots[i].key == 0) return false;
    i = (i + 1) & mask;
  }
  if (out != nullptr) *out = Value{m_slots[i].site, m_slots[i].size};
  // Backward shift: pull later members of the cluster into the hole when their home
  // position allows it, so a later probe never stops early at a false empty slot.
  size_t hole = i;
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (m_slots[j].key == 0) break;
    const size_t h = home(m_slots[j].key);
    const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
    if (movable) {
      m_slots[hole] = m_slots[j];
      hole = j;
    }
  }
  m_slots[hole] = Slot{0, 0, 0};
  --m_size;
  if (m_capacity > m_minCapacity && m_size * 8 < m_capacity) resize(m_capacity / 2);
  return true;
}

}  // namespace slowburn::preload
