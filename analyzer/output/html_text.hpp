#pragma once
// Untrusted text (a function, file, module or executable name from a dump or its debug
// information) as HTML: the terminal-safe rule first (slowburn/terminal_safe.hpp: controls
// and invalid UTF-8 become '?'), then the five characters HTML gives a meaning escaped, so
// the result is inert both as element text and inside a quoted attribute.

#include <string>
#include <string_view>

namespace slowburn::analyze {

std::string htmlText(std::string_view text);

}  // namespace slowburn::analyze
