#pragma once
// A map from any 64-bit key to (site, size) in 24-byte slots: the pointer map's home for
// the rare blocks its compact slots cannot hold (an address above 2^48, a size of 2^48 or
// more), and for the few blocks realloc sets aside.
//
// Open addressing with linear probing and backward-shift deletion (no tombstones, so
// probe lengths stay short however many entries come and go). Only the collector touches
// it. Memory comes from mmap; the table doubles when half full and halves when under an
// eighth full.

#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

class WideMap {
 public:
  struct Value {
    uint32_t site = 0;  // the site's number on the channel
    uint64_t size = 0;
  };

  explicit WideMap(size_t initialCapacity = 16);
  ~WideMap();
  WideMap(const WideMap&) = delete;
  WideMap& operator=(const WideMap&) = delete;

  bool ok() const { return m_slots != nullptr; }
  // key must not be 0. Overwrites an existing entry for key. False when out of memory.
  bool insert(uint64_t key, Value value);
  // Removes key; true and *out filled when it was present.
  bool erase(uint64_t key, Value* out);
  bool find(uint64_t key, Value* out) const;

  size_t size() const { return m_size; }
  size_t capacity() const { return m_capacity; }
  size_t mappedBytes() const { return m_capacity * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key;
    uint64_t size;
    uint32_t site;
  };

  size_t home(uint64_t key) const;
  bool resize(size_t capacity);

  Slot* m_slots = nullptr;
  size_t m_capacity = 0;  // power of two
  size_t m_size = 0;
  size_t m_minCapacity = 0;
};

}  // namespace slowburn::preload
