#include "rank/ranking.hpp"

#include <algorithm>
#include <utility>

#include "rank/correlate.hpp"
#include "rank/handover.hpp"

namespace slowburn::analyze {
namespace {

SiteActivity activityOf(const SiteProfile& s, double durationS) {
  SiteActivity a;
  a.durationS = durationS;
  if (s.isAlloc()) {
    a.allocs = s.allocs;
    a.frees = s.frees;
    a.peak = static_cast<double>(s.peakLiveBytes);
    a.peakCount = s.peakLiveCount;
  } else {
    a.allocs = s.calls;
    a.peak = s.peakCallRate;
  }
  return a;
}

// The allocations of the location's stacks that held its bytes: those whose peak is at
// least this share of its biggest stack's (SiteActivity::holderAllocs).
constexpr double kHolderPeakShare = 0.1;

uint64_t holderAllocs(const Profile& profile, const Location& location) {
  uint64_t biggest = 0;
  for (size_t site : location.sites) biggest = std::max(biggest, profile.sites[site].peakLiveBytes);
  uint64_t allocs = 0;
  for (size_t site : location.sites) {
    const SiteProfile& s = profile.sites[site];
    if (static_cast<double>(s.peakLiveBytes) >= kHolderPeakShare * static_cast<double>(biggest))
      allocs += s.allocs;
  }
  return allocs;
}

// How much a site climbed while the program ran (its series stop where the exit's
// teardown began): its last point over its first.
double climb(const SiteProfile& s) {
  const std::vector<SeriesPoint>& points = s.series.points();
  return points.empty() ? 0.0 : points.back().v - points.front().v;
}

// The location's sites, the leading one first: for a growing location the one that climbed
// most, for any other the biggest (by peak, or calls for a syscall location).
std::vector<size_t> leadingFirst(const Profile& profile, const Location& location, bool growing) {
  std::vector<size_t> sites = location.sites;
  if (sites.size() < 2) return sites;
  std::vector<double> weight(sites.size());
  for (size_t k = 0; k < sites.size(); ++k) {
    const SiteProfile& s = profile.sites[sites[k]];
    weight[k] = !s.isAlloc() ? static_cast<double>(s.calls)
                : growing    ? climb(s)
                             : static_cast<double>(s.peakLiveBytes);
  }
  std::vector<size_t> order(sites.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return weight[a] > weight[b]; });
  std::vector<size_t> out;
  out.reserve(sites.size());
  for (size_t k : order) out.push_back(sites[k]);
  return out;
}

}  // namespace

