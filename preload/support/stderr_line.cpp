#include "support/stderr_line.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "slowburn/terminal_safe.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload::diag {
namespace {

constexpr int kHighFd = 900;

int s_fd = -1;
dev_t s_dev = 0;
ino_t s_ino = 0;

// Where captured lines go, and how much of it is taken (threads append concurrently).
std::atomic<char*> s_capture{nullptr};
size_t s_captureSize = 0;
std::atomic<size_t> s_captureUsed{0};

void appendCaptured(char* out, const char* text, size_t n) {
  const size_t at = s_captureUsed.fetch_add(n, std::memory_order_relaxed);
  if (at >= s_captureSize - 1) return;
  const size_t fits = at + n < s_captureSize - 1 ? n : s_captureSize - 1 - at;
  std::memcpy(out + at, text, fits);
}

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

void captureInto(char* out, size_t size) {
  if (out != nullptr) {
    std::memset(out, 0, size);
    s_captureSize = size;
    s_captureUsed.store(0, std::memory_order_relaxed);
  }
  s_capture.store(out, std::memory_order_release);
}

void line(std::initializer_list<const char*> parts) {
  char* capture = s_capture.load(std::memory_order_acquire);
  // Gone, or the number is the program's now.
  if (capture == nullptr && !raw::sameFile(s_fd, s_dev, s_ino)) return;
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
  if (capture != nullptr) {
    appendCaptured(capture, text, n);
    return;
  }
  raw::writeAll(s_fd, text, n);
}

}  // namespace slowburn::preload::diag
