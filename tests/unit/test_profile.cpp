#include <gtest/gtest.h>

#include <chrono>

#include "rank/correlate.hpp"
#include "read/profile.hpp"
#include "read/run_down.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::SiteKind;
using format::SyscallOp;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;

Profile profileOf(const SyntheticDump& dump, size_t maxPoints = 1024) {
  ProfileBuilder builder(maxPoints);
  const ReadSummary summary = readDumpBytes(dump.bytes().data(), dump.size(), builder);
  return builder.finish(summary);
}

std::vector<double> values(const SiteProfile& s) {
  std::vector<double> v;
  for (const SeriesPoint& p : s.series.points()) v.push_back(p.v);
  return v;
}

TEST(Profile, UnchangedSitesKeepTheirValueAtEverySnapshot) {
  // given two alloc sites, the second changing only once
  SyntheticDump dump;
  dump.header().site(0, SiteKind::Alloc, {0x1000}).site(1, SiteKind::Alloc, {0x2000});
  dump.snapshot(100 * kMs, 0, {{0, 100, 1, 1, 0}, {1, 7, 1, 1, 0}});
  dump.snapshot(200 * kMs, 0, {{0, 200, 2, 1, 0}});
  dump.snapshot(300 * kMs, 0, {{0, 300, 3, 1, 0}});
  // when it is profiled
  const Profile p = profileOf(dump);
  // then every site has a point at every snapshot time
  ASSERT_EQ(p.sites.size(), 2u);
  EXPECT_EQ(values(p.sites[0]), (std::vector<double>{100, 200, 300}));
  EXPECT_EQ(values(p.sites[1]), (std::vector<double>{7, 7, 7}));
  EXPECT_DOUBLE_EQ(p.sites[1].series.points()[2].t, 0.3);
  EXPECT_EQ(p.snapshotPoints, 3u);
  EXPECT_EQ(p.sites[0].allocs, 3u);
  EXPECT_EQ(p.liveBytesEnd, 307u);
  EXPECT_EQ(p.peakLiveBytes, 307u);
}

TEST(RunDown, IsTheFinalFallOfTheHeapToHalfOrLess) {
  const auto runDown = [](std::vector<uint64_t> heaps) { return runDownSnapshots(heaps); };
  EXPECT_EQ(runDown({}), 0u);
  EXPECT_EQ(runDown({100}), 0u);
  EXPECT_EQ(runDown({100, 200, 300, 10}), 1u);       // main's locals, in one interval
  EXPECT_EQ(runDown({100, 300, 220, 120, 40}), 3u);  // a big cache, over three
  EXPECT_EQ(runDown({100, 300, 290, 140}), 1u);      // a slow ebb before it is not part of it
  EXPECT_EQ(runDown({100, 300, 200}), 0u);           // fell by a third: the program's own
  EXPECT_EQ(runDown({100, 300, 300}), 0u);
  EXPECT_EQ(runDown({100, 300, 400}), 0u);
  EXPECT_EQ(runDown({0, 0}), 0u);
}

Profile leakThenRunDown(bool teardown) {
  // given a leak that grows for 2 s, then main's locals freed in the last interval
  SyntheticDump dump;
  dump.header().site(0, SiteKind::Alloc, {0x1000}).site(1, SiteKind::Alloc, {0x2000});
  for (uint64_t i = 1; i <= 20; ++i) dump.snapshot(i * 100 * kMs, 0, {{0, i * 1000, i, i, 0}});
  dump.snapshot(2100 * kMs, 0, {{0, 0, 0, 20, 20}, {1, 64, 1, 1, 0}});
  if (teardown) dump.teardown(2100 * kMs);
  return profileOf(dump);
}

TEST(Profile, SeriesEndWhereTheRunDownBeforeACleanExitBegan) {
  // when main returned (TEARDOWN) after the heap fell to nothing
  const Profile p = leakThenRunDown(true);
  // then the series stop at the last snapshot before the fall, which the teardown marks
  ASSERT_EQ(p.sites[0].series.size(), 20u);
  EXPECT_EQ(values(p.sites[0]).back(), 20000);
  EXPECT_EQ(values(p.sites[1]), std::vector<double>(20, 0.0));
  ASSERT_TRUE(p.teardownS);
  EXPECT_DOUBLE_EQ(*p.teardownS, 2.0);
  EXPECT_EQ(liveBeforeExit(p, p.sites[0]), 20000u);
  // while the counters and the process's own series go on to the end
  EXPECT_EQ(p.sites[0].liveBytes, 0u);
  EXPECT_EQ(p.sites[0].frees, 20u);
  EXPECT_EQ(p.snapshotPoints, 21u);
  EXPECT_EQ(p.liveSeries.values.last(), 64);
  ASSERT_TRUE(p.rssAccount);
  EXPECT_DOUBLE_EQ(p.rssAccount->toS, 2.0);
}

