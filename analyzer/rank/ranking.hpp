#pragma once
// Ranking: every site classified from its series and put in rank order, then growing alloc
// sites linked to the syscall sites at their location (correlate.hpp).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rank/classify.hpp"
#include "read/profile.hpp"
#include "symbols/resolved_stacks.hpp"

namespace slowburn::analyze {

struct RankedSite {
  size_t rank = 0;       // 1-based
  size_t siteIndex = 0;  // into Profile::sites
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

// Every site of the profile, classified, in rank order: growing memory first, by confident
// growth rate, then growing syscall sites, then the rest.
std::vector<RankedSite> rankSites(const Profile& profile, const TrendSettings& settings);

// Links each growing alloc site to the syscall site at the same location (same function of
// the same module), reading only the sites' locations.
void correlateRanked(std::vector<RankedSite>& ranked, const Profile& profile,
                     const ResolvedStacks& resolved);

}  // namespace slowburn::analyze
