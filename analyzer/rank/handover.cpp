#include "rank/handover.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace slowburn::analyze {
namespace {

std::vector<double> increments(const std::vector<SeriesPoint>& points) {
  std::vector<double> d;
  for (size_t i = 1; i < points.size(); ++i) d.push_back(points[i].v - points[i - 1].v);
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
  std::vector<size_t> climbers, sources;
  std::vector<std::vector<double>> steps(locations.size());
  size_t length = SIZE_MAX;
  for (size_t k = 0; k < locations.size(); ++k) {
    const SiteProfile& s = locations[k].totals(profile);
    if (!s.isAlloc()) continue;
    const std::vector<SeriesPoint>& points = s.series.points();
    if (points.size() < 3) continue;
    steps[k] = increments(points);
    length = std::min(length, steps[k].size());
    const double fell = points.front().v - points.back().v;
    if (verdicts[k].cls == SiteClass::Growing) {
      climbers.push_back(k);
    } else if (fell > 0 && fell >= settings.minSourceFall * s.series.peak()) {
      sources.push_back(k);
    }
  }
  if (climbers.empty() || sources.empty()) return out;

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
  std::sort(climbers.begin(), climbers.end(), [&](size_t a, size_t b) { return rise(a) > rise(b); });

  struct Take {
    size_t source, interval;
    double bytes;
  };
  for (size_t x : climbers) {
    const double total = rise(x);
    if (!(total > 0)) continue;
    std::vector<Take> takes;
    std::vector<double> given(locations.size(), 0.0);
    double matched = 0;
    for (size_t i = 0; i < length; ++i) {
      double need = std::max(0.0, steps[x][i]);
      for (size_t y : sources) {
        if (need <= 0) break;
        const double take = std::min(need, left[y][i]);
        if (take <= 0) continue;
        left[y][i] -= take;
        takes.push_back({y, i, take});
        given[y] += take;
        need -= take;
        matched += take;
      }
    }
    size_t from = sources.front();
    std::vector<double> sourceSteps(length, 0.0);
    for (size_t y : sources) {
      if (given[y] > given[from]) from = y;
      if (given[y] > 0)
        for (size_t i = 0; i < length; ++i) sourceSteps[i] += steps[y][i];
    }
    const std::vector<double> own(steps[x].begin(),
                                  steps[x].begin() + static_cast<std::ptrdiff_t>(length));
    const std::optional<double> r = correlation(own, sourceSteps);
    const bool changedHands =
        matched >= settings.minMatched * total && (!r || *r <= -settings.minCorrelation);
    if (!changedHands) {
      // What it took goes back for the climbers after it.
      for (const Take& t : takes) left[t.source][t.interval] += t.bytes;
      continue;
    }
    out[x] = HandOver{from, matched / total};
  }
  return out;
}

}  // namespace slowburn::analyze