TEST(Profile, AKilledRunKeepsItsLastFall) {
  // when the same fall ends a run that never reached a clean exit
  const Profile p = leakThenRunDown(false);
  // then it is the program's own, and kept
  EXPECT_EQ(p.sites[0].series.size(), 21u);
  EXPECT_EQ(values(p.sites[0]).back(), 0);
  EXPECT_FALSE(p.teardownS);
}

TEST(Profile, ATeardownAfterNoRunDownKeepsItsSnapshot) {
  SyntheticDump dump;
  dump.header().site(0, SiteKind::Alloc, {0x1000});
  for (uint64_t i = 1; i <= 10; ++i) dump.snapshot(i * 100 * kMs, 0, {{0, i * 1000, i, 0, 0}});
  dump.snapshot(1050 * kMs, 0, {{0, 10500, 11, 1, 1}}).teardown(1050 * kMs);
  dump.snapshot(1100 * kMs, 0, {{0, 0, 0, 0, 11}}).end(1100 * kMs);
  const Profile p = profileOf(dump);
  EXPECT_EQ(p.sites[0].series.size(), 11u);
  EXPECT_EQ(values(p.sites[0]).back(), 10500);
  EXPECT_DOUBLE_EQ(*p.teardownS, 1.05);
}

TEST(Profile, RecordsWithOneTimeFormOnePoint) {
  // given a snapshot split over two records with the same time
  SyntheticDump dump;
  dump.header().site(0, SiteKind::Alloc, {0x1000}).site(1, SiteKind::Alloc, {0x2000});
  dump.snapshot(100 * kMs, 0, {{0, 10, 1, 1, 0}});
  dump.snapshot(100 * kMs, 0, {{1, 20, 1, 1, 0}});
  dump.snapshot(200 * kMs, 0, {{0, 30, 2, 1, 0}});
  const Profile p = profileOf(dump);
  // then they count once and both halves land in the same point
  EXPECT_EQ(p.snapshotPoints, 2u);
  EXPECT_EQ(values(p.sites[0]), (std::vector<double>{10, 30}));
  EXPECT_EQ(values(p.sites[1]), (std::vector<double>{20, 20}));
}

TEST(Profile, SiteFirstSeenLateIsZeroBefore) {
  SyntheticDump dump;
  dump.header().site(0, SiteKind::Alloc, {0x1000});
  dump.snapshot(100 * kMs, 0, {{0, 10, 1, 1, 0}});
  dump.snapshot(200 * kMs, 0, {});
  dump.site(1, SiteKind::Alloc, {0x2000});
  dump.snapshot(300 * kMs, 0, {{1, 5000, 1, 1, 0}});
  const Profile p = profileOf(dump);
  EXPECT_EQ(values(p.sites[1]), (std::vector<double>{0, 0, 5000}));
  EXPECT_EQ(p.sites[1].series.points().size(), p.sites[0].series.points().size());
}

TEST(Profile, PeaksAndTotalsFollowTheExactValues) {
  SyntheticDump dump;
  dump.header().site(0, SiteKind::Alloc, {0x1000}).site(1, SiteKind::Alloc, {0x2000});
  dump.snapshot(100 * kMs, 0, {{0, 1000, 10, 10, 0}, {1, 500, 1, 1, 0}});
  dump.snapshot(200 * kMs, 4096, {{0, 100, 1, 0, 9}});
  dump.snapshot(300 * kMs, 8192, {{1, 0, 0, 0, 1}});
  const Profile p = profileOf(dump);
  EXPECT_EQ(p.sites[0].peakLiveBytes, 1000u);
  EXPECT_EQ(p.sites[0].peakLiveCount, 10u);
  EXPECT_EQ(p.sites[0].liveBytes, 100u);
  EXPECT_EQ(p.sites[0].frees, 9u);
  EXPECT_EQ(p.peakLiveBytes, 1500u);
  EXPECT_EQ(p.liveBytesEnd, 100u);
  EXPECT_EQ(p.allocs, 11u);
  EXPECT_EQ(p.frees, 10u);
  EXPECT_EQ(p.rssEnd, 8192u);
  EXPECT_EQ(p.peakRss, 8192u);
}

