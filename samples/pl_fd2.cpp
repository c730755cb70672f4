// Closes stdin, stdout and stderr, opens its own data file (which takes descriptor 0) and
// makes it 1 and 2 as well, as daemons that log to a file do; then writes its data and
// allocates for a while from many call sites. Usage: pl_fd2 DATAFILE
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace {

template <int N>
[[gnu::noinline]] void* site(size_t n) {
  void* p = std::malloc(n + N);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

template <int... N>
void allocateEverywhere(std::integer_sequence<int, N...>) {
  (site<N>(1000), ...);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  close(0);
  close(1);
  close(2);
  const int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd != 0 || dup2(0, 1) != 1 || dup2(0, 2) != 2) return 3;
  const struct timespec pause { 0, 5000000 };
  for (int round = 0; round < 100; ++round) {
    allocateEverywhere(std::make_integer_sequence<int, 64>());
    nanosleep(&pause, nullptr);
  }
  static const char data[] = "the program's own data\n";
  if (write(1, data, sizeof(data) - 1) != sizeof(data) - 1) return 4;
  return 0;
}
