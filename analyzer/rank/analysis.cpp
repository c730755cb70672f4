#include "rank/analysis.hpp"

#include <algorithm>
#include <utility>

#include "rank/correlate.hpp"

namespace slowburn::analyze {
namespace {

// Frames of an unknown or empty stack still need a location to point at.
const Frame kNoFrame{};

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

// The points a trend is judged on: the run without its exit teardown, which frees every
// static container at once and would make a leak look like a spike. A few points at most
// are left out, and never so many that fewer than half remain.
std::vector<SeriesPoint> runningPart(const std::vector<SeriesPoint>& points, double teardown) {
  constexpr size_t kMaxTrimmed = 3;
  size_t keep = points.size();
  while (keep > 0 && points.size() - keep < kMaxTrimmed && points[keep - 1].t > teardown) --keep;
  if (keep < points.size() / 2 || keep < 2) keep = points.size();
  return {points.begin(), points.begin() + static_cast<std::ptrdiff_t>(keep)};
}

}  // namespace

Analysis::Analysis(Profile profile, const AnalysisOptions& options)
    : m_profile(std::move(profile)), m_symbolizer(options.symbolizer) {
  for (const Module& m : m_profile.modules) m_symbolizer.addModule(m);
  m_stacks.resize(m_profile.sites.size());
  rank(options.trend);
  correlate();
}

void Analysis::rank(const TrendSettings& settings) {
  const double duration = m_profile.durationS();
  const double teardown = m_profile.exitTeardownStartS();
  std::vector<TrendVerdict> verdicts;
  std::vector<uint64_t> beforeExit;
  verdicts.reserve(m_profile.sites.size());
  beforeExit.reserve(m_profile.sites.size());
  for (const SiteProfile& s : m_profile.sites) {
    const SiteActivity activity = activityOf(s, duration);
    const std::vector<SeriesPoint> points = runningPart(s.series.points(), teardown);
    verdicts.push_back(s.isAlloc() ? classifySeries(points, activity, settings)
                                   : classifyRate(points, activity, settings));
    const bool trimmed = points.size() < s.series.points().size();
    beforeExit.push_back(s.isAlloc() && trimmed ? static_cast<uint64_t>(points.back().v + 0.5)
                                                : s.liveBytes);
  }
  // Memory first: a syscall site's score is in calls, not bytes, so it cannot be compared
  // with an alloc site's. Growing alloc, growing syscall, then the rest in the same order.
  const auto group = [&](size_t i) {
    const bool growing = verdicts[i].cls == SiteClass::Growing;
    const bool alloc = m_profile.sites[i].isAlloc();
    return (growing ? 0 : 2) + (alloc ? 0 : 1);
  };
  std::vector<size_t> order = rankOrder(verdicts);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return group(a) < group(b); });
  m_sites.reserve(order.size());
  for (size_t i : order) {
    RankedSite r;
    r.rank = m_sites.size() + 1;
    r.siteIndex = i;
    r.verdict = verdicts[i];
    r.liveBeforeExit = beforeExit[i];
    m_sites.push_back(std::move(r));
  }
}

void Analysis::correlate() {
  // Only growing alloc sites and syscall sites take part: symbolize just those.
  std::vector<CorrelationSite> input;
  std::vector<size_t> ranked;  // input index -> m_sites index
  for (size_t k = 0; k < m_sites.size(); ++k) {
    const SiteProfile& s = site(m_sites[k]);
    const bool growing = m_sites[k].verdict.cls == SiteClass::Growing;
    if (s.isAlloc() ? !growing : s.calls == 0) continue;
    const Frame& where = location(m_sites[k]);
    CorrelationSite c;
    c.isAlloc = s.isAlloc();
    c.growing = growing;
    c.op = s.op;
    c.module = where.module;
    c.function = where.function;
    c.retainedBytes = s.peakLiveBytes;
    c.calls = s.calls;
    input.push_back(std::move(c));
    ranked.push_back(k);
  }
  std::vector<double> retainedAtSyscall(m_sites.size(), 0.0);
  for (const CorrelationLink& link : correlateSites(input)) {
    RankedSite& alloc = m_sites[ranked[link.alloc]];
    RankedSite& sys = m_sites[ranked[link.syscall]];
    alloc.retainedBytesPerSyscall = link.retainedBytesPerSyscall;
    alloc.correlatedRank = sys.rank;
    // Links come in rank order, so the first alloc partner is the highest ranked.
    if (sys.correlatedRank == 0) sys.correlatedRank = alloc.rank;
    retainedAtSyscall[ranked[link.syscall]] += static_cast<double>(site(alloc).peakLiveBytes);
  }
  for (size_t k = 0; k < m_sites.size(); ++k) {
    const SiteProfile& s = site(m_sites[k]);
    if (!s.isAlloc() && m_sites[k].correlatedRank != 0) {
      m_sites[k].retainedBytesPerSyscall = retainedAtSyscall[k] / static_cast<double>(s.calls);
    }
  }
}

const ResolvedStack& Analysis::stack(const RankedSite& ranked) {
  std::optional<ResolvedStack>& slot = m_stacks[ranked.siteIndex];
  if (!slot) {
    ResolvedStack r;
    // Every recorded address is a return address; inlined calls (push_back inlined into the
    // user's function) become frames of their own, so the location can be the user's line.
    for (const uint64_t address : site(ranked).frames) {
      std::vector<Frame> chain = m_symbolizer.resolveInlineChain(address, true);
      for (Frame& f : chain) r.frames.push_back(std::move(f));
    }
    r.location = locationFrame(r.frames);
    slot = std::move(r);
  }
  return *slot;
}

const Frame& Analysis::location(const RankedSite& ranked) {
  const ResolvedStack& s = stack(ranked);
  return s.frames.empty() ? kNoFrame : s.frames[s.location];
}

std::unique_ptr<Analysis> analyzeDump(const std::string& path, const AnalysisOptions& options) {
  ReadOptions read;
  read.progress = options.progress;
  return std::make_unique<Analysis>(buildProfile(path, read, options.maxPointsPerSite), options);
}

}  // namespace slowburn::analyze
