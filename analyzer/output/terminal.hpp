#pragma once
// Terminal facts the outputs depend on: is a stream a TTY, may we use colour, the few ANSI
// styles the report uses, and what untrusted text may reach a terminal.

#include <cstdio>
#include <string>
#include <string_view>

namespace slowburn::analyze {

enum class ColorMode { Auto, Always, Never };

// "auto", "always", "never"; throws std::invalid_argument for anything else.
ColorMode parseColorMode(std::string_view text);

bool isTerminal(std::FILE* stream);

// Text from a dump (the exe path, module paths, symbols, source files, notes), from the file
// system (dump paths, which hold the program's name) or from the command line is untrusted:
// printed raw, an ESC or U+009B sequence retitles, clears or reprograms the user's terminal.
// Every human-facing line - report, check, run's own lines, error messages, and every
// command that prints for people (watch, diff, html's text) - passes such text through
// printable(), which applies the one rule of slowburn/terminal_safe.hpp (the preload's
// messages use it too): C0 controls, DEL, C1 controls and invalid UTF-8 each become '?'.
// Machine outputs have their own quoting: JSON escapes, CSV keeps CR and LF inside quotes,
// collapsed stacks have their own rule (export_collapsed.hpp).
std::string printable(std::string_view s);
// The same, appended to out.
void appendPrintable(std::string& out, std::string_view s);

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
