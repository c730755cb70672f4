// A statically linked program: slowburn attach must refuse it (no loader to load with)
// and leave it running. Sleeps ITERATIONS times 50 ms, then says so.
// Usage: at_static [ITERATIONS]

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 40;
  for (int i = 0; i < iterations; ++i) usleep(50000);
  std::printf("static done after %d naps\n", iterations);
  return 0;
}
