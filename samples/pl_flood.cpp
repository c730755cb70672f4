// Allocation traffic for a given time: 4097 B blocks allocated and freed in a loop,
// one in 1000 kept. Usage: pl_flood MILLISECONDS
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

long long nowMs() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

[[gnu::noinline]] void* floodBlock() {
  void* p = std::malloc(4097);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const long long ms = argc > 1 ? std::atoll(argv[1]) : 1000;
  std::vector<void*> kept;
  kept.reserve(100000);
  const long long end = nowMs() + ms;
  long long n = 0;
  while (nowMs() < end) {
    for (int i = 0; i < 1000; ++i, ++n) {
      void* p = floodBlock();
      if (n % 1000 == 0 && kept.size() < kept.capacity()) {
        kept.push_back(p);
      } else {
        std::free(p);
      }
    }
  }
  std::printf("flood done, kept %zu\n", kept.size());
  return 0;
}
