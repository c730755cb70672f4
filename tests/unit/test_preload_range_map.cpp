// The collector's map of mapped ranges: partial unmaps, splits and replacements keep every
// byte with the site that mapped it, checked against a page-by-page model.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "collect/range_map.hpp"

namespace {

using slowburn::preload::RangeMap;
using Range = RangeMap::Range;

struct Taken {
  Range piece;
  int rangesDelta;
};

std::vector<Taken> carve(RangeMap& map, uint64_t start, uint64_t end) {
  std::vector<Taken> taken;
  EXPECT_TRUE(map.carve(start, end, [&](const Range& r, int delta) {
    taken.push_back({r, delta});
  }));
  return taken;
}

std::vector<Range> held(const RangeMap& map) { return {map.begin(), map.end()}; }

bool same(const Range& a, const Range& b) {
  return a.start == b.start && a.end == b.end && a.site == b.site;
}

TEST(PreloadRangeMap, AnUnmapOfTheMiddleSplitsTheRangeInTwo) {
  RangeMap map;
  ASSERT_TRUE(map.insert({0x10000, 0x20000, 7}));
  const auto taken = carve(map, 0x14000, 0x18000);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_TRUE(same(taken[0].piece, {0x14000, 0x18000, 7}));
  EXPECT_EQ(taken[0].rangesDelta, +1);
  const auto left = held(map);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_TRUE(same(left[0], {0x10000, 0x14000, 7}));
  EXPECT_TRUE(same(left[1], {0x18000, 0x20000, 7}));
}

TEST(PreloadRangeMap, AnUnmapAcrossSeveralRangesTrimsTheEdgesAndDropsTheInside) {
  RangeMap map;
  ASSERT_TRUE(map.insert({0x30000, 0x40000, 3}));
  ASSERT_TRUE(map.insert({0x10000, 0x20000, 1}));
  ASSERT_TRUE(map.insert({0x20000, 0x30000, 2}));
  ASSERT_TRUE(map.insert({0x50000, 0x60000, 5}));
  const auto taken = carve(map, 0x18000, 0x38000);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_TRUE(same(taken[0].piece, {0x18000, 0x20000, 1}));
  EXPECT_EQ(taken[0].rangesDelta, 0);
  EXPECT_TRUE(same(taken[1].piece, {0x20000, 0x30000, 2}));
  EXPECT_EQ(taken[1].rangesDelta, -1);
  EXPECT_TRUE(same(taken[2].piece, {0x30000, 0x38000, 3}));
  EXPECT_EQ(taken[2].rangesDelta, 0);
  const auto left = held(map);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_TRUE(same(left[0], {0x10000, 0x18000, 1}));
  EXPECT_TRUE(same(left[1], {0x38000, 0x40000, 3}));
  EXPECT_TRUE(same(left[2], {0x50000, 0x60000, 5}));
}

TEST(PreloadRangeMap, CarvingWhatIsNotHeldChangesNothing) {
  RangeMap map;
  ASSERT_TRUE(map.insert({0x10000, 0x20000, 1}));
  EXPECT_TRUE(carve(map, 0x0, 0x10000).empty());
  EXPECT_TRUE(carve(map, 0x20000, 0x90000).empty());
  EXPECT_TRUE(carve(map, 0x15000, 0x15000).empty());
  ASSERT_EQ(map.size(), 1u);
  const auto taken = carve(map, 0x0, 0x90000);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].rangesDelta, -1);
  EXPECT_EQ(map.size(), 0u);
}

// Every operation applied to a map and to a model holding each page's owner; they must
// agree after each step, and the pieces carve() reports must be exactly what the model lost.
TEST(PreloadRangeMap, AgreesWithAPageModelThroughRandomMapsAndUnmaps) {
  constexpr uint64_t kPage = 4096;
  constexpr uint64_t kPages = 512;
  std::mt19937_64 rng(15);
  RangeMap map;
  std::map<uint64_t, uint32_t> owner;  // page -> site
  for (int step = 0; step < 20000; ++step) {
    const uint64_t first = rng() % kPages;
    const uint64_t count = 1 + rng() % 24;
    const uint64_t start = first * kPage;
    const uint64_t end = std::min(first + count, kPages) * kPage;
    std::map<uint32_t, uint64_t> lost;
    for (uint64_t p = start; p < end; p += kPage) {
      if (auto it = owner.find(p); it != owner.end()) {
        lost[it->second] += kPage;
        owner.erase(it);
      }
    }
    std::map<uint32_t, uint64_t> reported;
    ASSERT_TRUE(
        map.carve(start, end, [&](const Range& r, int) { reported[r.site] += r.end - r.start; }));
    ASSERT_EQ(reported, lost) << "step " << step;
    if (rng() % 3 != 0) {  // a mapping (or a MAP_FIXED replacement) lands on the span
      const auto site = static_cast<uint32_t>(rng() % 5);
      ASSERT_TRUE(map.insert({start, end, site}));
      for (uint64_t p = start; p < end; p += kPage) owner[p] = site;
    }
    std::map<uint64_t, uint32_t> fromMap;
    uint64_t previousEnd = 0;
    for (const Range& r : held(map)) {
      ASSERT_LT(r.start, r.end);
      ASSERT_GE(r.start, previousEnd);  // sorted and disjoint
      previousEnd = r.end;
      for (uint64_t p = r.start; p < r.end; p += kPage) fromMap[p] = r.site;
    }
    ASSERT_EQ(fromMap, owner) << "step " << step;
  }
}

}  // namespace
