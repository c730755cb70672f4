// The resolve stage: every site located, whole stacks only where asked, one frame per
// distinct address, and an analysis whose outputs read exactly what was resolved.

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "output/report_text.hpp"
#include "rank/analysis.hpp"
#include "read/dump_reader.hpp"
#include "read/profile.hpp"
#include "symbols/resolved_stacks.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::SiteKind;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;
// Neither file exists, so frames are module+offset; the C library is plumbing by its name.
constexpr uint64_t kLibc = 0x7f0000000000;
constexpr uint64_t kApp = 0x400000;

SyntheticDump withModules() {
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, kApp, 0x100000, "/nonexistent/app");
  d.module(1, kLibc, 0x200000, "/nonexistent/libc.so.6");
  return d;
}

Profile profileOf(SyntheticDump& d) {
  d.end(1000 * kMs, 0);
  ProfileBuilder builder;
  const ReadSummary summary = readDumpBytes(d.bytes().data(), d.size(), builder);
  return builder.finish(summary);
}

TEST(ResolveStage, LocatesPastPlumbingAndStopsThere) {
  // given a site allocating through two C library frames, called from the app
  SyntheticDump d = withModules();
  d.site(0, SiteKind::Alloc, {kLibc + 0x10, kLibc + 0x20, kApp + 0x136, kApp + 0x200});
  const Profile profile = profileOf(d);
  Resolver resolver(profile, {});
  // when only its location is resolved
  resolver.locateAll();
  // then the location is the app's frame, and the callers beyond it are not resolved
  EXPECT_EQ(resolver.resolved().location(0).address, kApp + 0x136);
  EXPECT_EQ(resolver.resolved().location(0).module, "/nonexistent/app");
  EXPECT_THROW(resolver.resolved().stack(0), std::logic_error);
  // and when the whole stack is asked for, it is all there with the same location
  resolver.resolveWhole(0);
  const ResolvedStacks stacks = std::move(resolver).finish();
  const StackView stack = stacks.stack(0);
  ASSERT_EQ(stack.size(), 4u);
  EXPECT_EQ(stack.location(), 2u);
  EXPECT_EQ(stack[0].address, kLibc + 0x10);
  EXPECT_EQ(stack[3].address, kApp + 0x200);
}

TEST(ResolveStage, AllPlumbingLocatesTheInnermostFrame) {
  SyntheticDump d = withModules();
  d.site(0, SiteKind::Alloc, {kLibc + 0x10, kLibc + 0x20});
  const Profile profile = profileOf(d);
  Resolver resolver(profile, {});
  resolver.locateAll();
  const ResolvedStacks stacks = std::move(resolver).finish();
  // Looking for the user's frame expanded the whole stack: it is whole without asking.
  EXPECT_EQ(stacks.stack(0).size(), 2u);
  EXPECT_EQ(stacks.stack(0).location(), 0u);
  EXPECT_EQ(stacks.location(0).address, kLibc + 0x10);
}

TEST(ResolveStage, ASiteWithoutFramesHasAnEmptyLocation) {
  SyntheticDump d = withModules();
  d.site(0, SiteKind::Alloc, {});
  const Profile profile = profileOf(d);
  Resolver resolver(profile, {});
  resolver.locateAll();
  const ResolvedStacks stacks = std::move(resolver).finish();
  EXPECT_TRUE(stacks.stack(0).empty());
  EXPECT_EQ(stacks.location(0).address, 0u);
  EXPECT_EQ(stacks.location(0).module, "");
}

TEST(ResolveStage, SitesSharingAnAddressShareItsFrame) {
  // given two sites called from the same app frame
  SyntheticDump d = withModules();
  d.site(0, SiteKind::Alloc, {kApp + 0x136, kApp + 0x200});
  d.site(1, SiteKind::Alloc, {kApp + 0x150, kApp + 0x200});
  const Profile profile = profileOf(d);
  Resolver resolver(profile, {});
  resolver.locateAll();
  resolver.resolveWhole(0);
  resolver.resolveWhole(1);
  const ResolvedStacks stacks = std::move(resolver).finish();
  // then the caller is resolved once: both stacks hold the very same frame
  EXPECT_EQ(&stacks.stack(0)[1], &stacks.stack(1)[1]);
  EXPECT_NE(&stacks.stack(0)[0], &stacks.stack(1)[0]);
}

// Three leaks of different rates, so the ranking is known: site 2 first, then 1, then 0.
SyntheticDump threeLeaks() {
  SyntheticDump d = withModules();
  for (uint32_t id = 0; id < 3; ++id) {
    d.site(id, SiteKind::Alloc, {kLibc + 0x10, kApp + 0x100 * (id + 1), kApp + 0x900});
  }
  for (uint64_t i = 1; i <= 40; ++i) {
    d.snapshot(i * 100 * kMs, 1 << 20,
               {{0, i * 1000, i, 0, 0}, {1, i * 2000, i, 0, 0}, {2, i * 4000, i, 0, 0}});
  }
  return d;
}

TEST(ResolveStage, OnlyTheSitesAnOutputPrintsGetTheirCallers) {
  // given an analysis asked for the whole stack of the top site only
  SyntheticDump d = threeLeaks();
  AnalysisOptions options;
  options.wholeStack = [](const RankedSite& r, const SiteProfile&) { return r.rank == 1; };
  const auto analysis = analyzeProfile(profileOf(d), options);
  const std::vector<RankedSite>& sites = analysis->sites();
  ASSERT_EQ(sites.size(), 3u);
  ASSERT_EQ(analysis->site(sites[0]).id, 2u);
  // then every site is located, the top one has its callers, the others do not
  for (const RankedSite& r : sites) {
    EXPECT_EQ(analysis->location(r).address, kApp + 0x100 * (analysis->site(r).id + 1));
  }
  EXPECT_EQ(analysis->stack(sites[0]).size(), 3u);
  EXPECT_THROW(analysis->stack(sites[1]), std::logic_error);
  // and a report of the top site reads only what was resolved
  ReportSettings settings;
  settings.top = 1;
  const std::string text = reportText(*analysis, settings);
  EXPECT_NE(text.find("from app+0x900"), std::string::npos) << text;
}

TEST(ResolveStage, RefusesStacksThatWouldResolvePastItsBudget) {
  // given sites whose stacks are all plumbing, every frame a distinct address
  SyntheticDump d = withModules();
  std::vector<uint64_t> frames;
  for (uint32_t id = 0; id < 8; ++id) {
    frames.clear();
    for (uint64_t f = 0; f < 64; ++f) frames.push_back(kLibc + 0x1000 * id + f);
    d.site(id, SiteKind::Alloc, frames);
  }
  const Profile profile = profileOf(d);
  // when located within a budget that holds a few of them, it is refused with one error
  Resolver small(profile, {}, 64 << 10);
  EXPECT_THROW(small.locateAll(), DumpError);
  // and within the default budget they resolve
  Resolver ample(profile, {});
  ample.locateAll();
  EXPECT_EQ(ample.resolved().location(7).address, kLibc + 0x7000);
}

}  // namespace
}  // namespace slowburn::analyze