TEST(Profile, SyscallSeriesIsTheCallRatePerInterval) {
  // given a read site called 10 times in the first 100 ms and 40 in the next 200 ms
  SyntheticDump dump;
  dump.header().site(0, SiteKind::Syscall, {0x3000}, SyscallOp::Read);
  dump.snapshot(100 * kMs, 0, {}, {{0, 10, 10240}});
  dump.snapshot(300 * kMs, 0, {}, {{0, 40, 40960}});
  dump.snapshot(400 * kMs, 0, {}, {});
  const Profile p = profileOf(dump);
  const SiteProfile& s = p.sites[0];
  EXPECT_FALSE(s.isAlloc());
  EXPECT_EQ(s.calls, 50u);
  EXPECT_EQ(s.bytes, 51200u);
  ASSERT_EQ(s.series.points().size(), 3u);
  EXPECT_DOUBLE_EQ(s.series.points()[0].v, 100.0);
  EXPECT_DOUBLE_EQ(s.series.points()[1].v, 200.0);
  EXPECT_DOUBLE_EQ(s.series.points()[2].v, 0.0);
  EXPECT_DOUBLE_EQ(s.peakCallRate, 200.0);
}

TEST(Profile, DurationComesFromEndOrTheLastSnapshot) {
  SyntheticDump clean;
  clean.header().site(0, SiteKind::Alloc, {0x1000});
  clean.snapshot(100 * kMs, 0, {{0, 1, 1, 1, 0}}).end(2500 * kMs, 7);
  const Profile p = profileOf(clean);
  EXPECT_DOUBLE_EQ(p.durationS(), 2.5);
  EXPECT_EQ(p.droppedEvents(), 7u);

  SyntheticDump killed;
  killed.header().site(0, SiteKind::Alloc, {0x1000});
  killed.snapshot(100 * kMs, 0, {{0, 1, 1, 1, 0}}).snapshot(1700 * kMs, 0, {});
  killed.note(format::NoteKind::DroppedEvents, 3, "ring full")
      .note(format::NoteKind::DroppedEvents, 4, "ring full");
  const Profile k = profileOf(killed);
  EXPECT_FALSE(k.end.has_value());
  EXPECT_DOUBLE_EQ(k.durationS(), 1.7);
  EXPECT_EQ(k.droppedEvents(), 7u);
}

TEST(Profile, MemoryIsBoundedByKeptPointsNotSnapshots) {
  // given many more snapshots than points kept per site
  SyntheticDump dump;
  dump.header()
      .site(0, SiteKind::Alloc, {0x1000})
      .site(1, SiteKind::Syscall, {0x2000}, SyscallOp::Write);
  constexpr uint64_t kSnapshots = 400;
  for (uint64_t i = 1; i <= kSnapshots; ++i) {
    dump.snapshot(i * 10 * kMs, 0, {{0, i * 48, i, 1, 0}}, {{1, 1, 8}});
  }
  const Profile p = profileOf(dump, 16);
  // then each series keeps at most 16 points yet saw every snapshot, and the shape holds
  for (const SiteProfile& s : p.sites) {
    EXPECT_LE(s.series.points().size(), 16u);
    EXPECT_EQ(s.series.totalAdded(), kSnapshots);
  }
  const auto& pts = p.sites[0].series.points();
  for (size_t i = 1; i < pts.size(); ++i) EXPECT_GT(pts[i].v, pts[i - 1].v);
  EXPECT_EQ(p.sites[0].peakLiveBytes, kSnapshots * 48);
  EXPECT_EQ(p.snapshotPoints, kSnapshots);
}

// Twelve alloc sites whose live bytes change at every one of 40 snapshots.
SyntheticDump wanderingSites(uint32_t sites, uint64_t snapshots) {
  SyntheticDump dump;
  dump.header();
  for (uint32_t id = 0; id < sites; ++id) dump.site(id, SiteKind::Alloc, {0x1000 + id});
  for (uint64_t i = 1; i <= snapshots; ++i) {
    std::vector<testing::AllocChange> changes;
    for (uint32_t id = 0; id < sites; ++id) changes.push_back({id, i * (id + 1) + i % 3, 1, 1, 0});
    dump.snapshot(i * 10 * kMs, 0, changes);
  }
  return dump;
}

