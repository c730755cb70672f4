// Every way a private anonymous mapping comes and goes, each from its own function with its
// own page count: kept whole, unmapped in part, moved and grown by mremap, shrunk in place,
// a failed mremap, MAP_FIXED replacement (by another anonymous mapping and by a file), a
// PROT_NONE reservation, a file mapping, brk and sbrk, and a malloc large enough that glibc
// maps it itself. Prints "ok" and exits 0 when every call behaved; the page size is the
// first line.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

int g_failures = 0;
size_t g_page = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  ++g_failures;
  std::fprintf(stderr, "failed: %s (%s)\n", what, std::strerror(errno));
}

void* touch(void* p, size_t pages) {
  if (p != MAP_FAILED) std::memset(p, 1, pages * g_page);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

// Inlined, so each mapping's innermost frame is the function that asked for it.
[[gnu::always_inline]] inline char* anonymous(size_t pages, int prot = PROT_READ | PROT_WRITE) {
  return static_cast<char*>(
      mmap(nullptr, pages * g_page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

[[gnu::noinline]] void* keptWhole() { return touch(anonymous(5), 5); }

// 8 pages, then pages 2..4 unmapped: 5 pages left in two ranges.
[[gnu::noinline]] char* partlyUnmapped() {
  char* p = anonymous(8);
  check(p != MAP_FAILED, "mmap 8 pages");
  check(munmap(p + 2 * g_page, 3 * g_page) == 0, "munmap the middle");
  return p;
}

[[gnu::noinline]] char* mappedForMove() { return static_cast<char*>(touch(anonymous(4), 4)); }

// A PROT_NONE reservation holds no memory: not booked, and replaced below.
[[gnu::noinline]] char* reservation() { return anonymous(32, PROT_NONE); }

// Moved into the reservation and grown to 16 pages.
[[gnu::noinline]] void* movedAndGrown(char* old, char* to) {
  void* p = mremap(old, 4 * g_page, 16 * g_page, MREMAP_MAYMOVE | MREMAP_FIXED, to);
  check(p == to, "mremap moves to the fixed address");
  return touch(p, 16);
}

[[gnu::noinline]] char* mappedForShrink() { return anonymous(8); }

[[gnu::noinline]] void* shrunkInPlace(char* p) {
  void* q = mremap(p, 8 * g_page, 3 * g_page, 0);
  check(q == p, "mremap shrinks in place");
  return q;
}

// Two pages, then an mremap the kernel refuses (MREMAP_FIXED needs MREMAP_MAYMOVE): the
// mapping stays as it was.
[[gnu::noinline]] void* failedRemapKeeps() {
  char* p = anonymous(2);
  errno = 0;
  void* q = mremap(p, 2 * g_page, 6 * g_page, MREMAP_FIXED, p + 64 * g_page);
  check(q == MAP_FAILED && errno == EINVAL, "mremap fails with EINVAL");
  return p;
}

[[gnu::noinline]] char* replacedInPart() { return anonymous(6); }

// Two anonymous pages over pages 2..3 of the six: the old site keeps four in two ranges.
[[gnu::noinline]] void* fixedOver(char* p) {
  void* q = mmap(p + 2 * g_page, 2 * g_page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  check(q == p + 2 * g_page, "MAP_FIXED lands where asked");
  return q;
}

// A file mapped over the first page of the six: it is no longer private memory.
[[gnu::noinline]] void fileOver(char* p, int fd) {
  void* q = mmap(p, g_page, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  check(q == p, "file MAP_FIXED lands where asked");
}

[[gnu::noinline]] void fileMapping(int fd) {
  void* q = mmap(nullptr, g_page, PROT_READ, MAP_PRIVATE, fd, 0);
  check(q != MAP_FAILED, "file mapping");
  check(munmap(q, g_page) == 0, "file munmap");
}

// The program's own break: 3 pages and 100 bytes up, then the 100 bytes back.
[[gnu::noinline]] void sbrkUpAndDown() {
  check(sbrk(static_cast<intptr_t>(3 * g_page + 100)) != reinterpret_cast<void*>(-1), "sbrk up");
  check(sbrk(-100) != reinterpret_cast<void*>(-1), "sbrk down");
}

[[gnu::noinline]] void breakMovedUp() {
  char* current = static_cast<char*>(sbrk(0));
  check(brk(current + 5000) == 0, "brk up");
}

// glibc serves this with its own mmap: one alloc site, no mmap site.
[[gnu::noinline]] void* largeMalloc() {
  void* p = std::malloc(size_t{4} << 20);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  g_page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::printf("page %zu\n", g_page);
  const int fd = open(argc > 0 ? argv[0] : "/proc/self/exe", O_RDONLY | O_CLOEXEC);
  check(fd >= 0, "open own executable");
  void* kept[] = {keptWhole(),
                  partlyUnmapped(),
                  movedAndGrown(mappedForMove(), reservation()),
                  shrunkInPlace(mappedForShrink()),
                  failedRemapKeeps(),
                  nullptr,
                  largeMalloc()};
  char* six = replacedInPart();
  kept[5] = fixedOver(six);
  fileOver(six, fd);
  fileMapping(fd);
  sbrkUpAndDown();
  breakMovedUp();
  asm volatile("" : : "r"(kept) : "memory");
  std::printf("%s\n", g_failures == 0 ? "ok" : "misbehaved");
  return g_failures == 0 ? 0 : 1;
}
