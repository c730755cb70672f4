#include "output/json_writer.hpp"

#include <fmt/format.h>

#include <cmath>

namespace slowburn::analyze {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF).
size_t utf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::string jsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8Length(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
        // A C1 control (U+009B is a one-character CSI): escaped, like C0, for terminals.
        out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[i + 1]));
        i += n;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

void JsonWriter::newline() {
  m_out += '\n';
  m_out.append(2 * m_stack.size(), ' ');
}

void JsonWriter::beforeValue() {
  if (m_afterKey) {
    m_afterKey = false;
    return;
  }
  if (m_stack.empty()) return;
  Level& level = m_stack.back();
  if (!level.empty) m_out += level.compact ? ", " : ",";
  if (!level.compact) newline();
  level.empty = false;
}

void JsonWriter::open(char bracket, bool isObject) {
  beforeValue();
  m_out += bracket;
  const bool compact = m_compact || (!m_stack.empty() && m_stack.back().compact);
  m_stack.push_back({isObject, true, compact});
}

void JsonWriter::close(char bracket) {
  const Level level = m_stack.back();
  m_stack.pop_back();
  if (!level.empty && !level.compact) newline();
  m_out += bracket;
  if (m_stack.empty()) m_out += '\n';
}

void JsonWriter::beginObject() { open('{', true); }
void JsonWriter::endObject() { close('}'); }
void JsonWriter::beginArray() { open('[', false); }
void JsonWriter::endArray() { close(']'); }

void JsonWriter::key(std::string_view name) {
  beforeValue();
  m_out += '"';
  m_out += jsonEscape(name);
  m_out += "\": ";
  m_afterKey = true;
}

void JsonWriter::value(std::string_view s) {
  beforeValue();
  m_out += '"';
  m_out += jsonEscape(s);
  m_out += '"';
}

void JsonWriter::value(uint64_t v) {
  beforeValue();
  m_out += fmt::format("{}", v);
}

void JsonWriter::value(int64_t v) {
  beforeValue();
  m_out += fmt::format("{}", v);
}

void JsonWriter::value(double v) {
  if (!std::isfinite(v)) {
    null();
    return;
  }
  beforeValue();
  // Shortest round-trip form; integral values keep a ".0" so readers see a float.
  std::string text = fmt::format("{}", v);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  m_out += text;
}

void JsonWriter::value(bool v) {
  beforeValue();
  m_out += v ? "true" : "false";
}

void JsonWriter::null() {
  beforeValue();
  m_out += "null";
}

}  // namespace slowburn::analyze
