#pragma once
// `slowburn export --format csv`: one row per site in rank order (RFC 4180 quoting), the
// same figures as the JSON export, with the location flattened into columns.

#include <string>

#include "rank/analysis.hpp"

namespace slowburn::analyze {

std::string exportCsv(const Analysis& analysis);

// Quotes a field when it holds a comma, quote, CR or LF; doubles inner quotes.
std::string csvField(const std::string& s);

}  // namespace slowburn::analyze
