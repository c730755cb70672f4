// Peak RSS of whatever process it is preloaded into, written at exit to the file named by
// HWM_PROBE_OUT as "<VmHWM in KiB>\n". heaptrack runs its target under a shell script, so
// wait4's rusage would mix the target with heaptrack's interpreter; this probe measures the
// target alone, and the same way under every profiler. Raw syscalls only: no profiler's
// hook sees its I/O.

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace {

long rawOpen(const char* path, int flags, int mode) {
  return syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

// VmHWM in KiB, or -1.
long peakRssKb() {
  const long fd = rawOpen("/proc/self/status", O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return -1;
  char buf[4096];
  const long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* line = std::strstr(buf, "VmHWM:");
  return line ? std::strtol(line + 6, nullptr, 10) : -1;
}

[[gnu::destructor]] void writePeakRss() {
  const char* path = std::getenv("HWM_PROBE_OUT");
  if (!path || !*path) return;
  const long kb = peakRssKb();
  char text[32];
  int len = 0;
  char digits[24];
  int nd = 0;
  unsigned long v = kb < 0 ? 0 : static_cast<unsigned long>(kb);
  do {
    digits[nd++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (kb < 0) text[len++] = '-';
  while (nd > 0) text[len++] = digits[--nd];
  text[len++] = '\n';
  // O_APPEND: a target that forks leaves one line per process; bench/run takes the largest.
  const long fd = rawOpen(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  syscall(SYS_write, fd, text, len);
  syscall(SYS_close, fd);
}

}  // namespace
