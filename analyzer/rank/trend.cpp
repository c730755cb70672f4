#include "rank/trend.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace slowburn::analyze {
namespace {

// Counts pairs i < j with a[i] > a[j] while sorting a; equal values are not inversions.
uint64_t sortCountingInversions(std::vector<double>& a, std::vector<double>& scratch) {
  const size_t n = a.size();
  scratch.resize(n);
  uint64_t inversions = 0;
  // Bottom-up merge sort: no recursion depth to worry about, one scratch buffer.
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      const size_t mid = std::min(lo + width, n);
      const size_t hi = std::min(lo + 2 * width, n);
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (a[j] < a[i]) {
          inversions += mid - i;  // a[j] is smaller than every remaining left element
          scratch[k++] = a[j++];
        } else {
          scratch[k++] = a[i++];
        }
      }
      while (i < mid) scratch[k++] = a[i++];
      while (j < hi) scratch[k++] = a[j++];
    }
    a.swap(scratch);
  }
  return inversions;
}

// SplitMix64 (Steele, Lea, Flood 2014): a fixed, fast stream for sampling pairs.
uint64_t splitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Maps 32 random bits onto [0, n) without a division (Lemire 2019, "fast range").
size_t below(uint64_t bits32, size_t n) { return static_cast<size_t>((bits32 * n) >> 32); }

struct Blocks {
  std::vector<double> level, time;
  std::vector<size_t> firstPoint;
};

// Medians of equal-count blocks, each at its mean time: a median keeps steps, drops spikes.
Blocks blockMedians(std::span<const SeriesPoint> points, size_t wanted) {
  Blocks out;
  const size_t n = points.size();
  const size_t blocks = std::clamp<size_t>(wanted, 1, std::max<size_t>(1, n));
  std::vector<double> scratch;
  for (size_t b = 0; b < blocks && n > 0; ++b) {
    const size_t lo = b * n / blocks, hi = (b + 1) * n / blocks;
    scratch.clear();
    double sumT = 0;
    for (size_t i = lo; i < hi; ++i) {
      scratch.push_back(points[i].v);
      sumT += points[i].t;
    }
    out.level.push_back(medianInPlace(scratch));
    out.time.push_back(sumT / static_cast<double>(hi - lo));
    out.firstPoint.push_back(lo);
  }
  return out;
}

// Robust sigma of white noise on levels, from second differences: for white noise
// Var(l[b+1] - 2 l[b] + l[b-1]) = 6 sigma^2, so sigma = 1.4826 MAD / sqrt 6. Second
// differences cancel any locally straight trend, so a slope that changes halfway (a leak
// that starts late) does not pass for noise; 0 below 3 levels.
double levelNoise(const std::vector<double>& level) {
  if (level.size() < 3) return 0;
  std::vector<double> second(level.size() - 2);
  for (size_t b = 1; b + 1 < level.size(); ++b)
    second[b - 1] = level[b + 1] - 2 * level[b] + level[b - 1];
  std::vector<double> spread = second;
  const double center = medianInPlace(spread);
  for (size_t b = 0; b < second.size(); ++b) spread[b] = std::fabs(second[b] - center);
  return 1.4826 * medianInPlace(spread) / std::sqrt(6.0);
}

}  // namespace

double medianInPlace(std::vector<double>& values) {
  if (values.empty()) return 0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 != 0) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return lower + (upper - lower) / 2;
}

