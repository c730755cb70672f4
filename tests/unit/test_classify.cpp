// Classification and ranking on synthetic series shaped like the samples: 100 ms snapshots
// with timing jitter over 5-30 s, all judged with the same default settings.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "rank/classify.hpp"

namespace {

using namespace slowburn::analyze;

constexpr double kKiB = 1024, kMiB = 1024 * 1024;
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Snapshot times: every 100 ms with +-5 ms of scheduling jitter.
std::vector<double> snapshotTimes(double seconds, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> jitter(-0.005, 0.005);
  std::vector<double> times;
  for (double t = 0.1; t <= seconds + 1e-9; t += 0.1) times.push_back(t + jitter(rng));
  return times;
}

template <class F>
std::vector<SeriesPoint> sampled(double seconds, uint64_t seed, F valueAt) {
  std::mt19937_64 rng(seed);
  std::vector<SeriesPoint> pts;
  for (double t : snapshotTimes(seconds, rng)) pts.push_back({t, std::max(0.0, valueAt(t, rng))});
  return pts;
}

SiteActivity activityOf(const std::vector<SeriesPoint>& pts, uint64_t allocs, uint64_t frees,
                        uint64_t peakCount = 0) {
  SiteActivity a;
  a.allocs = allocs;
  a.frees = frees;
  a.peakCount = peakCount;
  a.durationS = pts.empty() ? 0 : pts.back().t;
  for (const SeriesPoint& p : pts) a.peak = std::max(a.peak, p.v);
  return a;
}

// The incident's service: ~1 KiB kept per request at ~200 requests/s, uneven arrivals.
std::vector<SeriesPoint> steadyLeak(double seconds, uint64_t seed, double bytesPerIter = kKiB) {
  return sampled(seconds, seed, [&](double t, std::mt19937_64& rng) {
    std::normal_distribution<double> late(0, 6);
    return bytesPerIter * std::floor(200 * t + late(rng));
  });
}

// The fixed twin: each request builds a ~64 KiB string and frees it; a snapshot lands at a
// random point of a request (or between two).
std::vector<SeriesPoint> fixedTwin(double seconds, uint64_t seed) {
  return sampled(seconds, seed, [](double, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> phase(0, 1.2);
    const double p = phase(rng);
    return p < 1 ? 64 * kKiB * p : 0.0;
  });
}

// A bounded LRU cache: fills (fast, then slower) over the first 20% of the run, then holds
// its capacity while evictions and inserts of uneven sizes wobble it by ~0.2%.
std::vector<SeriesPoint> lruCache(double seconds, uint64_t seed, double capacity) {
  return sampled(seconds, seed, [=](double t, std::mt19937_64& rng) {
    std::normal_distribution<double> wobble(0, 0.002 * capacity);
    const double fill = std::min(1.0, t / (0.2 * seconds));
    const double level = capacity * (1 - (1 - fill) * (1 - fill));
    return fill < 1 ? level : level + wobble(rng);
  });
}

// Heavy churn: ~50 live 256-byte buffers at any time, millions of malloc/free pairs.
std::vector<SeriesPoint> churnLevel(double seconds, uint64_t seed) {
  return sampled(seconds, seed, [](double, std::mt19937_64& rng) {
    std::poisson_distribution<int> live(50);
    return 256.0 * live(rng);
  });
}

// 48 bytes leaked every 300 iterations of a ~1 ms loop: a step every ~0.3 s.
std::vector<SeriesPoint> slowStaircase(double seconds, uint64_t seed) {
  return sampled(seconds, seed, [](double t, std::mt19937_64& rng) {
    std::normal_distribution<double> pace(0, 10);
    return 48 * std::floor((1000 * t + pace(rng)) / 300);
  });
}

// A level that walks with Gaussian steps and reflects off [lo, hi].
std::vector<SeriesPoint> boundedWalk(double seconds, uint64_t seed, double lo, double hi,
                                     double step) {
  std::mt19937_64 init(seed ^ 0xABCDu);
  double level = std::uniform_real_distribution<double>(lo, hi)(init);
  return sampled(seconds, seed, [&](double, std::mt19937_64& rng) {
    level += std::normal_distribution<double>(0, step)(rng);
    while (level < lo || level > hi) level = level < lo ? 2 * lo - level : 2 * hi - level;
    return level;
  });
}

// The verdict's reasons, printed with every failed expectation about it.
std::string describe(const TrendVerdict& v) {
  std::ostringstream out;
  out << className(v.cls) << " growth=" << v.growthBytesPerSec << " conf=" << v.confidence
      << " n=" << v.points << " z=" << v.mk.z << " tau=" << v.mk.tau << " sat=" << v.hw.saturation
      << " ratchet=" << v.hw.ratchet << " drift=" << v.hw.drift
      << " rise/noise=" << (v.hw.noise > 0 ? v.hw.rise / v.hw.noise : -1)
      << " drawdown=" << v.hw.drawdown << " fill=" << v.hw.fill << "@" << v.hw.fillPoints;
  return out.str();
}

TrendVerdict classifyAlloc(const std::vector<SeriesPoint>& pts, uint64_t allocs = 0,
                           uint64_t frees = 0, uint64_t peakCount = 0) {
  const TrendVerdict v = classifySeries(pts, activityOf(pts, allocs, frees, peakCount));
#ifdef SLOWBURN_PRINT_VERDICTS
  std::printf("  %s\n", describe(v).c_str());
#endif
  return v;
}

void expectSane(const TrendVerdict& v) {
  EXPECT_TRUE(std::isfinite(v.score));
  EXPECT_TRUE(std::isfinite(v.growthBytesPerSec));
  EXPECT_GE(v.confidence, 0);
  EXPECT_LE(v.confidence, 1);
  EXPECT_FALSE(std::isnan(v.mk.z) || std::isnan(v.mk.tau) || std::isnan(v.mk.p));
  EXPECT_FALSE(std::isnan(v.hw.saturation) || std::isnan(v.hw.ratchet) || std::isnan(v.hw.noise));
  if (v.cls == SiteClass::Growing) {
    EXPECT_GT(v.score, 0);
  } else {
    EXPECT_LT(v.score, 0);
  }
}

TEST(Classify, ClassNamesMatchTheSpec) {
  EXPECT_STREQ(className(SiteClass::Growing), "GROWING");
  EXPECT_STREQ(className(SiteClass::Plateau), "PLATEAU");
  EXPECT_STREQ(className(SiteClass::Churn), "CHURN");
  EXPECT_STREQ(className(SiteClass::Transient), "TRANSIENT");
  EXPECT_STREQ(className(SiteClass::Stable), "STABLE");
}

TEST(Classify, SteadyLeakIsGrowingAtItsRate) {
  const auto pts = steadyLeak(10, 1);
  const TrendVerdict v = classifyAlloc(pts, 2000, 0);
  expectSane(v);
  EXPECT_EQ(v.cls, SiteClass::Growing) << describe(v);
  EXPECT_NEAR(v.growthBytesPerSec, 200 * kKiB, 0.05 * 200 * kKiB);
  EXPECT_GT(v.confidence, 0.8);
}

TEST(Classify, FixedTwinSawtoothIsNotGrowing) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto pts = fixedTwin(10, seed);
    const TrendVerdict v = classifyAlloc(pts, 2000, 2000, 1);
    expectSane(v);
    EXPECT_NE(v.cls, SiteClass::Growing) << "seed " << seed << ": " << describe(v);
  }
}

