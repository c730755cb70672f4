// For sampled mode: keeps MB megabytes in 10000 B blocks from one function, and
// churns the same amount through another (every block freed at once).
// Usage: pl_sampling MB
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

void escape(void* p) { asm volatile("" : : "r"(p) : "memory"); }

[[gnu::noinline]] void* keepBlock() {
  void* p = std::malloc(10000);
  escape(p);
  return p;
}

[[gnu::noinline]] void churnBlock() {
  void* p = std::malloc(10000);
  escape(p);
  std::free(p);
}

}  // namespace

int main(int argc, char** argv) {
  const long mb = argc > 1 ? std::atol(argv[1]) : 200;
  const long blocks = mb * 1000000 / 10000;
  std::vector<void*> kept;
  kept.reserve(static_cast<size_t>(blocks));
  for (long i = 0; i < blocks; ++i) {
    kept.push_back(keepBlock());
    churnBlock();
  }
  std::printf("kept %ld blocks\n", blocks);
  return 0;
}
