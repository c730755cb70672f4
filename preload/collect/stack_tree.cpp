#include "collect/stack_tree.hpp"

#include "collect/open_table.hpp"

namespace slowburn::preload {

StackTree::~StackTree() { unmapPages(m_slots, m_capacity * sizeof(Slot)); }

size_t StackTree::home(uint64_t address, uint32_t parent) const {
  const uint64_t h = (address ^ (uint64_t{parent} << 40 | parent)) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h >> 20) & (m_capacity - 1);
}

// The id slot of (address, parent): its id + 1 if present, else an empty slot to fill.
uint32_t* StackTree::lookup(uint64_t address, uint32_t parent) {
  size_t i = home(address, parent);
  for (;;) {
    Slot& s = m_slots[i];
    if (s.idPlusOne == 0) {
      s.address = address;
      s.parent = parent;
      return &s.idPlusOne;
    }
    if (s.address == address && s.parent == parent) return &s.idPlusOne;
    i = (i + 1) & (m_capacity - 1);
  }
}

const uint32_t* StackTree::find(uint64_t address, uint32_t parent) const {
  for (size_t i = home(address, parent);; i = (i + 1) & (m_capacity - 1)) {
    const Slot& s = m_slots[i];
    if (s.idPlusOne == 0) return nullptr;
    if (s.address == address && s.parent == parent) return &s.idPlusOne;
  }
}

bool StackTree::grow() {
  return moveToFreshTable(
      m_slots, m_capacity, m_capacity == 0 ? 1024 : m_capacity * 2,
      [](const Slot& s) { return s.idPlusOne != 0; },
      [&](const Slot& s) { *lookup(s.address, s.parent) = s.idPlusOne; });
}

bool StackTree::intern(const uint64_t* frames, uint32_t count, Placement* out) {
  *out = Placement{};
  if (count == 0) return true;
  if (m_nodes + count > format::kMaxStackNodes) return false;
  // Room for every frame being new, so no growth happens half way through a stack.
  while ((size_t{m_nodes} + count) * 2 > m_capacity)
    if (!grow()) return false;
  uint32_t parent = format::StackNode::kRoot;
  uint32_t i = count;
  // The shared outer part: existing nodes.
  for (; i > 0; --i) {
    const uint32_t* id = find(frames[i - 1], parent);
    if (id == nullptr) break;
    parent = *id - 1;
  }
  out->parent = parent == format::StackNode::kRoot ? kNone : parent;
  out->fresh = i;
  for (; i > 0; --i) {
    *lookup(frames[i - 1], parent) = ++m_nodes;
    parent = m_nodes - 1;
  }
  return true;
}

}  // namespace slowburn::preload
