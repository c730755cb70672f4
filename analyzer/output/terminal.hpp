#pragma once
// Terminal facts the outputs depend on: is a stream a TTY, may we use colour, and the few
// ANSI styles the report uses.

#include <cstdio>
#include <string>
#include <string_view>

namespace slowburn::analyze {

enum class ColorMode { Auto, Always, Never };

// "auto", "always", "never"; throws std::invalid_argument for anything else.
ColorMode parseColorMode(std::string_view text);

bool isTerminal(std::FILE* stream);

// Control characters from a dump (an exe name, a symbol) could drive the terminal: each
// becomes '?'.
std::string printable(std::string_view s);

// Auto means: the stream is a TTY and NO_COLOR is unset or empty (no-color.org).
bool colorEnabled(ColorMode mode, std::FILE* stream);

// Wraps text in ANSI SGR codes when enabled; plain text otherwise.
class Palette {
 public:
  explicit Palette(bool enabled) : m_enabled(enabled) {}

  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string red(std::string_view s) const { return wrap("1;31", s); }
  std::string yellow(std::string_view s) const { return wrap("33", s); }
  std::string green(std::string_view s) const { return wrap("32", s); }
  std::string cyan(std::string_view s) const { return wrap("36", s); }
  bool enabled() const { return m_enabled; }

 private:
  std::string wrap(std::string_view code, std::string_view s) const;

  bool m_enabled;
};

}  // namespace slowburn::analyze
