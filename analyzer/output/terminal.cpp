#include "output/terminal.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "slowburn/terminal_safe.hpp"

namespace slowburn::analyze {

ColorMode parseColorMode(std::string_view text) {
  if (text == "auto") return ColorMode::Auto;
  if (text == "always") return ColorMode::Always;
  if (text == "never") return ColorMode::Never;
  throw std::invalid_argument("colour must be auto, always or never");
}

void appendPrintable(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size());
  format::forEachTerminalSafeByte(s.data(), s.size(), [&out](char c) { out += c; });
}

std::string printable(std::string_view s) {
  std::string out;
  appendPrintable(out, s);
  return out;
}

bool isTerminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

bool colorEnabled(ColorMode mode, std::FILE* stream) {
  switch (mode) {
    case ColorMode::Always: return true;
    case ColorMode::Never: return false;
    case ColorMode::Auto: break;
  }
  const char* noColor = std::getenv("NO_COLOR");
  if (noColor != nullptr && noColor[0] != '\0') return false;
  return isTerminal(stream);
}

std::string Palette::wrap(std::string_view code, std::string_view s) const {
  if (!m_enabled || s.empty()) return std::string(s);
  std::string out = "\x1b[";
  out += code;
  out += 'm';
  out += s;
  out += "\x1b[0m";
  return out;
}

}  // namespace slowburn::analyze
