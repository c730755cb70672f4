#pragma once
// Sites gathered by the program line they allocate at: the unit the analysis judges and
// reports. One line of a program is often several stacks (push_back's fast path and its
// reallocation, a helper reached from two callers, a cache filled from one path and
// refreshed from another); a user thinks in lines, and a line's bytes split over stacks
// misstate its growth (a refresh moves bytes between two stacks of one line; the bytes kept
// per read() halve when the line's allocation is split).
//
// The line is the site's location frame (plumbing.hpp's rule): the same function, file and
// line; without source, the same module and offset; without a module, the same address.
// Alloc and syscall sites never share a location, nor syscall sites of different calls.

#include <cstddef>
#include <optional>
#include <vector>

#include "read/profile.hpp"
#include "symbols/resolved_stacks.hpp"

namespace slowburn::analyze {

struct Location {
  std::vector<size_t> sites;          // into Profile::sites, in site order until ranked
  std::optional<SiteProfile> merged;  // their sum, when there is more than one

  // The location's counters and series: its one site's, or the sum of its sites'.
  const SiteProfile& totals(const Profile& profile) const {
    return merged ? *merged : profile.sites[sites.front()];
  }
};

// Every site in exactly one location, locations in the order of their first site.
std::vector<Location> gatherLocations(const Profile& profile, const ResolvedStacks& resolved);

}  // namespace slowburn::analyze
