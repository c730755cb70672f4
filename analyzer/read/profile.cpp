#include "read/profile.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "read/run_down.hpp"

namespace slowburn::analyze {
namespace {

constexpr double kNsPerSecond = 1e9;

// One line for a dump past what the analyzer holds in bounded memory.
[[noreturn]] void refuse(const std::string& what, size_t limit) {
  throw DumpError(what + " (the analyzer's limit is " + std::to_string(limit) +
                  ", so that any dump is analysed in bounded memory)");
}

}  // namespace

const char* kindName(format::SiteKind kind) {
  switch (kind) {
    case format::SiteKind::Alloc: return "alloc";
    case format::SiteKind::Syscall: return "syscall";
    case format::SiteKind::Mmap: return "mmap";
  }
  return "unknown";
}

double Profile::durationS() const {
  if (end) return static_cast<double>(end->timeNs) / kNsPerSecond;
  return lastSnapshotS;
}

uint64_t Profile::droppedEvents() const {
  // END carries the run's total; notes may report the same losses as they happen.
  if (end) return std::max(end->droppedEvents, droppedInNotes);
  return droppedInNotes;
}

uint64_t liveBeforeExit(const Profile& profile, const SiteProfile& site) {
  if (!profile.teardownS || site.series.totalAdded() == 0) return site.liveBytes;
  return static_cast<uint64_t>(std::max(0.0, site.series.last()) + 0.5);
}

ProfileBuilder::ProfileBuilder(size_t maxPointsPerSite, ProfileLimits limits)
    : m_times(std::make_shared<BucketMeans>(maxPointsPerSite)),
      m_processTimes(std::make_shared<BucketMeans>(maxPointsPerSite)),
      m_limits(limits),
      m_pointsPerSite(maxPointsPerSite) {
  m_profile.liveSeries = {m_processTimes, BucketMeans(maxPointsPerSite)};
  m_profile.rssSeries = {m_processTimes, BucketMeans(maxPointsPerSite)};
}

void ProfileBuilder::onHeader(const Header& header) { m_profile.header = header; }

void ProfileBuilder::onModule(const Module& module) {
  m_moduleBytes += module.path.size() + module.buildId.size();
  if (m_moduleBytes > m_limits.moduleBytes) {
    refuse("the MODULE records hold more path bytes than the analyzer accepts",
           m_limits.moduleBytes);
  }
  m_profile.modules.push_back(module);
}

void ProfileBuilder::onSite(const Site& site) {
  if (m_profile.sites.size() == m_limits.maxSites) {
    refuse("the dump has more sites than the analyzer accepts", m_limits.maxSites);
  }
  m_frames += site.frames.size();
  if (m_frames > m_limits.frameBudget) {
    refuse("the dump's stacks hold more frames than the analyzer accepts", m_limits.frameBudget);
  }
  SiteProfile s;
  s.id = site.id;
  s.kind = site.kind;
  s.op = site.op;
  s.frames = site.frames;
  s.series.times = m_times;
  s.series.values = BucketMeans(m_pointsPerSite);
  if (s.isMapping()) ++m_profile.mappingSites;
  m_profile.sites.push_back(std::move(s));
  m_state.emplace_back();
}

void ProfileBuilder::catchUp(size_t site, uint64_t points) {
  SiteState& state = m_state[site];
  if (state.observed >= points) return;
  SiteProfile& s = m_profile.sites[site];
  BucketMeans& values = s.series.values;
  const size_t before = values.storedValues();
  // The last value its series took: what it held at its last committed point.
  values.addRepeated(s.isAlloc() ? values.last() : 0.0, points - state.observed);
  m_storedValues = m_storedValues - before + values.storedValues();
  state.observed = points;
}

void ProfileBuilder::onSnapshot(const Snapshot& snapshot) {
  // Several records with one time form one point: close the previous one first.
  if (m_pointOpen && snapshot.timeNs != m_pointTimeNs) closePoint();
  m_pointOpen = true;
  m_pointTimeNs = snapshot.timeNs;
  m_profile.rssEnd = snapshot.rssBytes;
  m_profile.peakRss = std::max(m_profile.peakRss, snapshot.rssBytes);
  m_profile.peakLiveBytes = std::max(m_profile.peakLiveBytes, snapshot.peakLiveBytes);

  const uint64_t point = m_profile.snapshotPoints;
  for (const SiteChange& c : snapshot.changes) {
    SiteProfile& s = m_profile.sites[c.siteId];
    SiteState& state = m_state[c.siteId];
    if (!m_tornDown && state.changedAtPoint != point + 1) {
      state.changedAtPoint = point + 1;
      m_changed.push_back(c.siteId);
    }
    if (s.isAlloc()) {
      uint64_t& total = s.isMapping() ? m_profile.mappedBytesEnd : m_profile.liveBytesEnd;
      total += c.liveBytes;
      total -= s.liveBytes;
      s.liveBytes = c.liveBytes;
      s.liveCount = c.liveCount;
      // The dump's peak covers the whole interval, spikes between snapshots included.
      s.peakLiveBytes = std::max(s.peakLiveBytes, c.peakBytes);
      s.peakLiveCount = std::max(s.peakLiveCount, c.liveCount);
      s.allocs += c.allocsDelta;
      s.frees += c.freesDelta;
      if (s.isMapping()) continue;  // the totals are the heap's
      m_profile.allocs += c.allocsDelta;
      m_profile.frees += c.freesDelta;
    } else {
      s.calls += c.callsDelta;
      s.bytes += c.bytesDelta;
      state.pendingCalls += c.callsDelta;
    }
  }
}

void ProfileBuilder::closePoint() {
  const double t = static_cast<double>(m_pointTimeNs) / kNsPerSecond;
  const double interval = static_cast<double>(m_pointTimeNs - m_previousPointNs) / kNsPerSecond;
  const uint64_t point = m_profile.snapshotPoints;
  m_profile.peakLiveBytes = std::max(m_profile.peakLiveBytes, m_profile.liveBytesEnd);
  m_profile.peakMappedBytes = std::max(m_profile.peakMappedBytes, m_profile.mappedBytesEnd);
  m_profile.lastSnapshotS = t;
  m_profile.snapshotPoints = point + 1;
  m_previousPointNs = m_pointTimeNs;
  m_pointOpen = false;
  m_processTimes->add(t);
  m_profile.liveSeries.values.add(static_cast<double>(m_profile.liveBytesEnd));
  m_profile.rssSeries.values.add(static_cast<double>(m_profile.rssEnd));
  if (m_tornDown) return;
  HeldPoint held{{t, m_profile.rssEnd, m_profile.liveBytesEnd, m_profile.mappedBytesEnd},
                 m_changed.size()};
  for (const uint32_t site : m_changed) {
    SiteProfile& s = m_profile.sites[site];
    SiteState& state = m_state[site];
    double value = static_cast<double>(s.liveBytes);
    if (!s.isAlloc()) {
      // A first snapshot at time 0 has no interval to be a rate over.
      value = interval > 0 ? static_cast<double>(state.pendingCalls) / interval : 0.0;
      s.peakCallRate = std::max(s.peakCallRate, value);
      state.pendingCalls = 0;
    }
    m_heldChanges.push_back({site, value});
  }
  m_changed.clear();
  m_held.push_back(held);
  while (m_held.size() > kHeldPoints || m_heldChanges.size() > kHeldChanges) commitOldest();
}

void ProfileBuilder::commitOldest() {
  const HeldPoint held = m_held.front();
  m_held.pop_front();
  const uint64_t point = m_seriesPoints;
  if (!m_firstPoint) m_firstPoint = held.process;
  m_lastRunningPoint = held.process;
  m_times->add(held.process.t);
  for (size_t k = 0; k < held.changes; ++k) {
    const HeldChange change = m_heldChanges.front();
    m_heldChanges.pop_front();
    SiteProfile& s = m_profile.sites[change.site];
    SiteState& state = m_state[change.site];
    // Its points before this one hold what it held before this change.
    catchUp(change.site, point);
    const size_t before = s.series.values.storedValues();
    s.series.values.add(change.value);
    m_storedValues = m_storedValues - before + s.series.values.storedValues();
    state.observed = point + 1;
  }
  m_seriesPoints = point + 1;
  keepWithinPointBudget();
}

void ProfileBuilder::endSeriesAtRunDown(double teardownS) {
  // The heap at the last committed point leads: a run-down may begin there.
  std::vector<uint64_t> heaps;
  heaps.reserve(m_held.size() + 1);
  if (m_lastRunningPoint) heaps.push_back(m_lastRunningPoint->heap);
  for (const HeldPoint& held : m_held) heaps.push_back(held.process.heap);
  const size_t runDown = runDownSnapshots(heaps);
  while (m_held.size() > runDown) commitOldest();
  m_held.clear();
  m_heldChanges.clear();
  m_profile.teardownS = runDown > 0 ? m_lastRunningPoint->t : teardownS;
}

void ProfileBuilder::keepWithinPointBudget() {
  while (m_storedValues > m_limits.pointBudget) {
    if (m_pointsPerSite / 2 < m_limits.minPointsPerSite) {
      refuse("the sites' series need more points than the analyzer keeps", m_limits.pointBudget);
    }
    // Every series halves alike, so the buckets of all of them still line up.
    m_pointsPerSite /= 2;
    m_times->setMaxPoints(m_pointsPerSite);
    m_processTimes->setMaxPoints(m_pointsPerSite);
    m_profile.liveSeries.values.setMaxPoints(m_pointsPerSite);
    m_profile.rssSeries.values.setMaxPoints(m_pointsPerSite);
    m_storedValues = 0;
    for (SiteProfile& s : m_profile.sites) {
      s.series.values.setMaxPoints(m_pointsPerSite);
      m_storedValues += s.series.values.storedValues();
    }
  }
}

void ProfileBuilder::onNote(const Note& note) {
  if (note.kind == format::NoteKind::DroppedEvents) {
    const uint64_t room = std::numeric_limits<uint64_t>::max() - m_profile.droppedInNotes;
    m_profile.droppedInNotes += std::min(note.count, room);
  }
  if (m_profile.notes.size() < m_limits.notesKept) {
    m_profile.notes.push_back(note);
  } else {
    ++m_profile.notesLeftOut;
  }
}

void ProfileBuilder::onEnd(const End& end) { m_profile.end = end; }

void ProfileBuilder::onTeardown(const Teardown& teardown) {
  // The snapshot at the same time is the last of the running program: close it now, and
  // every series ends there.
  if (m_pointOpen) closePoint();
  if (m_tornDown) return;
  endSeriesAtRunDown(static_cast<double>(teardown.timeNs) / kNsPerSecond);
  catchUpAll();
  m_tornDown = true;
}

void ProfileBuilder::catchUpAll() {
  for (size_t site = 0; site < m_profile.sites.size(); ++site) catchUp(site, m_seriesPoints);
  keepWithinPointBudget();
}

ProfileBuilder ProfileBuilder::clone() const {
  ProfileBuilder copy(*this);
  copy.m_times = std::make_shared<BucketMeans>(*m_times);
  copy.m_processTimes = std::make_shared<BucketMeans>(*m_processTimes);
  for (SiteProfile& s : copy.m_profile.sites) s.series.times = copy.m_times;
  copy.m_profile.liveSeries.times = copy.m_processTimes;
  copy.m_profile.rssSeries.times = copy.m_processTimes;
  return copy;
}

Profile ProfileBuilder::finish(const ReadSummary& summary) {
  if (m_pointOpen) closePoint();
  while (!m_held.empty()) commitOldest();  // no teardown: the program ran to the end
  catchUpAll();
  m_profile.read = summary;
  // RSS against tracked growth while the program ran: the exit teardown frees every global
  // container while RSS stays where it was.
  if (m_firstPoint && m_lastRunningPoint && m_lastRunningPoint->t > m_firstPoint->t) {
    m_profile.rssAccount = accountRss(*m_firstPoint, *m_lastRunningPoint);
  }
  return std::move(m_profile);
}

Profile buildProfile(const std::string& path, const ReadOptions& options, size_t maxPointsPerSite,
                     const ProfileLimits& limits) {
  ProfileBuilder builder(maxPointsPerSite, limits);
  const ReadSummary summary = readDump(path, builder, options);
  return builder.finish(summary);
}

}  // namespace slowburn::analyze
