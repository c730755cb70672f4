// Prints a few lines, allocates, and exits with status 7: output and status must be the
// same with and without the profiler.
#include <cstdio>
#include <cstdlib>
#include <string>

int main() {
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text += std::to_string(i * i);
    std::printf("line %d %zu\n", i, text.size());
  }
  return 7;
}
