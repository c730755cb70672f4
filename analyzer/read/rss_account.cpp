#include "read/rss_account.hpp"

namespace slowburn::analyze {
namespace {

int64_t growth(uint64_t from, uint64_t to) {
  return static_cast<int64_t>(to) - static_cast<int64_t>(from);
}

}  // namespace

RssAccount accountRss(const ProcessPoint& first, const ProcessPoint& last) {
  RssAccount a;
  a.fromS = first.t;
  a.toS = last.t;
  a.rssGrowth = growth(first.rss, last.rss);
  a.heapGrowth = growth(first.heap, last.heap);
  a.mappedGrowth = growth(first.mapped, last.mapped);
  if (a.rssGrowth > 0) {
    a.explained =
        static_cast<double>(a.heapGrowth + a.mappedGrowth) / static_cast<double>(a.rssGrowth);
    a.mostlyUnexplained = a.rssGrowth >= kMinUnexplainedBytes && *a.explained < 0.5;
  }
  return a;
}

}  // namespace slowburn::analyze
