// Overhead and own-memory probe: N one-byte read()s from /dev/zero, then prints the
// process's VmRSS in kB. Usage: pl_readloop N
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

long residentKb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) kb = std::atol(line + 6);
  }
  std::fclose(f);
  return kb;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  const int fd = open("/dev/zero", O_RDONLY);
  if (fd < 0) return 1;
  char c = 0;
  long total = 0;
  for (long i = 0; i < n; ++i) total += read(fd, &c, 1);
  std::printf("reads %ld rss_kb %ld\n", total, residentKb());
  return 0;
}
