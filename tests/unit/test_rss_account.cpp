// The RSS account: RSS growth beside the growth of the tracked heap and mappings, and when
// most of it is unexplained; and which frames belong to an interpreter.

#include <gtest/gtest.h>

#include "output/rss_text.hpp"
#include "read/profile.hpp"
#include "read/rss_account.hpp"
#include "symbols/interpreter.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::SiteKind;
using testing::SyntheticDump;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kMs = 1'000'000;

TEST(RssAccount, TrackedGrowthOverRssGrowthIsTheShareExplained) {
  const RssAccount a =
      accountRss({1.0, 100 * kMiB, 10 * kMiB, 2 * kMiB}, {9.0, 1100 * kMiB, 960 * kMiB, 42 * kMiB});
  EXPECT_EQ(a.rssGrowth, int64_t{1000 * kMiB});
  EXPECT_EQ(a.heapGrowth, int64_t{950 * kMiB});
  EXPECT_EQ(a.mappedGrowth, int64_t{40 * kMiB});
  ASSERT_TRUE(a.explained);
  EXPECT_DOUBLE_EQ(*a.explained, 0.99);
  EXPECT_FALSE(a.mostlyUnexplained);
  EXPECT_EQ(rssAccountLine(a),
            "RSS +1000 MiB, tracked heap +950 MiB, mappings +40.0 MiB: 99% explained");
}

TEST(RssAccount, MostlyUnexplainedOnlyWhenRssGrewEnoughAndTheBooksMissMostOfIt) {
  const RssAccount fragmented = accountRss({0, 50 * kMiB, 0, 0}, {5, 250 * kMiB, 30 * kMiB, 0});
  EXPECT_TRUE(fragmented.mostlyUnexplained);
  const RssAccount smallStart = accountRss({0, 2 * kMiB, 0, 0}, {5, 4 * kMiB, 0, 0});
  EXPECT_FALSE(smallStart.mostlyUnexplained);  // 2 MiB of start-up is no finding
  const RssAccount shrank = accountRss({0, 80 * kMiB, 0, 0}, {5, 60 * kMiB, 0, 0});
  EXPECT_FALSE(shrank.explained);
  EXPECT_FALSE(shrank.mostlyUnexplained);
  EXPECT_NE(rssAccountLine(shrank).find("RSS did not grow"), std::string::npos);
  // Handed out but not touched yet: more tracked than resident, said as it is.
  const RssAccount untouched = accountRss({0, 10 * kMiB, 0, 0}, {5, 20 * kMiB, 30 * kMiB, 0});
  EXPECT_NE(rssAccountLine(untouched).find("tracked growth is 300% of RSS growth"),
            std::string::npos);
}

TEST(RssAccount, TheProfileComparesTheFirstSnapshotWithTheLastBeforeTheExitTeardown) {
  // given a heap site and a mapping site growing for 2 s, then a clean exit that frees both
  SyntheticDump d;
  d.header().site(0, SiteKind::Alloc, {0x1000}).site(1, SiteKind::Mmap, {0x2000});
  for (uint64_t i = 1; i <= 20; ++i) {
    d.snapshot(i * 100 * kMs, (10 + 3 * i) * kMiB,
               {{0, i * kMiB, i, 1, 0}, {1, 2 * i * kMiB, i, 1, 0}});
  }
  d.teardown(2000 * kMs);
  d.snapshot(2100 * kMs, 70 * kMiB, {{0, 0, 0, 0, 20}, {1, 0, 0, 0, 20}});
  d.end(2100 * kMs, 0);
  ProfileBuilder builder;
  const Profile p = builder.finish(readDumpBytes(d.bytes().data(), d.size(), builder));
  // then heap and mappings are kept apart, and the account ends before the teardown
  EXPECT_EQ(p.mappingSites, 1u);
  EXPECT_EQ(p.peakMappedBytes, 40 * kMiB);
  EXPECT_EQ(p.mappedBytesEnd, 0u);
  EXPECT_EQ(p.liveBytesEnd, 0u);
  EXPECT_EQ(p.allocs, 20u);  // the heap's alone
  EXPECT_EQ(p.frees, 20u);
  ASSERT_TRUE(p.rssAccount);
  EXPECT_DOUBLE_EQ(p.rssAccount->fromS, 0.1);
  EXPECT_DOUBLE_EQ(p.rssAccount->toS, 2.0);  // the last snapshot before TEARDOWN
  const int64_t points = 19;
  EXPECT_EQ(p.rssAccount->heapGrowth, points * int64_t{kMiB});
  EXPECT_EQ(p.rssAccount->mappedGrowth, points * 2 * int64_t{kMiB});
  EXPECT_EQ(p.rssAccount->rssGrowth, points * 3 * int64_t{kMiB});
  EXPECT_DOUBLE_EQ(*p.rssAccount->explained, 1.0);
  EXPECT_STREQ(kindName(p.sites[1].kind), "mmap");
  EXPECT_TRUE(p.sites[1].isAlloc() && p.sites[1].isMapping());
}

TEST(Interpreter, NamesRuntimesByTheirExecutableOrLibrary) {
  EXPECT_EQ(interpreterOf("/usr/bin/python3.11"), "python3.11");
  EXPECT_EQ(interpreterOf("/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0"), "python3.12");
  EXPECT_EQ(interpreterOf("/usr/bin/python3"), "python3");
  EXPECT_EQ(interpreterOf("/usr/bin/perl"), "perl");
  EXPECT_EQ(interpreterOf("/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1"), "ruby");
  EXPECT_EQ(interpreterOf("/usr/lib/jvm/java-17/lib/server/libjvm.so"), "java");
  EXPECT_EQ(interpreterOf("/usr/bin/node"), "node");
  for (const char* other : {"/srv/app/server", "/usr/bin/pythonic-tool", "/usr/bin/nodes",
                            "/usr/lib/x86_64-linux-gnu/libc.so.6", ""}) {
    EXPECT_EQ(interpreterOf(other), std::nullopt) << other;
  }
}

}  // namespace
}  // namespace slowburn::analyze
