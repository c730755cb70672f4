#pragma once
// Bounds-checked decoding of one record's payload; every failure names the field.

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

  std::string string(const char* field, uint64_t maxBytes) {
    const uint64_t n = varint(field);
    if (n > maxBytes) fail(field, "is longer than the format allows");
    if (n > static_cast<uint64_t>(m_end - m_p)) fail(field, "runs past the record");
    std::string s(reinterpret_cast<const char*>(m_p), n);
    m_p += n;
    return s;
  }

  // Rejects counts that cannot possibly fit in what is left (each item takes >= 1 byte).
  void requireAtLeast(uint64_t bytes, const char* field) const {
    if (bytes > static_cast<uint64_t>(m_end - m_p)) fail(field, "count exceeds the record");
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
