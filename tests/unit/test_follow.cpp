// The dump follower and the live profile `slowburn watch` ranks: a dump read as it grows.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "read/dump_reader.hpp"
#include "read/live_profile.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::NoteKind;
using format::SiteKind;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;

// A file a test appends to, as a process streams its dump.
class GrowingFile {
 public:
  explicit GrowingFile(const std::string& name) : m_path(::testing::TempDir() + name) {
    std::remove(m_path.c_str());
    testing::writeFile(m_path, {});
  }
  ~GrowingFile() { std::remove(m_path.c_str()); }
  void append(const uint8_t* data, size_t n) {
    std::FILE* f = std::fopen(m_path.c_str(), "ab");
    ASSERT_NE(f, nullptr);
    if (n > 0) std::fwrite(data, 1, n, f);
    std::fclose(f);
  }
  void append(const std::vector<uint8_t>& bytes) { append(bytes.data(), bytes.size()); }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

TEST(DumpFollower, WaitsOutAnEmptyFileAndARecordCutShort) {
  // given a file the process has only created
  GrowingFile file("follow_torn.sb");
  SyntheticDump d;
  d.header().site(0, SiteKind::Alloc, {0x1000});
  const size_t siteEnd = d.size();
  d.snapshot(100 * kMs, 0, {{0, 64, 1, 1, 0}});
  const std::vector<uint8_t> all = d.bytes();
  LiveProfile profile;
  DumpFollower follower(file.path(), profile);
  // when it is followed before anything was written, then with the last record cut short
  EXPECT_EQ(follower.poll(), 0u);
  EXPECT_FALSE(follower.started());
  file.append(all.data(), all.size() - 5);
  // then the whole records are read and the cut one waits for its end
  EXPECT_EQ(follower.poll(), 2u);  // HEADER, SITE
  EXPECT_TRUE(follower.started());
  EXPECT_EQ(follower.summary().bytes, siteEnd);
  EXPECT_EQ(profile.snapshots(), 0u);
  file.append(all.data() + all.size() - 5, 5);
  EXPECT_EQ(follower.poll(), 1u);
  EXPECT_EQ(profile.snapshots(), 1u);
  EXPECT_FALSE(follower.ended());
  // and END ends it
  SyntheticDump tail;
  tail.end(150 * kMs);
  const std::vector<uint8_t> end = tail.bytes();
  file.append(end.data() + format::kPreambleBytes, end.size() - format::kPreambleBytes);
  EXPECT_EQ(follower.poll(), 1u);
  EXPECT_TRUE(follower.ended());
  EXPECT_EQ(profile.current(follower.summary()).sites[0].liveBytes, 64u);
}

TEST(DumpFollower, ReadsEachRecordOnceInTheOrderWritten) {
  // given a dump appended to snapshot by snapshot
  GrowingFile file("follow_once.sb");
  SyntheticDump d;
  d.header().site(0, SiteKind::Alloc, {0x1000});
  file.append(d.take());
  LiveProfile profile;
  DumpFollower follower(file.path(), profile);
  EXPECT_EQ(follower.poll(), 2u);
  for (uint64_t i = 1; i <= 50; ++i) {
    d.snapshot(i * 100 * kMs, 0, {{0, i * 100, i, 0, 0}});
    file.append(d.take());
    // when it is polled after each one
    EXPECT_EQ(follower.poll(), 1u);
  }
  // then the profile is the one a single read of the whole file makes
  const Profile live = profile.current(follower.summary());
  const Profile whole = buildProfile(file.path());
  EXPECT_EQ(live.snapshotPoints, whole.snapshotPoints);
  EXPECT_EQ(live.sites[0].liveBytes, 5000u);
  EXPECT_EQ(live.sites[0].series.points().size(), whole.sites[0].series.points().size());
  EXPECT_EQ(profile.snapshots(), 50u);
}

TEST(DumpFollower, RefusesCorruptionAndAShrinkingFile) {
  GrowingFile file("follow_bad.sb");
  SyntheticDump d;
  d.header().site(0, SiteKind::Alloc, {0x1000});
  file.append(d.bytes());
  LiveProfile profile;
  DumpFollower follower(file.path(), profile);
  EXPECT_EQ(follower.poll(), 2u);
  // a whole record with a wrong checksum is no torn tail
  std::vector<uint8_t> garbage = {
      static_cast<uint8_t>(format::Tag::Note), 3, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef};
  file.append(garbage);
  EXPECT_THROW(follower.poll(), DumpError);

  GrowingFile shrinking("follow_shrink.sb");
  shrinking.append(d.bytes());
  DumpFollower second(shrinking.path(), profile);
  EXPECT_EQ(second.poll(), 2u);
  testing::writeFile(shrinking.path(), {d.bytes().begin(), d.bytes().begin() + 10});
  EXPECT_THROW(second.poll(), DumpError);
}

TEST(LiveProfile, KeepsRepeatedNotesOnceAndCountsTheLosses) {
  // given a recorder that reports lost events every interval, and many distinct notes
  SyntheticDump d;
  d.header().site(0, SiteKind::Alloc, {0x1000});
  for (uint64_t i = 1; i <= 2000; ++i) {
    d.snapshot(i * 100 * kMs, 0, {{0, i, 1, 0, 0}});
    d.note(NoteKind::DroppedEvents, 3, "events lost");
  }
  for (int i = 0; i < 100; ++i) d.note(NoteKind::Info, 0, "info " + std::to_string(i));
  LiveProfile profile;
  const ReadSummary summary = readDumpBytes(d.bytes().data(), d.size(), profile);
  // then the profile keeps a bounded number of notes, and the losses are all counted
  const Profile p = profile.current(summary);
  EXPECT_LE(p.notes.size(), LiveProfile::kMaxKeptNotes);
  EXPECT_EQ(p.notes.front().text, "events lost");
  EXPECT_EQ(profile.droppedEvents(), 6000u);
  EXPECT_EQ(profile.snapshots(), 2000u);
}

TEST(LiveProfile, RankingBetweenTwoRecordsOfOneSnapshotLeavesItsPointOpen) {
  // given a snapshot split over two records, and a ranking taken between them
  GrowingFile file("follow_split.sb");
  SyntheticDump d;
  d.header().site(0, SiteKind::Alloc, {0x1000}).site(1, SiteKind::Alloc, {0x2000});
  d.snapshot(100 * kMs, 0, {{0, 10, 1, 1, 0}});
  file.append(d.take());
  LiveProfile profile;
  DumpFollower follower(file.path(), profile);
  follower.poll();
  EXPECT_EQ(profile.current(follower.summary()).snapshotPoints, 1u);
  // when the second record arrives
  d.snapshot(100 * kMs, 0, {{1, 20, 1, 1, 0}});
  file.append(d.take());
  follower.poll();
  // then both halves still form one point
  const Profile p = profile.current(follower.summary());
  EXPECT_EQ(p.snapshotPoints, 1u);
  EXPECT_EQ(p.sites[0].series.points().back().v, 10);
  EXPECT_EQ(p.sites[1].series.points().back().v, 20);
}

TEST(LiveProfile, RankingAfterEverySnapshotLeavesTheSeriesAsAWholeReadDoes) {
  // given a dump followed snapshot by snapshot, ranked after each, up to a clean exit
  GrowingFile file("follow_every.sb");
  SyntheticDump d;
  d.header().site(0, SiteKind::Alloc, {0x1000}).site(1, SiteKind::Alloc, {0x2000});
  file.append(d.take());
  LiveProfile profile;
  DumpFollower follower(file.path(), profile);
  for (uint64_t i = 1; i <= 40; ++i) {
    d.snapshot(i * 100 * kMs, 0, {{0, i * 1000, i, 1, 0}, {1, 500 + i % 3, 1, 1, 1}});
    if (i == 40) d.teardown(i * 100 * kMs);
    file.append(d.take());
    follower.poll();
    (void)profile.current(follower.summary());
  }
  // then its profile has the same points as the whole dump read at once
  const Profile live = profile.current(follower.summary());
  const Profile whole = buildProfile(file.path());
  for (size_t site = 0; site < 2; ++site) {
    const std::vector<SeriesPoint> a = live.sites[site].series.points();
    const std::vector<SeriesPoint> b = whole.sites[site].series.points();
    ASSERT_EQ(a.size(), b.size()) << site;
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_DOUBLE_EQ(a[k].t, b[k].t) << site << " " << k;
      EXPECT_DOUBLE_EQ(a[k].v, b[k].v) << site << " " << k;
    }
  }
  EXPECT_EQ(live.teardownS, whole.teardownS);
  EXPECT_EQ(live.liveSeries.values.observations(), whole.liveSeries.values.observations());
}

}  // namespace
}  // namespace slowburn::analyze
