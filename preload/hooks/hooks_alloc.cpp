// The allocation hooks: pass through, then tell the recorder (see recorder.hpp for the
// ordering rules). Until the originals are known, dlsym's own allocations are served
// from the bootstrap arena, whose blocks never reach the real free.

#include <cerrno>
#include <cstring>

#include "hooks/bootstrap_arena.hpp"
#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "hooks/recorded_call.hpp"

namespace slowburn::preload::hooks {
namespace {

// Out of line, so the hot paths of malloc and free keep no registers of their own.
[[gnu::noinline]] void* chosenMalloc(const Originals* real, size_t size) {
  return recordedAlloc(size, [&] { return real->malloc(size); });
}

// A malloc not chosen, of an allocator that maps through the hooks (see unrecorded).
[[gnu::noinline]] void* unchosenMalloc(size_t size) {
  return unrecorded([&] { return detail::s_originals.malloc(size); });
}

// A malloc whose size ran the sampling countdown out (every malloc in exact mode): whether
// it is recorded is decided here, out of line, so that malloc's common path makes no call
// of its own and so needs no stack frame.
[[gnu::noinline]] void* crossedMalloc(size_t size) {
  // The state again: a quick path taken on a stale flag must not record after Active.
  if (runtime().sampler.crossed(detail::t_sampler, size) && !t_inProfiler &&
      s_state.load(std::memory_order_acquire) == State::Active)
    return chosenMalloc(&detail::s_originals, size);
  return unchosenMalloc(size);
}

[[gnu::noinline]] void chosenFree(void* block) {
  recordedFree(block, [&] { detail::s_originals.free(block); });
}

// A bootstrap block being resized: move it to the real heap; the old copy stays put.
void* reallocFromArena(void* old, size_t size) {
  void* block = hooks::malloc(size);
  if (block != nullptr) {
    const size_t oldSize = bootstrap::sizeOf(old);
    std::memcpy(block, old, oldSize < size ? oldSize : size);
  }
  return block;
}

void* unavailable() {
  errno = ENOMEM;
  return nullptr;
}

}  // namespace

void* malloc(size_t size) noexcept {
  if (detail::s_quickPath.load(std::memory_order_acquire)) [[likely]] {
    if (!Sampler::countDown(detail::t_sampler, size)) [[likely]]
      return detail::s_originals.malloc(size);
    return crossedMalloc(size);
  }
  // Active implies the originals are resolved: the common case asks nothing else.
  if (s_state.load(std::memory_order_acquire) == State::Active) [[likely]] {
    if (!runtime().sampler.countdownRanOut(detail::t_sampler, size)) [[likely]] {
      if (!detail::s_allocatorMaps) [[likely]]
        return detail::s_originals.malloc(size);
      return unchosenMalloc(size);
    }
    return crossedMalloc(size);
  }
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]]
    return bootstrap::allocate(size);
  return real->malloc(size);  // not recording
}

void free(void* block) noexcept {
  if (detail::s_quickPath.load(std::memory_order_acquire)) [[likely]] {
    // Most frees in sampled mode: a block the filter says was never sampled (nullptr too;
    // the bootstrap arena's blocks read "maybe", see openQuickPath).
    if (!runtime().sampled.mayContain(reinterpret_cast<uint64_t>(block))) [[likely]]
      return detail::s_originals.free(block);
    // The filter was asked: the recorded free asks the rest (nullptr, state, the set).
    if (!bootstrap::owns(block)) chosenFree(block);
    return;
  }
  if (block == nullptr || bootstrap::owns(block)) return;
  if (s_state.load(std::memory_order_acquire) == State::Active) [[likely]] {
    if (mayBeRecordedActive(block) || detail::s_allocatorMaps) [[unlikely]]
      return chosenFree(block);
    return detail::s_originals.free(block);
  }
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]]
    return;
  real->free(block);  // not recording
}

void* calloc(size_t count, size_t size) noexcept {
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]] {
    // dlsym's calloc: the arena is zero-filled and never reused.
    size_t total = 0;
    if (__builtin_mul_overflow(count, size, &total)) return unavailable();
    return bootstrap::allocate(total);
  }
  return recorded(count * size, [&] { return real->calloc(count, size); });
}

void* realloc(void* block, size_t size) noexcept {
  if (block != nullptr && bootstrap::owns(block)) return reallocFromArena(block, size);
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]]
    return block == nullptr ? bootstrap::allocate(size) : nullptr;
  return recordedRealloc(block, size, [&] { return real->realloc(block, size); });
}

void* reallocarray(void* block, size_t count, size_t size) noexcept {
  size_t total = 0;
  const bool overflow = __builtin_mul_overflow(count, size, &total);
  if (block != nullptr && bootstrap::owns(block)) {
    return overflow ? unavailable() : reallocFromArena(block, total);
  }
  const Originals* real = originals();
  if (real == nullptr || real->reallocarray == nullptr) [[unlikely]] {
    if (overflow) return unavailable();
    return real == nullptr ? (block == nullptr ? bootstrap::allocate(total) : nullptr)
                           : hooks::realloc(block, total);
  }
  // An overflow fails without touching the block: nothing to record.
  if (overflow) return real->reallocarray(block, count, size);
  return recordedRealloc(block, total, [&] { return real->reallocarray(block, count, size); });
}

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]] {
    void* block = bootstrap::allocate(size, alignment);
    if (block == nullptr) return ENOMEM;
    *out = block;
    return 0;
  }
  if (!chooseAlloc(size))
    return unrecorded([&] { return real->posix_memalign(out, alignment, size); });
  ReentryGuard guard;
  const int result = real->posix_memalign(out, alignment, size);
  if (result == 0) recordAlloc(*out, size);
  return result;
}

void* aligned_alloc(size_t alignment, size_t size) noexcept {
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]]
    return bootstrap::allocate(size, alignment);
  if (real->aligned_alloc == nullptr) return unavailable();
  return recorded(size, [&] { return real->aligned_alloc(alignment, size); });
}

void* memalign(size_t alignment, size_t size) noexcept {
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]]
    return bootstrap::allocate(size, alignment);
  if (real->memalign == nullptr) return unavailable();
  return recorded(size, [&] { return real->memalign(alignment, size); });
}

void* valloc(size_t size) noexcept {
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]]
    return bootstrap::allocate(size, 4096);
  if (real->valloc == nullptr) return unavailable();
  return recorded(size, [&] { return real->valloc(size); });
}

void* pvalloc(size_t size) noexcept {
  const Originals* real = originals();
  if (real == nullptr) [[unlikely]]
    return bootstrap::allocate(size, 4096);
  if (real->pvalloc == nullptr) return unavailable();
  return recorded(size, [&] { return real->pvalloc(size); });
}

size_t malloc_usable_size(void* block) noexcept {
  if (block != nullptr && bootstrap::owns(block)) return bootstrap::sizeOf(block);
  const Originals* real = originals();
  if (real == nullptr || real->malloc_usable_size == nullptr) [[unlikely]]
    return 0;
  return real->malloc_usable_size(block);
}

}  // namespace slowburn::preload::hooks

SLOWBURN_ALLOC_HOOKS(SLOWBURN_EXPORT_HOOK)
