#pragma once
// Builds one framed record in a caller-owned buffer: no heap, no syscalls, so the preload
// can use it while interposing malloc. record_codec.hpp encodes each record kind into it.

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "slowburn/checksum.hpp"
#include "slowburn/format.hpp"
#include "slowburn/varint.hpp"

namespace slowburn::format {

struct RecordBytes {
  const uint8_t* data = nullptr;
  size_t size = 0;  // 0 when the record did not fit
};

class RecordBuilder {
 public:
  // The payload starts after room for the longest prefix; finish() writes the real prefix
  // right-aligned against it, so nothing is ever moved.
  static constexpr size_t kPrefixRoom = 1 + kMaxVarintBytes;

  RecordBuilder(uint8_t* buffer, size_t capacity) : m_buf(buffer), m_cap(capacity) {}

  void begin(Tag tag) {
    m_tag = tag;
    m_len = kPrefixRoom;
    m_overflow = m_cap < kPrefixRoom + 4;
  }

  void u8(uint8_t v) {
    if (!reserve(1)) return;
    m_buf[m_len++] = v;
  }
  void varint(uint64_t v) {
    if (!reserve(varintSize(v))) return;
    m_len += putVarint(m_buf + m_len, v);
  }
  void zigzag(int64_t v) { varint(zigzagEncode(v)); }
  void bytes(const void* p, size_t n) {
    varint(n);
    if (!reserve(n)) return;
    if (n != 0) std::memcpy(m_buf + m_len, p, n);
    m_len += n;
  }

  size_t payloadSize() const { return m_len - kPrefixRoom; }
  // Room left for payload, keeping space for the checksum.
  size_t payloadRoom() const { return m_overflow ? 0 : m_cap - m_len - 4; }
  bool overflowed() const { return m_overflow; }

  RecordBytes finish() {
    const uint64_t payload = payloadSize();
    if (m_overflow || payload > kMaxRecordPayload) return {};
    const size_t lenBytes = varintSize(payload);
    const size_t start = kPrefixRoom - lenBytes - 1;
    m_buf[start] = static_cast<uint8_t>(m_tag);
    putVarint(m_buf + start + 1, payload);
    putU32le(m_buf + m_len, recordChecksum(m_buf + start, m_len - start));
    return {m_buf + start, m_len + 4 - start};
  }

 private:
  bool reserve(size_t n) {
    if (m_overflow || m_cap - m_len < n + 4) {
      m_overflow = true;
      return false;
    }
    return true;
  }

  uint8_t* m_buf;
  size_t m_cap;
  size_t m_len = kPrefixRoom;
  Tag m_tag = Tag::Header;
  bool m_overflow = false;
};

// The file preamble: magic then version.
inline size_t writePreamble(uint8_t* out) {
  std::memcpy(out, kMagic, sizeof(kMagic));
  putU32le(out + sizeof(kMagic), kVersion);
  return kPreambleBytes;
}

}  // namespace slowburn::format
