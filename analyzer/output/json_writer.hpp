#pragma once
// A small streaming JSON writer: commas, nesting and escaping handled in one place, so the
// exporters only say what to write. Output is indented two spaces per level.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slowburn::analyze {

// Escapes s as a JSON string body (no quotes). Invalid UTF-8 becomes U+FFFD, so any path or
// symbol from a dump yields a document every parser accepts; every control character, C1
// included, is a \u escape, so the document is safe on a terminal too.
std::string jsonEscape(std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : m_out(out) {}

  void beginObject();
  void endObject();
  void beginArray();
  void endArray();
  // Inside an object, each value is preceded by its key.
  void key(std::string_view name);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(uint64_t v);
  void value(int64_t v);
  void value(int v) { value(static_cast<int64_t>(v)); }
  void value(double v);  // NaN and infinities have no JSON form: written as null
  void value(bool v);
  void null();
  // A value that may be absent: null when it is.
  template <class T>
  void value(const std::optional<T>& v) {
    if (v) {
      value(*v);
    } else {
      null();
    }
  }

  // Compact mode writes the current container on one line (used for small objects).
  void setCompact(bool compact) { m_compact = compact; }

 private:
  struct Level {
    bool isObject;
    bool empty;
    bool compact;
  };
  void beforeValue();
  void open(char bracket, bool isObject);
  void close(char bracket);
  void newline();

  std::string& m_out;
  std::vector<Level> m_stack;
  bool m_afterKey = false;
  bool m_compact = false;
};

}  // namespace slowburn::analyze
