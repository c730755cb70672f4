#include "read/profile.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace slowburn::analyze {
namespace {

constexpr double kNsPerSecond = 1e9;

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
  uint64_t fromNotes = 0;
  for (const Note& note : notes) {
    if (note.kind == format::NoteKind::DroppedEvents) fromNotes += note.count;
  }
  // END carries the run's total; notes may report the same losses as they happen.
  if (end) return std::max(end->droppedEvents, fromNotes);
  return fromNotes;
}

uint64_t liveBeforeExit(const Profile& profile, const SiteProfile& site) {
  if (!profile.teardownS || site.series.totalAdded() == 0) return site.liveBytes;
  return static_cast<uint64_t>(std::max(0.0, site.series.last()) + 0.5);
}

ProfileBuilder::ProfileBuilder(size_t maxPointsPerSite, ProfileLimits limits)
    : m_zeros(maxPointsPerSite), m_limits(limits), m_pointsPerSite(maxPointsPerSite) {
  m_profile.liveSeries = BoundedSeries(maxPointsPerSite);
  m_profile.rssSeries = BoundedSeries(maxPointsPerSite);
}

void ProfileBuilder::makeRoomForSite() {
  const size_t sites = m_profile.sites.size() + 1;
  while (sites * m_pointsPerSite > m_limits.pointBudget) {
    if (m_pointsPerSite / 2 < m_limits.minPointsPerSite) {
      throw DumpError("too many sites (" + std::to_string(sites) +
                      ") to analyse in bounded memory");
    }
    m_pointsPerSite /= 2;
    // Every series is rebuilt from its kept points the same way, so all keep sharing one
    // merge schedule; exact peaks are kept apart from the series.
    const auto shrink = [this](const BoundedSeries& from) {
      BoundedSeries to(m_pointsPerSite);
      for (const SeriesPoint& p : from.points()) to.add(p.t, p.v);
      return to;
    };
    m_zeros = shrink(m_zeros);
    for (SiteProfile& site : m_profile.sites) site.series = shrink(site.series);
  }
}

void ProfileBuilder::onHeader(const Header& header) { m_profile.header = header; }

void ProfileBuilder::onModule(const Module& module) { m_profile.modules.push_back(module); }

void ProfileBuilder::onSite(const Site& site) {
  m_frames += site.frames.size();
  if (m_frames > m_limits.frameBudget) {
    throw DumpError("too many stack frames to analyse in bounded memory");
  }
  makeRoomForSite();
  SiteProfile s;
  s.id = site.id;
  s.kind = site.kind;
  s.op = site.op;
  s.frames = site.frames;
  s.series = m_zeros;
  if (s.isMapping()) ++m_profile.mappingSites;
  m_profile.sites.push_back(std::move(s));
  m_pendingCalls.push_back(0);
}

void ProfileBuilder::onSnapshot(const Snapshot& snapshot) {
  // Several records with one time form one point: close the previous one first.
  if (m_pointOpen && snapshot.timeNs != m_pointTimeNs) closePoint();
  m_pointOpen = true;
  m_pointTimeNs = snapshot.timeNs;
  m_profile.rssEnd = snapshot.rssBytes;
  m_profile.peakRss = std::max(m_profile.peakRss, snapshot.rssBytes);
  m_profile.peakLiveBytes = std::max(m_profile.peakLiveBytes, snapshot.peakLiveBytes);

  for (const SiteChange& c : snapshot.changes) {
    SiteProfile& s = m_profile.sites[c.siteId];
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
      m_pendingCalls[c.siteId] += c.callsDelta;
    }
  }
}

void ProfileBuilder::closePoint() {
  const double t = static_cast<double>(m_pointTimeNs) / kNsPerSecond;
  const double interval = static_cast<double>(m_pointTimeNs - m_previousPointNs) / kNsPerSecond;
  // The process's own series go on through the exit: they show the teardown.
  m_profile.liveSeries.add(t, static_cast<double>(m_profile.liveBytesEnd));
  m_profile.rssSeries.add(t, static_cast<double>(m_profile.rssEnd));
  m_profile.peakLiveBytes = std::max(m_profile.peakLiveBytes, m_profile.liveBytesEnd);
  m_profile.peakMappedBytes = std::max(m_profile.peakMappedBytes, m_profile.mappedBytesEnd);
  m_profile.lastSnapshotS = t;
  ++m_profile.snapshotPoints;
  m_previousPointNs = m_pointTimeNs;
  m_pointOpen = false;
  if (m_tornDown) return;
  const ProcessPoint point{t, m_profile.rssEnd, m_profile.liveBytesEnd, m_profile.mappedBytesEnd};
  if (!m_firstPoint) m_firstPoint = point;
  m_lastRunningPoint = point;
  for (SiteProfile& s : m_profile.sites) {
    if (s.isAlloc()) {
      s.series.add(t, static_cast<double>(s.liveBytes));
      continue;
    }
    uint64_t& calls = m_pendingCalls[s.id];
    // A first snapshot at time 0 has no interval to be a rate over.
    const double rate = interval > 0 ? static_cast<double>(calls) / interval : 0.0;
    s.peakCallRate = std::max(s.peakCallRate, rate);
    s.series.add(t, rate);
    calls = 0;
  }
  m_zeros.add(t, 0.0);
}

void ProfileBuilder::onNote(const Note& note) { m_profile.notes.push_back(note); }

void ProfileBuilder::onEnd(const End& end) { m_profile.end = end; }

void ProfileBuilder::onTeardown(const Teardown& teardown) {
  // The snapshot at the same time is the last of the running program: close it now.
  if (m_pointOpen) closePoint();
  m_profile.teardownS = static_cast<double>(teardown.timeNs) / kNsPerSecond;
  m_tornDown = true;
}

Profile ProfileBuilder::finish(const ReadSummary& summary) {
  if (m_pointOpen) closePoint();
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
