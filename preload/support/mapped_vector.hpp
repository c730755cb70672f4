#pragma once
// A growable array of trivially copyable values in mmap'ed memory, for the collector's
// books and scratch lists (sites, dirty sites, snapshot changes): it grows with the
// number of sites only.

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "support/page_memory.hpp"

namespace slowburn::preload {

template <typename T>
class MappedVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  MappedVector() = default;
  ~MappedVector() { unmapPages(m_data, m_capacity * sizeof(T)); }
  MappedVector(const MappedVector&) = delete;
  MappedVector& operator=(const MappedVector&) = delete;

  // False when out of memory (the value is not added).
  bool push(const T& value) {
    if (m_size == m_capacity && !grow()) return false;
    m_data[m_size++] = value;
    return true;
  }
  // Grows to n values, the new ones zero bytes; false when out of memory.
  bool resize(size_t n) {
    while (m_capacity < n)
      if (!grow()) return false;
    if (n > m_size) std::memset(static_cast<void*>(m_data + m_size), 0, (n - m_size) * sizeof(T));
    m_size = n;
    return true;
  }
  void clear() { m_size = 0; }
  size_t size() const { return m_size; }
  T* begin() { return m_data; }
  T* end() { return m_data + m_size; }
  T& operator[](size_t i) { return m_data[i]; }

 private:
  bool grow() {
    const size_t capacity = m_capacity == 0 ? 4096 / sizeof(T) + 1 : m_capacity * 2;
    T* fresh = static_cast<T*>(mapPages(capacity * sizeof(T)));
    if (fresh == nullptr) return false;
    if (m_size != 0) std::memcpy(static_cast<void*>(fresh), m_data, m_size * sizeof(T));
    unmapPages(m_data, m_capacity * sizeof(T));
    m_data = fresh;
    m_capacity = capacity;
    return true;
  }

  T* m_data = nullptr;
  size_t m_size = 0;
  size_t m_capacity = 0;
};

}  // namespace slowburn::preload