std::vector<RankedSite> rankLocations(const Profile& profile,
                                      const std::vector<Location>& locations,
                                      const TrendSettings& settings) {
  const double duration = profile.durationS();
  std::vector<TrendVerdict> verdicts;
  std::vector<uint64_t> beforeExit;
  verdicts.reserve(locations.size());
  beforeExit.reserve(locations.size());
  for (const Location& location : locations) {
    const SiteProfile& s = location.totals(profile);
    SiteActivity activity = activityOf(s, duration);
    if (s.isAlloc()) activity.holderAllocs = holderAllocs(profile, location);
    // Only the malloc family is sampled: mappings and calls are recorded every one.
    if (s.kind == format::SiteKind::Alloc) activity.sampleBytes = profile.header.sampleBytes;
    // The series end where a clean exit's teardown began (TEARDOWN): the running program's.
    const std::vector<SeriesPoint>& points = s.series.points();
    verdicts.push_back(s.isAlloc() ? classifySeries(points, activity, settings)
                                   : classifyRate(points, activity, settings));
    beforeExit.push_back(s.isAlloc() ? liveBeforeExit(profile, s) : s.liveBytes);
  }
  // A climb matched by other lines' falls is memory changing hands, not growth.
  const std::vector<std::optional<HandOver>> handOvers =
      findHandOvers(profile, locations, verdicts);
  for (size_t k = 0; k < locations.size(); ++k) {
    if (!handOvers[k] || verdicts[k].cls != SiteClass::Growing) continue;
    const SiteProfile& s = locations[k].totals(profile);
    demoteToPlateau(verdicts[k], static_cast<double>(s.peakLiveBytes), handOvers[k]->matched);
  }
  // Memory first: a syscall site's score is in calls, not bytes, so it cannot be compared
  // with an alloc site's. Growing alloc, growing syscall, then the rest in the same order.
  const auto group = [&](size_t i) {
    const bool growing = verdicts[i].cls == SiteClass::Growing;
    const bool alloc = locations[i].totals(profile).isAlloc();
    return (growing ? 0 : 2) + (alloc ? 0 : 1);
  };
  std::vector<size_t> order = rankOrder(verdicts);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return group(a) < group(b); });
  std::vector<RankedSite> ranked;
  ranked.reserve(order.size());
  for (size_t i : order) {
    RankedSite r;
    r.rank = ranked.size() + 1;
    r.location = i;
    r.verdict = verdicts[i];
    r.sites = leadingFirst(profile, locations[i], r.verdict.cls == SiteClass::Growing);
    r.siteIndex = r.sites.front();
    if (locations[i].totals(profile).isAlloc()) r.growthBytesPerSec = shownGrowth(verdicts[i]);
    r.liveBeforeExit = beforeExit[i];
    ranked.push_back(std::move(r));
  }
  std::vector<size_t> rankOf(locations.size(), 0);
  for (const RankedSite& r : ranked) rankOf[r.location] = r.rank;
  for (RankedSite& r : ranked) {
    if (handOvers[r.location]) r.takesOverFromRank = rankOf[handOvers[r.location]->from];
  }
  return ranked;
}

void correlateRanked(std::vector<RankedSite>& ranked, const Profile& profile,
                     const std::vector<Location>& locations, const ResolvedStacks& resolved) {
  // Only growing alloc locations and syscall locations take part.
  std::vector<CorrelationSite> input;
  std::vector<size_t> inputRank;  // input index -> index into ranked
  for (size_t k = 0; k < ranked.size(); ++k) {
    const SiteProfile& s = locations[ranked[k].location].totals(profile);
    const bool growing = ranked[k].verdict.cls == SiteClass::Growing;
    if (s.isAlloc() ? !growing : s.calls == 0) continue;
    const Frame& where = resolved.location(ranked[k].siteIndex);
    CorrelationSite c;
    c.isAlloc = s.isAlloc();
    c.growing = growing;
    c.op = s.op;
    c.module = where.module;
    c.function = where.function;
    c.retainedBytes = s.peakLiveBytes;
    c.calls = s.calls;
    input.push_back(std::move(c));
    inputRank.push_back(k);
  }
  std::vector<double> retainedAtSyscall(ranked.size(), 0.0);
  for (const CorrelationLink& link : correlateSites(input)) {
    RankedSite& alloc = ranked[inputRank[link.alloc]];
    RankedSite& sys = ranked[inputRank[link.syscall]];
    alloc.retainedBytesPerSyscall = link.retainedBytesPerSyscall;
    alloc.correlatedRank = sys.rank;
    // Links come in rank order, so the first alloc partner is the highest ranked.
    if (sys.correlatedRank == 0) sys.correlatedRank = alloc.rank;
    retainedAtSyscall[inputRank[link.syscall]] +=
        static_cast<double>(locations[alloc.location].totals(profile).peakLiveBytes);
  }
  for (size_t k = 0; k < ranked.size(); ++k) {
    const SiteProfile& s = locations[ranked[k].location].totals(profile);
    if (!s.isAlloc() && ranked[k].correlatedRank != 0) {
      ranked[k].retainedBytesPerSyscall = retainedAtSyscall[k] / static_cast<double>(s.calls);
    }
  }
}

}  // namespace slowburn::analyze
