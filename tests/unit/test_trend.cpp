// Trend statistics: Mann–Kendall against brute force, Theil–Sen robustness, high-water marks,
// the balance of steps up and down.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "rank/trend.hpp"

namespace {

using namespace slowburn::analyze;

std::vector<SeriesPoint> line(size_t n, double slope, double dt = 0.1) {
  std::vector<SeriesPoint> pts;
  for (size_t i = 0; i < n; ++i) pts.push_back({i * dt, slope * i * dt});
  return pts;
}

// The textbook O(n^2) definitions, to check the O(n log n) version against.
MannKendall bruteForce(const std::vector<SeriesPoint>& pts) {
  MannKendall mk;
  const size_t n = pts.size();
  double s = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) s += (pts[j].v > pts[i].v) - (pts[j].v < pts[i].v);
  double tieTerm = 0, tiedPairs = 0;
  std::vector<bool> seen(n);
  for (size_t i = 0; i < n; ++i) {
    if (seen[i]) continue;
    double t = 0;
    for (size_t j = i; j < n; ++j)
      if (pts[j].v == pts[i].v) seen[j] = true, ++t;
    tieTerm += t * (t - 1) * (2 * t + 5);
    tiedPairs += t * (t - 1) / 2;
  }
  const double dn = double(n);
  mk.s = s;
  mk.varS = (dn * (dn - 1) * (2 * dn + 5) - tieTerm) / 18;
  mk.tau = s / std::sqrt(dn * (dn - 1) / 2 * (dn * (dn - 1) / 2 - tiedPairs));
  return mk;
}

TEST(TrendMannKendall, MatchesBruteForceWithTies) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    // given a random series with many ties (values drawn from a small set)
    const size_t n = 2 + rng() % 300;
    std::vector<SeriesPoint> pts;
    for (size_t i = 0; i < n; ++i) pts.push_back({double(i), double(rng() % 17)});
    // when S, Var S and tau are computed in O(n log n)
    const MannKendall fast = mannKendall(pts);
    const MannKendall slow = bruteForce(pts);
    // then they equal the definitions exactly
    EXPECT_EQ(fast.s, slow.s) << "n=" << n;
    EXPECT_DOUBLE_EQ(fast.varS, slow.varS);
    if (std::isfinite(slow.tau)) {
      EXPECT_NEAR(fast.tau, slow.tau, 1e-12);
    }
  }
}

TEST(TrendMannKendall, TextbookValuesForAMonotoneSeries) {
  const MannKendall mk = mannKendall(line(10, 1));
  EXPECT_EQ(mk.s, 45);
  EXPECT_DOUBLE_EQ(mk.varS, 125);
  EXPECT_DOUBLE_EQ(mk.tau, 1);
  EXPECT_NEAR(mk.z, 44 / std::sqrt(125.0), 1e-12);
  EXPECT_LT(mk.p, 1e-4);

  const MannKendall down = mannKendall(line(10, -1));
  EXPECT_EQ(down.s, -45);
  EXPECT_DOUBLE_EQ(down.tau, -1);
  EXPECT_GT(down.p, 0.9999);
}

TEST(TrendMannKendall, DegenerateInputsAreNaNFree) {
  for (const auto& pts : {std::vector<SeriesPoint>{}, std::vector<SeriesPoint>{{0, 5}},
                          std::vector<SeriesPoint>{{0, 5}, {1, 5}, {2, 5}, {3, 5}}}) {
    const MannKendall mk = mannKendall(pts);
    EXPECT_EQ(mk.s, 0);
    EXPECT_EQ(mk.tau, 0);
    EXPECT_EQ(mk.z, 0);
    EXPECT_EQ(mk.p, 1);
  }
}

TEST(TrendTheilSen, ExactOnALineDespiteOutliers) {
  // given a line of slope 3 with a quarter of its points wildly off
  auto pts = line(40, 3);
  for (size_t i = 0; i < pts.size(); i += 4) pts[i].v += (i % 8 == 0 ? 1e9 : -1e9);
  // then the median pairwise slope is still the line's
  EXPECT_NEAR(theilSenSlope(pts), 3, 1e-9);
}