Profile profileWithin(const SyntheticDump& dump, size_t maxPoints, const ProfileLimits& limits) {
  ProfileBuilder builder(maxPoints, limits);
  return builder.finish(readDumpBytes(dump.bytes().data(), dump.size(), builder));
}

TEST(Profile, SeriesHalveAlikeWhenTheirValuesPassTheBudget) {
  // given a budget of 64 stored values and twelve sites that want 16 each
  ProfileLimits limits;
  limits.pointBudget = 64;
  limits.minPointsPerSite = 4;
  // when profiled
  const Profile p = profileWithin(wanderingSites(12, 40), 16, limits);
  // then twelve sites fit by halving to 4 points each, on one shared time base
  size_t stored = 0;
  for (const SiteProfile& s : p.sites) {
    const std::vector<SeriesPoint> points = s.series.points();
    EXPECT_LE(points.size(), 4u);
    EXPECT_EQ(points.size(), p.sites[0].series.size());
    EXPECT_DOUBLE_EQ(points.back().t, p.sites[0].series.points().back().t);
    EXPECT_GT(points.back().v, points.front().v);
    EXPECT_EQ(s.series.totalAdded(), 40u);
    stored += s.series.values.storedValues();
  }
  EXPECT_LE(stored, limits.pointBudget);
  EXPECT_EQ(p.sites[11].peakLiveBytes, 40u * 12 + 1);
}

TEST(Profile, SitesThatSettleKeepEveryPointWithinASmallBudget) {
  // given sites that allocate once and hold it, more of them than the budget's values
  ProfileLimits limits;
  limits.pointBudget = 200;
  SyntheticDump dump;
  dump.header();
  for (uint32_t id = 0; id < 200; ++id) dump.site(id, SiteKind::Alloc, {0x1000 + id});
  for (uint64_t i = 1; i <= 30; ++i) {
    std::vector<testing::AllocChange> changes;
    if (i <= 20) changes.push_back({uint32_t(i * 9), 4096, 1, 1, 0});
    dump.snapshot(i * 10 * kMs, 0, changes);
  }
  // then their series are leading zeros and a trailing run: nothing halves
  const Profile p = profileWithin(dump, 16, limits);
  for (const SiteProfile& s : p.sites) EXPECT_EQ(s.series.size(), 15u);  // 30 in pairs
  const std::vector<double> settled = values(p.sites[90]);
  EXPECT_DOUBLE_EQ(settled.front(), 0);
  EXPECT_DOUBLE_EQ(settled.back(), 4096);
}

TEST(Profile, SnapshotsCostTheirChangesNotEverySite) {
  // given many sites and many snapshots that each change one site
  SyntheticDump dump;
  dump.header();
  constexpr uint32_t kSites = 20'000;
  constexpr uint64_t kSnapshots = 20'000;
  for (uint32_t id = 0; id < kSites; ++id) dump.site(id, SiteKind::Alloc, {0x1000 + id});
  for (uint64_t i = 1; i <= kSnapshots; ++i) {
    dump.snapshot(i * kMs, 0, {{uint32_t(i % kSites), i, 1, 1, 0}});
  }
  // when profiled (O(sites x snapshots) would be 4e8 updates: seconds, not milliseconds)
  const auto start = std::chrono::steady_clock::now();
  const Profile p = profileOf(dump);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // then every series still has a point per bucket, each site's value held between changes
  EXPECT_LT(seconds, 2.0);
  EXPECT_EQ(p.snapshotPoints, kSnapshots);
  const SiteProfile& s = p.sites[7];
  EXPECT_EQ(s.series.totalAdded(), kSnapshots);
  EXPECT_EQ(s.liveBytes, 7u + kSites * (kSnapshots / kSites - 1 + (7 <= kSnapshots % kSites)));
  EXPECT_DOUBLE_EQ(values(s).back(), static_cast<double>(s.liveBytes));
}

