// The collector's live-block map against a reference map, through growth and shrinkage.

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "collect/pointer_map.hpp"

namespace {

using slowburn::preload::PointerMap;

uint32_t siteTag(uint64_t n) { return static_cast<uint32_t>(n * 7 + 1); }

TEST(PreloadPointerMap, InsertFindEraseAndOverwrite) {
  PointerMap map(16);
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(map.insert(0x1000, {siteTag(1), 10}));
  EXPECT_TRUE(map.insert(0x2000, {siteTag(2), 20}));
  PointerMap::Value v;
  ASSERT_TRUE(map.find(0x1000, &v));
  EXPECT_EQ(v.site, siteTag(1));
  EXPECT_EQ(v.size, 10u);
  EXPECT_TRUE(map.insert(0x1000, {siteTag(3), 30}));
  EXPECT_EQ(map.size(), 2u);
  ASSERT_TRUE(map.erase(0x1000, &v));
  EXPECT_EQ(v.size, 30u);
  EXPECT_FALSE(map.erase(0x1000, &v));
  EXPECT_FALSE(map.find(0x1000, nullptr));
  EXPECT_TRUE(map.find(0x2000, nullptr));
}

TEST(PreloadPointerMap, GrowsWithLiveEntriesAndShrinksWhenTheyGo) {
  PointerMap map(16);
  for (uint64_t i = 1; i <= 100000; ++i) ASSERT_TRUE(map.insert(i * 16, {siteTag(i), i}));
  EXPECT_EQ(map.size(), 100000u);
  EXPECT_GE(map.capacity(), 200000u);
  const size_t peak = map.capacity();
  for (uint64_t i = 1; i <= 99990; ++i) ASSERT_TRUE(map.erase(i * 16, nullptr)) << i;
  EXPECT_LT(map.capacity(), peak / 100);  // memory follows the live entries back down
  for (uint64_t i = 99991; i <= 100000; ++i) {
    PointerMap::Value v;
    ASSERT_TRUE(map.find(i * 16, &v));
    EXPECT_EQ(v.size, i);
  }
}

// Random traffic with clustered addresses (like a heap's) stays equal to the reference.
TEST(PreloadPointerMap, MatchesAReferenceMapUnderRandomTraffic) {
  PointerMap map(16);
  std::unordered_map<uint64_t, uint64_t> reference;
  std::mt19937_64 rng(12345);
  for (int step = 0; step < 300000; ++step) {
    const uint64_t key = 0x7f0000000000ull + (rng() % 5000) * 16;
    const int op = static_cast<int>(rng() % 3);
    if (op < 2) {
      const uint64_t size = rng() % 100000;
      ASSERT_TRUE(map.insert(key, {siteTag(size), size}));
      reference[key] = size;
    } else {
      PointerMap::Value v;
      const bool had = map.erase(key, &v);
      auto it = reference.find(key);
      ASSERT_EQ(had, it != reference.end()) << step;
      if (had) {
        EXPECT_EQ(v.size, it->second);
        EXPECT_EQ(v.site, siteTag(it->second));
        reference.erase(it);
      }
    }
    ASSERT_EQ(map.size(), reference.size());
  }
  for (const auto& [key, size] : reference) {
    PointerMap::Value v;
    ASSERT_TRUE(map.find(key, &v));
    EXPECT_EQ(v.size, size);
  }
}

}  // namespace
