#pragma once
// `slowburn diff A B`: what changed between two runs of one program, location by location
// (match_locations.hpp pairs them by name, never by address), worst first: the rows are
// ordered by how much faster B grows than A, then by how much more B keeps live.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rank/analysis.hpp"
#include "rank/match_locations.hpp"

namespace slowburn::analyze {

enum class DiffChange { Same, ClassChanged, New, Gone };

// "same", "class_changed", "new", "gone".
const char* diffChangeName(DiffChange change);

struct DiffRow {
  const RankedSite* a = nullptr;  // none for a new location
  const RankedSite* b = nullptr;  // none for a location gone
  DiffChange change = DiffChange::Same;
  bool moved = false;               // matched as the same function and stack at another line
  bool newGrowth = false;           // GROWING in B (sure enough), not GROWING in A or not there
  double growthA = 0, growthB = 0;  // bytes/s shown for GROWING alloc locations, else 0
  uint64_t liveA = 0, liveB = 0;    // live bytes before exit (alloc locations)
};

struct RunDiff {
  std::vector<DiffRow> rows;  // worst first
  size_t matched = 0, added = 0, gone = 0, classChanged = 0;
  size_t newGrowth = 0, stoppedGrowing = 0;
};

// minConfidence: a GROWING location of B counts as new growth only this sure (as check).
// Both analyses must hold every location's whole stack (AnalysisOptions::wholeStack empty).
RunDiff diffRuns(const Analysis& a, const Analysis& b, double minConfidence);

// A ranked location as the matcher sees it.
LocationKey locationKey(const Analysis& analysis, const RankedSite& site);

}  // namespace slowburn::analyze
