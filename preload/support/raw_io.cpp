#include "support/raw_io.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
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

int dupHigh(int fd, int low) { return fcntl(fd, F_DUPFD_CLOEXEC, low); }

int moveHigh(int fd, int low) {
  const int high = dupHigh(fd, low);
  if (high < 0) return fd;
  close(fd);
  return high;
}

bool sameFile(int fd, dev_t dev, ino_t ino) {
  struct stat st {};
  return fd >= 0 && raw::fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

int pipe(int fds[2], int flags) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_pipe2, fds, flags), saved));
}

int memfdCreate(const char* name, unsigned flags) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_memfd_create, name, flags), saved));
}

int ftruncate(int fd, off_t size) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_ftruncate, fd, size), saved));
}

void* map(void* address, size_t size, int prot, int flags, int fd, off_t offset) {
  const int saved = errno;
  const long r = call(syscall(SYS_mmap, address, size, prot, flags, fd, offset), saved);
  return r < 0 && r > -4096 ? nullptr : reinterpret_cast<void*>(r);
}

int unmap(void* address, size_t size) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_munmap, address, size), saved));
}

int madvise(void* address, size_t size, int advice) {
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_madvise, address, size, advice), saved));
}

void closeAllFrom(int first, const int* keep, size_t keepCount) {
  // close_range(2) over the gaps between the kept descriptors, in ascending order.
  int sorted[8];
  size_t n = 0;
  for (size_t i = 0; i < keepCount && n < 8; ++i)
    if (keep[i] >= first) sorted[n++] = keep[i];
  for (size_t i = 1; i < n; ++i)
    for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; --j) {
      const int t = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = t;
    }
  const int saved = errno;
  int from = first;
  for (size_t i = 0; i < n; ++i) {
    if (sorted[i] > from) call(syscall(SYS_close_range, from, sorted[i] - 1, 0), saved);
    from = sorted[i] + 1;
  }
  call(syscall(SYS_close_range, from, ~0u, 0), saved);
}

uint64_t monotonicNs() { return clockNs(CLOCK_MONOTONIC); }
uint64_t realtimeNs() { return clockNs(CLOCK_REALTIME); }

namespace {

struct timespec durationOf(uint64_t ns) {
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(ns % 1000000000ull);
  return ts;
}

}  // namespace

void sleepNs(uint64_t ns) {
  const struct timespec ts = durationOf(ns);
  const int saved = errno;
  // The raw syscall is not a pthread cancellation point, unlike nanosleep(3).
  call(syscall(SYS_nanosleep, &ts, nullptr), saved);
}

namespace {

void futexWait(const uint32_t* word, int op, uint32_t expected, uint64_t ns) {
  const struct timespec ts = durationOf(ns);
  const int saved = errno;
  call(syscall(SYS_futex, word, op, expected, &ts, nullptr, 0), saved);
}

void futexWake(const uint32_t* word, int op, int waiters) {
  const int saved = errno;
  call(syscall(SYS_futex, word, op, waiters, nullptr, nullptr, 0), saved);
}

}  // namespace

void waitOnWord(const uint32_t* word, uint32_t expected, uint64_t ns) {
  futexWait(word, FUTEX_WAIT_PRIVATE, expected, ns);
}

void wakeWord(const uint32_t* word) { futexWake(word, FUTEX_WAKE_PRIVATE, 1); }

void waitOnSharedWord(const uint32_t* word, uint32_t expected, uint64_t ns) {
  futexWait(word, FUTEX_WAIT, expected, ns);
}

void wakeSharedWord(const uint32_t* word) { futexWake(word, FUTEX_WAKE, INT32_MAX); }

int pid() { return static_cast<int>(syscall(SYS_getpid)); }
int ppid() { return static_cast<int>(syscall(SYS_getppid)); }

int pidfdOpen(int pid) {
#ifndef SYS_pidfd_open
  constexpr long SYS_pidfd_open = 434;  // the same number on every architecture
#endif
  const int saved = errno;
  return static_cast<int>(call(syscall(SYS_pidfd_open, pid, 0), saved));
}

int pollNow(int fd, short events) {
  struct pollfd p {
    fd, events, 0
  };
  const struct timespec now {};
  const int saved = errno;
  const long ready = call(syscall(SYS_ppoll, &p, 1, &now, nullptr, 0), saved);
  return ready < 0 ? static_cast<int>(ready) : p.revents;
}

}  // namespace slowburn::preload::raw