TEST(Classify, LruCacheThatFilledEarlyIsPlateau) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto pts = lruCache(20, seed, 64 * kMiB);
    const TrendVerdict v = classifyAlloc(pts, 200'000, 150'000, 50'000);
    expectSane(v);
    EXPECT_EQ(v.cls, SiteClass::Plateau) << "seed " << seed << ": " << describe(v);
    EXPECT_GT(v.confidence, 0.5);
  }
}

TEST(Classify, HeavyChurnIsChurnNeverGrowing) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto pts = churnLevel(10, seed);
    const TrendVerdict v = classifyAlloc(pts, 5'000'000, 4'999'950, 80);
    expectSane(v);
    EXPECT_EQ(v.cls, SiteClass::Churn) << "seed " << seed << ": " << describe(v);
  }
}

TEST(Classify, ChurnThatSnapshotsCatchAtZeroIsChurnNotTransient) {
  // Requests allocated on one thread and freed on another within microseconds: 60000 of
  // them, and only a startup backlog ever shows in a snapshot.
  const auto pts = sampled(
      3.5, 1, [](double t, std::mt19937_64&) { return t > 0.05 && t < 0.15 ? 436800.0 : 0.0; });
  const TrendVerdict v = classifyAlloc(pts, 60'000, 60'000, 187);
  EXPECT_EQ(v.cls, SiteClass::Churn) << describe(v);
  // the same burst with a handful of allocations is a TRANSIENT
  EXPECT_EQ(classifyAlloc(pts, 170, 170, 170).cls, SiteClass::Transient);
}

