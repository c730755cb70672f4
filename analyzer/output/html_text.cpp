#include "output/html_text.hpp"

#include "slowburn/terminal_safe.hpp"

namespace slowburn::analyze {

std::string htmlText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  format::forEachTerminalSafeByte(text.data(), text.size(), [&out](char c) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  });
  return out;
}

}  // namespace slowburn::analyze
