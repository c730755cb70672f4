// Known live bytes per call site: n blocks of 10001 B from one function, m blocks of
// 20001 B from another, then half of each freed. Usage: pl_exact N M
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

void escape(void* p) { asm volatile("" : : "r"(p) : "memory"); }

[[gnu::noinline]] void* allocateSmall() {
  void* p = std::malloc(10001);
  escape(p);
  return p;
}

[[gnu::noinline]] void* allocateLarge() {
  void* p = std::malloc(20001);
  escape(p);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100;
  const long m = argc > 2 ? std::atol(argv[2]) : 60;
  std::vector<void*> small;
  std::vector<void*> large;
  small.reserve(static_cast<size_t>(n));
  large.reserve(static_cast<size_t>(m));
  for (long i = 0; i < n; ++i) small.push_back(allocateSmall());
  for (long i = 0; i < m; ++i) large.push_back(allocateLarge());
  for (long i = 0; i < n / 2; ++i) std::free(small[static_cast<size_t>(i)]);
  for (long i = 0; i < m / 2; ++i) std::free(large[static_cast<size_t>(i)]);
  std::printf("allocated %ld x 10001 and %ld x 20001, freed half\n", n, m);
  return 0;
}
