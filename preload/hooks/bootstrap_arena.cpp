#include "hooks/bootstrap_arena.hpp"

#include <atomic>
#include <cstdint>

namespace slowburn::preload::bootstrap {

alignas(4096) unsigned char detail::s_arena[detail::kArenaBytes];

namespace {

using detail::kArenaBytes;
using detail::s_arena;
constexpr size_t kHeader = 16;  // the block's size, kept just before it

std::atomic<size_t> s_used{0};

}  // namespace

void* allocate(size_t size, size_t alignment) {
  if (alignment < 16) alignment = 16;
  if (alignment > 4096 || (alignment & (alignment - 1)) != 0) return nullptr;
  if (size > kArenaBytes) return nullptr;
  size_t used = s_used.load(std::memory_order_relaxed);
  for (;;) {
    const size_t start = (used + kHeader + alignment - 1) & ~(alignment - 1);
    const size_t end = start + ((size + 15) & ~size_t{15});
    if (end > kArenaBytes) return nullptr;
    if (s_used.compare_exchange_weak(used, end, std::memory_order_relaxed)) {
      *reinterpret_cast<size_t*>(s_arena + start - kHeader) = size;
      return s_arena + start;
    }
  }
}

size_t usedBytes() { return s_used.load(std::memory_order_relaxed); }

size_t sizeOf(const void* p) {
  return *reinterpret_cast<const size_t*>(static_cast<const unsigned char*>(p) - kHeader);
}

}  // namespace slowburn::preload::bootstrap
