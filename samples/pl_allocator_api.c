/* An allocator's own C entry points, each called from its own function with its own size:
 * built once per allocator (-DWITH_JEMALLOC, -DWITH_TCMALLOC or -DWITH_MIMALLOC) and linked
 * with it dynamically. A function named kept... leaves its block live; one named freed...
 * frees what it allocated through the form it is named after; moved.../resized... holds a
 * block that a realloc-like call moved there. Prints "ok" and exits 0 when every call
 * behaved. tests/e2e/test_preload_allocators.py knows the sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#elif defined(WITH_TCMALLOC)
#include <gperftools/tcmalloc.h>
#elif defined(WITH_MIMALLOC)
#include <mimalloc.h>
#else
#error "build with -DWITH_JEMALLOC, -DWITH_TCMALLOC or -DWITH_MIMALLOC"
#endif

#define NOINLINE __attribute__((noinline))

static int g_failures = 0;
static void* g_kept[64];
static int g_keptCount = 0;

static void* keep(void* p, const char* what) {
  if (p == NULL) {
    ++g_failures;
    fprintf(stderr, "failed: %s\n", what);
  }
  __asm__ volatile("" : : "r"(p) : "memory");
  g_kept[g_keptCount++] = p;
  return p;
}

static void* opaque(void* p) {
  __asm__ volatile("" : "+r"(p));
  return p;
}

#if defined(WITH_JEMALLOC)

NOINLINE static void keptMallocx(void) { keep(mallocx(30011, 0), "mallocx"); }
NOINLINE static void keptMallocxZeroAligned(void) {
  keep(mallocx(30013, MALLOCX_ZERO | MALLOCX_ALIGN(4096)), "mallocx aligned");
}
NOINLINE static void freedBySdallocx(void) { sdallocx(opaque(mallocx(30017, 0)), 30017, 0); }
NOINLINE static void freedByDallocx(void) { dallocx(opaque(mallocx(30019, 0)), 0); }
NOINLINE static void* grownFrom(void) { return mallocx(30023, 0); }
NOINLINE static void movedByRallocx(void* p) { keep(rallocx(p, 90001, 0), "rallocx"); }
NOINLINE static void* resizedFrom(void) { return mallocx(30000, 0); }
/* 30000 B live in jemalloc's 32 KiB size class: 31000 fits where it is. */
NOINLINE static void resizedInPlace(void* p) {
  if (xallocx(p, 31000, 0, 0) < 31000) ++g_failures;
  keep(p, "xallocx");
}

static void run(void) {
  keptMallocx();
  keptMallocxZeroAligned();
  freedBySdallocx();
  freedByDallocx();
  movedByRallocx(grownFrom());
  resizedInPlace(resizedFrom());
}

#elif defined(WITH_TCMALLOC)

NOINLINE static void keptTcMalloc(void) { keep(tc_malloc(30011), "tc_malloc"); }
NOINLINE static void keptTcCalloc(void) { keep(tc_calloc(7, 4289), "tc_calloc"); }
NOINLINE static void keptTcMemalign(void) { keep(tc_memalign(256, 30029), "tc_memalign"); }
NOINLINE static void keptTcPosixMemalign(void) {
  void* p = NULL;
  if (tc_posix_memalign(&p, 64, 30031) != 0) ++g_failures;
  keep(p, "tc_posix_memalign");
}
NOINLINE static void keptTcValloc(void) { keep(tc_valloc(30037), "tc_valloc"); }
NOINLINE static void keptTcPvalloc(void) { keep(tc_pvalloc(30041), "tc_pvalloc"); }
NOINLINE static void keptTcSkipNewHandler(void) {
  keep(tc_malloc_skip_new_handler(30047), "tc_malloc_skip_new_handler");
}
NOINLINE static void freedByTcFree(void) { tc_free(opaque(tc_malloc(30053))); }
NOINLINE static void freedByTcFreeSized(void) { tc_free_sized(opaque(tc_malloc(30059)), 30059); }
NOINLINE static void freedByTcCfree(void) { tc_cfree(opaque(tc_malloc(30071))); }
NOINLINE static void* grownFrom(void) { return tc_malloc(30023); }
NOINLINE static void movedByTcRealloc(void* p) { keep(tc_realloc(p, 90001), "tc_realloc"); }

