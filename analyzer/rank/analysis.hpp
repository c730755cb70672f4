#pragma once
// One dump analysed, and the pipeline that makes it:
//
//   read (profile.hpp) -> resolve every site's location (resolved_stacks.hpp)
//     -> gather sites by location (locations.hpp) -> rank and correlate (ranking.hpp)
//     -> resolve the stacks outputs print -> Analysis
//
// Every location is known before ranking, so ranking may read them: correlation pairs sites
// by location now, and sites can be gathered by the program line they allocate at before
// they are judged. An Analysis never changes once made: every output reads it const, and
// nothing it holds is computed on demand.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rank/ranking.hpp"
#include "read/profile.hpp"
#include "symbols/resolved_stacks.hpp"
#include "symbols/symbolizer.hpp"

namespace slowburn::analyze {

struct AnalysisOptions {
  TrendSettings trend;
  size_t maxPointsPerSite = 1024;
  SymbolizerOptions symbolizer;
  // The ranked locations an output prints with their callers: only their sites get their
  // whole stacks resolved, the others their location, so a report of the top 10 never
  // symbolizes the callers of a huge dump's other sites. Empty: every location.
  std::function<bool(const RankedSite&, const SiteProfile&)> wholeStack;
  // Called now and then while the dump is read: (bytes read, file size).
  std::function<void(uint64_t, uint64_t)> progress;
};

class Analysis {
 public:
  Analysis(Profile profile, std::vector<Location> locations, std::vector<RankedSite> sites,
           ResolvedStacks stacks);
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  const Profile& profile() const { return m_profile; }
  // Ranked locations, in rank order.
  const std::vector<RankedSite>& sites() const { return m_sites; }
  // A ranked location's counters and series: the sum of its sites'.
  const SiteProfile& site(const RankedSite& ranked) const {
    return m_locations[ranked.location].totals(m_profile);
  }
  // One of its sites (an index of RankedSite::sites) on its own.
  const SiteProfile& member(size_t siteIndex) const { return m_profile.sites[siteIndex]; }
  // The frame a user should open: the same for every site of a location.
  const Frame& location(const RankedSite& ranked) const {
    return m_stacks.location(ranked.siteIndex);
  }
  // The leading site's whole stack, or another site's of the location, for the locations
  // AnalysisOptions::wholeStack chose.
  StackView stack(const RankedSite& ranked) const { return m_stacks.stack(ranked.siteIndex); }
  StackView stackOf(size_t siteIndex) const { return m_stacks.stack(siteIndex); }

 private:
  Profile m_profile;
  std::vector<Location> m_locations;
  std::vector<RankedSite> m_sites;
  ResolvedStacks m_stacks;
};

// Resolves, ranks and correlates a profile as read from a dump.
std::unique_ptr<const Analysis> analyzeProfile(Profile profile, const AnalysisOptions& options);

// Reads path and analyses it; throws DumpError for a dump that cannot be trusted.
std::unique_ptr<const Analysis> analyzeDump(const std::string& path,
                                            const AnalysisOptions& options = {});

}  // namespace slowburn::analyze
