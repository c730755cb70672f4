// Peak RSS of every process it is preloaded into, appended at exit to the file named by
// HWM_PROBE_OUT as "<VmHWM in KiB> <executable path>\n". heaptrack runs its target under a
// shell script beside its interpreter and compressor (which inherit the probe too), so
// wait4's rusage would mix them all; the executable path picks out the target's line.
// Raw syscalls only: no profiler's hook sees this I/O.

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

// Appends the decimal digits of value to out at len; returns the new length.
int appendNumber(char* out, int len, long value) {
  if (value < 0) {
    out[len++] = '-';
    value = -value;
  }
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out[len++] = digits[--n];
  return len;
}

[[gnu::destructor]] void writePeakRss() {
  const char* path = std::getenv("HWM_PROBE_OUT");
  if (!path || !*path) return;
  constexpr long kMaxExe = 4096;
  char line[32 + kMaxExe + 1];
  int len = appendNumber(line, 0, peakRssKb());
  line[len++] = ' ';
  const long exeLen = syscall(SYS_readlink, "/proc/self/exe", line + len, kMaxExe);
  if (exeLen > 0) len += static_cast<int>(exeLen);
  line[len++] = '\n';
  // O_APPEND keeps each process's line whole; bench/run takes the target's.
  const long fd = rawOpen(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  syscall(SYS_write, fd, line, len);
  syscall(SYS_close, fd);
}

}  // namespace