static void run(void) {
  keptTcMalloc();
  keptTcCalloc();
  keptTcMemalign();
  keptTcPosixMemalign();
  keptTcValloc();
  keptTcPvalloc();
  keptTcSkipNewHandler();
  freedByTcFree();
  freedByTcFreeSized();
  freedByTcCfree();
  movedByTcRealloc(grownFrom());
}

#elif defined(WITH_MIMALLOC)

NOINLINE static void keptMiMalloc(void) { keep(mi_malloc(30011), "mi_malloc"); }
NOINLINE static void keptMiZalloc(void) { keep(mi_zalloc(30013), "mi_zalloc"); }
NOINLINE static void keptMiCalloc(void) { keep(mi_calloc(7, 4289), "mi_calloc"); }
NOINLINE static void keptMiMallocn(void) { keep(mi_mallocn(3, 10007), "mi_mallocn"); }
NOINLINE static void keptMiMallocAligned(void) {
  keep(mi_malloc_aligned(30029, 256), "mi_malloc_aligned");
}
NOINLINE static void keptMiMallocAlignedAt(void) {
  keep(mi_malloc_aligned_at(30031, 64, 16), "mi_malloc_aligned_at");
}
NOINLINE static void keptMiPosixMemalign(void) {
  void* p = NULL;
  if (mi_posix_memalign(&p, 64, 30037) != 0) ++g_failures;
  keep(p, "mi_posix_memalign");
}
NOINLINE static void keptMiStrdup(void) { keep(mi_strdup("slowburn"), "mi_strdup"); }
NOINLINE static void keptMiStrndup(void) { keep(mi_strndup("slowburn", 4), "mi_strndup"); }
NOINLINE static void keptMiNew(void) { keep(mi_new(30041), "mi_new"); }
NOINLINE static void keptMiNewN(void) { keep(mi_new_n(3, 10009), "mi_new_n"); }
NOINLINE static void freedByMiFree(void) { mi_free(opaque(mi_malloc(30047))); }
NOINLINE static void freedByMiFreeSize(void) { mi_free_size(opaque(mi_malloc(30053)), 30053); }
NOINLINE static void freedByMiFreeAligned(void) {
  mi_free_aligned(opaque(mi_malloc_aligned(30059, 128)), 128);
}
NOINLINE static void* grownFrom(void) { return mi_malloc(30023); }
NOINLINE static void movedByMiRealloc(void* p) { keep(mi_realloc(p, 90001), "mi_realloc"); }
NOINLINE static void* grownFromF(void) { return mi_malloc(30061); }
NOINLINE static void movedByMiReallocf(void* p) { keep(mi_reallocf(p, 90007), "mi_reallocf"); }
/* A huge mi_reallocf fails and frees the block it was given. */
NOINLINE static void* lostFrom(void) { return mi_malloc(30067); }
NOINLINE static void failedMiReallocf(void* p) {
  if (mi_reallocf(p, (size_t)1 << 62) != NULL) ++g_failures;
}

static void run(void) {
  keptMiMalloc();
  keptMiZalloc();
  keptMiCalloc();
  keptMiMallocn();
  keptMiMallocAligned();
  keptMiMallocAlignedAt();
  keptMiPosixMemalign();
  keptMiStrdup();
  keptMiStrndup();
  keptMiNew();
  keptMiNewN();
  freedByMiFree();
  freedByMiFreeSize();
  freedByMiFreeAligned();
  movedByMiRealloc(grownFrom());
  movedByMiReallocf(grownFromF());
  failedMiReallocf(lostFrom());
}

#endif

int main(void) {
  run();
  printf("%s\n", g_failures == 0 ? "ok" : "misbehaved");
  return g_failures == 0 ? 0 : 1;
}
