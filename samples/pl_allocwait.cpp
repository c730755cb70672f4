// Keeps 50 blocks of 10001 B, says "ready", then waits to be killed.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main() {
  for (int i = 0; i < 50; ++i) {
    void* p = std::malloc(10001);
    asm volatile("" : : "r"(p) : "memory");
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) pause();
}
