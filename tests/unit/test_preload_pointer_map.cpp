// The collector's live-block map against a reference map, through growth and shrinkage.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collect/pointer_map.hpp"

namespace {

using slowburn::preload::BlockSegment;
using slowburn::preload::PackedBlock;
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

// Addresses shaped like malloc's: 16-byte aligned, scattered over a few GiB.
std::vector<uint64_t> heapAddresses(size_t count, uint64_t seed) {
  std::vector<uint64_t> out;
  std::unordered_set<uint64_t> seen;
  std::mt19937_64 rng(seed);
  while (out.size() < count) {
    const uint64_t a = 0x5555'0000'0000ull + (rng() % (uint64_t{4} << 30)) / 16 * 16 + 16;
    if (seen.insert(a).second) out.push_back(a);
  }
  return out;
}

TEST(PreloadPointerMap, KeepsEachLiveBlockInAtMost24BytesWithoutASpikeAsItGrows) {
  // Given a million live blocks arriving one by one,
  PointerMap map(16);
  const std::vector<uint64_t> addresses = heapAddresses(1000000, 7);
  size_t worstPerBlock = 0;
  for (size_t i = 0; i < addresses.size(); ++i) {
    ASSERT_TRUE(map.insert(addresses[i], {siteTag(i), 24 + i % 1000}));
    // The most mapped so far, rebuilds included, over the blocks held now.
    if (i >= 20000 && i % 997 == 0)
      worstPerBlock = std::max(worstPerBlock, map.peakMappedBytes() / map.size());
  }
  // then memory per live block stays within 24 bytes all along (from 20,000 blocks on),
  // counting the moments a segment is rebuilt and both copies are mapped,
  EXPECT_LE(worstPerBlock, 24u);
  EXPECT_LE(map.mappedBytes(), 24u * map.size());
  // and so does the most ever mapped at once: growth rebuilt one segment at a time, never
  // a second copy of the whole map beside the first.
  EXPECT_EQ(map.peakSize(), addresses.size());
  EXPECT_LE(map.peakMappedBytes(), 24u * map.peakSize());
  EXPECT_LE(map.peakMappedBytes() - map.mappedBytes(), (128u << 10));
  for (size_t i = 0; i < addresses.size(); i += 101) {
    PointerMap::Value v;
    ASSERT_TRUE(map.find(addresses[i], &v));
    EXPECT_EQ(v.site, siteTag(i));
    EXPECT_EQ(v.size, 24 + i % 1000);
  }
}

TEST(PreloadPointerMap, GivesMemoryBackWhenBlocksGo) {
  PointerMap map(16);
  const std::vector<uint64_t> addresses = heapAddresses(200000, 11);
  for (size_t i = 0; i < addresses.size(); ++i) ASSERT_TRUE(map.insert(addresses[i], {1, i}));
  const size_t full = map.mappedBytes();
  for (size_t i = 0; i < addresses.size() - 100; ++i) ASSERT_TRUE(map.erase(addresses[i], nullptr));
  EXPECT_EQ(map.size(), 100u);
  EXPECT_LT(map.mappedBytes(), full / 10);  // memory follows the live entries back down
  for (size_t i = addresses.size() - 100; i < addresses.size(); ++i) {
    PointerMap::Value v;
    ASSERT_TRUE(map.find(addresses[i], &v));
    EXPECT_EQ(v.size, i);
  }
}

TEST(PreloadPointerMap, HoldsEverySiteAndSizeExactlyIncludingThoseTooWideForASlot) {
  PointerMap map(16);
  const uint64_t high = uint64_t{1} << 52;  // above 48 bits: a tagged or 5-level address
  ASSERT_TRUE(map.insert(0x1000, {0xffffffffu, (uint64_t{1} << 48) - 1}));
  ASSERT_TRUE(map.insert(0x2000, {0x12345678u, uint64_t{1} << 50}));
  ASSERT_TRUE(map.insert(high + 0x30, {7, 48}));
  EXPECT_EQ(map.size(), 3u);
  PointerMap::Value v;
  ASSERT_TRUE(map.find(0x1000, &v));
  EXPECT_EQ(v.site, 0xffffffffu);
  EXPECT_EQ(v.size, (uint64_t{1} << 48) - 1);
  ASSERT_TRUE(map.find(0x2000, &v));
  EXPECT_EQ(v.site, 0x12345678u);
  EXPECT_EQ(v.size, uint64_t{1} << 50);
  // An entry moves between the compact slots and the wide map as its size changes.
  ASSERT_TRUE(map.insert(0x2000, {9, 64}));
  ASSERT_TRUE(map.insert(0x1000, {9, uint64_t{1} << 49}));
  EXPECT_EQ(map.size(), 3u);
  ASSERT_TRUE(map.erase(0x2000, &v));
  EXPECT_EQ(v.size, 64u);
  ASSERT_TRUE(map.erase(0x1000, &v));
  EXPECT_EQ(v.size, uint64_t{1} << 49);
  ASSERT_TRUE(map.erase(high + 0x30, &v));
  EXPECT_EQ(v.site, 7u);
  EXPECT_EQ(map.size(), 0u);
  EXPECT_FALSE(map.find(0x1000, nullptr));
}

TEST(PreloadPointerMap, StaysExactAndCompactThroughEmptyingAndRefilling) {
  // Given a map that grows, empties to a twentieth (segments shrink and merge), then grows
  // again into the segments it shrank,
  PointerMap map(16);
  const std::vector<uint64_t> addresses = heapAddresses(300000, 13);
  std::unordered_map<uint64_t, uint64_t> reference;
  auto add = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      ASSERT_TRUE(map.insert(addresses[i], {siteTag(i), i}));
      reference[addresses[i]] = i;
    }
  };
  add(0, 200000);
  size_t worstPerBlock = 0;
  for (size_t i = 0; i < 190000; ++i) {
    ASSERT_TRUE(map.erase(addresses[i], nullptr));
    reference.erase(addresses[i]);
    if (i % 997 == 0) worstPerBlock = std::max(worstPerBlock, map.mappedBytes() / map.size());
  }
  // then the emptying map gave its pages back all along (a segment shrinks once under 35%
  // full: at most ~46 bytes a block in between),
  EXPECT_LE(worstPerBlock, 48u);
  EXPECT_LE(map.mappedBytes(), 48u * map.size());
  add(200000, 300000);
  // and every block, kept or new, is found with its own site and size.
  ASSERT_EQ(map.size(), reference.size());
  for (const auto& [key, n] : reference) {
    PointerMap::Value v;
    ASSERT_TRUE(map.find(key, &v));
    EXPECT_EQ(v.size, n);
    EXPECT_EQ(v.site, siteTag(n));
  }
  // and the refilled map is back within 24 bytes a block.
  EXPECT_LE(map.mappedBytes(), 24u * map.size());
}

