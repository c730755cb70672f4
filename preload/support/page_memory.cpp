#include "support/page_memory.hpp"

#include <sys/mman.h>

#include "support/raw_io.hpp"

namespace slowburn::preload {

size_t roundToPages(size_t bytes) {
  const size_t page = 4096;
  return (bytes + page - 1) & ~(page - 1);
}

void* mapPages(size_t bytes) {
  if (bytes == 0) return nullptr;
  return raw::map(nullptr, roundToPages(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                  -1, 0);
}

void unmapPages(void* p, size_t bytes) {
  if (p != nullptr && bytes != 0) raw::unmap(p, roundToPages(bytes));
}

}  // namespace slowburn::preload
