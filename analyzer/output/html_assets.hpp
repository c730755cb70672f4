#pragma once
// The html report's one style sheet and one script, inlined into every page. Nothing in
// them comes from a dump; the page's Content-Security-Policy allows exactly these two by
// their SHA-256 (output/sha256.hpp).

#include <string_view>

namespace slowburn::analyze {

extern const std::string_view kHtmlStyle;
// Sorts each table.sortable by the column whose header is clicked: numeric columns by
// their cells' data-v, others by text; a second click reverses.
extern const std::string_view kHtmlScript;

}  // namespace slowburn::analyze
