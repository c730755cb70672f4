#pragma once
// Growth that comes in steps, judged by its pace.
//
// Many leaks do not climb smoothly. A vector, a string or a realloc'd array that is appended
// to forever holds one buffer whose capacity grows by a factor (x2, x1.5) each time it is
// full: a geometric staircase, flat for longer and longer stretches. A pool adds a chunk
// when its chunks are used up; a leak on a bursty path grows in bursts with pauses between.
// The trend tests read the long flat stretches as a plateau. What tells a staircase that is
// still climbing from one that stopped is its pace.
//
// Model: a steady demand of r bytes/s (the appends, the leaked payload) and a capacity that
// steps up whenever the demand reaches it. Step k happens when the demand reaches the level
// before it, L_k^- (the old capacity; the level before a burst), so
//     L_k^- = r (t_k - t0)          (1)
// whatever the growth factor: the levels before the steps lie on one line through time, its
// slope the demand. (A geometric staircase's steps get twice as far apart as its levels
// double; an arithmetic one's are evenly spaced; both satisfy (1).) After the last step, at
// t_K, the level L_K is reached by the demand at
//     t_due = t0 + L_K / r          (2)
// and the next step is due then. With the run ending at T, the lateness
//     rho = (T - t_K) / (t_due - t_K)
// is below 1 while the next step is not due yet: the staircase is on pace and GROWING, at
// rate r. A rho well above 1 is a step that was due and never came: the demand stopped, and
// it is a PLATEAU. "Well above" is measured against the staircase's own history: each
// earlier step's lateness against the same line (a bursty leak's gaps vary).
//
// The series is first reduced to what the site keeps from then on (each point lowered to the
// lowest level that follows it): a buffer copied into its successor is seen twice by the
// snapshots taken meanwhile, and those spikes go; memory given back leaves no staircase.
// Steps are then found in the first differences d_i = v_i - v_{i-1}: an increment counts
// when it stands out of the treads' noise (k times the white-noise sigma the first quartile of
// |d| implies; 0 on dead-flat treads) and is a visible part of the climb. Increments in
// consecutive snapshots form one step (a burst, or capacity steps closer together than
// snapshots tell apart), placed mid-way between the points before and at its start: only the
// levels where steps begin lie on the demand line. A series is judged this way only when its
// steps carry most of its climb. A smooth climb has no treads to stand out of: its increments
// are all alike, none is a step, and it is left to the trend tests, as is anything else that
// is not a staircase.

#include <cstddef>
#include <span>

#include "read/series.hpp"

namespace slowburn::analyze {

struct StaircaseSettings {
  size_t minSteps = 3;         // (1) needs a line checked by a third point
  double stepSpread = 6.0;     // an increment beats k times the treads' noise sigma
  double minStepShare = 0.02;  // ... and is at least this share of the climb
  double minShare = 0.8;       // the steps carry at least this share of the climb
  double maxFitError = 0.35;   // median |residual| of (1), share of the last level before a step
  double lateSlack = 1.25;     // on pace: rho <= max(lateSlack, the history's worst * 1.1) ...
  double maxLateLimit = 2.0;   // ... but never twice the room the last step left
  double maxSparse = 1.0 / 3;  // sparse: the share of intervals holding a step, at most
  // Sampled: a line never holding more blocks than this at a snapshot is capacity (a buffer
  // and its successor while one is copied into the other, with room to spare).
  uint64_t maxCapacityBlocks = 4;
};

struct Staircase {
  bool applies = false;  // stepwise enough to be judged by pace
  size_t steps = 0;
  double share = 0;      // of the climb, carried by the steps
  double rate = 0;       // r of (1), units/s
  double fitError = 0;   // median |residual| of (1) / the last level before a step
  double lateness = 0;   // rho of the last step
  double lateLimit = 0;  // the rho the history allows
  bool onPace = false;   // applies, and rho <= lateLimit
  // Every earlier step came within maxLateLimit of its due time: the history is regular
  // enough for a late last step to mean it stopped. Steps that arrive at random (blocks
  // leaked one by one) come late by more than that now and then, and keep coming.
  bool regular = false;
  // Its steps take at most a third of the intervals: a staircase beyond doubt, whose pace
  // overrides the trend tests (a denser climb may be a smooth one with bumps).
  bool sparse = false;
};

// Points in time order (the trend tests' input).
Staircase analyzeSteps(std::span<const SeriesPoint> points, const StaircaseSettings& = {});

}  // namespace slowburn::analyze
