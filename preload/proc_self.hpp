#pragma once
// Facts about this process read from /proc with raw syscalls (no stdio, no heap).

#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

// Resident set size in bytes from /proc/self/statm; 0 when unreadable.
uint64_t residentBytes();

// The executable's absolute path from /proc/self/exe, else the name it was started by.
void executablePath(char* out, size_t size);

}  // namespace slowburn::preload
