// Allocates 10001 B every millisecond and keeps every block, until killed.
#include <time.h>

#include <cstdio>
#include <cstdlib>

int main() {
  std::printf("spinning\n");
  std::fflush(stdout);
  const struct timespec pause { 0, 1000000 };
  for (;;) {
    void* p = std::malloc(10001);
    asm volatile("" : : "r"(p) : "memory");
    nanosleep(&pause, nullptr);
  }
}
