// operator new/delete and the entry points of jemalloc, tcmalloc and mimalloc
// (allocator_hook_list.hpp): each passes the call to the next definition of its name (the
// allocator's, or libstdc++'s operators), recording it as the malloc family is recorded
// (recorded_call.hpp). The next definitions are looked up on first use, not at start: a
// library that defines them may be dlopen'ed later (a C++ extension loaded by python3).
//
// These names are exported whether or not the program uses such an allocator. When no
// library defines one, the call fails as an exhausted allocator would (NULL, ENOMEM) and a
// free passes the block to free(): a program that probes for jemalloc with a weak symbol
// finds mallocx, but never a working one that is not there.

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include "hooks/allocator_hook_list.hpp"
#include "hooks/hooks.hpp"
#include "hooks/recorded_call.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload::hooks {

#define SLOWBURN_DECLARE_ALLOCATOR_HOOK(name, ret, params, args, how, howArgs) \
  ret name params SLOWBURN_HOOK(name);
SLOWBURN_ALLOCATOR_HOOKS(SLOWBURN_DECLARE_ALLOCATOR_HOOK)
#undef SLOWBURN_DECLARE_ALLOCATOR_HOOK

namespace {

// The next definition of each name, by its place in the list.
enum class Next : unsigned {
#define SLOWBURN_NEXT_SLOT(name, ...) name,
  SLOWBURN_ALLOCATOR_HOOKS(SLOWBURN_NEXT_SLOT)
#undef SLOWBURN_NEXT_SLOT
      Count
};

constexpr const char* kNames[] = {
#define SLOWBURN_NEXT_NAME(name, ...) #name,
    SLOWBURN_ALLOCATOR_HOOKS(SLOWBURN_NEXT_NAME)
#undef SLOWBURN_NEXT_NAME
};

std::atomic<void*> s_next[static_cast<unsigned>(Next::Count)];
// Whether each next definition is libstdc++'s, set before its pointer is published.
std::atomic<bool> s_libstdcxx[static_cast<unsigned>(Next::Count)];

// Which loaded object holds an address, by its segments (dladdr would also scan the
// object's symbols: a third of a million instructions in libstdc++, per operator).
struct Lookup {
  uintptr_t address;
  const char* name;
};

int findObject(dl_phdr_info* info, size_t, void* data) {
  auto* lookup = static_cast<Lookup*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD && lookup->address - start < ph.p_memsz) {
      lookup->name = info->dlpi_name;
      return 1;
    }
  }
  return 0;
}

bool inLibstdcxx(void* fn) {
  Lookup lookup{reinterpret_cast<uintptr_t>(fn), nullptr};
  ::dl_iterate_phdr(findObject, &lookup);  // through the hook: it keeps walks out of fork
  if (lookup.name == nullptr) return false;
  const char* base = std::strrchr(lookup.name, '/');
  return std::strncmp(base != nullptr ? base + 1 : lookup.name, "libstdc++.so", 12) == 0;
}

[[gnu::noinline]] void* resolveNext(Next slot) {
  ReentryGuard guard;  // dlsym may allocate
  void* fn = dlsym(RTLD_NEXT, kNames[static_cast<unsigned>(slot)]);
  if (fn != nullptr) {
    s_libstdcxx[static_cast<unsigned>(slot)].store(inLibstdcxx(fn), std::memory_order_relaxed);
  }
  s_next[static_cast<unsigned>(slot)].store(fn, std::memory_order_release);
  return fn;
}

// The definition after ours, or nullptr when no loaded library has one (looked up again
// next time: it may be loaded by then).
inline void* next(Next slot) {
  void* fn = s_next[static_cast<unsigned>(slot)].load(std::memory_order_acquire);
  if (fn != nullptr) [[likely]]
    return fn;
  return resolveNext(slot);
}

// libstdc++'s operators are malloc and free (new: malloc(size ? size : 1) in a new-handler
// loop; every delete: free): when they are next, the hooks call the malloc and free hooks
// themselves instead of going through them, which would come back here first.
bool nextIsLibstdcxx(Next slot) {
  return s_libstdcxx[static_cast<unsigned>(slot)].load(std::memory_order_relaxed);
}

// The nothrow_t argument: a tag no implementation reads.
const char s_nothrowTag = 0;
const void* const kNothrow = &s_nothrowTag;

// count * size, or SIZE_MAX when it overflows (the call then fails and nothing is recorded).
size_t product(size_t count, size_t size) {
  size_t total = 0;
  return __builtin_mul_overflow(count, size, &total) ? SIZE_MAX : total;
}