TEST(TrendTheilSen, HonoursUnevenTimes) {
  std::vector<SeriesPoint> pts;
  double t = 0;
  for (int i = 0; i < 30; ++i) {
    t += (i % 3 == 0) ? 0.25 : 0.05;
    pts.push_back({t, 100 + 2048 * t});
  }
  EXPECT_NEAR(theilSenSlope(pts), 2048, 1e-6);
}

TEST(TrendTheilSen, SampledPairsAreDeterministicAndClose) {
  // given 3000 noisy points: 4.5M pairs, far above the sampling bound
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 50);
  std::vector<SeriesPoint> pts;
  for (int i = 0; i < 3000; ++i) pts.push_back({i * 0.1, 10 * i * 0.1 + noise(rng)});
  // when the slope is estimated twice from sampled pairs
  const double a = theilSenSlope(pts, 4096);
  const double b = theilSenSlope(pts, 4096);
  // then both runs agree exactly and are near the truth
  EXPECT_EQ(a, b);
  EXPECT_NEAR(a, 10, 0.5);
}

TEST(TrendTheilSen, DegenerateInputsGiveZero) {
  EXPECT_EQ(theilSenSlope(std::vector<SeriesPoint>{}), 0);
  EXPECT_EQ(theilSenSlope(std::vector<SeriesPoint>{{1, 1}}), 0);
  EXPECT_EQ(theilSenSlope(std::vector<SeriesPoint>{{1, 1}, {1, 9}}), 0);  // same time
}

TEST(TrendMedian, OddEvenEmpty) {
  std::vector<double> odd = {5, 1, 3}, even = {4, 1, 3, 2}, none;
  EXPECT_EQ(medianInPlace(odd), 3);
  EXPECT_EQ(medianInPlace(even), 2.5);
  EXPECT_EQ(medianInPlace(none), 0);
}

TEST(TrendHighWater, SteadyLeakRatchetsInEverySlice) {
  const HighWater hw = highWater(line(200, 1000));
  EXPECT_NEAR(hw.saturation, 1, 0.1);
  EXPECT_DOUBLE_EQ(hw.ratchet, 1);
  EXPECT_NEAR(hw.fill, 0.9, 0.05);
  EXPECT_GT(hw.rise, 0);
}

TEST(TrendHighWater, CacheThatFilledEarlyIsSaturated) {
  // given a fill over the first 20% then a flat level with small noise
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 100);
  std::vector<SeriesPoint> pts;
  for (int i = 0; i < 200; ++i) {
    const double level = i < 40 ? 1e6 * i / 40 : 1e6;
    pts.push_back({i * 0.1, level + noise(rng)});
  }
  const HighWater hw = highWater(pts);
  EXPECT_LT(hw.saturation, 0.05);
  EXPECT_LT(hw.ratchet, 0.25);
  EXPECT_NEAR(hw.fill, 0.18, 0.05);
  EXPECT_GT(hw.fillPoints, 10u);
}

TEST(TrendHighWater, GrowthThatStartsLateHasSaturationAboveOne) {
  std::vector<SeriesPoint> pts;
  for (int i = 0; i < 200; ++i) pts.push_back({i * 0.1, i < 100 ? 0.0 : 500.0 * (i - 100)});
  const HighWater hw = highWater(pts);
  EXPECT_GT(hw.saturation, 1.5);
  EXPECT_DOUBLE_EQ(hw.ratchet, 1);
}

TEST(TrendHighWater, DegenerateInputsAreZero) {
  for (const auto& pts : {std::vector<SeriesPoint>{}, std::vector<SeriesPoint>{{0, 5}},
                          std::vector<SeriesPoint>{{0, 5}, {1, 5}, {2, 5}}}) {
    const HighWater hw = highWater(pts);
    EXPECT_EQ(hw.rise, 0);
    EXPECT_EQ(hw.saturation, 0);
    EXPECT_EQ(hw.ratchet, 0);
    EXPECT_FALSE(std::isnan(hw.noise));
  }
}

// A level that only steps up by one sample at a time: N steps score sqrt(N).
TEST(TrendBalance, StepsThatNeverComeDownScoreTheRootOfTheirCount) {
  std::vector<SeriesPoint> pts;
  double level = 0;
  for (int i = 0; i < 200; ++i) {
    if (i % 8 == 0) level += 512 * 1024;
    pts.push_back({i * 0.1, level});
  }
  EXPECT_NEAR(balance(pts, 512 * 1024), std::sqrt(24.0), 1e-9);
}

