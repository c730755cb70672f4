// Poisson sampling by bytes and the set of sampled live blocks.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "record/sampled_set.hpp"
#include "record/sampler.hpp"
#include "record/site.hpp"

namespace {

using slowburn::preload::kCountOne;
using slowburn::preload::SampledSet;
using slowburn::preload::Sampler;
using slowburn::preload::SamplerState;
using slowburn::preload::sampleWeight;

TEST(PreloadSampler, DisabledSamplesEverythingAtFaceValue) {
  Sampler sampler(0);
  SamplerState state;
  EXPECT_FALSE(sampler.enabled());
  for (uint64_t s : {0ull, 1ull, 100ull, 1000000ull}) EXPECT_TRUE(sampler.shouldSample(state, s));
  EXPECT_EQ(sampleWeight(12345, 0).bytes, 12345u);
  EXPECT_EQ(sampleWeight(12345, 0).countQ, kCountOne);
}

// Each allocation of s bytes is sampled with probability 1 - exp(-c/R), c its charge.
TEST(PreloadSampler, SamplesEachAllocationWithTheExpectedProbability) {
  const uint64_t mean = 1000;
  Sampler sampler(mean);
  SamplerState state;
  sampler.seed(state, 2024);
  for (uint64_t size : {0ull, 100ull, 500ull, 3000ull}) {
    const int n = 400000;
    int sampled = 0;
    for (int i = 0; i < n; ++i) sampled += sampler.shouldSample(state, size) ? 1 : 0;
    const double expected = 1.0 - std::exp(-static_cast<double>(size + 1) / mean);
    EXPECT_NEAR(static_cast<double>(sampled) / n, expected, 0.005) << size;
  }
}

// A block is charged a byte more than its size, so blocks of nothing count too.
TEST(PreloadSampler, ChargesOneByteMoreThanTheSizeAndWeighsByTheSameCharge) {
  using slowburn::preload::chargedBytes;
  EXPECT_EQ(chargedBytes(0), 1u);
  EXPECT_EQ(chargedBytes(16), 17u);
  const uint64_t mean = 1000;
  // A 0-byte block, charged 1 byte, stands for 1 / (1 - exp(-1/R)) allocations, no bytes.
  const auto nothing = sampleWeight(0, mean);
  EXPECT_EQ(nothing.bytes, 0u);
  EXPECT_NEAR(static_cast<double>(nothing.countQ) / kCountOne, 1.0 / -std::expm1(-1.0 / mean),
              0.01);
  const auto even = sampleWeight(100, mean);
  EXPECT_NEAR(static_cast<double>(even.bytes), 100.0 / -std::expm1(-101.0 / mean), 1.0);
}

// Weighting by 1/p makes the estimate of total bytes and count unbiased.
TEST(PreloadSampler, WeightedSamplesEstimateTheTruth) {
  const uint64_t mean = 65536;
  Sampler sampler(mean);
  SamplerState state;
  sampler.seed(state, 99);
  std::mt19937_64 rng(7);
  double trueBytes = 0;
  double estimatedBytes = 0;
  double estimatedCount = 0;
  const int n = 400000;
  for (int i = 0; i < n; ++i) {
    const uint64_t size = 16 + rng() % 20000;
    trueBytes += static_cast<double>(size);
    if (sampler.shouldSample(state, size)) {
      const auto w = sampleWeight(size, mean);
      estimatedBytes += static_cast<double>(w.bytes);
      estimatedCount += static_cast<double>(w.countQ) / kCountOne;
    }
  }
  EXPECT_NEAR(estimatedBytes / trueBytes, 1.0, 0.03);
  EXPECT_NEAR(estimatedCount / n, 1.0, 0.04);
}

TEST(PreloadSampler, WeightsAreDeterministicAndLimitToFaceValueForLargeBlocks) {
  const uint64_t mean = 65536;
  EXPECT_EQ(sampleWeight(777, mean).bytes, sampleWeight(777, mean).bytes);
  const auto big = sampleWeight(100ull << 20, mean);  // p = 1 for all practical purposes
  EXPECT_EQ(big.bytes, 100ull << 20);
  EXPECT_EQ(big.countQ, kCountOne);
  const auto tiny = sampleWeight(1, mean);  // charged 2 bytes: stands for about R / 2
  EXPECT_NEAR(static_cast<double>(tiny.bytes), static_cast<double>(mean) / 2, 1.0);
  const auto small = sampleWeight(63, mean);  // charged 64: about R * 63 / 64
  EXPECT_NEAR(static_cast<double>(small.bytes), 63.0 / -std::expm1(-64.0 / mean), 1.0);
}

TEST(PreloadSampledSet, InsertEraseContainsThroughGrowth) {
  SampledSet set;
  const uint64_t n = 100000;  // far past the first table: several generations
  for (uint64_t i = 1; i <= n; ++i) ASSERT_TRUE(set.insert(0x10000000 + i * 32));
  EXPECT_EQ(set.size(), n);
  for (uint64_t i = 1; i <= n; i += 2) ASSERT_TRUE(set.erase(0x10000000 + i * 32));
  for (uint64_t i = 1; i <= n; ++i) {
    ASSERT_EQ(set.contains(0x10000000 + i * 32), i % 2 == 0) << i;
  }
  EXPECT_FALSE(set.erase(0x10000000 + 1 * 32));
  EXPECT_FALSE(set.contains(0x20000000));
  EXPECT_EQ(set.size(), n / 2);
}

TEST(PreloadSampledSet, ShadowedBlocksReadMaybeForGoodWithoutBeingMembers) {
  SampledSet set;
  const uint64_t start = 0x7f0000001000;
  const size_t bytes = 4096;
  uint64_t outside = start + bytes;
  while (set.mayContain(outside)) outside += 16;  // an address the shadow leaves alone
  set.shadow(start + 8, bytes - 8);               // rounded up to the first 16-byte block
  for (uint64_t a = start + 16; a < start + bytes; a += 16) {
    ASSERT_TRUE(set.mayContain(a)) << a - start;
    ASSERT_FALSE(set.contains(a));
    ASSERT_FALSE(set.erase(a));  // the free of a shadowed block lowers nothing
    ASSERT_TRUE(set.mayContain(a));
  }
  // A sampled block whose counter a shadowed one shares leaves it raised when freed.
  const uint64_t block = start + 256;
  ASSERT_TRUE(set.insert(block));
  ASSERT_TRUE(set.erase(block));
  EXPECT_TRUE(set.mayContain(block));
  EXPECT_FALSE(set.mayContain(outside));
  EXPECT_EQ(set.size(), 0u);
}

TEST(PreloadSampledSet, ThreadsInsertingAndErasingTheirOwnBlocks) {
  SampledSet set;
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&set, t] {
      for (int round = 0; round < 20; ++round) {
        for (uint64_t i = 0; i < 5000; ++i)
          ASSERT_TRUE(set.insert((uint64_t(t) << 40) | (i << 4) | 0x10));
        for (uint64_t i = 0; i < 5000; ++i)
          ASSERT_TRUE(set.erase((uint64_t(t) << 40) | (i << 4) | 0x10));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(set.size(), 0u);
}

}  // namespace
