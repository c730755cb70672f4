#include "rank/locations.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

namespace slowburn::analyze {
namespace {

using Key = std::tuple<int, int, std::string, std::string, std::string, int, uint64_t>;

Key keyOf(const SiteProfile& site, const Frame& where) {
  const int kind = static_cast<int>(site.kind);
  const int op = static_cast<int>(site.op);
  if (!where.file.empty() && where.line > 0) {
    return {kind, op, where.function, where.file, "", where.line, 0};
  }
  if (!where.module.empty()) return {kind, op, where.function, "", where.module, 0, where.offset};
  return {kind, op, where.function, "", "", 0, where.address};
}

// Sums the other sites' counters and series into the first's copy.
SiteProfile merge(const Profile& profile, const std::vector<size_t>& sites) {
  SiteProfile sum = profile.sites[sites.front()];
  for (size_t k = 1; k < sites.size(); ++k) {
    const SiteProfile& s = profile.sites[sites[k]];
    sum.liveBytes += s.liveBytes;
    sum.liveCount += s.liveCount;
    sum.peakLiveCount += s.peakLiveCount;  // an upper bound: the sites may peak apart
    sum.allocs += s.allocs;
    sum.frees += s.frees;
    sum.calls += s.calls;
    sum.bytes += s.bytes;
    sum.peakLiveBytes = std::max(sum.peakLiveBytes, s.peakLiveBytes);
    sum.series.addAligned(s.series);
  }
  // The sum's peak is at least its highest point; the sites' own peaks may have come apart.
  if (sum.isAlloc()) {
    sum.peakLiveBytes =
        std::max(sum.peakLiveBytes, static_cast<uint64_t>(std::max(0.0, sum.series.peak())));
  } else {
    sum.peakCallRate = std::max(sum.peakCallRate, sum.series.peak());
  }
  return sum;
}

}  // namespace

std::vector<Location> gatherLocations(const Profile& profile, const ResolvedStacks& resolved) {
  std::map<Key, size_t> index;
  std::vector<Location> locations;
  for (size_t i = 0; i < profile.sites.size(); ++i) {
    const Key key = keyOf(profile.sites[i], resolved.location(i));
    auto [it, fresh] = index.emplace(key, locations.size());
    if (fresh) locations.emplace_back();
    locations[it->second].sites.push_back(i);
  }
  for (Location& l : locations) {
    if (l.sites.size() > 1) l.merged = merge(profile, l.sites);
  }
  return locations;
}

}  // namespace slowburn::analyze
