#include "support/proc_self.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/auxv.h>

#include <algorithm>
#include <cstring>

#include "support/raw_io.hpp"

namespace slowburn::preload {

namespace {

constexpr int kHighFd = 900;

// The numbers in a statm line: "size resident shared text lib data dt", in pages.
uint64_t secondNumber(const char* text) {
  const char* p = text;
  while (*p >= '0' && *p <= '9') ++p;
  while (*p == ' ') ++p;
  uint64_t value = 0;
  while (*p >= '0' && *p <= '9') value = value * 10 + static_cast<uint64_t>(*p++ - '0');
  return value;
}

}  // namespace

bool procPath(int pid, const char* leaf, char* out, size_t size) {
  char digits[16];
  size_t k = 0;
  for (auto v = static_cast<unsigned>(pid); v != 0 || k == 0; v /= 10) {
    digits[k++] = static_cast<char>('0' + v % 10);
  }
  const size_t leafLen = std::strlen(leaf);
  if (6 + k + 1 + leafLen + 1 > size) return false;
  std::memcpy(out, "/proc/", 6);
  size_t n = 6;
  while (k > 0) out[n++] = digits[--k];
  out[n++] = '/';
  std::memcpy(out + n, leaf, leafLen + 1);
  return true;
}

bool ResidentReader::reopen() {
  // /proc/<pid>: the collector reads the program's, not its own.
  char path[64];
  if (!procPath(m_pid, "statm", path, sizeof(path))) return false;
  const int fd = raw::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  m_fd = raw::fcntl(fd, F_DUPFD_CLOEXEC, kHighFd);
  if (m_fd < 0) {
    m_fd = fd;
  } else {
    raw::close(fd);
  }
  struct stat st {};
  if (raw::fstat(m_fd, &st) < 0) return false;
  m_dev = st.st_dev;
  m_ino = st.st_ino;
  return true;
}

uint64_t ResidentReader::read() {
  struct stat st {};
  if (m_fd < 0 || raw::fstat(m_fd, &st) < 0 || st.st_dev != m_dev || st.st_ino != m_ino) {
    m_fd = -1;  // closed, or the number is the program's now: never touch it
    if (!reopen()) return 0;
  }
  char text[128];
  const ssize_t n = raw::pread(m_fd, text, sizeof(text) - 1, 0);
  if (n <= 0) return 0;
  text[n] = '\0';
  const unsigned long pageSize = getauxval(AT_PAGESZ);
  return secondNumber(text) * (pageSize == 0 ? 4096 : pageSize);
}

void executablePath(char* out, size_t size) {
  if (size == 0) return;
  const ssize_t n = raw::readlink("/proc/self/exe", out, size - 1);
  if (n > 0) {
    out[n] = '\0';
    return;
  }
  // No /proc (a bare chroot): the name the program was started with is the best left.
  const char* name = program_invocation_name != nullptr ? program_invocation_name : "";
  const size_t len = std::min(std::strlen(name), size - 1);
  std::memcpy(out, name, len);
  out[len] = '\0';
}

}  // namespace slowburn::preload