template <class T>
T failed() {
  errno = ENOMEM;
  return T{};
}

// The short path of a call whose next definition is libstdc++'s (nextIsLibstdcxx): taken
// first, in a hook with no frame of its own, before the recorded call (its last argument,
// a function) is ever set up. Most ways have none and always take the recorded call.
struct NoShortPath {
  static constexpr bool kShortPath = false;
  template <class... Args>
  static decltype(auto) shortPath(Args&&... args) {  // never taken: the recorded call
    return std::get<sizeof...(Args) - 1>(std::forward_as_tuple(args...))();
  }
};

// Each way of recording takes the slot of the call's next definition first.
struct Alloc : NoShortPath {
  template <class Call>
  static void* run(Next, size_t size, Call&& call) {
    return recorded(size, call);
  }
  static void* missing(Next, size_t) { return failed<void*>(); }
};

struct Free {
  static constexpr bool kShortPath = true;
  template <class Recorded>
  static void shortPath(void* block, Recorded&&) {
    hooks::free(block);
  }
  template <class Call>
  static void run(Next slot, void* block, Call&& call) {
    if (nextIsLibstdcxx(slot)) return shortPath(block, call);
    recordedFree(block, call);
  }
  static void missing(Next, void* block) { hooks::free(block); }
};

struct Realloc : NoShortPath {
  template <class Call>
  static void* run(Next, void* old, size_t size, Call&& call) {
    return recordedRealloc(old, size, call);
  }
  static void* missing(Next, void*, size_t) { return failed<void*>(); }
};

struct ReallocOrFree : NoShortPath {
  template <class Call>
  static void* run(Next, void* old, size_t size, Call&& call) {
    if (old == nullptr) return recordedRealloc(old, size, call);
    const bool oldRecorded = mayBeRecorded(old);
    const bool chosen = chooseAlloc(size);
    if (!oldRecorded && !chosen) return unrecorded(call);
    ReentryGuard guard;
    const ReallocTicket ticket = oldRecorded ? beginRealloc(old) : ReallocTicket{};
    void* block = call();
    // A failure freed the old block as well: committed, with no new block.
    endRealloc(ticket, old, block, block == nullptr ? 0 : size, chosen);
    return block;
  }
  static void* missing(Next, void*, size_t) { return failed<void*>(); }
};

struct AllocInto : NoShortPath {
  template <class Call>
  static int run(Next, void** out, size_t size, Call&& call) {
    if (!chooseAlloc(size)) return unrecorded(call);
    ReentryGuard guard;
    const int result = call();
    if (result == 0) recordAlloc(*out, size);
    return result;
  }
  static int missing(Next, void**, size_t) { return ENOMEM; }
};

struct Duplicate : NoShortPath {
  template <class Call>
  static char* run(Next, bool allocates, Call&& call) {
    if (!shouldRecord() || !allocates) return call();
    char* copy = nullptr;
    {
      ReentryGuard guard;
      copy = call();
    }
    // Its size is known only now; the copy is this thread's alone until it returns.
    if (copy == nullptr) return copy;
    const size_t size = std::strlen(copy) + 1;
    if (chooseAlloc(size)) {
      ReentryGuard guard;
      recordAlloc(copy, size);
    }
    return copy;
  }
  static char* missing(Next, bool) { return failed<char*>(); }
};

struct ResizeInPlace : NoShortPath {
  template <class Call>
  static size_t run(Next, void* block, size_t size, size_t extra, Call&& call) {
    if (block == nullptr) return call();
    const bool oldRecorded = mayBeRecorded(block);
    const bool chosen = chooseAlloc(size);
    if (!oldRecorded && !chosen) return unrecorded(call);
    ReentryGuard guard;
    const ReallocTicket ticket = oldRecorded ? beginRealloc(block) : ReallocTicket{};
    const size_t real = call();
    // Short of size: the block could not grow and is as it was.
    const bool resized = real >= size && size != 0;
    const size_t held = std::min(real, size + std::min(extra, SIZE_MAX - size));
    endRealloc(ticket, block, resized ? block : nullptr, resized ? held : size, chosen);
    return real;
  }
  static size_t missing(Next, void*, size_t, size_t) { return 0; }
};