MannKendall mannKendall(std::span<const SeriesPoint> points) {
  MannKendall mk;
  mk.n = points.size();
  if (mk.n < 2) return mk;

  std::vector<double> values(mk.n), scratch;
  for (size_t i = 0; i < mk.n; ++i) values[i] = points[i].v;
  const uint64_t discordant = sortCountingInversions(values, scratch);

  // values is sorted now: tied groups are runs.
  double tiedPairs = 0, tieVarTerm = 0;
  for (size_t i = 0; i < mk.n;) {
    size_t j = i + 1;
    while (j < mk.n && values[j] == values[i]) ++j;
    const double t = static_cast<double>(j - i);
    tiedPairs += t * (t - 1) / 2;
    tieVarTerm += t * (t - 1) * (2 * t + 5);
    i = j;
  }

  const double n = static_cast<double>(mk.n);
  const double pairs = n * (n - 1) / 2;
  const double d = static_cast<double>(discordant);
  mk.s = pairs - tiedPairs - 2 * d;
  mk.varS = std::max(0.0, (n * (n - 1) * (2 * n + 5) - tieVarTerm) / 18);
  const double untied = pairs - tiedPairs;
  if (untied > 0) mk.tau = mk.s / std::sqrt(pairs * untied);
  if (mk.varS > 0) {
    const double corrected = mk.s > 0 ? mk.s - 1 : (mk.s < 0 ? mk.s + 1 : 0);
    mk.z = corrected / std::sqrt(mk.varS);
    mk.p = 0.5 * std::erfc(mk.z / std::sqrt(2.0));
  }
  return mk;
}

double theilSenSlope(std::span<const SeriesPoint> points, size_t maxPairs) {
  const size_t n = points.size();
  if (n < 2) return 0;
  std::vector<double> slopes;
  const auto addPair = [&](size_t i, size_t j) {
    const double dt = points[j].t - points[i].t;
    if (dt != 0) slopes.push_back((points[j].v - points[i].v) / dt);
  };
  const uint64_t allPairs = static_cast<uint64_t>(n) * (n - 1) / 2;
  if (allPairs <= std::max<size_t>(1, maxPairs)) {
    slopes.reserve(allPairs);
    for (size_t i = 0; i + 1 < n; ++i)
      for (size_t j = i + 1; j < n; ++j) addPair(i, j);
  } else {
    // Uniform pairs i != j from a stream seeded by n: the same series gives the same slope.
    slopes.reserve(maxPairs);
    uint64_t state = 0x5EEDull ^ static_cast<uint64_t>(n);
    for (size_t k = 0; k < maxPairs; ++k) {
      const uint64_t r = splitMix64(state);
      const size_t i = below(r >> 32, n);
      size_t j = below(r & 0xFFFFFFFFu, n - 1);
      if (j >= i) ++j;
      addPair(std::min(i, j), std::max(i, j));
    }
  }
  return medianInPlace(slopes);
}

