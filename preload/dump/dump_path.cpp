#include "dump/dump_path.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

size_t putDecimal(char* out, uint64_t v) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (size_t i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  return n;
}

constexpr int kMaxSuffix = 10000;

}  // namespace

const char* baseName(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash == nullptr ? path : slash + 1;
}

bool absolutePattern(const char* pattern, const char* cwd, char* out, size_t size) {
  const size_t plen = std::strlen(pattern);
  if (pattern[0] == '/') {
    if (plen + 1 > size) return false;
    std::memcpy(out, pattern, plen + 1);
    return true;
  }
  const size_t clen = std::strlen(cwd);
  const bool slash = clen > 0 && cwd[clen - 1] == '/';
  const size_t total = clen + (slash ? 0 : 1) + plen;
  if (total + 1 > size) return false;
  std::memcpy(out, cwd, clen);
  size_t n = clen;
  if (!slash) out[n++] = '/';
  std::memcpy(out + n, pattern, plen + 1);
  return true;
}

bool expandPattern(const char* pattern, int pid, const char* exeName, char* out, size_t size) {
  size_t n = 0;
  auto room = [&](size_t k) { return n + k + 1 <= size; };
  for (const char* p = pattern; *p != '\0'; ++p) {
    if (*p == '%' && p[1] == 'p') {
      char digits[24];
      const size_t k = putDecimal(digits, static_cast<uint64_t>(pid));
      if (!room(k)) return false;
      std::memcpy(out + n, digits, k);
      n += k;
      ++p;
    } else if (*p == '%' && p[1] == 'e') {
      const size_t k = std::strlen(exeName);
      if (!room(k)) return false;
      std::memcpy(out + n, exeName, k);
      n += k;
      ++p;
    } else if (*p == '%' && p[1] == '%') {
      if (!room(1)) return false;
      out[n++] = '%';
      ++p;
    } else {
      if (!room(1)) return false;
      out[n++] = *p;
    }
  }
  out[n] = '\0';
  return true;
}

// Tries path, then "stem.1.sb", "stem.2.sb", ... with attempt(candidate) until it
// returns anything but -EEXIST; leaves the name used in path.
template <typename Attempt>
int firstFreeName(char* path, size_t size, Attempt&& attempt) {
  int r = attempt(path);
  if (r != -EEXIST) return r;
  const size_t len = std::strlen(path);
  const bool sb = len >= 3 && std::strcmp(path + len - 3, ".sb") == 0;
  const size_t stem = sb ? len - 3 : len;
  char candidate[4096];
  if (len + 16 > sizeof(candidate) || len + 16 > size) return -ENAMETOOLONG;
  for (int i = 1; i <= kMaxSuffix; ++i) {
    std::memcpy(candidate, path, stem);
    size_t n = stem;
    candidate[n++] = '.';
    n += putDecimal(candidate + n, static_cast<uint64_t>(i));
    if (sb) {
      std::memcpy(candidate + n, ".sb", 3);
      n += 3;
    }
    candidate[n] = '\0';
    r = attempt(candidate);
    if (r != -EEXIST) {
      if (r >= 0) std::memcpy(path, candidate, n + 1);
      return r;
    }
  }
  return -EEXIST;
}

int createDumpFile(char* path, size_t size) {
  constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_APPEND;
  return firstFreeName(path, size, [](const char* p) { return raw::open(p, flags, 0600); });
}

int openUnnamedBeside(const char* path) {
  char dir[4096];
  const char* slash = std::strrchr(path, '/');
  const size_t len = slash == nullptr ? 1 : (slash == path ? 1 : static_cast<size_t>(slash - path));
  if (len + 1 > sizeof(dir)) return -ENAMETOOLONG;
  if (slash == nullptr) {
    dir[0] = '.';
  } else {
    std::memcpy(dir, slash == path ? "/" : path, len);
  }
  dir[len] = '\0';
  return raw::open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC | O_APPEND, 0600);
}

int linkDumpFile(int fd, char* path, size_t size) {
  char procPath[64] = "/proc/self/fd/";
  putDecimal(procPath + std::strlen(procPath), static_cast<uint64_t>(fd));
  // linkat never replaces an existing name: the same guarantee as O_EXCL.
  return firstFreeName(path, size, [&](const char* p) { return raw::linkat(procPath, p); });
}

}  // namespace slowburn::preload
