#pragma once
// One dump analysed: the profile read from it, every site classified and ranked, syscall
// correlations, and stacks symbolized on demand (a report of the top 10 never pays for the
// other thousand sites).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rank/classify.hpp"
#include "read/profile.hpp"
#include "symbols/symbolizer.hpp"

namespace slowburn::analyze {

struct AnalysisOptions {
  TrendSettings trend;
  size_t maxPointsPerSite = 1024;
  SymbolizerOptions symbolizer;
  // Called now and then while the dump is read: (bytes read, file size).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct RankedSite {
  size_t rank = 0;       // 1-based
  size_t siteIndex = 0;  // into Profile::sites
  TrendVerdict verdict;
  // Syscall correlation (correlate.hpp); rank 0 / nullopt when there is none. An alloc site
  // names its syscall partner; a syscall site names its largest growing alloc partner.
  std::optional<double> retainedBytesPerSyscall;
  size_t correlatedRank = 0;
  // Alloc sites: live bytes at the last snapshot before the exit teardown (see
  // Profile::exitTeardownStartS); the live bytes at the end when there was none. From the
  // bounded series, so on long runs a mean over the last few snapshots.
  uint64_t liveBeforeExit = 0;
};

struct ResolvedStack {
  std::vector<Frame> frames;  // innermost first, inlined calls expanded
  size_t location = 0;        // index of the frame a user should open
};

class Analysis {
 public:
  Analysis(Profile profile, const AnalysisOptions& options);
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  const Profile& profile() const { return m_profile; }
  // In rank order.
  const std::vector<RankedSite>& sites() const { return m_sites; }
  const SiteProfile& site(const RankedSite& ranked) const {
    return m_profile.sites[ranked.siteIndex];
  }
  // Symbolizes the site's stack on first use.
  const ResolvedStack& stack(const RankedSite& ranked);
  // Drops a stack an exporter has written: a dump of many sites need not hold them all.
  // A later stack() resolves it again (from the symbolizer's cache).
  void forgetStack(const RankedSite& ranked) { m_stacks[ranked.siteIndex].reset(); }
  const Frame& location(const RankedSite& ranked);

 private:
  void rank(const TrendSettings& settings);
  void correlate();

  Profile m_profile;
  Symbolizer m_symbolizer;
  std::vector<RankedSite> m_sites;
  std::vector<std::optional<ResolvedStack>> m_stacks;  // by site index
};

// Reads, classifies and ranks path; throws DumpError for a dump that cannot be trusted.
std::unique_ptr<Analysis> analyzeDump(const std::string& path, const AnalysisOptions& options = {});

}  // namespace slowburn::analyze