TEST(Classify, SmallLeakOutranksBigBoundedCache) {
  // given 48 B leaked every ~0.3 s beside a 200 MB cache that filled in the first 20%
  const auto leakPts = slowStaircase(30, 5);
  const auto cachePts = lruCache(30, 6, 200 * kMiB);
  const std::vector<TrendVerdict> verdicts = {
      classifyAlloc(cachePts, 3'000'000, 2'000'000, 1'000'000), classifyAlloc(leakPts, 100, 0)};
  // then the leak is GROWING at ~160 B/s, the cache is PLATEAU, and the leak ranks first
  EXPECT_EQ(verdicts[1].cls, SiteClass::Growing);
  EXPECT_NEAR(verdicts[1].growthBytesPerSec, 160, 20);
  EXPECT_EQ(verdicts[0].cls, SiteClass::Plateau);
  EXPECT_EQ(rankOrder(verdicts), (std::vector<size_t>{1, 0}));
}

TEST(Classify, LeakThatStartsHalfwayIsGrowing) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const auto flatPart = fixedTwin(10, seed);  // activity before the leak, then the leak on top
    const auto leakPart = steadyLeak(10, seed + 100);
    std::vector<SeriesPoint> pts;
    for (size_t i = 0; i < flatPart.size(); ++i)
      pts.push_back(
          {flatPart[i].t,
           flatPart[i].v +
               (flatPart[i].t < 5 ? 0 : leakPart[i].v / 2 - leakPart[leakPart.size() / 2].v / 2)});
    const TrendVerdict v = classifyAlloc(pts, 3000, 2000);
    expectSane(v);
    EXPECT_EQ(v.cls, SiteClass::Growing) << "seed " << seed << ": " << describe(v);
    // the late slope speaks for the rate, not the flat first half
    EXPECT_NEAR(v.growthBytesPerSec, 100 * kKiB, 25 * kKiB) << "seed " << seed;
  }
}

TEST(Classify, BoundedRandomWalkIsNeverGrowing) {
  // A 10 MiB band, 1 MiB steps, 200 snapshots: the walk's free spread (~14 MiB) exceeds the
  // band, so it reflects, and its long excursions up look like trends to Mann–Kendall.
  int growing = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const auto pts = boundedWalk(20, seed, 10 * kMiB, 20 * kMiB, kMiB);
    const TrendVerdict v = classifyAlloc(pts, 100'000, 99'000, 5000);
    expectSane(v);
    growing += v.cls == SiteClass::Growing;
    EXPECT_NE(v.cls, SiteClass::Growing) << "seed " << seed << ": " << describe(v);
  }
  EXPECT_EQ(growing, 0);
}

TEST(Classify, UnboundedRandomWalkFalseAlarmsStayRare) {
  // The documented limit: a walk that never meets a bound is a leak's twin over one run.
  // The drift test holds false alarms to a few percent (docs/RANKING.md has the numbers).
  int growing = 0;
  for (uint64_t seed = 0; seed < 500; ++seed) {
    const auto pts = boundedWalk(20, seed, 10 * kMiB, 1e12, kMiB);
    growing += classifyAlloc(pts, 100'000, 99'000, 5000).cls == SiteClass::Growing;
  }
  EXPECT_LE(growing, 25) << growing << " of 500";
}

TEST(Classify, FlatNoiseIsNeverGrowing) {
  int growing = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const auto pts = sampled(10, seed, [](double, std::mt19937_64& rng) {
      return std::normal_distribution<double>(kMiB, 10 * kKiB)(rng);
    });
    growing += classifyAlloc(pts, 1000, 900).cls == SiteClass::Growing;
  }
  EXPECT_EQ(growing, 0);
}

