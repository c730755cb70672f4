#pragma once
// Everything the analysis needs from one dump, built while the reader streams it: per-site
// counters and bounded time series. Memory and time are bounded by ProfileLimits whatever the
// dump holds: never O(snapshots), and never O(sites x snapshots) work.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "read/dump_reader.hpp"
#include "read/series.hpp"

namespace slowburn::analyze {

struct SiteProfile {
  uint32_t id = 0;
  format::SiteKind kind = format::SiteKind::Alloc;
  format::SyscallOp op = format::SyscallOp::None;
  std::vector<uint64_t> frames;  // innermost first, as recorded

  // Alloc sites: the live state at the last snapshot, and totals over the run.
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

  // One point per snapshot time: live bytes (alloc) or calls/s in the interval (syscall);
  // 0 before the site existed.
  SiteSeries series;

  bool isAlloc() const { return kind == format::SiteKind::Alloc; }
};

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
  ReadSummary read;

  uint64_t snapshotPoints = 0;  // distinct snapshot times
  double lastSnapshotS = 0;
  // Whole-process figures: live bytes summed over alloc sites, and the recorded RSS.
  uint64_t liveBytesEnd = 0;
  uint64_t peakLiveBytes = 0;
  uint64_t rssEnd = 0;
  uint64_t peakRss = 0;
  uint64_t allocs = 0;
  uint64_t frees = 0;

  // END's time when the process exited cleanly, else the last snapshot's.
  double durationS() const;
  // Events the recorder lost: END's count, or the NOTE records' when there is no END.
  uint64_t droppedEvents() const;
  // A clean exit runs static destructors (a global cache freed by its vector's destructor)
  // in the last moments: snapshots after this time (two intervals before END) may show that
  // teardown rather than the running program. +infinity when the process did not exit.
  double exitTeardownStartS() const;
};

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

  // Closes the last snapshot point and hands over the profile.
  Profile finish(const ReadSummary& summary);

 private:
  // What the builder knows of a site beyond its profile.
  struct SiteState {
    uint64_t observed = 0;        // snapshot points its series holds
    uint64_t pendingCalls = 0;    // syscall sites: calls counted in the open point
    uint64_t changedAtPoint = 0;  // 1 + the open point's index when it changed there
  };

  // A site unchanged since its last point holds its live bytes (alloc) or made no call
  // (syscall): its series catches up with those only when it changes, or at the end, so a
  // snapshot costs O(changes), not O(sites).
  void catchUp(size_t site, uint64_t points);
  void closePoint();
  // Halves every series while the stored values pass the point budget.
  void keepWithinPointBudget();

  Profile m_profile;
  std::shared_ptr<BucketMeans> m_times;  // the axis every site's series shares
  std::vector<SiteState> m_state;        // by site id
  std::vector<uint32_t> m_changed;       // sites changed in the open point
  ProfileLimits m_limits;
  size_t m_pointsPerSite;
  size_t m_frames = 0;
  size_t m_moduleBytes = 0;
  size_t m_storedValues = 0;
  bool m_pointOpen = false;
  uint64_t m_pointTimeNs = 0;
  uint64_t m_previousPointNs = 0;
};

// Reads path and builds its profile; throws DumpError for a dump that cannot be trusted.
Profile buildProfile(const std::string& path, const ReadOptions& options = {},
                     size_t maxPointsPerSite = 1024, const ProfileLimits& limits = {});

}  // namespace slowburn::analyze
