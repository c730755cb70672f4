#pragma once
// The collector's map from a live allocation's address to (site, size).
//
// Open addressing with linear probing and backward-shift deletion (no tombstones, so
// probe lengths stay short however many allocations come and go). Only the collector
// thread touches it. Memory comes from mmap; the table doubles when half full and halves
// when under an eighth full, so it is O(live tracked allocations), never O(events).

#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

struct SiteEntry;

class PointerMap {
 public:
  struct Value {
    SiteEntry* site = nullptr;
    uint64_t size = 0;
  };

  explicit PointerMap(size_t initialCapacity = 1024);
  ~PointerMap();
  PointerMap(const PointerMap&) = delete;
  PointerMap& operator=(const PointerMap&) = delete;

  bool ok() const { return m_slots != nullptr; }
  // key must not be 0. Overwrites an existing entry for key. False when out of memory.
  bool insert(uint64_t key, Value value);
  // Removes key; true and *out filled when it was present.
  bool erase(uint64_t key, Value* out);
  bool find(uint64_t key, Value* out) const;

  size_t size() const { return m_size; }
  size_t capacity() const { return m_capacity; }
  size_t mappedBytes() const { return m_capacity * sizeof(Slot); }

  // Forgets every entry without touching the old memory (the fork child's fresh start).
  void abandon();

 private:
  struct Slot {
    uint64_t key;
    uint64_t size;
    SiteEntry* site;
  };

  size_t home(uint64_t key) const;
  bool resize(size_t capacity);

  Slot* m_slots = nullptr;
  size_t m_capacity = 0;  // power of two
  size_t m_size = 0;
  size_t m_minCapacity = 0;
};

}  // namespace slowburn::preload
