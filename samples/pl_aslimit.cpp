// What allocation limits look like from inside the program under RLIMIT_AS (ulimit -v):
// how many of 100,000 small mallocs fail ("small"), or the largest size a doubling realloc
// reaches ("realloc"). Usage: pl_aslimit small|realloc
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void* s_small[100000];

int smallMallocs() {
  int failed = 0;
  for (void*& p : s_small) {
    p = std::malloc(200);
    if (p == nullptr) ++failed;
  }
  for (void* p : s_small) std::free(p);
  std::printf("small mallocs failed: %d of 100000\n", failed);
  return 0;
}

int doublingRealloc() {
  size_t size = size_t{1} << 20;
  void* block = std::malloc(size);
  while (block != nullptr && size < (size_t{1} << 34)) {
    void* bigger = std::realloc(block, size * 2);
    if (bigger == nullptr) break;
    block = bigger;
    size *= 2;
  }
  std::free(block);
  std::printf("realloc reached %zu MiB\n", size >> 20);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "small") == 0) return smallMallocs();
  if (argc == 2 && std::strcmp(argv[1], "realloc") == 0) return doublingRealloc();
  std::fprintf(stderr, "usage: pl_aslimit small|realloc\n");
  return 2;
}