struct New : NoShortPath {
  template <class TryNothrow, class Call>
  static void* run(Next, TryNothrow&& tryNothrow, Call&& call) {
    // Inside a recorded call already (libstdc++'s nothrow new calls the throwing one).
    if (!shouldRecord()) return call();
    if (void* block = tryNothrow()) return block;
    // Out of memory: the real form runs its new-handler loop and throws through here.
    return call();
  }
  template <class TryNothrow>
  static void* missing(Next, TryNothrow&& tryNothrow) {
    if (void* block = tryNothrow()) return block;
    diag::line("a throwing operator new was called, and no library defines it");
    abort();
  }
};

// operator new(size_t) and new[], throwing and nothrow: libstdc++'s is malloc, whose hook
// records it (or not, as it decides); only when malloc fails does the real operator run (its
// new-handler loop, the throw).
struct MallocNew {
  static constexpr bool kShortPath = true;
  template <class TryNothrow, class Recorded>
  static void* shortPath(size_t size, TryNothrow&&, Recorded&& recorded) {
    if (void* block = hooks::malloc(size != 0 ? size : 1)) [[likely]]
      return block;
    return recorded();  // out of memory: the real operator's new-handler loop
  }
  template <class TryNothrow, class Call>
  static void* run(Next slot, size_t size, TryNothrow&& tryNothrow, Call&& call) {
    if (!nextIsLibstdcxx(slot)) return New::run(slot, tryNothrow, call);
    return shortPath(size, tryNothrow, call);  // reached before the flag was set
  }
  template <class TryNothrow>
  static void* missing(Next slot, size_t, TryNothrow&& tryNothrow) {
    return New::missing(slot, tryNothrow);
  }
};

struct MallocNewNothrow {
  static constexpr bool kShortPath = true;
  template <class Recorded>
  static void* shortPath(size_t size, Recorded&& recorded) {
    return MallocNew::shortPath(size, nullptr, recorded);
  }
  template <class Call>
  static void* run(Next slot, size_t size, Call&& call) {
    if (!nextIsLibstdcxx(slot)) return Alloc::run(slot, size, call);
    return shortPath(size, call);
  }
  static void* missing(Next slot, size_t size) { return Alloc::missing(slot, size); }
};

#define SLOWBURN_UNPAREN(...) __VA_ARGS__

}  // namespace

// Each recorded body: find the next definition, then run the call through its recording.
// Out of line, so that the hook itself, whose short path is most calls of a C++ program
// (operator new and delete with libstdc++ behind them), sets up none of its frame: delete
// jumps to the free hook, new keeps only an rbp frame (which the unwinder follows through
// the library's own frames to the program's caller, so it must stay).
#define SLOWBURN_DEFINE_RECORDED_HOOK(name, ret, params, args, how, howArgs)                   \
  namespace {                                                                                  \
  [[gnu::noinline]] ret recorded_##name params {                                               \
    const auto real = reinterpret_cast<ret(*) params>(next(Next::name));                       \
    if (real == nullptr) [[unlikely]]                                                          \
      return how::missing(Next::name, SLOWBURN_UNPAREN howArgs);                               \
    return how::run(Next::name, SLOWBURN_UNPAREN howArgs, [&]() -> ret { return real args; }); \
  }                                                                                            \
  }
SLOWBURN_ALLOCATOR_HOOKS(SLOWBURN_DEFINE_RECORDED_HOOK)
#undef SLOWBURN_DEFINE_RECORDED_HOOK

#define SLOWBURN_DEFINE_ALLOCATOR_HOOK(name, ret, params, args, how, howArgs) \
  ret name params {                                                           \
    if (how::kShortPath && nextIsLibstdcxx(Next::name)) [[likely]]            \
      return how::shortPath(SLOWBURN_UNPAREN howArgs,                         \
                            [&]() -> ret { return recorded_##name args; });   \
    return recorded_##name args;                                              \
  }
SLOWBURN_ALLOCATOR_HOOKS(SLOWBURN_DEFINE_ALLOCATOR_HOOK)
#undef SLOWBURN_DEFINE_ALLOCATOR_HOOK

}  // namespace slowburn::preload::hooks

// Exported under their own names; no libc prototype to check them against.
#define SLOWBURN_EXPORT_ALLOCATOR_HOOK(name, ret, params, ...) \
  extern "C" [[gnu::alias("slowburn_hook_" #name), gnu::visibility("default")]] ret name params;
SLOWBURN_ALLOCATOR_HOOKS(SLOWBURN_EXPORT_ALLOCATOR_HOOK)
#undef SLOWBURN_EXPORT_ALLOCATOR_HOOK
