#pragma once
// Bounds-checked decoding of one record's payload, the cursor slowburn/record_codec.hpp's
// decoders read through; every failure throws DumpError naming the record and the field.

#include <cstddef>
#include <cstdint>
#include <string>

#include "read/dump_reader.hpp"
#include "slowburn/varint.hpp"

namespace slowburn::analyze {

class PayloadCursor {
 public:
  PayloadCursor(const uint8_t* data, size_t size, const char* record)
      : m_p(data), m_end(data + size), m_record(record) {}

  uint64_t varint(const char* field) {
    uint64_t v = 0;
    const size_t n = format::getVarint(m_p, m_end, v);
    if (n == 0) fail(field, "is malformed or cut short");
    m_p += n;
    return v;
  }

  uint8_t u8(const char* field) {
    if (m_p >= m_end) fail(field, "is missing");
    return *m_p++;
  }

  std::string text(const char* field, uint64_t maxBytes) {
    const uint64_t n = varint(field);
    if (n > maxBytes) fail(field, "is longer than the format allows");
    if (n > static_cast<uint64_t>(m_end - m_p)) fail(field, "runs past the record");
    std::string s(reinterpret_cast<const char*>(m_p), n);
    m_p += n;
    return s;
  }

  // Everything left in the payload (a CHUNK's compressed bytes).
  std::string rest(const char*) {
    std::string s(reinterpret_cast<const char*>(m_p), static_cast<size_t>(m_end - m_p));
    m_p = m_end;
    return s;
  }

  // Rejects counts that cannot possibly fit in what is left (each item takes >= 1 byte).
  void requireAtLeast(uint64_t bytes, const char* field) const {
    if (bytes > static_cast<uint64_t>(m_end - m_p)) fail(field, "count exceeds the record");
  }

  // A value the format does not allow; "{}" in message stands for value.
  [[noreturn]] void reject(const char* message, uint64_t value = 0) const {
    std::string text = message;
    if (const size_t at = text.find("{}"); at != std::string::npos)
      text.replace(at, 2, std::to_string(value));
    throw DumpError(text);
  }

  void expectEnd() const {
    if (m_p != m_end) throw DumpError(std::string(m_record) + " record has trailing bytes");
  }

 private:
  [[noreturn]] void fail(const char* field, const char* what) const {
    throw DumpError(std::string(m_record) + " " + field + " " + what);
  }

  const uint8_t* m_p;
  const uint8_t* m_end;
  const char* m_record;
};

}  // namespace slowburn::analyze
