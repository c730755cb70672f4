#include "support/bump_arena.hpp"

#include <new>

#include "support/page_memory.hpp"

namespace slowburn::preload {

void* BumpArena::allocate(size_t bytes) {
  const size_t need = (bytes + kAlign - 1) & ~(kAlign - 1);
  for (;;) {
    Chunk* chunk = m_current.load(std::memory_order_acquire);
    if (chunk != nullptr) {
      // A failed claim past the end just wastes the chunk's tail; the next one takes over.
      const size_t offset = chunk->used.fetch_add(need, std::memory_order_relaxed);
      if (offset + need <= chunk->capacity) {
        return reinterpret_cast<uint8_t*>(chunk) + kHeader + offset;
      }
    }
    const size_t mapBytes = roundToPages(kHeader + (need > kChunkBytes ? need : kChunkBytes));
    void* memory = mapPages(mapBytes);
    if (memory == nullptr) return nullptr;
    Chunk* fresh = new (memory) Chunk{chunk, mapBytes - kHeader, {0}};
    if (m_current.compare_exchange_strong(chunk, fresh, std::memory_order_acq_rel)) {
      m_mapped.fetch_add(mapBytes, std::memory_order_relaxed);
    } else {
      unmapPages(memory, mapBytes);  // another thread installed a chunk first: use that
    }
  }
}

}  // namespace slowburn::preload
