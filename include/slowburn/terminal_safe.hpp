#pragma once
// What may reach a terminal: text from a dump, a path or a symbol is untrusted. Every C0
// control (including ESC, BEL, CR, LF), DEL, every C1 control (U+0080..U+009F, whose CSI
// U+009B starts an escape sequence on its own) and every byte that is not part of valid
// UTF-8 becomes '?'. Heap-free, so the preload's messages use it too.

#include <cstddef>
#include <cstdint>

namespace slowburn::format {

// Length of the valid UTF-8 sequence starting at s (1..4), or 0 when it is not valid.
inline size_t utf8SequenceLength(const unsigned char* s, size_t n) {
  const unsigned char c = s[0];
  size_t len = 0;
  uint32_t min = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (n < len) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Calls emit(char) for each byte of s[0..n) made terminal-safe as described above.
template <typename Emit>
void forEachTerminalSafeByte(const char* text, size_t n, Emit&& emit) {
  const auto* s = reinterpret_cast<const unsigned char*>(text);
  size_t i = 0;
  while (i < n) {
    const size_t len = utf8SequenceLength(s + i, n - i);
    const bool c0OrDel = len == 1 && (s[i] < 0x20 || s[i] == 0x7F);
    const bool c1 = len == 2 && s[i] == 0xC2 && s[i + 1] <= 0x9F;
    if (len == 0 || c0OrDel || c1) {
      emit('?');
      i += len == 0 ? 1 : len;
      continue;
    }
    for (size_t k = 0; k < len; ++k) emit(static_cast<char>(s[i + k]));
    i += len;
  }
}

}  // namespace slowburn::format
