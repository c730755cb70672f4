#pragma once
// Trend statistics on one time series: is it climbing, how fast, and is it still climbing?
//
// Each test below answers one question; classify.cpp combines them, because every one of
// them alone is fooled by a shape that real programs produce.
//
// 1. Mann–Kendall S (Mann 1945, Kendall 1975): over all pairs i < j (in time order)
//        S = sum sign(v_j - v_i),
//    positive when later values tend to be larger. Under "no trend" (exchangeable values)
//    E[S] = 0 and, with g groups of tied values of sizes t_k,
//        Var S = [n(n-1)(2n+5) - sum t_k(t_k-1)(2t_k+5)] / 18,
//    and S is close to normal for n >= 10, so with the continuity correction
//        z = (S - sign S) / sqrt(Var S),    p = P(Z >= z) (one-sided: we only hunt growth).
//    Kendall's tau-b normalises S to -1..1 with ties only in v (times never tie):
//        tau = S / sqrt(n0 (n0 - n1)),  n0 = n(n-1)/2,  n1 = sum t_k(t_k-1)/2.
//    S is computed in O(n log n): sort by value counting strict inversions (pairs later in
//    time with a smaller value, D) and value ties (T); the rest are concordant (C), so
//        S = C - D = (n0 - T - D) - D.
//    What it gets wrong: the variance assumes independent samples. Live bytes are strongly
//    autocorrelated (a 200-step random walk gives |z| > 3 in 84% of runs), and a cache
//    that filled once and stopped is as "monotonic" as a leak. So z is a gate, never the
//    verdict.
//
// 2. Theil–Sen slope (Theil 1950, Sen 1968): the median of the pairwise slopes
//    (v_j - v_i) / (t_j - t_i). Up to 29% of the points can be wild without moving it, and it
//    honours uneven snapshot times. With more than maxPairs pairs it takes a fixed
//    pseudo-random sample of pairs (seeded by n), so results are reproducible; the sample
//    median's error shrinks like 1/sqrt(maxPairs).
//    What it gets wrong: on a staircase whose flat treads hold most pairs, the median is 0.
//
// 3. High-water mark (saturation and ratcheting). The series is smoothed into B block
//    medians (a median keeps steps sharp and drops lone spikes); HW(b) is the running max of
//    the blocks. With L the late window (the last lateFraction of the time span):
//        rise       = HW(end) - level(first block)        how far it ever climbed,
//        lateRise   = HW(end) - HW(just before L) - sigma how much of that came late, past
//                                                      the noise (4.) a new high may be,
//        saturation = (lateRise / |L|) / (rise / span)    late climb rate vs whole-run rate:
//                     ~1 for a steady leak, ~0 for a cache that filled and stopped, > 1 for
//                     growth that started late;
//        ratchet    = fraction of R equal time slices of L whose highest block beats the
//                     high-water mark before it by more than noiseK sigma;
//        drawdown   = deepest fall of a block below the mark before it, over rise.
//    A steady leak ratchets in every slice; a plateau, a sawtooth or a bounded random walk
//    reach their ceiling early and then only touch it again. Unlike a windowed Theil–Sen
//    slope, the mark sees a staircase's sparse steps. fill = when HW first reached 90% of
//    its height, as a fraction of the span (a cache fills over a visible stretch, a
//    constant level is there at once).
//
// 4. Noise. For white noise e on levels, the second difference l[b+1] - 2 l[b] + l[b-1] has
//    variance 6 sigma^2, and it cancels any locally straight trend, including one whose
//    slope changes once (a leak that starts late), where first differences would count the
//    change of slope as noise. So sigma = 1.4826 MAD(second differences) / sqrt 6; the MAD
//    ignores the few large values a staircase's steps produce.
//
// 5. Drift: could a driftless random walk have climbed this far? Live bytes of a site whose
//    population wanders (sessions open and close) are a random walk over a short run, and
//    Mann–Kendall calls half of those "significant". Read as a walk, the same second
//    differences are step_{b+1} - step_b, variance 2 s^2, so the step sigma is
//    s = sqrt(3) sigma and the net move over k steps is N(0, k s^2) under the walk:
//        drift = (level(last block) - level(first block)) / (s sqrt k).
//    A real leak is a walk *with* drift (allocations arrive at a rate), and its drift grows
//    like sqrt(N) for N leaked allocations arriving at random (1000 allocations: ~30).
//    The step sigma is read at two scales and the smaller kept: single points (a
//    staircase's treads are dead flat, s = 0: no walk does that) and driftBlocks coarse
//    blocks (block medians average white noise down, so a noisy leak is not mistaken for a
//    walk). Under a true walk both scales estimate the same s.
//    What it gets wrong: white noise read as a walk inflates s, so a leak buried in noise
//    needs a larger climb to pass; the coarse scale has few differences, so its s is itself
//    noisy (a heavier tail than N(0, 1)). docs/RANKING.md has the measured rates.

