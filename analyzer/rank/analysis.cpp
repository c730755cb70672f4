#include "rank/analysis.hpp"

#include <utility>

namespace slowburn::analyze {

Analysis::Analysis(Profile profile, std::vector<Location> locations, std::vector<RankedSite> sites,
                   ResolvedStacks stacks)
    : m_profile(std::move(profile)),
      m_locations(std::move(locations)),
      m_sites(std::move(sites)),
      m_stacks(std::move(stacks)) {}

std::unique_ptr<const Analysis> analyzeProfile(Profile profile, const AnalysisOptions& options) {
  ResolvedStacks stacks;
  std::vector<Location> locations;
  std::vector<RankedSite> ranked;
  {  // the symbolizer, with the debug information it holds open, ends with this scope
    Resolver resolver(profile, options.symbolizer);
    resolver.locateAll();
    locations = gatherLocations(profile, resolver.resolved());
    ranked = rankLocations(profile, locations, options.trend);
    correlateRanked(ranked, profile, locations, resolver.resolved());
    for (const RankedSite& r : ranked) {
      if (!options.wholeStack || options.wholeStack(r, locations[r.location].totals(profile))) {
        for (const size_t site : r.sites) resolver.resolveWhole(site);
      }
    }
    stacks = std::move(resolver).finish();
  }
  return std::make_unique<const Analysis>(std::move(profile), std::move(locations),
                                          std::move(ranked), std::move(stacks));
}

std::unique_ptr<const Analysis> analyzeDump(const std::string& path,
                                            const AnalysisOptions& options) {
  ReadOptions read;
  read.progress = options.progress;
  return analyzeProfile(buildProfile(path, read, options.maxPointsPerSite), options);
}

}  // namespace slowburn::analyze