HighWater highWater(std::span<const SeriesPoint> points, const HighWaterSettings& settings) {
  HighWater hw;
  const size_t n = points.size();
  if (n == 0) return hw;
  const double t0 = points.front().t;
  const double span = points.back().t - t0;
  if (!(span > 0)) return hw;

  const Blocks blocks = blockMedians(points, settings.blocks);
  const std::vector<double>& level = blocks.level;
  const std::vector<double>& time = blocks.time;
  const size_t count = level.size();
  hw.blocks = count;
  hw.noise = std::max(levelNoise(level), settings.noiseFloor);

  // Drift: the net climb against what a driftless random walk could do. Its step sigma is
  // read at two scales and the smaller wins: single points see that a staircase's treads
  // are dead flat (no walk), coarse blocks average white noise down (a noisy leak is no
  // walk either). Under a true walk both scales agree, and net / (sigma sqrt k) ~ N(0, 1).
  const Blocks coarse = blockMedians(points, settings.driftBlocks);
  if (coarse.level.size() >= 3 && n >= 3) {
    std::vector<double> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = points[i].v;
    // The same second differences, read as a walk, give a step sigma sqrt(3) times larger.
    const double fine = std::sqrt(3.0) * levelNoise(values) * std::sqrt(double(n - 1));
    const double wide = std::sqrt(3.0) * levelNoise(coarse.level) *
                        std::sqrt(static_cast<double>(coarse.level.size() - 1));
    const double walkSigma = std::min(fine, wide);
    const double net = coarse.level.back() - coarse.level.front();
    hw.drift = walkSigma > 0 ? net / walkSigma : (net > 0 ? INFINITY : 0.0);
  }

  double scale = 0;
  for (double l : level) scale = std::max(scale, std::fabs(l));
  // Rounding in averaged values must not count as a new maximum.
  const double margin = std::max(settings.noiseK * hw.noise, 1e-9 * scale);

  std::vector<double> running(count);
  running[0] = level[0];
  for (size_t b = 1; b < count; ++b) running[b] = std::max(running[b - 1], level[b]);
  hw.rise = running.back() - level[0];
  if (hw.rise > 0) {
    double deepest = 0;
    for (size_t b = 0; b < count; ++b) deepest = std::max(deepest, running[b] - level[b]);
    hw.drawdown = deepest / hw.rise;
  }

  const double lateFraction = std::clamp(settings.lateFraction, 0.01, 1.0);
  const double lateStart = t0 + (1 - lateFraction) * span;
  size_t firstLate = count;
  for (size_t b = 0; b < count; ++b) {
    if (time[b] >= lateStart) {
      firstLate = b;
      break;
    }
  }
  if (hw.rise > 0) {
    const double before = firstLate == 0 ? level[0] : running[firstLate - 1];
    // A new high within a noise sigma of the old one is no climb.
    hw.lateRise = firstLate < count ? std::max(0.0, running.back() - before - hw.noise) : 0;
    hw.saturation = hw.lateRise / (lateFraction * hw.rise);

    const double target = level[0] + 0.9 * hw.rise;
    for (size_t b = 0; b < count; ++b) {
      if (running[b] >= target) {
        hw.fill = std::clamp((time[b] - t0) / span, 0.0, 1.0);
        hw.fillPoints = blocks.firstPoint[b];
        break;
      }
    }
  }

  // Ratchet: equal time slices of the late window; does each beat the mark before it?
  const size_t lateBlocks = count - firstLate;
  const size_t slices = std::min(std::max<size_t>(1, settings.slices), lateBlocks);
  if (slices > 0 && firstLate > 0) {
    const double width = (t0 + span - lateStart) / static_cast<double>(slices);
    double mark = running[firstLate - 1];
    size_t counted = 0, ratcheted = 0;
    size_t b = firstLate;
    for (size_t s = 0; s < slices; ++s) {
      const double end =
          s + 1 == slices ? INFINITY : lateStart + width * static_cast<double>(s + 1);
      double best = -INFINITY;
      bool any = false;
      for (; b < count && time[b] < end; ++b) {
        best = std::max(best, level[b]);
        any = true;
      }
      if (!any) continue;
      ++counted;
      if (best > mark + margin) ++ratcheted;
      mark = std::max(mark, best);
    }
    if (counted > 0) hw.ratchet = static_cast<double>(ratcheted) / static_cast<double>(counted);
  }
  return hw;
}

double breath(std::span<const SeriesPoint> points, double slope, size_t window) {
  window = std::max<size_t>(2, window);
  if (points.size() < window) return 0;
  std::vector<double> ranges;
  for (size_t start = 0; start + window <= points.size(); start += window) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = start; i < start + window; ++i) {
      const double e = points[i].v - slope * points[i].t;
      lo = std::min(lo, e);
      hi = std::max(hi, e);
    }
    ranges.push_back(hi - lo);
  }
  return medianInPlace(ranges);
}

double balance(std::span<const SeriesPoint> points, double stepBytes) {
  if (points.size() < 2) return 0;
  double net = 0, squares = 0, moved = 0;
  bool fell = false;
  for (size_t i = 1; i < points.size(); ++i) {
    const double d = points[i].v - points[i - 1].v;
    net += d;
    squares += d * d;
    moved += std::fabs(d);
    fell = fell || d < 0;
  }
  // Squares about the mean step: several samples in one interval are a climb's rate, not
  // its noise. A window that never stepped down has no level noise in them at all: only
  // the clumping of the samples it took, which their count already carries.
  const double countNoise = moved * std::max(0.0, stepBytes);
  const double centered =
      std::max(0.0, squares - net * net / static_cast<double>(points.size() - 1));
  const double variance = !fell && countNoise > 0 ? countNoise : std::max(centered, countNoise);
  return variance > 0 ? net / std::sqrt(variance) : 0.0;
}

}  // namespace slowburn::analyze
