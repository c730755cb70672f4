#pragma once
// LEB128 varints and zigzag: header-only, no heap, usable inside the preload.

#include <cstddef>
#include <cstdint>

#include "slowburn/format.hpp"

namespace slowburn::format {

// Writes v at out (needs kMaxVarintBytes of room); returns bytes written.
inline size_t putVarint(uint8_t* out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<uint8_t>(v);
  return n;
}

inline constexpr size_t varintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Reads a varint from [p, end); returns bytes consumed, 0 if cut short or overlong.
inline size_t getVarint(const uint8_t* p, const uint8_t* end, uint64_t& v) {
  uint64_t result = 0;
  for (size_t i = 0; i < kMaxVarintBytes && p + i < end; ++i) {
    const uint64_t byte = p[i];
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (i == kMaxVarintBytes - 1 && byte > 1) return 0;
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      v = result;
      return i + 1;
    }
  }
  return 0;
}

inline constexpr uint64_t zigzagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

inline constexpr int64_t zigzagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace slowburn::format
