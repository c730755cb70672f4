#pragma once
// Everything the analysis needs from one dump, built while the reader streams it: per-site
// counters and bounded time series. Memory and time are bounded by ProfileLimits whatever the
// dump holds: never O(snapshots), and never O(sites x snapshots) work.

#include <cstdint>
#include <deque>
#include <memory>
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

  // One point per snapshot time up to the exit teardown: live bytes (alloc, mmap) or calls/s
  // in the interval (syscall); 0 before the site existed.
  SiteSeries series;

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
  std::vector<Note> notes;         // the first ProfileLimits::notesKept of them
  uint64_t notesLeftOut = 0;
  uint64_t droppedInNotes = 0;  // summed over every DroppedEvents note, kept or not
  std::optional<End> end;
  // When a clean exit's teardown began (TEARDOWN), or the program's own run-down before it
  // (run_down.hpp), in seconds: the sites' series end there; the counters and the process's
  // own series go on to the last snapshot.
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
  // The tracked heap and RSS over time, one point per snapshot time through the exit (the
  // html report's first chart).
  SiteSeries liveSeries;
  SiteSeries rssSeries;
  // RSS growth beside tracked growth, from the first snapshot to the last before the exit
  // teardown (or the run-down before it); nullopt with fewer than two snapshots.
  std::optional<RssAccount> rssAccount;

  // END's time when the process exited cleanly, else the last snapshot's.
  double durationS() const;
  // Events the recorder lost: END's count, or the NOTE records' when there is no END.
  uint64_t droppedEvents() const;
};

// An alloc site's live bytes where a clean exit's teardown began (the last point of its
// series, which end there), or at the end when the dump marks no teardown.
uint64_t liveBeforeExit(const Profile& profile, const SiteProfile& site);

// What a profile may hold, whatever the dump claims, so the analysis of any dump stays
// within about 1 GiB (docs/BOUNDS.md says why each is enough). Series halve their points
// to stay within pointBudget; anything else past a limit refuses the dump with DumpError.
struct ProfileLimits {
  size_t maxSites = size_t{1} << 19;
  size_t frameBudget = size_t{16} << 20;  // recorded frame addresses over all sites
  size_t moduleBytes = size_t{16} << 20;  // module paths and build-ids
  size_t notesKept = 64;                  // the rest are counted
  // Stored series values over all sites (8 bytes each); past it every series halves its
  // points, down to minPointsPerSite.
  size_t pointBudget = size_t{16} << 20;
  size_t minPointsPerSite = 32;
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

  // A builder that finishes what was read so far without touching this one (slowburn
  // watch ranks a dump still being written): its series get time axes of their own.
  ProfileBuilder clone() const;

 private:
  // Member-wise, so the copy's series share this builder's axes: clone() gives them theirs.
  ProfileBuilder(const ProfileBuilder&) = default;

  // What the builder knows of a site beyond its profile.
  struct SiteState {
    uint64_t observed = 0;        // snapshot points its series holds
    uint64_t pendingCalls = 0;    // syscall sites: calls counted in the open point
    uint64_t changedAtPoint = 0;  // 1 + the open point's index when it changed there
  };
  // A closed snapshot point the sites' series have not taken yet: the last few are held
  // back until the teardown shows whether they were the program's run-down.
  struct HeldPoint {
    ProcessPoint process;
    size_t changes = 0;  // its sites' values, in order in m_heldChanges
  };
  struct HeldChange {
    uint32_t site;
    double value;
  };
  // Snapshot points held back, and their sites' values at most (past that the oldest go).
  static constexpr size_t kHeldPoints = 16;
  static constexpr size_t kHeldChanges = size_t{1} << 20;

  // A site unchanged since its last point holds its live bytes (alloc) or made no call
  // (syscall): its series catches up with those only when it changes, or at the end, so a
  // snapshot costs O(changes), not O(sites).
  void catchUp(size_t site, uint64_t points);
  void closePoint();
  // The oldest held point joins the sites' series.
  void commitOldest();
  // At the teardown: the held points of the run-down are dropped, the rest committed.
  void endSeriesAtRunDown(double teardownS);
  // Every site's series up to the last point they take (the teardown's or the last one).
  void catchUpAll();
  // Halves every series while the stored values pass the point budget.
  void keepWithinPointBudget();

  Profile m_profile;
  std::shared_ptr<BucketMeans> m_times;  // the axis every site's series shares
  // The process's own series go on through the exit: an axis of their own.
  std::shared_ptr<BucketMeans> m_processTimes;
  std::vector<SiteState> m_state;   // by site id
  std::vector<uint32_t> m_changed;  // sites changed in the open point
  std::deque<HeldPoint> m_held;
  std::deque<HeldChange> m_heldChanges;
  ProfileLimits m_limits;
  size_t m_pointsPerSite;
  size_t m_frames = 0;
  size_t m_moduleBytes = 0;
  size_t m_storedValues = 0;
  bool m_pointOpen = false;
  uint64_t m_pointTimeNs = 0;
  uint64_t m_previousPointNs = 0;
  // After TEARDOWN the sites' series take no more points: they are the running program's.
  bool m_tornDown = false;
  uint64_t m_seriesPoints = 0;  // points the sites' series hold
  // The process at the first snapshot and at the last before the teardown: the RSS account.
  std::optional<ProcessPoint> m_firstPoint;
  std::optional<ProcessPoint> m_lastRunningPoint;
};

// Reads path and builds its profile; throws DumpError for a dump that cannot be trusted.
Profile buildProfile(const std::string& path, const ReadOptions& options = {},
                     size_t maxPointsPerSite = 1024, const ProfileLimits& limits = {});

}  // namespace slowburn::analyze
