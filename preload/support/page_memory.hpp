#pragma once
// Memory for the profiler's own structures comes straight from mmap: never from malloc,
// which it interposes, so recording can never recurse or disturb the target's heap.

#include <cstddef>

namespace slowburn::preload {

// Zero-filled, page-rounded; nullptr on failure.
void* mapPages(size_t bytes);
void unmapPages(void* p, size_t bytes);
size_t roundToPages(size_t bytes);

}  // namespace slowburn::preload
