#include "proc_self.hpp"

#include <errno.h>
#include <sys/auxv.h>

#include <algorithm>
#include <cstring>

#include "raw_io.hpp"

namespace slowburn::preload {

uint64_t residentBytes() {
  char text[128];
  if (raw::readSmallFile("/proc/self/statm", text, sizeof(text)) <= 0) return 0;
  // "size resident shared text lib data dt", in pages: take the second number.
  const char* p = text;
  while (*p >= '0' && *p <= '9') ++p;
  while (*p == ' ') ++p;
  uint64_t pages = 0;
  while (*p >= '0' && *p <= '9') pages = pages * 10 + static_cast<uint64_t>(*p++ - '0');
  const unsigned long pageSize = getauxval(AT_PAGESZ);
  return pages * (pageSize == 0 ? 4096 : pageSize);
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
