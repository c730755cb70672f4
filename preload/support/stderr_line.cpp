#include "support/stderr_line.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "slowburn/terminal_safe.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload::diag {
namespace {

constexpr int kHighFd = 900;

int s_fd = -1;
dev_t s_dev = 0;
ino_t s_ino = 0;

void remember(int fd) {
  struct stat st {};
  if (fd < 0 || raw::fstat(fd, &st) < 0) {
    s_fd = -1;
    return;
  }
  s_fd = fd;
  s_dev = st.st_dev;
  s_ino = st.st_ino;
}

}  // namespace

void keepStderr() { remember(raw::dupHigh(STDERR_FILENO, kHighFd)); }

int stderrFd() { return s_fd; }

void releaseStderr() {
  if (raw::sameFile(s_fd, s_dev, s_ino)) raw::close(s_fd);
  s_fd = -1;
}

void adoptStderr(int fd) { remember(fd); }

void line(std::initializer_list<const char*> parts) {
  if (!raw::sameFile(s_fd, s_dev, s_ino)) return;  // gone, or the number is the program's now
  char text[1024];
  size_t n = 0;
  auto add = [&](char c) {
    if (n + 2 < sizeof(text)) text[n++] = c;
  };
  for (const char c : {'s', 'l', 'o', 'w', 'b', 'u', 'r', 'n', ':', ' '}) add(c);
  for (const char* part : parts) {
    if (part != nullptr) format::forEachTerminalSafeByte(part, std::strlen(part), add);
  }
  text[n++] = '\n';
  raw::writeAll(s_fd, text, n);
}

}  // namespace slowburn::preload::diag
