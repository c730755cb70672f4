#pragma once
// How an allocation call is recorded around the real one, for every hook that allocates
// (the malloc family, operator new, the allocators' own entry points). The reentry guard
// is held across the real call: whatever the allocator does inside (its own mallocs, the
// mappings it makes) is its business, counted once as the block it returns.

#include <cstddef>

#include "lifecycle/lifecycle.hpp"
#include "record/recorder.hpp"

namespace slowburn::preload::hooks {

// Runs an allocation through `allocate` and records the block it returns.
template <typename Allocate>
void* recorded(size_t size, Allocate&& allocate) {
  if (!shouldRecord()) return allocate();
  ReentryGuard guard;
  void* block = allocate();
  if (block != nullptr) recordAlloc(block, size);
  return block;
}

// A realloc: the old block's end is recorded before the real call, and undone if the call
// fails (see beginRealloc).
template <typename Reallocate>
void* recordedRealloc(void* old, size_t size, Reallocate&& reallocate) {
  if (!shouldRecord()) return reallocate();
  ReentryGuard guard;
  if (old == nullptr) {
    void* block = reallocate();
    if (block != nullptr) recordAlloc(block, size);
    return block;
  }
  if (size == 0) {
    // glibc frees the block and returns NULL; anything else it returns is a new block.
    recordFree(old);
    void* block = reallocate();
    if (block != nullptr) recordAlloc(block, 0);
    return block;
  }
  const ReallocTicket ticket = beginRealloc(old);
  void* block = reallocate();
  endRealloc(ticket, old, block, size);
  return block;
}

// A free through `release`, recorded before it (the address may be reused at once). The
// guard is held across it, so a delete that frees through free() is recorded once.
template <typename Release>
auto recordedFree(void* block, Release&& release) {
  if (!shouldRecord()) return release();
  ReentryGuard guard;
  if (block != nullptr && mayBeRecorded(block)) recordFree(block);
  return release();
}

}  // namespace slowburn::preload::hooks
