#pragma once
// Everything the analysis needs from one dump, built while the reader streams it: per-site
// counters and bounded time series. Memory is O(sites x kept points), never O(snapshots).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "read/dump_reader.hpp"
#include "read/rss_account.hpp"
#include "read/series.hpp"

namespace slowburn::analyze {

struct SiteProfile {
  uint32_t id = 0;
  format::SiteKind kind = format::SiteKind::Alloc;
  format::SyscallOp op = format::SyscallOp::None;
  std::vector<uint64_t> frames;  // innermost first, as recorded

  // Alloc and mmap sites: the live state at the last snapshot, and totals over the run (an
  // mmap site's count is its live ranges, its allocs the mappings it made, its frees the
  // ranges unmapped whole).
  uint64_t liveBytes = 0;
  uint64_t liveCount = 0;
  uint64_t peakLiveBytes = 0;
  uint64_t peakLiveCount = 0;
  uint64_t allocs = 0;
  uint64_t frees = 0;
  // Syscall sites: totals over the run, and the highest per-interval call rate.
  uint64_t calls = 0;
  uint64_t bytes = 0;
  double peakCallRate = 0;

  // One point per snapshot time: live bytes (alloc, mmap) or calls/s in the interval
  // (syscall); 0 before the site existed.
  BoundedSeries series;

  // A site of live bytes, ranked by its bytes: the malloc family's (kind alloc) or the
  // mappings' (kind mmap), judged alike. A syscall site's series is its call rate.
  bool isAlloc() const { return format::holdsBytes(kind); }
  bool isMapping() const { return kind == format::SiteKind::Mmap; }
};

// "alloc", "mmap" or "syscall": the JSON's and CSV's kind.
const char* kindName(format::SiteKind kind);

// Said by the report and the JSON's process.notes of a dump that ends without END.
inline constexpr const char* kNoEndNote =
    "no END record: the process was killed or left through _exit";

struct Profile {
  Header header;
  std::vector<Module> modules;
  std::vector<SiteProfile> sites;  // indexed by site id
  std::vector<Note> notes;
  std::optional<End> end;
  // When a clean exit's teardown began (TEARDOWN), in seconds: the series end there; the
  // counters above go on to the last snapshot.
  std::optional<double> teardownS;
  ReadSummary read;

  uint64_t snapshotPoints = 0;  // distinct snapshot times
  double lastSnapshotS = 0;
  // Whole-process figures: live bytes summed over alloc sites (the tracked heap) and over
  // mmap sites (the tracked mappings), and the recorded RSS.
  uint64_t liveBytesEnd = 0;
  uint64_t peakLiveBytes = 0;
  uint64_t mappedBytesEnd = 0;
  uint64_t peakMappedBytes = 0;
  size_t mappingSites = 0;
  uint64_t rssEnd = 0;
  uint64_t peakRss = 0;
  uint64_t allocs = 0;
  uint64_t frees = 0;
  // The same two over time, one point per snapshot time (the html report's first chart).
  BoundedSeries liveSeries;
  BoundedSeries rssSeries;
  // RSS growth beside tracked growth, from the first snapshot to the last before the exit
  // teardown; nullopt with fewer than two snapshots.
  std::optional<RssAccount> rssAccount;

  // END's time when the process exited cleanly, else the last snapshot's.
  double durationS() const;
  // Events the recorder lost: END's count, or the NOTE records' when there is no END.
  uint64_t droppedEvents() const;
};

// An alloc site's live bytes where a clean exit's teardown began (the last point of its
// series, which end there), or at the end when the dump marks no teardown.
uint64_t liveBeforeExit(const Profile& profile, const SiteProfile& site);

// What a profile may hold, whatever the dump claims: a hostile file can declare millions of
// sites. Past pointBudget the series of every site are halved (to no fewer than
// minPointsPerSite points); past that, or past frameBudget frames, the dump is refused.
struct ProfileLimits {
  size_t pointBudget = size_t{32} << 20;  // 512 MiB of series points
  size_t minPointsPerSite = 32;
  size_t frameBudget = size_t{32} << 20;  // 256 MiB of frame addresses
};

class ProfileBuilder : public DumpVisitor {
 public:
  explicit ProfileBuilder(size_t maxPointsPerSite = 1024, ProfileLimits limits = {});

  void onHeader(const Header& header) override;
  void onModule(const Module& module) override;
  void onSite(const Site& site) override;
  void onSnapshot(const Snapshot& snapshot) override;
  void onNote(const Note& note) override;
  void onEnd(const End& end) override;
  void onTeardown(const Teardown& teardown) override;

  // Closes the last snapshot point and hands over the profile.
  Profile finish(const ReadSummary& summary);

 private:
  void closePoint();
  // Halves every series until one more site fits the point budget.
  void makeRoomForSite();

  Profile m_profile;
  // Every series gets a point at every snapshot time; a site first seen late starts as a
  // copy of this all-zero series, so all series share one merge schedule.
  BoundedSeries m_zeros;
  ProfileLimits m_limits;
  size_t m_pointsPerSite;
  size_t m_frames = 0;
  bool m_pointOpen = false;
  uint64_t m_pointTimeNs = 0;
  uint64_t m_previousPointNs = 0;
  // Calls counted at each syscall site during the open point, by site id.
  std::vector<uint64_t> m_pendingCalls;
  // After TEARDOWN the series take no more points: they are the running program's.
  bool m_tornDown = false;
  // The process at the first snapshot and at the last before the teardown: the RSS account.
  std::optional<ProcessPoint> m_firstPoint;
  std::optional<ProcessPoint> m_lastRunningPoint;
};

// Reads path and builds its profile; throws DumpError for a dump that cannot be trusted.
Profile buildProfile(const std::string& path, const ReadOptions& options = {},
                     size_t maxPointsPerSite = 1024, const ProfileLimits& limits = {});

}  // namespace slowburn::analyze
