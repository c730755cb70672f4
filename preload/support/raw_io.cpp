#include "support/raw_io.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace slowburn::preload::raw {
namespace {

// syscall(2) reports failure through errno; translate it and put the caller's errno back.
long call(long result, int savedErrno) {
  if (result == -1) {
    const int err = errno;
    errno = savedErrno;
    return -err;
  }
  errno = savedErrno;
  return result;
}

uint64_t clockNs(clockid_t clock) {
  struct timespec ts {};
  // clock_gettime goes through the vDSO: no syscall, no allocation.
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

ssize_t write(int fd, const void* data, size_t size) {
  const int saved = errno;
  return call(syscall(SYS_write, fd, data, size), saved);
}

ssize_t read(int fd, void* data, size_t size) {
  const int saved = errno;
  return call(syscall(SYS_read, fd, data, size), saved);
}

ssize_t pread(int fd, void* data, size_t size, off_t offset) {
  const int saved = errno;
  return call(syscall(SYS_pread64, fd, data, size, offset), saved);
}

int open(const char* path, int flags, int mode) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_openat, AT_FDCWD, path, flags, mode), saved));
}

int close(int fd) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_close, fd), saved));
}

int fcntl(int fd, int cmd, long arg) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_fcntl, fd, cmd, arg), saved));
}

int fstat(int fd, struct stat* out) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_fstat, fd, out), saved));
}

int unlink(const char* path) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_unlinkat, AT_FDCWD, path, 0), saved));
}

int linkat(const char* from, const char* to) {
  const int saved = errno;
  return static_cast<int>(
      call(syscall(SYS_linkat, AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW), saved));
}

ssize_t readlink(const char* path, char* out, size_t size) {
  const int saved = errno;
  return call(syscall(SYS_readlinkat, AT_FDCWD, path, out, size), saved);
}

int getcwd(char* out, size_t size) {
  const int saved = errno;
  const long r = call(syscall(SYS_getcwd, out, size), saved);
  return r < 0 ? static_cast<int>(r) : 0;
}

int writeAll(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n == -EINTR) continue;
    if (n < 0) return static_cast<int>(n);
    if (n == 0) return -EIO;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

ssize_t readSmallFile(const char* path, char* out, size_t size) {
  if (size == 0) return -EINVAL;
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fd;
  size_t used = 0;
  while (used + 1 < size) {
    const ssize_t n = read(fd, out + used, size - 1 - used);
    if (n == -EINTR) continue;
    if (n < 0) {
      close(fd);
      return n;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  close(fd);
  out[used] = '\0';
  return static_cast<ssize_t>(used);
}

void stderrLine(std::initializer_list<const char*> parts) {
  // One write(2) per line so concurrent processes never interleave inside it.
  char line[1024];
  size_t n = 0;
  auto add = [&](const char* s) {
    while (s != nullptr && *s != '\0' && n + 2 < sizeof(line)) line[n++] = *s++;
  };
  add("slowburn: ");
  for (const char* part : parts) add(part);
  line[n++] = '\n';
  writeAll(STDERR_FILENO, line, n);
}

uint64_t monotonicNs() { return clockNs(CLOCK_MONOTONIC); }
uint64_t realtimeNs() { return clockNs(CLOCK_REALTIME); }

void sleepNs(uint64_t ns) {
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(ns % 1000000000ull);
  const int saved = errno;
  // The raw syscall is not a pthread cancellation point, unlike nanosleep(3).
  call(syscall(SYS_nanosleep, &ts, nullptr), saved);
}

void waitOnWord(const uint32_t* word, uint32_t expected, uint64_t ns) {
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(ns % 1000000000ull);
  const int saved = errno;
  call(syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, &ts, nullptr, 0), saved);
}

void wakeWord(const uint32_t* word) {
  const int saved = errno;
  call(syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0), saved);
}

int pid() { return static_cast<int>(syscall(SYS_getpid)); }
int ppid() { return static_cast<int>(syscall(SYS_getppid)); }

}  // namespace slowburn::preload::raw
