#include "rank/handover.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace slowburn::analyze {
namespace {

// Increments over windows of `width` points (the last window may be shorter).
std::vector<double> increments(const std::vector<SeriesPoint>& points, size_t width) {
  std::vector<double> d;
  for (size_t i = 0; i + 1 < points.size(); i += width) {
    const size_t j = std::min(points.size() - 1, i + width);
    d.push_back(points[j].v - points[i].v);
  }
  return d;
}

// Pearson correlation; nullopt when either side does not vary.
std::optional<double> correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = std::min(a.size(), b.size());
  if (n < 3) return std::nullopt;
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (!(saa > 0) || !(sbb > 0)) return std::nullopt;
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

std::vector<std::optional<HandOver>> findHandOvers(const Profile& profile,
                                                   const std::vector<Location>& locations,
                                                   const std::vector<TrendVerdict>& verdicts,
                                                   const HandOverSettings& settings) {
  std::vector<std::optional<HandOver>> out(locations.size());
  const bool sampled = profile.header.sampleBytes > 0;
  const double sampleBytes = static_cast<double>(profile.header.sampleBytes);
  // Which lines climb and which lost ground, from their points alone; the increments are
  // kept only for the biggest of each (memory bounded whatever the number of lines).
  std::vector<size_t> climbers, sources;
  std::vector<double> size(locations.size(), 0.0);
  for (size_t k = 0; k < locations.size(); ++k) {
    const SiteProfile& s = locations[k].totals(profile);
    if (!s.isAlloc()) continue;
    const std::vector<SeriesPoint> points = s.series.points();
    if (points.size() < 3) continue;
    const SiteClass cls = verdicts[k].cls;
    // A source lost ground from its high (a cache may still be filling at the first snapshot).
    const double fell = s.series.peak() - points.back().v;
    if (points.back().v > points.front().v &&
        (cls == SiteClass::Growing || cls == SiteClass::Plateau)) {
      climbers.push_back(k);
      size[k] = points.back().v - points.front().v;
    } else if (fell > 0 && fell >= settings.minSourceFall * s.series.peak()) {
      sources.push_back(k);
      size[k] = fell;
    }
  }
  if (climbers.empty() || sources.empty()) return out;
  const auto keepBiggest = [&](std::vector<size_t>& lines, size_t most) {
    if (lines.size() <= most) return;
    std::partial_sort(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(most), lines.end(),
                      [&](size_t a, size_t b) { return size[a] > size[b]; });
    lines.resize(most);
    std::sort(lines.begin(), lines.end());
  };
  keepBiggest(climbers, settings.maxClimbers);
  keepBiggest(sources, settings.maxSources);

  std::vector<std::vector<double>> steps(locations.size());
  size_t length = SIZE_MAX;
  for (const std::vector<size_t>* lines : {&climbers, &sources}) {
    for (size_t k : *lines) {
      const std::vector<SeriesPoint> points = locations[k].totals(profile).series.points();
      const size_t width =
          sampled
              ? std::max<size_t>(1, points.size() / std::max<size_t>(1, settings.sampledWindows))
              : 1;
      steps[k] = increments(points, width);
      length = std::min(length, steps[k].size());
    }
  }

  // What each source still has to give, interval by interval.
  std::vector<std::vector<double>> left(locations.size());
  for (size_t y : sources) {
    left[y].resize(length);
    for (size_t i = 0; i < length; ++i) left[y][i] = std::max(0.0, -steps[y][i]);
  }
  const auto rise = [&](size_t x) {
    double r = 0;
    for (size_t i = 0; i < length; ++i) r += std::max(0.0, steps[x][i]);
    return r;
  };
  std::sort(climbers.begin(), climbers.end(),
            [&](size_t a, size_t b) { return rise(a) > rise(b); });

  // Sampled: how far the climber and its sources together moved from the sources' high, as
  // a share of its rise (0: they stay level, a pure exchange).
  std::vector<double> apart(locations.size(), INFINITY);
  struct Take {
    size_t source, interval;
    double bytes;
  };
  // Matches x against what the sources still have; takes it when the match holds (or always,
  // for a dry run, after which the budgets are restored). The share of x's rise matched, or
  // nullopt when x did not change hands.
  const auto match = [&](size_t x, bool dryRun) -> std::optional<HandOver> {
    const double total = rise(x);
    if (!(total > 0)) return std::nullopt;
    std::vector<Take> takes;
    std::vector<double> given(locations.size(), 0.0);
    double matched = 0;
    for (size_t i = 0; i < length; ++i) {
      double need = std::max(0.0, steps[x][i]);
      for (size_t y : sources) {
        if (need <= 0) break;
        const double take = std::min(need, left[y][i]);
        if (take <= 0) continue;
        // Sampled, what a source has left once a climber took its share is that exchange's
        // noise up to two sigmas of the bytes that came and went in it, not bytes to give.
        const double noise = sampled ? 2 * std::sqrt(2 * take * sampleBytes) : 0.0;
        const double spent = std::min(left[y][i], take + noise);
        left[y][i] -= spent;
        takes.push_back({y, i, spent});
        given[y] += take;
        need -= take;
        matched += take;
      }
    }
    size_t from = sources.front();
    std::vector<double> sourceSteps(length, 0.0), sourceFalls(length, 0.0);
    for (size_t y : sources) {
      if (given[y] > given[from]) from = y;
      if (given[y] <= 0) continue;
      for (size_t i = 0; i < length; ++i) {
        sourceSteps[i] += steps[y][i];
        sourceFalls[i] += std::max(0.0, -steps[y][i]);
      }
    }
    const std::vector<double> own(steps[x].begin(),
                                  steps[x].begin() + static_cast<std::ptrdiff_t>(length));
    bool together = false;
    double allowance = 0;
    if (sampled) {
      // A change of a sampled level carries the noise of the blocks that came and went, not
      // of those that stayed: the climber's rise and the falls it took.
      allowance = 2 * std::sqrt((total + matched) * sampleBytes);
      // From the sources' high on: their own filling before it (a cache loaded at start)
      // is no evidence either way.
      size_t high = 0;
      double sourceLevel = 0, highLevel = 0;
      for (size_t i = 0; i < length; ++i) {
        sourceLevel += sourceSteps[i];
        if (sourceLevel > highLevel) {
          highLevel = sourceLevel;
          high = i + 1;
        }
      }
      double net = 0;
      for (size_t i = high; i < length; ++i) net += own[i] + sourceSteps[i];
      together = net <= settings.maxSampledNet * total + allowance;
      apart[x] = std::fabs(net) / total;
    } else {
      // Its climbs against their falls: a source's own filling (a cache loaded at start)
      // is no evidence either way.
      std::vector<double> climbs(length);
      for (size_t i = 0; i < length; ++i) climbs[i] = std::max(0.0, own[i]);
      const std::optional<double> r = correlation(climbs, sourceFalls);
      together = !r || *r >= settings.minCorrelation;
    }
    const bool changedHands = matched + allowance >= settings.minMatched * total && together;
    if (dryRun || !changedHands) {
      for (const Take& t : takes) left[t.source][t.interval] += t.bytes;
    }
    if (!changedHands) return std::nullopt;
    return HandOver{from, std::min(1.0, matched / total)};
  };
  // The best matched first: a refresh that mirrors its source's fall is served before a real
  // leak that merely grows while the same source falls. Sampled, the falls of a big source
  // cover any small climber beside it, so the best matched is the one that keeps the sum
  // with its sources most level: the refresh, not the leak.
  std::vector<double> share(locations.size(), 0.0);
  for (size_t x : climbers) {
    if (const std::optional<HandOver> dry = match(x, true)) share[x] = dry->matched;
  }
  std::stable_sort(climbers.begin(), climbers.end(), [&](size_t a, size_t b) {
    return sampled ? share[a] > 0 && (share[b] == 0 || apart[a] < apart[b]) : share[a] > share[b];
  });
  for (size_t x : climbers) {
    if (share[x] > 0) out[x] = match(x, false);
  }
  return out;
}

}  // namespace slowburn::analyze
