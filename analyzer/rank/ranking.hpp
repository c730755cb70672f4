#pragma once
// Ranking: every location (locations.hpp: the sites of one program line) classified from
// its summed series and put in rank order, then growing alloc locations linked to the
// syscall locations in the same function (correlate.hpp).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rank/classify.hpp"
#include "rank/locations.hpp"
#include "read/profile.hpp"
#include "symbols/resolved_stacks.hpp"

namespace slowburn::analyze {

// A ranked location. Its counters and series are the sum of its sites' (Location::totals).
struct RankedSite {
  size_t rank = 0;       // 1-based
  size_t location = 0;   // into the locations ranked
  size_t siteIndex = 0;  // into Profile::sites: the leading site, whose stack is shown first
  // Every site at the location, into Profile::sites, the leading one first: for a growing
  // location the one that climbed most (a helper shared by a churning and a leaking caller
  // names the leaking caller's stack), otherwise the biggest.
  std::vector<size_t> sites;
  TrendVerdict verdict;
  // The growth a user is shown, in bytes/s: a GROWING alloc site's (shownGrowth); none for
  // any other class and for a syscall site, whose trend is in calls.
  std::optional<double> growthBytesPerSec;
  // Syscall correlation (correlate.hpp); rank 0 / nullopt when there is none. An alloc site
  // names its syscall partner; a syscall site names its largest growing alloc partner.
  std::optional<double> retainedBytesPerSyscall;
  size_t correlatedRank = 0;
  // Alloc sites: live bytes at the last snapshot before the exit teardown (see
  // Profile::exitTeardownStartS); the live bytes at the end when there was none. From the
  // bounded series, so on long runs a mean over the last few snapshots.
  uint64_t liveBeforeExit = 0;
};

// The points a trend is judged on: the run without its exit teardown (points after
// teardownStartS, Profile::exitTeardownStartS), which frees every static container at once
// and would make a leak look like a spike. Outputs that show the live state before the exit
// read a site's series through it too.
std::vector<SeriesPoint> runningPart(const std::vector<SeriesPoint>& points, double teardownStartS);

// Every location, classified, in rank order: growing memory first, by confident growth rate,
// then growing syscall locations, then the rest.
std::vector<RankedSite> rankLocations(const Profile& profile,
                                      const std::vector<Location>& locations,
                                      const TrendSettings& settings);

// Links each growing alloc location to the syscall location in the same function of the same
// module, reading only the sites' locations.
void correlateRanked(std::vector<RankedSite>& ranked, const Profile& profile,
                     const std::vector<Location>& locations, const ResolvedStacks& resolved);

}  // namespace slowburn::analyze
