// Every interposed allocation function, each from its own function with its own size,
// plus the realloc corner cases: failure (block untouched), size 0 (a free), NULL (a
// malloc), reallocarray overflow. Exits 1 if any call misbehaves under the profiler
// (including errno after a failure).
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdio>

namespace {

int g_failures = 0;
volatile size_t g_huge = size_t{1} << 62;  // sizes the compiler must not see
volatile size_t g_halfMax = SIZE_MAX / 2;

// The same pointer, but the compiler no longer knows it: a failed realloc leaves the
// block valid, which its use-after-free analysis cannot know.
void* opaque(void* p) {
  asm volatile("" : "+r"(p));
  return p;
}

void* keep(void* p, size_t size) {
  asm volatile("" : : "r"(p) : "memory");
  if (p == nullptr || malloc_usable_size(p) < size) ++g_failures;
  return p;
}

[[gnu::noinline]] void* viaCalloc() { return keep(calloc(7, 1001), 7007); }
[[gnu::noinline]] void* viaPosixMemalign() {
  void* p = nullptr;
  if (posix_memalign(&p, 64, 7011) != 0) ++g_failures;
  return keep(p, 7011);
}
[[gnu::noinline]] void* viaAlignedAlloc() { return keep(aligned_alloc(128, 7040), 7040); }
[[gnu::noinline]] void* viaMemalign() { return keep(memalign(256, 7013), 7013); }
[[gnu::noinline]] void* viaValloc() { return keep(valloc(7017), 7017); }
[[gnu::noinline]] void* viaPvalloc() { return keep(pvalloc(7019), 7019); }
[[gnu::noinline]] void* viaReallocarray() { return keep(reallocarray(nullptr, 3, 2341), 7023); }
[[gnu::noinline]] void* viaReallocNull() { return keep(realloc(nullptr, 7027), 7027); }

[[gnu::noinline]] void* failedRealloc() {
  void* p = keep(malloc(7031), 7031);
  errno = 0;
  if (realloc(opaque(p), g_huge) != nullptr || errno != ENOMEM) ++g_failures;
  return p;  // still the program's block, still live
}

[[gnu::noinline]] void reallocToZero() {
  void* p = keep(malloc(7037), 7037);
  if (realloc(opaque(p), 0) != nullptr) ++g_failures;  // glibc: frees, returns NULL
}

[[gnu::noinline]] void* overflowingReallocarray() {
  void* p = keep(malloc(7039), 7039);
  errno = 0;
  if (reallocarray(opaque(p), g_halfMax, 4) != nullptr || errno != ENOMEM) ++g_failures;
  return p;
}

[[gnu::noinline]] void* grownFrom() { return keep(malloc(7043), 7043); }
[[gnu::noinline]] void* grownTo(void* p) { return keep(realloc(p, 7047), 7047); }

}  // namespace

int main() {
  void* kept[] = {viaCalloc(),         viaPosixMemalign(),
                  viaAlignedAlloc(),   viaMemalign(),
                  viaValloc(),         viaPvalloc(),
                  viaReallocarray(),   viaReallocNull(),
                  failedRealloc(),     overflowingReallocarray(),
                  grownTo(grownFrom())};
  reallocToZero();
  asm volatile("" : : "r"(kept) : "memory");
  std::printf("%s\n", g_failures == 0 ? "ok" : "misbehaved");
  return g_failures == 0 ? 0 : 1;
}
