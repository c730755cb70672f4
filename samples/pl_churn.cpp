// Overhead probe: N malloc/free pairs of 64 B in a tight loop. Usage: pl_churn N
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  for (long i = 0; i < n; ++i) {
    void* p = std::malloc(64);
    asm volatile("" : : "r"(p) : "memory");
    std::free(p);
  }
  std::printf("%ld pairs\n", n);
  return 0;
}
