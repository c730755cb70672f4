#include "rank/staircase.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "rank/trend.hpp"

namespace slowburn::analyze {
namespace {

struct Step {
  double t;        // when it happened (between the point before it and its first point)
  double before;   // the level just before it
  double after;    // the level at its end
};

// Robust spread of the increments: 1.4826 MAD about their median.
double spreadOf(std::vector<double> d) {
  if (d.empty()) return 0;
  const double center = medianInPlace(d);
  for (double& x : d) x = std::fabs(x - center);
  return 1.4826 * medianInPlace(d);
}

std::vector<Step> findSteps(const std::vector<SeriesPoint>& p, double threshold) {
  std::vector<Step> steps;
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i].v - p[i - 1].v <= threshold) continue;
    Step s{(p[i - 1].t + p[i].t) / 2, p[i - 1].v, p[i].v};
    while (i + 1 < p.size() && p[i + 1].v - p[i].v > threshold) s.after = p[++i].v;
    steps.push_back(s);
  }
  return steps;
}

// A buffer that grows is copied into the next one and then freed: a snapshot taken during the
// copy sees both. The lower of each point and the next drops such one-snapshot spikes.
std::vector<SeriesPoint> withoutSpikes(std::span<const SeriesPoint> p) {
  std::vector<SeriesPoint> out(p.begin(), p.end());
  for (size_t i = 0; i + 1 < p.size(); ++i) out[i].v = std::min(p[i].v, p[i + 1].v);
  return out;
}

}  // namespace

Staircase analyzeSteps(std::span<const SeriesPoint> input, const StaircaseSettings& settings) {
  Staircase out;
  if (input.size() < 3) return out;
  const std::vector<SeriesPoint> p = withoutSpikes(input);
  double high = p.front().v, fall = 0;
  std::vector<double> d;
  d.reserve(p.size() - 1);
  for (size_t i = 1; i < p.size(); ++i) {
    d.push_back(p[i].v - p[i - 1].v);
    high = std::max(high, p[i].v);
    fall = std::max(fall, high - p[i].v);
  }
  const double climb = high - p.front().v;
  if (!(climb > 0)) return out;
  const double threshold =
      std::max(settings.stepSpread * spreadOf(d), settings.minStepShare * climb);
  const std::vector<Step> steps = findSteps(p, threshold);
  out.steps = steps.size();
  double carried = 0;
  for (const Step& s : steps) carried += s.after - s.before;
  out.share = carried / climb;
  if (steps.size() < settings.minSteps || out.share < settings.minShare ||
      fall > settings.maxFall * climb) {
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

  // (2): how late each step came against the room the one before it left, then the last.
  double worst = 0;
  for (size_t k = 1; k < steps.size(); ++k) {
    const double room = (steps[k - 1].after - steps[k - 1].before) / out.rate;
    if (room > 0) worst = std::max(worst, (steps[k].t - steps[k - 1].t) / room);
  }
  const Step& last = steps.back();
  const double room = (last.after - last.before) / out.rate;
  out.lateness = room > 0 ? (p.back().t - last.t) / room : INFINITY;
  out.lateLimit = std::min(settings.maxLateLimit, std::max(settings.lateSlack, 1.1 * worst));
  out.onPace = out.lateness <= out.lateLimit;
  return out;
}

}  // namespace slowburn::analyze
