// Sites gathered by the program line they allocate at, and ranked as one.

#include <gtest/gtest.h>

#include <vector>

#include "rank/analysis.hpp"
#include "rank/locations.hpp"
#include "read/dump_reader.hpp"
#include "read/profile.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::SiteKind;
using testing::AllocChange;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;
// Neither file exists: frames are module+offset, and the C library is plumbing by its name.
constexpr uint64_t kLibc = 0x7f0000000000;
constexpr uint64_t kApp = 0x400000;

SyntheticDump withModules() {
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, kApp, 0x100000, "/nonexistent/app");
  d.module(1, kLibc, 0x200000, "/nonexistent/libc.so.6");
  return d;
}

Profile profileOf(SyntheticDump& d, uint64_t endMs) {
  d.end(endMs * kMs, 0);
  ProfileBuilder builder;
  const ReadSummary summary = readDumpBytes(d.bytes().data(), d.size(), builder);
  return builder.finish(summary);
}

TEST(BucketMeansSum, AddsBucketByBucketOnlyWhenTheSchedulesAgree) {
  // given two series of 20 observations bounded to 8 buckets, one of them a run of one value
  BucketMeans a(8), b(8), late(8), raw(8);
  for (int i = 0; i < 20; ++i) {
    a.add(i);
    b.add(100);
    raw.add(i);
  }
  late.add(1);
  // when they are summed
  ASSERT_TRUE(a.addAligned(b));
  // then each bucket is the sum of theirs, the last observation too, and the peak is exact
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_DOUBLE_EQ(a[i], raw[i] + 100);
  EXPECT_EQ(a.observations(), 20u);
  EXPECT_DOUBLE_EQ(a.last(), 119);
  EXPECT_DOUBLE_EQ(a.peak(), 119);
  // and a series that saw another number of observations is refused, unchanged
  EXPECT_FALSE(a.addAligned(late));
  EXPECT_DOUBLE_EQ(a[0], raw[0] + 100);
}

// Given a line reached by two stacks (push_back's fast path and its reallocation, say) that
// each climb by half, and a lone steady site elsewhere: the line is one location whose
// series is the sum, and it ranks first with the stack that climbed most leading.
TEST(Locations, StacksOfOneLineAreRankedAsOneLocation) {
  SyntheticDump d = withModules();
  d.site(0, SiteKind::Alloc, {kLibc + 0x10, kApp + 0x136, kApp + 0x900});  // line A, path 1
  d.site(1, SiteKind::Alloc, {kLibc + 0x20, kLibc + 0x30, kApp + 0x136, kApp + 0x900});  // A, 2
  d.site(2, SiteKind::Alloc, {kLibc + 0x10, kApp + 0x500});  // another line, flat
  for (uint64_t i = 1; i <= 60; ++i) {
    d.snapshot(i * 100 * kMs, 1 << 20,
               {AllocChange{0, i * 1000, i, 1, 0}, AllocChange{1, i * 3000, i, 1, 0},
                AllocChange{2, 50000, 5, 0, 0}});
  }
  const Profile profile = profileOf(d, 6000);
  const std::unique_ptr<const Analysis> analysis = analyzeProfile(profile, {});
  ASSERT_EQ(analysis->sites().size(), 2u);
  const RankedSite& top = analysis->sites()[0];
  EXPECT_EQ(top.verdict.cls, SiteClass::Growing);
  ASSERT_EQ(top.sites.size(), 2u);
  EXPECT_EQ(top.siteIndex, 1u);  // it climbed 3 KB a snapshot, the other 1 KB
  EXPECT_EQ(top.sites[1], 0u);
  const SiteProfile& line = analysis->site(top);
  EXPECT_EQ(line.liveBytes, 60u * 4000);
  EXPECT_EQ(line.allocs, 120u);
  EXPECT_DOUBLE_EQ(line.series.last(), 60.0 * 4000);
  // 4000 B a snapshot of 100 ms: the line's growth, not either stack's.
  ASSERT_TRUE(top.growthBytesPerSec.has_value());
  EXPECT_NEAR(*top.growthBytesPerSec, 40000, 400);
  EXPECT_EQ(analysis->location(top).address, kApp + 0x136);
  EXPECT_EQ(analysis->member(0).liveBytes, 60u * 1000);
  EXPECT_EQ(analysis->sites()[1].sites, std::vector<size_t>{2});
}

// Memory that changes stacks within a line is not growth: a cache filled through one path
// and refreshed through another at the same line climbs at one stack and falls at the other.
TEST(Locations, BytesMovingBetweenStacksOfALineAreNotGrowth) {
  SyntheticDump d = withModules();
  d.site(0, SiteKind::Alloc, {kLibc + 0x10, kApp + 0x136, kApp + 0x900});  // fill
  d.site(1, SiteKind::Alloc, {kLibc + 0x10, kApp + 0x136, kApp + 0xa00});  // refresh
  for (uint64_t i = 1; i <= 60; ++i) {
    const uint64_t refreshed = std::min<uint64_t>(i, 50) * 10000;
    d.snapshot(i * 100 * kMs, 1 << 20,
               {AllocChange{0, 500000 - refreshed, 50 - refreshed / 10000, 0, 1},
                AllocChange{1, refreshed, refreshed / 10000, 1, 0}});
  }
  const Profile profile = profileOf(d, 6000);
  const std::unique_ptr<const Analysis> analysis = analyzeProfile(profile, {});
  ASSERT_EQ(analysis->sites().size(), 1u);
  EXPECT_NE(analysis->sites()[0].verdict.cls, SiteClass::Growing);
  EXPECT_EQ(analysis->site(analysis->sites()[0]).liveBytes, 500000u);
}

}  // namespace
}  // namespace slowburn::analyze
