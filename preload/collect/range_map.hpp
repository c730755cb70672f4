#pragma once
// The collector's map of live mapped ranges: disjoint [start, end) address ranges, each
// owned by the site whose mapping made it. A pointer map cannot keep mappings: munmap may
// take any part of one (or parts of several at once), mremap moves or resizes one, and a
// MAP_FIXED mapping replaces whatever it lands on. carve() is all of these: it takes a span
// out of the books, trimming or splitting the ranges at its edges.
//
// A sorted array in mmap'ed memory: lookups are a binary search, an insert or a removal
// moves the entries after it. Mappings are few next to allocations (each costs the program
// a system call and the kernel a VMA of its 65,530), so this stays cheap where a tree would
// only add code.

#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

class RangeMap {
 public:
  struct Range {
    uint64_t start = 0;
    uint64_t end = 0;   // exclusive
    uint32_t site = 0;  // the site's number on the channel
  };

  RangeMap() = default;
  ~RangeMap();
  RangeMap(const RangeMap&) = delete;
  RangeMap& operator=(const RangeMap&) = delete;

  // Adds r, which must not overlap any range held (carve its span first). False when out
  // of memory.
  bool insert(const Range& r);

  // Takes every held part of [start, end) out of the map. For each part, removed(piece,
  // rangesDelta) is called with the piece taken and how the number of ranges changed:
  // -1 when a whole range went, 0 when one was trimmed at one end, +1 when one was split in
  // two. False (with nothing changed) when a split needs memory there is none of.
  template <class Removed>
  bool carve(uint64_t start, uint64_t end, Removed&& removed);

  size_t size() const { return m_size; }
  const Range* begin() const { return m_ranges; }
  const Range* end() const { return m_ranges + m_size; }

 private:
  // The first range that ends after address.
  size_t firstEndingAfter(uint64_t address) const;
  bool reserve(size_t n);
  void eraseAt(size_t first, size_t count);
  void insertAt(size_t at, const Range& r);

  Range* m_ranges = nullptr;
  size_t m_size = 0;
  size_t m_capacity = 0;
};

template <class Removed>
bool RangeMap::carve(uint64_t start, uint64_t end, Removed&& removed) {
  if (start >= end) return true;
  size_t i = firstEndingAfter(start);
  if (i == m_size || m_ranges[i].start >= end) return true;
  Range& first = m_ranges[i];
  if (first.start < start && first.end > end) {
    // Inside one range: it keeps its left part and gains a right one.
    if (!reserve(m_size + 1)) return false;
    Range& held = m_ranges[i];
    const Range right{end, held.end, held.site};
    held.end = start;
    insertAt(i + 1, right);
    removed(Range{start, end, held.site}, +1);
    return true;
  }
  if (first.start < start) {
    removed(Range{start, first.end, first.site}, 0);
    first.end = start;
    ++i;
  }
  const size_t wholeFrom = i;
  while (i < m_size && m_ranges[i].end <= end) {
    removed(m_ranges[i], -1);
    ++i;
  }
  if (i < m_size && m_ranges[i].start < end) {
    removed(Range{m_ranges[i].start, end, m_ranges[i].site}, 0);
    m_ranges[i].start = end;
  }
  eraseAt(wholeFrom, i - wholeFrom);
  return true;
}

}  // namespace slowburn::preload