TEST(Classify, StaircaseWithFewStepsIsGrowing) {
  // One 256 KiB leak every 2.5 s over 20 s: 8 steps, exact flats between them.
  const auto pts =
      sampled(20, 9, [](double t, std::mt19937_64&) { return 256 * kKiB * std::floor(t / 2.5); });
  const TrendVerdict v = classifyAlloc(pts, 8, 0);
  expectSane(v);
  EXPECT_EQ(v.cls, SiteClass::Growing) << describe(v);
  EXPECT_NEAR(v.growthBytesPerSec, 256 * kKiB / 2.5, 0.3 * 256 * kKiB / 2.5);
}

// A vector of 32-byte structs appended to at 1,000,000 a second for 4 s: its buffer
// doubles, the last time at 2.1 s (to 128 MiB), the next due at 4.2 s.
std::vector<SeriesPoint> doublingVector() {
  return sampled(4, 3, [](double t, std::mt19937_64&) {
    const double elements = 1e6 * t;
    return elements < 1 ? 0.0 : 32 * std::exp2(std::ceil(std::log2(elements)));
  });
}

TEST(Classify, ASampledBlockBiggerThanTheSampleBytesWeighsOneSampleInTheBalance) {
  // Three 10 MiB blocks kept late, each sampled at about its size (S = 512 KiB): three
  // samples, balance sqrt(3), not the sixty a count in units of S would make of them.
  std::vector<SeriesPoint> pts;
  for (int i = 0; i < 100; ++i) {
    const int kept = i < 70 ? 0 : std::min(3, 1 + (i - 70) / 10);
    pts.push_back({i * 0.1, kept * 10.0 * kMiB});
  }
  SiteActivity a = activityOf(pts, 3, 0, 3);
  a.sampleBytes = 524288;
  const TrendVerdict v = classifySeries(pts, a);
  EXPECT_NEAR(v.lateBalance, std::sqrt(3.0), 1e-6) << describe(v);
}

TEST(Classify, SampledDoublingBufferIsGrowingWhateverItsSampledCount) {
  // Sampled at 512 KiB, the big buffers weigh one allocation each, but one small early buffer
  // sampled weighs hundreds: 525 allocations, and never more than one block live.
  const auto pts = doublingVector();
  SiteActivity a = activityOf(pts, 525, 524, 1);
  a.sampleBytes = 524288;
  const TrendVerdict v = classifySeries(pts, a);
  EXPECT_EQ(v.cls, SiteClass::Growing) << describe(v);
  EXPECT_NEAR(v.growthBytesPerSec, 32e6, 0.15 * 32e6);
  // The same count with thousands of blocks live at once is a burst, not capacity: its
  // steps are not judged by their pace.
  a.peakCount = 3000;
  const TrendVerdict burst = classifySeries(pts, a);
  EXPECT_NE(burst.cls, SiteClass::Growing) << describe(burst);
}

TEST(Classify, LeakThatStopsInTheLastTenPercentIsStillGrowing) {
  // 90% of the run climbing is a leak interrupted by the end of the workload, not a cache.
  const auto pts = sampled(20, 4, [](double t, std::mt19937_64& rng) {
    return kKiB * std::floor(200 * std::min(t, 18.0) + std::normal_distribution<double>(0, 6)(rng));
  });
  const TrendVerdict v = classifyAlloc(pts, 3600, 0);
  EXPECT_EQ(v.cls, SiteClass::Growing) << describe(v);
  EXPECT_NEAR(v.growthBytesPerSec, 200 * kKiB, 20 * kKiB);
}

TEST(Classify, GrowthThatStoppedAtHalfTimeIsPlateau) {
  const auto pts = sampled(20, 4, [](double t, std::mt19937_64& rng) {
    return kKiB * std::floor(200 * std::min(t, 10.0) + std::normal_distribution<double>(0, 6)(rng));
  });
  EXPECT_EQ(classifyAlloc(pts, 2000, 0).cls, SiteClass::Plateau);
}

