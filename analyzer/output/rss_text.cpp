#include "output/rss_text.hpp"

#include <fmt/format.h>

#include <cmath>

#include "output/units.hpp"

namespace slowburn::analyze {
namespace {

std::string signedBytes(int64_t bytes) {
  return (bytes > 0 ? "+" : "") + formatBytes(static_cast<double>(bytes));
}

}  // namespace

std::string rssAccountLine(const RssAccount& a) {
  std::string line = fmt::format("RSS {}, tracked heap {}, mappings {}", signedBytes(a.rssGrowth),
                                 signedBytes(a.heapGrowth), signedBytes(a.mappedGrowth));
  if (!a.explained) return line + ": RSS did not grow";
  // Past 100%: handed out or mapped but not touched yet, or pages the process already held.
  const double percent = std::round(*a.explained * 100.0);
  if (percent > 100)
    return line + fmt::format(": tracked growth is {:.0f}% of RSS growth", percent);
  return line + fmt::format(": {:.0f}% explained", std::max(percent, 0.0));
}

}  // namespace slowburn::analyze
