#include "rank/staircase.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "rank/trend.hpp"

namespace slowburn::analyze {
namespace {

struct Step {
  double t;              // when it happened (between the point before it and its first point)
  double before;         // the level just before it
  double after;          // the level at its end
  size_t intervals = 1;  // snapshot intervals it spans
};

// The noise on a staircase's treads: the first quartile of |d| read as that of white noise
// (for N(0, s), the first quartile of |d| is 0.3186 s). A staircase's steps are its fewest
// increments, so the quartile is a tread's; where increments are mostly steps (or a smooth
// climb) it is large, and few or no steps stand out.
double treadNoise(std::vector<double> d) {
  if (d.empty()) return 0;
  for (double& x : d) x = std::fabs(x);
  const size_t q = d.size() / 4;
  std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(q), d.end());
  return d[q] / 0.3186;
}

std::vector<Step> findSteps(const std::vector<SeriesPoint>& p, double threshold) {
  std::vector<Step> steps;
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i].v - p[i - 1].v <= threshold) continue;
    Step s{(p[i - 1].t + p[i].t) / 2, p[i - 1].v, p[i].v};
    // Increments in consecutive snapshots are one step: a burst, or capacity steps closer
    // together than snapshots can tell apart.
    while (i + 1 < p.size() && p[i + 1].v - p[i].v > threshold) {
      s.after = p[++i].v;
      ++s.intervals;
    }
    steps.push_back(s);
  }
  return steps;
}

// Capacity is what the site keeps from then on: each point lowered to the lowest level that
// follows it. A buffer copied into its successor and then freed is seen twice by the
// snapshots taken meanwhile (a big one on a busy machine takes several): those spikes go;
// a staircase's treads are untouched; a site that gives its memory back has no staircase.
std::vector<SeriesPoint> keptFromThenOn(std::span<const SeriesPoint> p) {
  std::vector<SeriesPoint> out(p.begin(), p.end());
  for (size_t i = out.size() - 1; i-- > 0;) out[i].v = std::min(out[i].v, out[i + 1].v);
  return out;
}

}  // namespace

Staircase analyzeSteps(std::span<const SeriesPoint> input, const StaircaseSettings& settings) {
  Staircase out;
  if (input.size() < 3) return out;
  const std::vector<SeriesPoint> p = keptFromThenOn(input);
  std::vector<double> d;
  d.reserve(p.size() - 1);
  for (size_t i = 1; i < p.size(); ++i) d.push_back(p[i].v - p[i - 1].v);
  const double climb = p.back().v - p.front().v;
  if (!(climb > 0)) return out;
  const double threshold =
      std::max(settings.stepSpread * treadNoise(d), settings.minStepShare * climb);
  const std::vector<Step> steps = findSteps(p, threshold);
  out.steps = steps.size();
  double carried = 0;
  for (const Step& s : steps) carried += s.after - s.before;
  out.share = carried / climb;
  if (steps.size() < settings.minSteps || out.share < settings.minShare) {
    return out;
  }

  // (1): the demand line through the levels before the steps, fitted robustly.
  std::vector<SeriesPoint> before;
  for (const Step& s : steps) before.push_back({s.t, s.before});
  out.rate = theilSenSlope(before);
  if (!(out.rate > 0)) return out;
  std::vector<double> offsets;
  for (const SeriesPoint& b : before) offsets.push_back(b.v - out.rate * b.t);
  const double intercept = medianInPlace(offsets);
  std::vector<double> residuals;
  for (const SeriesPoint& b : before) {
    residuals.push_back(std::fabs(b.v - (intercept + out.rate * b.t)));
  }
  const double scale = std::max(before.back().v, climb * settings.minStepShare);
  out.fitError = medianInPlace(residuals) / scale;
  if (out.fitError > settings.maxFitError) return out;
  out.applies = true;
  size_t stepping = 0;
  for (const Step& s : steps) stepping += s.intervals;
  out.sparse = static_cast<double>(stepping) <= settings.maxSparse * static_cast<double>(d.size());

  // (2): a step is due when the demand line reaches the level the last one left. How late
  // each step came against that, then how late the next one is at the end of the run.
  const auto due = [&](const Step& s) { return (s.after - intercept) / out.rate; };
  const auto lateness = [&](const Step& s, double t) {
    const double room = due(s) - s.t;
    return room > 0 ? (t - s.t) / room : INFINITY;
  };
  double worst = 0;
  for (size_t k = 1; k < steps.size(); ++k) {
    worst = std::max(worst, lateness(steps[k - 1], steps[k].t));
  }
  out.lateness = lateness(steps.back(), p.back().t);
  out.lateLimit = std::min(settings.maxLateLimit, std::max(settings.lateSlack, 1.1 * worst));
  out.onPace = out.lateness <= out.lateLimit;
  out.regular = 1.1 * worst <= settings.maxLateLimit;
  return out;
}

}  // namespace slowburn::analyze