TEST(Classify, VeryShortSeriesAreNeverGrowingAndLowConfidence) {
  for (size_t n = 0; n < 5; ++n) {
    std::vector<SeriesPoint> pts;
    for (size_t i = 0; i < n; ++i) pts.push_back({0.1 * (i + 1), 1e6 * double(i + 1)});
    const TrendVerdict v = classifyAlloc(pts, n, 0);
    expectSane(v);
    EXPECT_NE(v.cls, SiteClass::Growing) << n << " points"
                                         << ": " << describe(v);
    EXPECT_LT(v.confidence, 0.5) << n << " points";
  }
  // five clean steps up are the shortest series that may be called GROWING
  std::vector<SeriesPoint> five;
  for (size_t i = 0; i < 5; ++i) five.push_back({0.1 * (i + 1), 1e6 * double(i + 1)});
  EXPECT_EQ(classifyAlloc(five, 5, 0).cls, SiteClass::Growing);
}

TEST(Classify, DegenerateSeriesAreStableAndNaNFree) {
  std::vector<SeriesPoint> zeros, constant;
  for (int i = 1; i <= 100; ++i) {
    zeros.push_back({0.1 * i, 0});
    constant.push_back({0.1 * i, 4096});
  }
  const std::vector<SeriesPoint> single = {{0.1, 4096}};
  const std::vector<SeriesPoint> sameTime = {{1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}};
  const std::vector<SeriesPoint> withNaN = {{0.1, NAN}, {0.2, 5}, {NAN, 7}, {0.4, INFINITY}};
  for (const std::vector<SeriesPoint>* pts : std::initializer_list<const std::vector<SeriesPoint>*>{
           &zeros, &constant, &single, &sameTime, &withNaN}) {
    const TrendVerdict v = classifyAlloc(*pts, 1, 0);
    expectSane(v);
    EXPECT_NE(v.cls, SiteClass::Growing) << describe(v);
  }
  EXPECT_EQ(classifyAlloc(constant, 1, 0).cls, SiteClass::Stable);
  EXPECT_EQ(classifyAlloc(zeros, 0, 0).cls, SiteClass::Stable);
  EXPECT_EQ(classifyAlloc({}, 0, 0).cls, SiteClass::Stable);
}

TEST(Classify, OneLowLastPointDoesNotEndAPlateau) {
  // The end level is the median of the run's last sixteenth, not its last value.
  auto cache = lruCache(7, 1, 8 * kMiB);
  cache.back().v = 0;
  const TrendVerdict v = classifyAlloc(cache, 8000, 8000, 2000);
  EXPECT_EQ(v.cls, SiteClass::Plateau) << describe(v);
}

TEST(Classify, HostileSeriesStayFinite) {
  // given series a damaged or hostile dump could produce: huge values, repeated and
  // unsorted times, sudden zeros, any length
  std::mt19937_64 rng(99);
  for (int round = 0; round < 300; ++round) {
    std::vector<SeriesPoint> pts(rng() % 700);
    for (SeriesPoint& p : pts) {
      p.t = double(rng() % 50) * (rng() % 2 ? 1e-9 : 1e3);
      p.v = rng() % 3 == 0 ? 0.0 : double(rng() >> (rng() % 64));  // up to 1.8e19
    }
    SiteActivity a;
    a.allocs = rng();
    a.frees = rng();
    a.peakCount = rng() % 4;
    a.peak = double(rng());
    a.durationS = double(rng() % 100);
    // then every verdict is finite, in range, and consistent with its class
    expectSane(classifySeries(pts, a));
    expectSane(classifyRate(pts, a));
  }
}

TEST(Classify, BurstThatIsFreedIsTransient) {
  // A 10 MiB parse buffer held for the first second of a 10 s run.
  const auto pts = sampled(10, 2, [](double t, std::mt19937_64&) { return t < 1 ? 10 * kMiB : 0; });
  const TrendVerdict v = classifyAlloc(pts, 3, 3);
  expectSane(v);
  EXPECT_EQ(v.cls, SiteClass::Transient) << describe(v);
}

