#pragma once
// Site classes and the ranking key, from a site's series and its activity counters.
// docs/RANKING.md explains every threshold below and what the method gets wrong.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rank/staircase.hpp"
#include "rank/trend.hpp"
#include "read/series.hpp"

namespace slowburn::analyze {

enum class SiteClass { Growing, Plateau, Churn, Transient, Stable };

// "GROWING", "PLATEAU", "CHURN", "TRANSIENT", "STABLE".
const char* className(SiteClass);

// Facts the classifier needs besides the series, over the whole run.
struct SiteActivity {
  uint64_t allocs = 0, frees = 0;
  double peak = 0;         // exact peak of the value (the series may have averaged it away)
  double durationS = 0;    // of the whole run
  uint64_t peakCount = 0;  // peak live allocations at the site; 0 when unknown
  // The allocations of the stacks that held the line's bytes (locations.hpp), which a
  // capacity staircase is judged by: the temporaries a line makes and frees at once (the
  // operands of `trace += a + b`) are not its capacity. 0 when not told: allocs.
  uint64_t holderAllocs = 0;
  // SLOWBURN_SAMPLE_BYTES of the run for a site of the malloc family: 0 when every event of
  // the site was recorded (always for mappings and calls). Sampled values carry noise of
  // about sqrt(level * sampleBytes) and move in steps of a sample (see RANKING.md).
  uint64_t sampleBytes = 0;
};

struct TrendSettings {
  // Cost: series longer than this are reduced to bucket centroids before any test.
  size_t maxAnalysisPoints = 256;
  size_t maxSlopePairs = 1024;

  // GROWING needs every one of these.
  size_t minPoints = 5;         // the shortest series that can be GROWING
  double minZ = 2.0;            // Mann–Kendall z (one-sided p <= 0.023)
  double minSaturation = 0.25;  // late climb rate / whole-run climb rate
  double minRatchet = 0.25;     // late slices setting a new high-water mark
  double minRiseNoise = 4.0;    // total rise in units of block noise sigma (PLATEAU too)
  double minDrift = 2.5;        // net climb, z under a driftless random walk
  double minBreaths = 3.0;      // the climb is at least this many breaths (trend.hpp, 6.)
  double minEndShare = 0.5;     // the run ends holding at least this share of the climb
  size_t breathWindow = 5;      // points per breath window
  // Sampled runs: the late window's steps up outweigh its steps down (trend.hpp, 7.): about
  // 12 samples kept there and none freed, 4.3 sigmas of a sampled TTL cache's balance.
  double minSampledBalance = 3.5;
  HighWaterSettings highWater;  // late window, blocks, slices, noise margin
  StaircaseSettings staircase;  // a climb in steps is judged by its pace (staircase.hpp)

  // Confidence: drift at which that factor saturates, and the sample-size half point.
  double fullDrift = 8.0;
  double halfConfidencePoints = 5.0;

  // TRANSIENT: back to ~0 at the end, and above 10% of its peak for at most this much.
  double transientEndFraction = 0.05;
  double transientMaxActive = 0.5;
  // PLATEAU: climbed from low, is still high, and the climb took visible time.
  double plateauMinRise = 0.5;      // rise >= this fraction of the peak
  double plateauMinEnd = 0.5;       // end level >= this fraction of the peak
  size_t plateauMinFillPoints = 3;  // reaching 90% took at least this many points
  // CHURN: heavy turnover at a level that does not grow.
  uint64_t churnMinFrees = 1000;
  double churnMinFreesPerSec = 100;
  double churnMinTurnover = 20;  // frees per peak live allocation (when known)
};

struct TrendVerdict {
  SiteClass cls = SiteClass::Stable;
  // Ranking key, higher first. GROWING: growthBytesPerSec * confidence (> 0). Every other
  // class: -1 / (1 + ln(1 + peak)) in [-1, 0), so GROWING is always above the rest and the
  // rest are ordered by size.
  double score = -1;
  // Theil–Sen slope in units/s. GROWING: the whole run's, or the late window's when that is
  // steeper (growth that started late). Any other class: the late window's, the rate now (a
  // filled cache: ~0). For syscall sites: calls/s per second.
  double growthBytesPerSec = 0;
  double confidence = 0;  // 0..1: how sure the class is

  // Diagnostics for --verbose and export.
  size_t points = 0;  // analysed (after downsampling)
  MannKendall mk;
  double earlySlope = 0;  // Theil–Sen over the first lateFraction of the span
  double lateSlope = 0;   // Theil–Sen over the last lateFraction of the span
  double overallSlope = 0;
  HighWater hw;
  double breath = 0;       // trend.hpp, 6.
  double lateBalance = 0;  // trend.hpp, 7., over the late window (sampled runs only)
  Staircase steps;         // staircase.hpp; steps.applies: the class was judged by pace
};

// live: points at snapshot times (any spacing), value = the site's live bytes, 0 before its
// first allocation. Non-finite points are dropped and the rest sorted by time. The caller
// leaves out points that show the process tearing down at exit.
TrendVerdict classifySeries(const std::vector<SeriesPoint>& live, const SiteActivity& activity,
                            const TrendSettings& settings = {});

// For syscall sites: the per-interval call rate (calls/s at each point). Never CHURN.
TrendVerdict classifyRate(const std::vector<SeriesPoint>& rate, const SiteActivity& activity,
                          const TrendSettings& settings = {});

// The growth rate a user is shown: the slope of a GROWING site; none for any other class,
// whose slope (a random walk's last stretch, a cache's last refill) is no leak rate.
inline std::optional<double> shownGrowth(const TrendVerdict& v) {
  if (v.cls != SiteClass::Growing) return std::nullopt;
  return v.growthBytesPerSec;
}

// A verdict that was GROWING, found to be memory changing hands (handover.hpp): a PLATEAU
// with the given confidence, scored like any site that is not growing.
void demoteToPlateau(TrendVerdict& v, double peak, double confidence);

// The ranking order: a before b. Higher score first.
inline bool rankBefore(const TrendVerdict& a, const TrendVerdict& b) { return a.score > b.score; }

// Indices of verdicts in rank order; ties keep their input order.
std::vector<size_t> rankOrder(const std::vector<TrendVerdict>& verdicts);

}  // namespace slowburn::analyze
