// Counted syscalls: N read()s of 333 B from /dev/zero at one line, M write()s of 777 B
// to /dev/null at another. Usage: pl_syscalls N M
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {

[[gnu::noinline]] long doReads(int fd, long n) {
  static char buf[333];
  long total = 0;
  for (long i = 0; i < n; ++i) total += read(fd, buf, sizeof(buf));
  return total;
}

[[gnu::noinline]] long doWrites(int fd, long m) {
  static char buf[777];
  long total = 0;
  for (long i = 0; i < m; ++i) total += write(fd, buf, sizeof(buf));
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000;
  const long m = argc > 2 ? std::atol(argv[2]) : 500;
  const int zero = open("/dev/zero", O_RDONLY);
  const int null = open("/dev/null", O_WRONLY);
  if (zero < 0 || null < 0) return 1;
  const long r = doReads(zero, n);
  const long w = doWrites(null, m);
  std::printf("read %ld write %ld\n", r, w);
  return 0;
}
