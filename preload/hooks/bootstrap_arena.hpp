#pragma once
// A static bump arena for allocations made before the real allocator is known: dlsym
// calls calloc while it resolves the originals (heaptrack's dummy calloc does the same).
// Its blocks are never reused and never handed to the real free.

#include <cstddef>
#include <cstdint>

namespace slowburn::preload::bootstrap {

// Zeroed memory, or nullptr when the arena is exhausted. alignment is a power of two.
void* allocate(size_t size, size_t alignment = 16);
namespace detail {
inline constexpr size_t kArenaBytes = 256 * 1024;
[[gnu::visibility("hidden")]] extern unsigned char s_arena[kArenaBytes];  // no GOT load
}  // namespace detail

// Inline: every free asks.
inline bool owns(const void* p) {
  // One unsigned comparison: an address below the arena wraps around to a large offset.
  return reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(detail::s_arena) <
         detail::kArenaBytes;
}
inline uintptr_t arenaStart() { return reinterpret_cast<uintptr_t>(detail::s_arena); }
// How much of the arena has been handed out (final once the originals are known).
size_t usedBytes();
// The size requested for a block of the arena.
size_t sizeOf(const void* p);

}  // namespace slowburn::preload::bootstrap
