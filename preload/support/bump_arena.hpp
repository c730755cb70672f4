#pragma once
// A lock-free bump allocator over mmap'ed chunks for memory that lives as long as the
// process (site entries, trie nodes): any thread may allocate, nothing is ever freed.

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

class BumpArena {
 public:
  static constexpr size_t kChunkBytes = 1u << 20;

  BumpArena() = default;
  BumpArena(const BumpArena&) = delete;
  BumpArena& operator=(const BumpArena&) = delete;

  // Zeroed memory aligned to a cache line; nullptr only when mmap fails.
  void* allocate(size_t bytes);
  // Bytes mapped so far (for the profiler's own-memory accounting and tests).
  size_t mappedBytes() const { return m_mapped.load(std::memory_order_relaxed); }

 private:
  struct Chunk {
    Chunk* previous;
    size_t capacity;  // usable bytes after the header
    std::atomic<size_t> used;
  };
  static constexpr size_t kAlign = 64;
  static constexpr size_t kHeader = (sizeof(Chunk) + kAlign - 1) & ~(kAlign - 1);

  std::atomic<Chunk*> m_current{nullptr};
  std::atomic<size_t> m_mapped{0};
};

}  // namespace slowburn::preload
