#pragma once
// Concurrent insert-only map from a 64-bit site key to its SiteEntry.
//
// A hash trie (HAMT without deletion): a 4096-way root, then 16-way nodes, each step
// consuming the next bits of the key. Every slot only ever moves forward:
//   empty -> leaf (CAS)  and  leaf -> node holding that leaf (CAS),
// so a key has exactly one place at any time, lookups never wait, and two threads that
// race to insert the same key agree on one entry. Memory comes from a BumpArena (mmap),
// grows with the number of sites only, and is never freed; a thread that loses a race
// keeps its spare node or entry for its next insert.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "record/site.hpp"
#include "support/bump_arena.hpp"

namespace slowburn::preload {

class SiteTable {
 public:
  SiteTable();
  ~SiteTable();
  SiteTable(const SiteTable&) = delete;
  SiteTable& operator=(const SiteTable&) = delete;

  bool ok() const { return m_root != nullptr; }

  // The entry for key, or nullptr.
  SiteEntry* find(uint64_t key) const;

  // The entry for key, created when absent; nullptr if out of memory.
  SiteEntry* intern(uint64_t key, format::SiteKind kind, format::SyscallOp op);

  size_t size() const { return m_count.load(std::memory_order_relaxed); }
  size_t mappedBytes() const { return m_arena.mappedBytes() + kRootBytes; }

 private:
  static constexpr unsigned kRootBits = 12;
  static constexpr unsigned kNodeBits = 4;
  static constexpr size_t kRootBytes = (size_t{1} << kRootBits) * sizeof(std::atomic<uintptr_t>);

  struct Node {
    std::atomic<uintptr_t> slots[1u << kNodeBits];
  };

  SiteEntry* makeEntry(uint64_t key, format::SiteKind kind, format::SyscallOp op);
  Node* makeNode();

  std::atomic<uintptr_t>* m_root = nullptr;
  BumpArena m_arena;
  std::atomic<size_t> m_count{0};
  std::atomic<uint32_t> m_nextId{0};
};

}  // namespace slowburn::preload
