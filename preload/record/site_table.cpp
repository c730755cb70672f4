#include "record/site_table.hpp"

#include <cstring>
#include <new>

#include "support/page_memory.hpp"

namespace slowburn::preload {
namespace {

constexpr uintptr_t kNodeTag = 1;

// A node or entry built for an insert that lost its race, kept for this thread's next one.
[[gnu::tls_model("initial-exec")]] thread_local void* t_spareNode = nullptr;
[[gnu::tls_model("initial-exec")]] thread_local SiteEntry* t_spareEntry = nullptr;

}  // namespace

SiteTable::SiteTable() { m_root = static_cast<std::atomic<uintptr_t>*>(mapPages(kRootBytes)); }

SiteTable::~SiteTable() { unmapPages(m_root, kRootBytes); }

SiteEntry* SiteTable::find(uint64_t key) const {
  if (m_root == nullptr) return nullptr;
  uintptr_t slot = m_root[key >> (64 - kRootBits)].load(std::memory_order_acquire);
  unsigned shift = 64 - kRootBits;
  while (slot & kNodeTag) {
    shift -= kNodeBits;
    const Node* node = reinterpret_cast<const Node*>(slot & ~kNodeTag);
    slot = node->slots[(key >> shift) & ((1u << kNodeBits) - 1)].load(std::memory_order_acquire);
  }
  auto* entry = reinterpret_cast<SiteEntry*>(slot);
  return entry != nullptr && entry->key == key ? entry : nullptr;
}

SiteEntry* SiteTable::makeEntry(uint64_t key, format::SiteKind kind, format::SyscallOp op) {
  SiteEntry* entry = t_spareEntry;
  if (entry != nullptr) {
    t_spareEntry = nullptr;
  } else {
    void* memory = m_arena.allocate(sizeof(SiteEntry));
    if (memory == nullptr) return nullptr;
    entry = new (memory) SiteEntry;
  }
  entry->key = key;
  entry->kind = kind;
  entry->op = op;
  return entry;
}

SiteTable::Node* SiteTable::makeNode() {
  if (t_spareNode != nullptr) {
    void* memory = t_spareNode;
    t_spareNode = nullptr;
    std::memset(memory, 0, sizeof(Node));
    return static_cast<Node*>(memory);
  }
  void* memory = m_arena.allocate(sizeof(Node));
  return memory == nullptr ? nullptr : new (memory) Node{};
}

SiteEntry* SiteTable::intern(uint64_t key, format::SiteKind kind, format::SyscallOp op) {
  if (m_root == nullptr) return nullptr;
  SiteEntry* fresh = nullptr;
  std::atomic<uintptr_t>* slot = &m_root[key >> (64 - kRootBits)];
  unsigned shift = 64 - kRootBits;
  for (;;) {
    uintptr_t value = slot->load(std::memory_order_acquire);
    if (value & kNodeTag) {
      shift -= kNodeBits;
      Node* node = reinterpret_cast<Node*>(value & ~kNodeTag);
      slot = &node->slots[(key >> shift) & ((1u << kNodeBits) - 1)];
      continue;
    }
    auto* existing = reinterpret_cast<SiteEntry*>(value);
    if (existing != nullptr && existing->key == key) {
      if (fresh != nullptr) t_spareEntry = fresh;
      return existing;
    }
    if (existing == nullptr) {
      if (fresh == nullptr) {
        fresh = makeEntry(key, kind, op);
        if (fresh == nullptr) return nullptr;
        fresh->id = m_nextId.fetch_add(1, std::memory_order_relaxed);
      }
      if (slot->compare_exchange_strong(value, reinterpret_cast<uintptr_t>(fresh),
                                        std::memory_order_acq_rel)) {
        m_count.fetch_add(1, std::memory_order_relaxed);
        return fresh;
      }
      continue;  // someone filled the slot: look again
    }
    // A different key lives here: push it one level down and retry from the new node.
    if (shift < kNodeBits) return nullptr;  // 64 equal bits would mean equal keys
    Node* node = makeNode();
    if (node == nullptr) return nullptr;
    const unsigned below = shift - kNodeBits;
    node->slots[(existing->key >> below) & ((1u << kNodeBits) - 1)].store(
        value, std::memory_order_relaxed);
    if (!slot->compare_exchange_strong(value, reinterpret_cast<uintptr_t>(node) | kNodeTag,
                                       std::memory_order_acq_rel)) {
      t_spareNode = node;
    }
  }
}

}  // namespace slowburn::preload
