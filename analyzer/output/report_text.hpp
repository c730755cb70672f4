#pragma once
// `slowburn report`: the ranked table a person reads, within 100 columns. Header facts
// first (what ran, for how long, anything that makes the data partial), then one block per
// site: rank, class, growth, confidence, sizes, counts, location and its callers.

#include <cstddef>
#include <string>

#include "output/pieces.hpp"
#include "rank/analysis.hpp"

namespace slowburn::analyze {

struct ReportSettings {
  size_t top = 10;  // sites shown unless `all`
  bool all = false;
  size_t frames = 3;  // stack frames shown per site, from the location outwards
  bool color = false;
  size_t width = 100;  // lines are cut to fit
};

// Handed to sink a site at a time (in pieces of about a MiB), so `--all` on a dump of many
// sites is never held whole.
void reportText(const Analysis& analysis, const ReportSettings& settings, const TextSink& sink);
std::string reportText(const Analysis& analysis, const ReportSettings& settings);

// Cuts s to at most width bytes, ending with "..." when cut, never inside a UTF-8 character.
std::string fitWidth(const std::string& s, size_t width);

}  // namespace slowburn::analyze
