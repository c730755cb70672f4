// The incident's syscall pattern stripped to the hook: N 64-byte read()s from /dev/zero,
// about the cheapest read the kernel has, so whatever the profiler adds per call shows.
// Allocates nothing in the loop, so any RSS growth during the run is the profiler's own.
// Usage: read_loop [N]   (default 20000000). Prints nothing; with READ_LOOP_RSS=1 it
// writes "vmrss_kb_10pct=A vmrss_kb_100pct=B" on stderr.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// VmRSS in KiB from /proc/self/status, read into a stack buffer (no heap in the loop).
long vmRssKb() {
  const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* line = std::strstr(buf, "VmRSS:");
  return line ? std::strtol(line + 6, nullptr, 10) : -1;
}

[[gnu::noinline]] bool readChunk(int fd) {
  char chunk[64];
  return read(fd, chunk, sizeof chunk) == static_cast<ssize_t>(sizeof chunk);
}

}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::atol(argv[1]) : 20000000;
  if (count <= 0) {
    std::fprintf(stderr, "usage: read_loop [N]\n");
    return 2;
  }
  const char* rssFlag = std::getenv("READ_LOOP_RSS");
  const bool reportRss = rssFlag && std::strcmp(rssFlag, "1") == 0;
  const int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::perror("read_loop: /dev/zero");
    return 1;
  }
  const long tenth = count / 10;
  long rssAtTenth = -1;
  for (long i = 0; i < count; ++i) {
    if (i == tenth && reportRss) rssAtTenth = vmRssKb();
    if (!readChunk(fd)) {
      std::perror("read_loop: read");
      return 1;
    }
  }
  close(fd);
  if (reportRss) {
    std::fprintf(stderr, "vmrss_kb_10pct=%ld vmrss_kb_100pct=%ld\n", rssAtTenth, vmRssKb());
  }
  return 0;
}
