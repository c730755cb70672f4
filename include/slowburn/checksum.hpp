#pragma once
// Record checksum: XXH3 inlined so the preload carries no extra runtime dependency.

#include <cstddef>
#include <cstdint>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace slowburn::format {

inline uint32_t recordChecksum(const uint8_t* data, size_t size) {
  return static_cast<uint32_t>(XXH3_64bits(data, size));
}

inline void putU32le(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

inline uint32_t getU32le(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace slowburn::format
