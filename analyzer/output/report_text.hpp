#pragma once
// `slowburn report`: the ranked table a person reads, within 100 columns. Header facts
// first (what ran, for how long, anything that makes the data partial), then one block per
// site: rank, class, growth, confidence, sizes, counts, location and its callers.

#include <cstddef>
#include <string>

#include "rank/analysis.hpp"

namespace slowburn::analyze {

struct ReportSettings {
  size_t top = 10;  // sites shown unless `all`
  bool all = false;
  size_t frames = 3;  // stack frames shown per site, from the location outwards
  bool color = false;
  size_t width = 100;  // lines are cut to fit
};

std::string reportText(const Analysis& analysis, const ReportSettings& settings);

// Cuts s to at most width characters, ending with "..." when cut.
std::string fitWidth(const std::string& s, size_t width);

}  // namespace slowburn::analyze