TEST(Profile, RefusesWhatItCannotHoldInBoundedMemory) {
  const auto refused = [](const SyntheticDump& dump, const ProfileLimits& limits) {
    ProfileBuilder builder(16, limits);
    EXPECT_THROW(readDumpBytes(dump.bytes().data(), dump.size(), builder), DumpError);
  };
  // series that need more values than the budget even at the fewest points
  ProfileLimits points;
  points.pointBudget = 64;
  points.minPointsPerSite = 8;
  refused(wanderingSites(9, 40), points);

  ProfileLimits sites;
  sites.maxSites = 8;
  refused(wanderingSites(9, 1), sites);

  ProfileLimits frames;
  frames.frameBudget = 10;
  SyntheticDump deep;
  deep.header().site(0, SiteKind::Alloc, std::vector<uint64_t>(11, 0x1000));
  refused(deep, frames);

  ProfileLimits modules;
  modules.moduleBytes = 100;
  SyntheticDump named;
  named.header()
      .module(0, 0x1000, 0x1000, std::string(60, 'a'))
      .module(1, 0x9000, 10, std::string(60, 'b'));
  refused(named, modules);
}

TEST(Profile, KeepsTheFirstNotesAndCountsEveryDroppedEvent) {
  ProfileLimits limits;
  limits.notesKept = 3;
  SyntheticDump dump;
  dump.header();
  for (int i = 0; i < 10; ++i) dump.note(format::NoteKind::DroppedEvents, 5, "ring full");
  dump.note(format::NoteKind::DroppedEvents, ~uint64_t{0}, "absurd");
  const Profile p = profileWithin(dump, 16, limits);
  EXPECT_EQ(p.notes.size(), 3u);
  EXPECT_EQ(p.notesLeftOut, 8u);
  EXPECT_EQ(p.droppedEvents(), ~uint64_t{0});  // saturates rather than wraps
}

CorrelationSite allocAt(const std::string& fn, uint64_t retained, bool growing = true) {
  CorrelationSite c;
  c.isAlloc = true;
  c.growing = growing;
  c.module = "/bin/app";
  c.function = fn;
  c.retainedBytes = retained;
  return c;
}

CorrelationSite syscallAt(const std::string& fn, SyscallOp op, uint64_t calls,
                          const std::string& module = "/bin/app") {
  CorrelationSite c;
  c.isAlloc = false;
  c.op = op;
  c.module = module;
  c.function = fn;
  c.calls = calls;
  return c;
}

TEST(Correlate, GrowingSiteGetsBytesPerCallOfTheSameFunction) {
  const std::vector<CorrelationSite> sites = {
      allocAt("handle(int)", 61441 * 100),
      syscallAt("handle(int)", SyscallOp::Read, 6100),
      syscallAt("other()", SyscallOp::Read, 5),
  };
  const auto links = correlateSites(sites);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].alloc, 0u);
  EXPECT_EQ(links[0].syscall, 1u);
  EXPECT_NEAR(links[0].retainedBytesPerSyscall, 1007.2, 0.1);
}

TEST(Correlate, PrefersReadsThenMostCalls) {
  const std::vector<CorrelationSite> sites = {
      allocAt("serve()", 1000),
      syscallAt("serve()", SyscallOp::Write, 1000),
      syscallAt("serve()", SyscallOp::Recv, 10),
      syscallAt("serve()", SyscallOp::Read, 20),
  };
  const auto links = correlateSites(sites);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].syscall, 3u);
  EXPECT_DOUBLE_EQ(links[0].retainedBytesPerSyscall, 50.0);
}

TEST(Correlate, NeedsGrowthSameModuleAndAKnownFunction) {
  const std::vector<CorrelationSite> sites = {
      allocAt("f()", 1000, /*growing=*/false),
      allocAt("", 1000),
      allocAt("g()", 1000),
      syscallAt("f()", SyscallOp::Read, 10),
      syscallAt("", SyscallOp::Read, 10),
      syscallAt("g()", SyscallOp::Read, 10, "/lib/other.so"),
      syscallAt("g()", SyscallOp::Read, 0),
  };
  EXPECT_TRUE(correlateSites(sites).empty());
}

TEST(Correlate, NamesSyscalls) {
  EXPECT_STREQ(syscallName(SyscallOp::Read), "read");
  EXPECT_STREQ(syscallName(SyscallOp::Sendmsg), "sendmsg");
  EXPECT_TRUE(isReadOp(SyscallOp::Recvfrom));
  EXPECT_FALSE(isReadOp(SyscallOp::Pwrite64));
}

}  // namespace
}  // namespace slowburn::analyze
