#pragma once
// What the collector's open-addressing tables (StackTree, WideMap) share: their slots live
// in mapped pages, and growing or shrinking one moves every occupied slot into a fresh
// table through the table's own probe.

#include <cstddef>

#include "support/page_memory.hpp"

namespace slowburn::preload {

// Replaces slots[0..capacity) with a zero-filled table of newCapacity slots and calls
// place(slot) for each old slot that occupied(slot); slots and capacity are the new
// table's while it runs. False, with the old table kept, when out of memory.
template <class Slot, class Occupied, class Place>
bool moveToFreshTable(Slot*& slots, size_t& capacity, size_t newCapacity, Occupied&& occupied,
                      Place&& place) {
  auto* fresh = static_cast<Slot*>(mapPages(newCapacity * sizeof(Slot)));
  if (fresh == nullptr) return false;
  Slot* old = slots;
  const size_t oldCapacity = capacity;
  slots = fresh;
  capacity = newCapacity;
  for (size_t i = 0; i < oldCapacity; ++i)
    if (occupied(old[i])) place(old[i]);
  unmapPages(old, oldCapacity * sizeof(Slot));
  return true;
}

}  // namespace slowburn::preload