#include <cstddef>
#include <span>
#include <vector>

#include "read/series.hpp"

namespace slowburn::analyze {

struct MannKendall {
  size_t n = 0;
  double s = 0;     // concordant minus discordant pairs
  double varS = 0;  // with the tie correction
  double tau = 0;   // Kendall tau-b, -1..1
  double z = 0;     // continuity-corrected normal score
  double p = 1;     // one-sided P(Z >= z): small means an upward trend
};

// Over the points in time order; NaN-free for any n (n < 2 gives S = 0, p = 1).
MannKendall mannKendall(std::span<const SeriesPoint> points);

// Median of pairwise slopes (units of v per second); 0 for fewer than two distinct times.
// Samples pairs when there are more than maxPairs; n must stay below 2^32.
double theilSenSlope(std::span<const SeriesPoint> points, size_t maxPairs = 1024);

// Median of values (reorders its argument); 0 for an empty input.
double medianInPlace(std::vector<double>& values);

struct HighWater {
  double rise = 0;        // HW(end) - first block level, >= 0
  double lateRise = 0;    // the part of the rise inside the late window, >= 0
  double saturation = 0;  // late climb rate / whole-run climb rate, >= 0
  double ratchet = 0;     // fraction of late slices setting a new high-water mark, 0..1
  double noise = 0;       // white-noise sigma of block levels, robust (see 4.)
  double drawdown = 0;    // deepest fall below the high-water mark, fraction of the rise
  double drift = 0;       // net climb as a z score under a driftless random walk (see 5.)
  double fill = 0;        // time HW reached 90% of its height, fraction of the span, 0..1
  size_t fillPoints = 0;  // the same, in points from the start
  size_t blocks = 0;      // block medians used
};

struct HighWaterSettings {
  double lateFraction = 0.4;
  size_t blocks = 32;
  size_t slices = 8;
  size_t driftBlocks = 16;  // coarser blocks for the random-walk drift test
  double noiseK = 0.5;      // a new maximum counts when it beats the old one by noiseK sigma
  // Known noise the levels carry whatever their shape (sampling: sqrt(level * sample bytes),
  // and sampled blocks live on, so block medians do not average it away). The noise sigma
  // is never taken below it.
  double noiseFloor = 0;
};

HighWater highWater(std::span<const SeriesPoint> points, const HighWaterSettings& = {});

// 6. Breath: how much the series moves over a few snapshots, apart from its trend. A queue,
//    a pool of in-flight requests or a per-thread cache goes up and down by a few blocks all
//    the time; a wander of the same size over the run is that breathing, not a leak. With
//    e_i = v_i - slope * t_i (the run's Theil-Sen slope removed), the breath is the median
//    over consecutive windows of `window` points of max(e) - min(e). White noise gives about
//    2.3 sigma for 5 points; a straight climb, a smooth fill and a staircase's treads about
//    0. A climb worth a few breaths is not evidence of growth.
double breath(std::span<const SeriesPoint> points, double slope, size_t window = 5);

// 7. Balance: do the steps up outweigh the steps down by more than chance? A sampled level
//    moves in steps of about one sample's weight: a leak's samples are never freed, so its
//    series only steps up, while a cache, a refreshed entry or a queue frees samples about
//    as often as it takes them. With the increments d_i = v_i - v_{i-1} over the points and
//    w the weight of one sample (SLOWBURN_SAMPLE_BYTES, or the line's blocks' size when
//    bigger: such a block is sampled at about its size), m increments of mean d,
//        balance = sum d_i / sqrt(max(sum (d_i - d)^2, w sum |d_i|)),
//    the net move in units of the noise its own steps carry: each step of a sample adds w^2
//    to the variance of the net move, and a point that averages several snapshots splits a
//    step over two increments (their squares add up to less than w^2, their sizes to w);
//    the squares are taken about the mean step, since k samples of a climb in one interval
//    are its rate (their square k^2 w^2 would read as noise), while they still count the
//    noise of white or wandering levels whose steps are bigger than one sample. A window
//    that never steps down has no such noise: its squares would only measure how the
//    samples it kept clumped (a burst of requests), so its variance is w sum |d_i| alone.
//    Under a level that only moves at random (independent steps up and down) it is about
//    N(0, 1); a level that comes back to where it was (a TTL cache: each sample leaves a
//    lifetime after it came) scores less (measured: sd 0.82 for the 64 MiB TTL cache of
//    docs/RANKING.md's sampled rows); N samples kept and never freed score sqrt(N). Unlike
//    the tests above it reads the steps themselves, so the noise frozen in long-lived
//    samples, which moves the level but not in one direction, does not count for it.
//    0 for a series that does not move.
double balance(std::span<const SeriesPoint> points, double stepBytes = 0);

}  // namespace slowburn::analyze
