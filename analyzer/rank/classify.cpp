#include "rank/classify.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace slowburn::analyze {
namespace {

const auto byTime = [](const SeriesPoint& a, const SeriesPoint& b) { return a.t < b.t; };

bool isClean(const std::vector<SeriesPoint>& in) {
  for (const SeriesPoint& p : in)
    if (!std::isfinite(p.t) || !std::isfinite(p.v)) return false;
  return std::is_sorted(in.begin(), in.end(), byTime);
}

// Finite points in time order: the statistics below assume both.
std::vector<SeriesPoint> cleaned(const std::vector<SeriesPoint>& in) {
  std::vector<SeriesPoint> out;
  out.reserve(in.size());
  for (const SeriesPoint& p : in)
    if (std::isfinite(p.t) && std::isfinite(p.v)) out.push_back(p);
  if (!std::is_sorted(out.begin(), out.end(), byTime))
    std::stable_sort(out.begin(), out.end(), byTime);
  return out;
}

// Where the run ended: the median of its last 1/16 (a lone last value may be noise).
double endLevel(std::span<const SeriesPoint> pts) {
  if (pts.empty()) return 0;
  const size_t k = std::clamp<size_t>(pts.size() / 16, 1, pts.size());
  std::vector<double> tail;
  for (size_t i = pts.size() - k; i < pts.size(); ++i) tail.push_back(pts[i].v);
  return medianInPlace(tail);
}

// What the level gave back, step by step: the bytes seen to go between points.
double bytesFreed(std::span<const SeriesPoint> pts) {
  double down = 0;
  for (size_t i = 1; i < pts.size(); ++i) down += std::max(0.0, pts[i - 1].v - pts[i].v);
  return down;
}

// NaN means "no evidence": 0; an infinite drift (dead-flat treads) is full evidence: 1.
double clamp01(double x) { return std::isnan(x) ? 0.0 : std::clamp(x, 0.0, 1.0); }

// Non-growing sites rank below every GROWING one (score > 0), bigger peaks first.
double restScore(double peak) { return -1 / (1 + std::log1p(std::max(0.0, peak))); }

bool isChurn(const SiteActivity& a, const TrendSettings& s) {
  if (a.frees < s.churnMinFrees) return false;
  const double frees = static_cast<double>(a.frees);
  if (a.durationS > 0 && frees / a.durationS < s.churnMinFreesPerSec) return false;
  if (a.peakCount > 0 && frees / static_cast<double>(a.peakCount) < s.churnMinTurnover)
    return false;
  return true;
}

// The points whose times fall in [from, to].
std::span<const SeriesPoint> window(std::span<const SeriesPoint> pts, double from, double to) {
  const auto lo = std::lower_bound(pts.begin(), pts.end(), from,
                                   [](const SeriesPoint& p, double t) { return p.t < t; });
  const auto hi = std::upper_bound(pts.begin(), pts.end(), to,
                                   [](double t, const SeriesPoint& p) { return t < p.t; });
  if (hi <= lo) return {};
  return {&*lo, static_cast<size_t>(hi - lo)};
}

TrendVerdict classify(const std::vector<SeriesPoint>& input, const SiteActivity& activity,
                      const TrendSettings& settings, bool allowChurn) {
  TrendVerdict v;
  // Copies only when the input needs repair or is too long to analyse as it is.
  std::vector<SeriesPoint> repaired, reduced;
  const bool clean = isClean(input);
  if (!clean) repaired = cleaned(input);
  const std::vector<SeriesPoint>& raw = clean ? input : repaired;

  // The series end where a clean exit's teardown began (the dump marks it).
  const std::span<const SeriesPoint> run(raw);
  const bool churn = allowChurn && isChurn(activity, settings);
  const double sampleBytes = static_cast<double>(activity.sampleBytes);

  const bool longSeries = run.size() > std::max<size_t>(1, settings.maxAnalysisPoints);
  if (longSeries) reduced = downsample(run, settings.maxAnalysisPoints);
  const std::span<const SeriesPoint> pts = longSeries ? std::span<const SeriesPoint>(reduced) : run;
  // Centroids never exceed the raw maximum, and the caller's exact peak covers spikes.
  double peak = std::isfinite(activity.peak) ? activity.peak : 0;
  for (const SeriesPoint& p : pts) peak = std::max(peak, p.v);
  v.score = restScore(peak);
  const size_t n = pts.size();
  v.points = n;
  const double sizeFactor = static_cast<double>(n) /
                            (static_cast<double>(n) + std::max(0.0, settings.halfConfidencePoints));

  if (n == 0 || !(peak > 0)) {
    // Nothing ever seen live: allocations (if any) died between snapshots.
    v.cls =
        churn ? SiteClass::Churn : (activity.allocs > 0 ? SiteClass::Transient : SiteClass::Stable);
    v.confidence = clamp01(sizeFactor);
    return v;
  }

  const double t0 = pts.front().t;
  const double span = pts.back().t - t0;
  // A flat series has no trend to test (most sites: allocated once, held); skip the cost.
  const bool flat =
      std::adjacent_find(pts.begin(), pts.end(), [](const SeriesPoint& a, const SeriesPoint& b) {
        return a.v != b.v;
      }) == pts.end();
  const double lateFraction = std::clamp(settings.highWater.lateFraction, 0.01, 1.0);
  if (!flat) {
    v.mk = mannKendall(pts);
    v.overallSlope = theilSenSlope(pts, settings.maxSlopePairs);
    // The windows hold under half the points, so a quarter of the pairs keeps the precision.
    const size_t windowPairs = std::max<size_t>(1, settings.maxSlopePairs / 4);
    v.earlySlope = theilSenSlope(window(pts, t0, t0 + lateFraction * span), windowPairs);
    v.lateSlope =
        theilSenSlope(window(pts, t0 + (1 - lateFraction) * span, pts.back().t), windowPairs);
    HighWaterSettings hws = settings.highWater;
    // Sampled values wander by about sqrt(level * sample bytes) (RANKING.md): no new high or
    // rise within that is evidence. Only samples that came and went move a level, though: a
    // sample that stays is a step up that never comes back down.
    hws.noiseFloor = std::sqrt(std::min(std::max(0.0, peak), bytesFreed(run)) * sampleBytes);
    v.hw = highWater(pts, hws);
    v.breath = breath(pts, v.overallSlope, settings.breathWindow);
    if (sampleBytes > 0) {
      // A sample weighs about S, or its own size when bigger: a block of 10 MiB sampled at
      // 512 KiB is one sample of 10 MiB, not twenty of S.
      const double blockBytes =
          activity.peakCount > 0 ? peak / static_cast<double>(activity.peakCount) : 0.0;
      v.lateBalance = balance(window(run, t0 + (1 - lateFraction) * span, run.back().t),
                              std::max(sampleBytes, blockBytes));
    }
    // Capacity steps are memory's: a call rate has none.
    if (allowChurn) v.steps = analyzeSteps(pts, settings.staircase);
  } else {
    v.mk.n = n;
  }

  const double riseNoise =
      v.hw.noise > 0 ? v.hw.rise / v.hw.noise : (v.hw.rise > 0 ? INFINITY : 0.0);
  const double breaths = v.breath > 0 ? v.hw.rise / v.breath : (v.hw.rise > 0 ? INFINITY : 0.0);
  const double growth = std::max(v.overallSlope, v.lateSlope);
  const bool enough = n >= settings.minPoints && span > 0;
  // What grows is still there when the run ends: a backlog that drained before the exit was
  // breathing, however high it rose.
  const double held = endLevel(pts) - pts.front().v;
  const bool holds = held >= settings.minEndShare * v.hw.rise;
  const bool trending =
      enough && v.mk.z >= settings.minZ && v.hw.saturation >= settings.minSaturation &&
      v.hw.ratchet >= settings.minRatchet && riseNoise >= settings.minRiseNoise &&
      v.hw.drift >= settings.minDrift && breaths >= settings.minBreaths && holds && growth > 0 &&
      (sampleBytes == 0 || v.lateBalance >= settings.minSampledBalance);
  // Capacity that steps up when full takes a handful of allocations a step (a new buffer, a
  // chunk), plus the steps too small to see from the first snapshot (a buffer that doubled
  // from one element to `peak` took log2(peak) of them). A line with thousands of
  // allocations a step is something else breathing in bursts (a queue's nodes, in-flight
  // requests): its steps are no capacity, and its pace means nothing.
  const double stepAllocs =
      4.0 * static_cast<double>(v.steps.steps) + 3.0 * std::log2(std::max(2.0, peak));
  // Sampled, the count weighs each sample at the allocations it stands for: one small early
  // buffer of a doubling vector, sampled, reads as hundreds. A line that held only a handful
  // of blocks at any snapshot is capacity all the same (a burst's blocks are live together).
  const bool fewLive = activity.sampleBytes > 0 && activity.peakCount > 0 &&
                       activity.peakCount <= settings.staircase.maxCapacityBlocks;
  const uint64_t holderAllocs = activity.holderAllocs > 0 ? activity.holderAllocs : activity.allocs;
  const bool capacity =
      v.steps.applies && (static_cast<double>(holderAllocs) <= stepAllocs || fewLive);
  // A staircase beyond doubt is judged by its pace alone: overdue, it stopped whatever the
  // trend says; on pace, it grows though its treads read as a plateau (staircase.hpp).
  const bool overdue = capacity && v.steps.sparse && v.steps.regular && !v.steps.onPace;
  const bool growing = trending && !overdue;
  if (!growing && enough && capacity && v.steps.onPace) {
    v.cls = SiteClass::Growing;
    v.growthBytesPerSec = v.steps.rate;
    const double many = std::min(1.0, static_cast<double>(v.steps.steps) / 6.0);
    const double late = v.steps.lateness <= 1
                            ? 0.0
                            : (v.steps.lateness - 1) / std::max(1e-9, v.steps.lateLimit - 1);
    const double quality =
        (0.4 + 0.6 * many) * (1 - clamp01(v.steps.fitError)) * (1 - 0.5 * clamp01(late));
    v.confidence = clamp01(sizeFactor * quality);
    v.score = std::max(v.steps.rate * v.confidence, std::numeric_limits<double>::min());
    return v;
  }
  if (growing) {
    v.cls = SiteClass::Growing;
    v.growthBytesPerSec = growth;
    const double drift = settings.fullDrift > 0 ? clamp01(v.hw.drift / settings.fullDrift) : 1.0;
    // Monotonicity first; then "still climbing late" (rate and new maxima); then how far the
    // climb stands above a random walk's reach, and how little it ever fell back.
    const double quality = 0.30 * clamp01(v.mk.tau) + 0.20 * clamp01(v.hw.saturation) +
                           0.20 * clamp01(v.hw.ratchet) + 0.15 * drift +
                           0.15 * (1 - clamp01(v.hw.drawdown));
    v.confidence = clamp01(sizeFactor * quality);
    v.score = std::max(growth * v.confidence, std::numeric_limits<double>::min());
    return v;
  }

  // Not growing: the rate now (a filled cache climbs no more), and what shape it is.
  v.growthBytesPerSec = v.lateSlope;
  const double endFraction = clamp01(endLevel(pts) / peak);
  size_t active = 0;
  for (const SeriesPoint& p : pts) active += p.v > 0.1 * peak;
  const double activeFraction = static_cast<double>(active) / static_cast<double>(n);
  const double flatness = 1 - clamp01(std::fabs(v.mk.tau));

  // Shape first (a cache with evictions is a PLATEAU), then turnover (a site that allocates
  // all run long and frees at once is CHURN even when snapshots catch it at 0), then bursts.
  if (v.hw.rise >= settings.plateauMinRise * peak && endFraction >= settings.plateauMinEnd &&
      v.hw.fillPoints >= settings.plateauMinFillPoints && riseNoise >= settings.minRiseNoise) {
    v.cls = SiteClass::Plateau;
    // Less sure the more of its climb came late (the plateau may still be filling).
    const double lateShare =
        settings.minSaturation > 0 ? clamp01(v.hw.saturation / settings.minSaturation) : 0.0;
    v.confidence = clamp01(sizeFactor * (1 - 0.5 * lateShare));
  } else if (churn) {
    v.cls = SiteClass::Churn;
    v.confidence = clamp01(sizeFactor * flatness);
  } else if (endFraction <= settings.transientEndFraction &&
             activeFraction <= settings.transientMaxActive) {
    v.cls = SiteClass::Transient;
    v.confidence = clamp01(sizeFactor * (1 - endFraction) * (1 - activeFraction / 2));
  } else {
    v.cls = SiteClass::Stable;
    v.confidence = clamp01(sizeFactor * flatness);
  }
  return v;
}

}  // namespace

const char* className(SiteClass c) {
  switch (c) {
    case SiteClass::Growing: return "GROWING";
    case SiteClass::Plateau: return "PLATEAU";
    case SiteClass::Churn: return "CHURN";
    case SiteClass::Transient: return "TRANSIENT";
    case SiteClass::Stable: return "STABLE";
  }
  return "STABLE";
}

TrendVerdict classifySeries(const std::vector<SeriesPoint>& live, const SiteActivity& activity,
                            const TrendSettings& settings) {
  return classify(live, activity, settings, true);
}

TrendVerdict classifyRate(const std::vector<SeriesPoint>& rate, const SiteActivity& activity,
                          const TrendSettings& settings) {
  return classify(rate, activity, settings, false);
}

void demoteToPlateau(TrendVerdict& v, double peak, double confidence) {
  v.cls = SiteClass::Plateau;
  v.growthBytesPerSec = v.lateSlope;
  v.confidence = clamp01(confidence);
  v.score = restScore(peak);
}

std::vector<size_t> rankOrder(const std::vector<TrendVerdict>& verdicts) {
  std::vector<size_t> order(verdicts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rankBefore(verdicts[a], verdicts[b]); });
  return order;
}

}  // namespace slowburn::analyze