TEST(PreloadPointerMap, ASegmentFillsPastItsGrowthLoadByMovingResidentsAside) {
  // Given one segment taking blocks until 95% of its slots are used (beyond the 90% at
  // which the map would grow it), so that both buckets of many blocks are full,
  BlockSegment* segment = BlockSegment::create(64, 0);
  ASSERT_NE(segment, nullptr);
  const std::vector<uint64_t> addresses = heapAddresses(segment->capacity() * 95 / 100, 17);
  for (size_t i = 0; i < addresses.size(); ++i) {
    const uint64_t hash = BlockSegment::hashOf(addresses[i]);
    PackedBlock homeless;
    ASSERT_TRUE(segment->insert(PackedBlock::pack(addresses[i], siteTag(i), i),
                                segment->where(hash), &homeless))
        << i;
  }
  // then every block is still in one of its two buckets, with its own site and size,
  EXPECT_EQ(segment->count(), addresses.size());
  for (size_t i = 0; i < addresses.size(); ++i) {
    const PackedBlock* slot =
        segment->find(addresses[i], segment->where(BlockSegment::hashOf(addresses[i])));
    ASSERT_NE(slot, nullptr) << i;
    EXPECT_EQ(slot->site(), siteTag(i));
    EXPECT_EQ(slot->size(), i);
  }
  // and erasing every other one leaves the rest findable (a bucket's blocks stay packed).
  for (size_t i = 0; i < addresses.size(); i += 2)
    segment->erase(segment->find(addresses[i], segment->where(BlockSegment::hashOf(addresses[i]))));
  for (size_t i = 1; i < addresses.size(); i += 2)
    EXPECT_NE(segment->find(addresses[i], segment->where(BlockSegment::hashOf(addresses[i]))),
              nullptr);
  BlockSegment::destroy(segment);
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
