#pragma once
// How an allocation call is recorded around the real one, for every hook that allocates
// (the malloc family, operator new, the allocators' own entry points). Whether a call is
// recorded is decided before it (in sampled mode most are not, and cost the countdown and
// nothing else); a recorded one holds the reentry guard across the real call: whatever the
// allocator does inside (its own mallocs, the mappings it makes) is its business, counted
// once as the block it returns.

#include <cstddef>

#include "hooks/originals.hpp"
#include "lifecycle/lifecycle.hpp"
#include "record/recorder.hpp"

namespace slowburn::preload::hooks {

// A call that is not recorded. With glibc's malloc, the call itself and nothing else; with
// an allocator that maps through the hooks, under the guard all the same, so that what it
// maps is not booked as the program's own mappings.
template <typename Call>
auto unrecorded(Call&& call) {
  if (!detail::s_allocatorMaps) [[likely]]
    return call();
  ReentryGuard guard;
  return call();
}

// Runs a chosen allocation through `allocate` and records the block it returns.
template <typename Allocate>
void* recordedAlloc(size_t size, Allocate&& allocate) {
  ReentryGuard guard;
  void* block = allocate();
  recordAlloc(block, size);
  return block;
}

// Runs an allocation through `allocate` and records the block it returns, when chosen.
template <typename Allocate>
void* recorded(size_t size, Allocate&& allocate) {
  if (!chooseAlloc(size)) [[likely]]
    return unrecorded(allocate);
  return recordedAlloc(size, allocate);
}

// A realloc: the old block's end is recorded before the real call, and undone if the call
// fails (see beginRealloc). What to record is decided before the guard.
template <typename Reallocate>
void* recordedRealloc(void* old, size_t size, Reallocate&& reallocate) {
  const bool oldRecorded = old != nullptr && mayBeRecorded(old);
  const bool chosen = chooseAlloc(size);
  if (!oldRecorded && !chosen) [[likely]]
    return unrecorded(reallocate);
  ReentryGuard guard;
  if (size == 0 && old != nullptr) {
    // glibc frees the block and returns NULL; anything else it returns is a new block.
    if (oldRecorded) recordFree(old);
    void* block = reallocate();
    if (chosen) recordAlloc(block, 0);
    return block;
  }
  const ReallocTicket ticket = oldRecorded ? beginRealloc(old) : ReallocTicket{};
  void* block = reallocate();
  endRealloc(ticket, old, block, size, chosen);
  return block;
}

// A free through `release`, recorded before it (the address may be reused at once). The
// guard is held across it, so a delete that frees through free() is recorded once.
template <typename Release>
auto recordedFree(void* block, Release&& release) {
  if (block == nullptr || !mayBeRecorded(block)) return unrecorded(release);
  ReentryGuard guard;
  recordFree(block);
  return release();
}

}  // namespace slowburn::preload::hooks