// Several samples kept in one interval are the climb's rate, not noise: a leak taking three
// samples every snapshot still scores the root of their count, not of the intervals'.
TEST(TrendBalance, SamplesPiledInOneIntervalStillCountOneEach) {
  constexpr double kWeight = 512 * 1024;
  std::mt19937_64 rng(5);
  std::poisson_distribution<int> samples(3);
  std::vector<SeriesPoint> pts;
  double level = 0;
  int kept = 0;
  for (int i = 0; i < 17; ++i) {
    const int k = i == 0 ? 0 : samples(rng);
    kept += k;
    level += k * kWeight;
    pts.push_back({i * 0.1, level});
  }
  EXPECT_NEAR(balance(pts, kWeight), std::sqrt(double(kept)), 0.05 * std::sqrt(double(kept)));
  EXPECT_GT(balance(pts, kWeight), 3.5);
}

// Samples that arrive in clumps (a burst of requests, each keeping a block): a window that
// never stepped down still scores the root of their count, so a leak of 15 samples passes
// where the squares of its clumps (one interval took 6) would have held it at 2.7.
TEST(TrendBalance, ClumpedSamplesThatNeverComeDownScoreTheRootOfTheirCount) {
  constexpr double kWeight = 512 * 1024;
  const int clumps[] = {0, 1, 2, 6, 1, 1, 2, 0, 0, 0, 1, 1, 0};
  std::vector<SeriesPoint> pts;
  double level = 0;
  for (size_t i = 0; i < std::size(clumps); ++i) {
    level += clumps[i] * kWeight;
    pts.push_back({i * 0.1, level});
  }
  EXPECT_NEAR(balance(pts, kWeight), std::sqrt(15.0), 1e-9);
  EXPECT_GT(balance(pts, kWeight), 3.5);
  // One sample freed in the window: the level has noise of its own, and the squares count.
  pts.back().v -= kWeight;
  EXPECT_LT(balance(pts, kWeight), 3.0);
}

// Averaged points split a step over two increments, which would shrink their squares: with
// the sample's weight known, the score stays the root of the samples' count.
TEST(TrendBalance, StepsSplitByAveragingAreCountedByTheirWeight) {
  constexpr double kWeight = 512 * 1024;
  std::vector<SeriesPoint> pts;
  double level = 0;
  for (int i = 0; i < 200; ++i) {
    const int phase = i % 8;
    if (phase == 1 || phase == 2) level += kWeight / 2;  // half of the step in each mean
    pts.push_back({i * 0.1, level});
  }
  EXPECT_GT(balance(pts), balance(pts, kWeight));  // the squares of halves are smaller
  EXPECT_NEAR(balance(pts, kWeight), std::sqrt(25.0), 1e-9);
}

// Samples that come and go at random, whatever their weight: about N(0, 1), never the
// score of a level that only climbs.
TEST(TrendBalance, StepsUpAndDownAtRandomScoreAboutZero) {
  std::mt19937_64 rng(11);
  std::bernoulli_distribution up(0.5);
  double sum = 0, squares = 0;
  constexpr int kRuns = 400;
  for (int run = 0; run < kRuns; ++run) {
    std::vector<SeriesPoint> pts;
    double level = 100e6;
    for (int i = 0; i < 200; ++i) {
      level += (up(rng) ? 1 : -1) * 600e3;
      pts.push_back({i * 0.1, level});
    }
    const double b = balance(pts);
    sum += b;
    squares += b * b;
  }
  const double mean = sum / kRuns, sd = std::sqrt(squares / kRuns - mean * mean);
  EXPECT_NEAR(mean, 0, 0.2);
  EXPECT_NEAR(sd, 1, 0.15);
}

TEST(TrendBalance, ALevelThatDoesNotMoveScoresZero) {
  EXPECT_EQ(balance({}), 0);
  EXPECT_EQ(balance(std::vector<SeriesPoint>{{0, 5}}), 0);
  EXPECT_EQ(balance(std::vector<SeriesPoint>{{0, 5}, {1, 5}, {2, 5}}), 0);
}

}  // namespace