TEST(Classify, UnevenSnapshotTimesKeepTheRate) {
  // Snapshots delayed by a busy collector: gaps of 0.1 to 0.9 s.
  std::mt19937_64 rng(8);
  std::vector<SeriesPoint> pts;
  double t = 0;
  for (int i = 0; i < 60; ++i) {
    t += std::uniform_real_distribution<double>(0.1, 0.9)(rng);
    pts.push_back({t, 4096 * t});
  }
  const TrendVerdict v = classifyAlloc(pts, 100, 0);
  EXPECT_EQ(v.cls, SiteClass::Growing) << describe(v);
  EXPECT_NEAR(v.growthBytesPerSec, 4096, 1);
}

TEST(Classify, LongRunIsDownsampledToTheSameVerdict) {
  // A 10-minute run at 100 ms: 6000 points, the same leak and cache shapes.
  const auto leak = classifyAlloc(steadyLeak(600, 3), 120'000, 0);
  EXPECT_EQ(leak.cls, SiteClass::Growing);
  EXPECT_LE(leak.points, TrendSettings{}.maxAnalysisPoints);
  EXPECT_NEAR(leak.growthBytesPerSec, 200 * kKiB, 0.02 * 200 * kKiB);
  EXPECT_EQ(classifyAlloc(lruCache(600, 3, 64 * kMiB), 1000, 500).cls, SiteClass::Plateau);
}

TEST(ClassifyRate, ConstantCallRateIsStable) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto pts = sampled(10, seed, [](double, std::mt19937_64& rng) {
      return double(std::poisson_distribution<int>(5000)(rng));
    });
    const TrendVerdict v = classifyRate(pts, activityOf(pts, 0, 0));
    expectSane(v);
    EXPECT_EQ(v.cls, SiteClass::Stable) << "seed " << seed << ": " << describe(v);
  }
}

TEST(ClassifyRate, RisingCallRateIsGrowing) {
  // The incident: each request reads a little more than the last.
  const auto pts = sampled(10, 1, [](double t, std::mt19937_64& rng) {
    return double(std::poisson_distribution<int>(int(1000 + 300 * t))(rng));
  });
  const TrendVerdict v = classifyRate(pts, activityOf(pts, 0, 0));
  EXPECT_EQ(v.cls, SiteClass::Growing) << describe(v);
  EXPECT_NEAR(v.growthBytesPerSec, 300, 60);
}

TEST(ClassifyRank, GrowingFirstByConfidentRateThenTheRestBySize) {
  // given the samples' shapes side by side
  const std::vector<TrendVerdict> verdicts = {
      classifyAlloc(lruCache(20, 1, 200 * kMiB), 1'000'000, 900'000, 100'000),  // 0 PLATEAU
      classifyAlloc(slowStaircase(20, 1), 70, 0),                               // 1 GROWING
      classifyAlloc(churnLevel(20, 1), 9'000'000, 9'000'000, 80),               // 2 CHURN
      classifyAlloc(steadyLeak(20, 1), 4000, 0),                                // 3 GROWING
      classifyAlloc(fixedTwin(20, 1), 4000, 4000, 1),                           // 4 not growing
  };
  for (const auto& v : verdicts) expectSane(v);
  // then the fast leak is #1, the slow leak #2, and the big cache leads the rest
  const std::vector<size_t> order = rankOrder(verdicts);
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(order[0], 3u);
  EXPECT_EQ(order[1], 1u);
  EXPECT_EQ(order[2], 0u);
}

TEST(ClassifyCost, ThousandsOfLongSeriesStayFast) {
  // 500 sites x 6000 points (a 10-minute run); the full 5000 x 6000 is in docs/RANKING.md.
  const auto leak = steadyLeak(600, 1);
  const auto cache = lruCache(600, 2, 64 * kMiB);
  const SiteActivity a = activityOf(leak, 1000, 0), b = activityOf(cache, 1000, 500);
  const auto start = std::chrono::steady_clock::now();
  int growing = 0;
  for (int i = 0; i < 250; ++i) {
    growing += classifySeries(leak, a).cls == SiteClass::Growing;
    growing += classifySeries(cache, b).cls == SiteClass::Growing;
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(growing, 250);
  // Sanitized builds run ~10x slower; the bound still catches an accidental O(n^2).
  EXPECT_LT(ms, kSanitized ? 5000 : 500) << "500 long series took " << ms << " ms";
}

}  // namespace
