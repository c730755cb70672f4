#pragma once
// The collector's tree of stack frames (the dump's STACKS nodes): each node is a frame
// and the node of its caller, numbered in the order they were made. A new site's stack is
// found from its outermost frame inwards; only the frames no earlier stack shared become
// new nodes, so a site's definition costs its new frames, not all of them.
//
// An open-addressing table from (parent, address) to node id, in mmap'ed memory, doubled
// when half full: it grows with distinct stack frames, never with events.

#include <cstddef>
#include <cstdint>

#include "slowburn/records.hpp"

namespace slowburn::preload {

class StackTree {
 public:
  StackTree() = default;
  ~StackTree();
  StackTree(const StackTree&) = delete;
  StackTree& operator=(const StackTree&) = delete;

  // Where the stack frames[0..count) (innermost first) hangs in the tree: the deepest
  // node it shares with earlier stacks (kNone: none, not even its outermost frame) and
  // how many of its frames are new. The new ones become nodes, numbered next, outermost
  // first: frames[fresh - 1], ..., frames[0]. False (nothing added) when out of memory or
  // past the format's limit on nodes.
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Placement {
    uint32_t parent = kNone;
    uint32_t fresh = 0;
  };
  bool intern(const uint64_t* frames, uint32_t count, Placement* out);

  uint32_t nodes() const { return m_nodes; }
  size_t mappedBytes() const { return m_capacity * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t address;
    uint32_t parent;     // format::StackNode::kRoot for an outermost frame
    uint32_t idPlusOne;  // 0: empty
  };

  size_t home(uint64_t address, uint32_t parent) const;
  uint32_t* lookup(uint64_t address, uint32_t parent);
  const uint32_t* find(uint64_t address, uint32_t parent) const;
  bool grow();

  Slot* m_slots = nullptr;
  size_t m_capacity = 0;  // power of two
  uint32_t m_nodes = 0;
};

}  // namespace slowburn::preload
