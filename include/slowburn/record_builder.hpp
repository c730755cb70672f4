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

  // How a finished record is framed: on its own in the file, with a checksum; or inside a
  // CHUNK's compressed stream, whose record carries the checksum for all of them.
  enum class Framing : uint8_t { Checked, InChunk };

  // version: the format version the record is encoded for (older ones for tests and tools).
  RecordBuilder(uint8_t* buffer, size_t capacity, uint32_t version = kVersion,
                Framing framing = Framing::Checked)
      : m_buf(buffer), m_cap(capacity), m_version(version), m_framing(framing) {}

  uint32_t version() const { return m_version; }

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
    raw(p, n);
  }
  // Bytes without a length: a payload that is all one thing.
  void raw(const void* p, size_t n) {
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
    if (m_framing == Framing::InChunk) return {m_buf + start, m_len - start};
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
  uint32_t m_version;
  Framing m_framing;
};

// The file preamble: magic then version.
inline size_t writePreamble(uint8_t* out, uint32_t version = kVersion) {
  std::memcpy(out, kMagic, sizeof(kMagic));
  putU32le(out + sizeof(kMagic), version);
  return kPreambleBytes;
}

}  // namespace slowburn::format
