// The mapping hooks: mmap, munmap, mremap, and brk/sbrk where the program calls them
// itself. Private anonymous mappings are booked to the stack that made them (a third site
// kind, mmap): an arena allocator's growth is attributed to whoever made it grow.
//
// What is not booked, and why:
// - mappings made inside an allocation call: the allocation hooks hold the reentry guard
//   around the real allocator, so jemalloc's extents, mimalloc's segments and the like are
//   counted once, as the blocks handed out of them. glibc's own mmap and brk for large
//   blocks and arenas never come here at all (it calls them inside libc);
// - the profiler's own memory, which it maps with raw system calls (support/raw_io.hpp);
// - file and shared mappings, and PROT_NONE reservations, which hold no private memory
//   until something is mapped over them (that mapping is booked then).
// A mapping made with MAP_FIXED replaces whatever the books held where it lands.

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>

#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/lifecycle.hpp"
#include "record/recorder.hpp"

namespace slowburn::preload::hooks {

void* mmap(void* address, size_t length, int prot, int flags, int fd, off_t offset) noexcept
    SLOWBURN_HOOK(mmap);
void* mmap64(void* address, size_t length, int prot, int flags, int fd, off64_t offset) noexcept
    SLOWBURN_HOOK(mmap64);
int munmap(void* address, size_t length) noexcept SLOWBURN_HOOK(munmap);
void* mremap(void* old, size_t oldLength, size_t newLength, int flags, ...) noexcept
    SLOWBURN_HOOK(mremap);
int brk(void* end) noexcept SLOWBURN_HOOK(brk);
void* sbrk(intptr_t increment) noexcept SLOWBURN_HOOK(sbrk);

namespace {

size_t pageRound(size_t bytes) {
  const auto page = static_cast<size_t>(getpagesize());
  return (bytes + page - 1) & ~(page - 1);
}

bool pageAligned(const void* address) {
  return (reinterpret_cast<uintptr_t>(address) & (static_cast<uintptr_t>(getpagesize()) - 1)) == 0;
}

// Memory of the program's own: private, anonymous, and accessible.
bool isPrivateMemory(int prot, int flags) {
  return (flags & MAP_ANONYMOUS) != 0 && (flags & MAP_TYPE) == MAP_PRIVATE && prot != PROT_NONE;
}

// After a successful mmap: book it, or drop what a MAP_FIXED mapping of another kind replaced.
void mapped(void* result, size_t length, int prot, int flags) {
  ReentryGuard guard;
  if (isPrivateMemory(prot, flags)) {
    recordMap(result, pageRound(length));
  } else if ((flags & MAP_FIXED) != 0) {
    recordUnmap(result, pageRound(length));
  }
}

template <class Offset, class Real>
void* mapping(void* address, size_t length, int prot, int flags, int fd, Offset offset, Real real) {
  const Originals* r = originals();
  // Only the thread resolving the originals can find them missing, and dlsym maps nothing
  // through us; the system call keeps even that case correct.
  void* result = r != nullptr && r->*real != nullptr
                     ? (r->*real)(address, length, prot, flags, fd, offset)
                     : reinterpret_cast<void*>(syscall(SYS_mmap, address, length, prot, flags, fd,
                                                       static_cast<off_t>(offset)));
  if (result != MAP_FAILED && shouldRecord()) [[unlikely]]
    mapped(result, length, prot, flags);
  return result;
}

}  // namespace

void* mmap(void* address, size_t length, int prot, int flags, int fd, off_t offset) noexcept {
  return mapping(address, length, prot, flags, fd, offset, &Originals::mmap);
}

void* mmap64(void* address, size_t length, int prot, int flags, int fd, off64_t offset) noexcept {
  return mapping(address, length, prot, flags, fd, offset, &Originals::mmap64);
}

int munmap(void* address, size_t length) noexcept {
  // Booked before the call: once it returns, another thread may map the same range.
  if (shouldRecord() && length != 0 && pageAligned(address)) [[unlikely]] {
    ReentryGuard guard;
    recordUnmap(address, pageRound(length));
  }
  const Originals* r = originals();
  return r != nullptr && r->munmap != nullptr
             ? r->munmap(address, length)
             : static_cast<int>(syscall(SYS_munmap, address, length));
}

void* mremap(void* old, size_t oldLength, size_t newLength, int flags, ...) noexcept {
  void* fixedAt = nullptr;
  if ((flags & MREMAP_FIXED) != 0) {
    va_list args;
    va_start(args, flags);
    fixedAt = va_arg(args, void*);
    va_end(args);
  }
  const Originals* r = originals();
  const auto call = [&] {
    return r != nullptr && r->mremap != nullptr
               ? r->mremap(old, oldLength, newLength, flags, fixedAt)
               : reinterpret_cast<void*>(
                     syscall(SYS_mremap, old, oldLength, newLength, flags, fixedAt));
  };
  // An old length of 0 duplicates a shared mapping: nothing booked moves.
  if (!shouldRecord() || oldLength == 0) return call();
  ReentryGuard guard;
  const RemapTicket ticket = beginRemap(old, pageRound(oldLength));
  void* result = call();
  // MREMAP_DONTUNMAP leaves the old range mapped (emptied) where it was: the books keep it,
  // and the new range is not booked.
  const bool moved = result != MAP_FAILED && (flags & MREMAP_DONTUNMAP) == 0;
  endRemap(ticket, moved ? result : nullptr, pageRound(newLength));
  return result;
}

int brk(void* end) noexcept {
  const Originals* r = originals();
  if (r == nullptr || r->brk == nullptr || r->sbrk == nullptr) [[unlikely]] {
    errno = ENOMEM;
    return -1;
  }
  if (!shouldRecord()) return r->brk(end);
  ReentryGuard guard;
  auto* const current = static_cast<char*>(r->sbrk(0));
  auto* const wanted = static_cast<char*>(end);
  if (wanted < current) recordUnmap(wanted, static_cast<size_t>(current - wanted));
  const int result = r->brk(end);
  if (result == 0 && wanted > current) recordMap(current, static_cast<size_t>(wanted - current));
  return result;
}

void* sbrk(intptr_t increment) noexcept {
  const Originals* r = originals();
  if (r == nullptr || r->sbrk == nullptr) [[unlikely]] {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  if (increment == 0 || !shouldRecord()) return r->sbrk(increment);
  ReentryGuard guard;
  if (increment < 0) {
    auto* const current = static_cast<char*>(r->sbrk(0));
    recordUnmap(current + increment, static_cast<size_t>(-increment));
  }
  void* old = r->sbrk(increment);
  if (old != reinterpret_cast<void*>(-1) && increment > 0)
    recordMap(old, static_cast<size_t>(increment));
  return old;
}

}  // namespace slowburn::preload::hooks

SLOWBURN_MAP_HOOKS(SLOWBURN_EXPORT_HOOK)
