#pragma once
// `slowburn export --format csv`: one row per site in rank order, the same figures as the
// JSON export, with the location flattened into columns. RFC 4180: CRLF between records, a
// field holding a comma, a quote, CR or LF is quoted with its quotes doubled, so any CSV
// reader gets the text back whole. Text the RFC has no place for (other control characters,
// C1 controls, invalid UTF-8) becomes '?' as on a terminal (output/terminal.hpp).

#include <string>
#include <string_view>

#include "output/pieces.hpp"
#include "rank/analysis.hpp"

namespace slowburn::analyze {

void exportCsv(const Analysis& analysis, const TextSink& sink);
std::string exportCsv(const Analysis& analysis);

// One field as written: made safe as above, then quoted if it needs it.
std::string csvField(std::string_view s);

}  // namespace slowburn::analyze
