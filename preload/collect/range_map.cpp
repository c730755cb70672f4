#include "collect/range_map.hpp"

#include <cstring>

#include "support/page_memory.hpp"

namespace slowburn::preload {

RangeMap::~RangeMap() { unmapPages(m_ranges, m_capacity * sizeof(Range)); }

size_t RangeMap::firstEndingAfter(uint64_t address) const {
  size_t lo = 0;
  size_t hi = m_size;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (m_ranges[mid].end <= address) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

bool RangeMap::reserve(size_t n) {
  if (n <= m_capacity) return true;
  size_t capacity = m_capacity == 0 ? 4096 / sizeof(Range) : m_capacity * 2;
  while (capacity < n) capacity *= 2;
  auto* fresh = static_cast<Range*>(mapPages(capacity * sizeof(Range)));
  if (fresh == nullptr) return false;
  if (m_size != 0) std::memcpy(static_cast<void*>(fresh), m_ranges, m_size * sizeof(Range));
  unmapPages(m_ranges, m_capacity * sizeof(Range));
  m_ranges = fresh;
  m_capacity = capacity;
  return true;
}

void RangeMap::eraseAt(size_t first, size_t count) {
  if (count == 0) return;
  std::memmove(static_cast<void*>(m_ranges + first), m_ranges + first + count,
               (m_size - first - count) * sizeof(Range));
  m_size -= count;
}

void RangeMap::insertAt(size_t at, const Range& r) {
  std::memmove(static_cast<void*>(m_ranges + at + 1), m_ranges + at, (m_size - at) * sizeof(Range));
  m_ranges[at] = r;
  ++m_size;
}

bool RangeMap::insert(const Range& r) {
  if (r.start >= r.end) return true;
  if (!reserve(m_size + 1)) return false;
  insertAt(firstEndingAfter(r.start), r);
  return true;
}

}  // namespace slowburn::preload
