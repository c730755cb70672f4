// One read() wrapper reached from different callers, and a wrapper around that wrapper:
// each caller must be a syscall site of its own. parseRequests and loadConfig call the
// wrapper from the same depth (their stack pointers agree), so only their frames above
// the wrapper tell them apart. Usage: pl_syscall_callers N M K
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {

char g_buf[128];

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// The wrapper: 100 bytes a call. The escape after the call keeps it from being a tail call.
[[gnu::noinline]] ssize_t readChunk(int fd) {
  const ssize_t r = read(fd, g_buf, 100);
  escape(g_buf);
  return r;
}

// A wrapper of the wrapper: 3 chunks a call.
[[gnu::noinline]] ssize_t readRecord(int fd) {
  ssize_t total = 0;
  for (int i = 0; i < 3; ++i) total += readChunk(fd);
  escape(&total);
  return total;
}

[[gnu::noinline]] long parseRequests(int fd, long n) {
  long total = 0;
  for (long i = 0; i < n; ++i) total += readChunk(fd) + 1;
  return total;
}

[[gnu::noinline]] long loadConfig(int fd, long n) {
  long total = 0;
  for (long i = 0; i < n; ++i) total += readChunk(fd) + 2;
  return total;
}

[[gnu::noinline]] long fillCache(int fd, long n) {
  long total = 0;
  for (long i = 0; i < n; ++i) total += readRecord(fd) + 3;
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000;
  const long m = argc > 2 ? std::atol(argv[2]) : 300;
  const long k = argc > 3 ? std::atol(argv[3]) : 50;
  const int fd = open("/dev/zero", O_RDONLY);
  if (fd < 0) return 1;
  long total = 0;
  // Interleaved one call at a time, so the callers take turns at the same wrapper.
  for (long i = 0; i < n || i < m || i < k; ++i) {
    if (i < n) total += parseRequests(fd, 1);
    if (i < m) total += loadConfig(fd, 1);
    if (i < k) total += fillCache(fd, 1);
  }
  std::printf("read %ld\n", total);
  return 0;
}
