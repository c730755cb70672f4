#include "lifecycle/preloaded.hpp"

#include <link.h>

#include <cstring>

namespace slowburn::preload {
namespace {

bool isLibc(const char* path) {
  if (path == nullptr) return false;
  const char* slash = std::strrchr(path, '/');
  const char* name = slash == nullptr ? path : slash + 1;
  return std::strncmp(name, "libc.so", 7) == 0;
}

}  // namespace

bool loadedByPreload() {
  for (const link_map* map = _r_debug.r_map; map != nullptr; map = map->l_next) {
    if (map->l_ld == _DYNAMIC) return true;
    if (isLibc(map->l_name)) return false;
  }
  return false;  // not found at all: do not record on a guess
}

}  // namespace slowburn::preload
