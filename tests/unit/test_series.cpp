// BucketMeans and downsample: bounded memory, buckets that keep the shape, compact storage,
// and the same buckets however the observations arrive.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "read/series.hpp"

namespace {

using slowburn::analyze::BucketMeans;
using slowburn::analyze::downsample;
using slowburn::analyze::SeriesPoint;
using slowburn::analyze::SiteSeries;

std::vector<double> buckets(const BucketMeans& s) {
  std::vector<double> out;
  for (size_t i = 0; i < s.size(); ++i) out.push_back(s[i]);
  return out;
}

void expectSameBuckets(const BucketMeans& a, const BucketMeans& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.stride(), b.stride());
  EXPECT_EQ(a.observations(), b.observations());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-9 * (1 + std::fabs(b[i])));
}

TEST(BucketMeans, KeepsEveryValueUntilFull) {
  BucketMeans s(8);
  for (int i = 0; i < 8; ++i) s.add(i * 10.0);
  EXPECT_EQ(buckets(s), (std::vector<double>{0, 10, 20, 30, 40, 50, 60, 70}));
  EXPECT_EQ(s.stride(), 1u);
  EXPECT_EQ(s.observations(), 8u);
}

TEST(BucketMeans, MergesPairsIntoMeansWhenFull) {
  // given a full series of 4
  BucketMeans s(4);
  for (int i = 0; i < 4; ++i) s.add(i * i);
  // when one more arrives
  s.add(16);
  // then pairs merged to means and the new value starts a bucket of stride 2
  EXPECT_EQ(buckets(s), (std::vector<double>{0.5, 6.5, 16}));
  EXPECT_EQ(s.stride(), 2u);
  // and the newest bucket is the mean of what it holds as it fills
  s.add(25);
  EXPECT_EQ(buckets(s), (std::vector<double>{0.5, 6.5, 20.5}));
}

TEST(BucketMeans, MemoryStaysBoundedForAMillionAdds) {
  BucketMeans s(100);
  for (int i = 0; i < 1'000'000; ++i) s.add(3.0 * i);
  EXPECT_LE(s.size(), 100u);
  EXPECT_GE(s.size(), 50u);
  EXPECT_LE(s.storedValues(), 100u);
  EXPECT_EQ(s.observations(), 1'000'000u);
}

TEST(BucketMeans, LeadingZerosAndTheTrailingRunTakeNoStorage) {
  // given a site born late that allocated for a while, then held a constant amount
  BucketMeans s(1024);
  s.addRepeated(0, 600);
  for (int i = 1; i <= 3; ++i) s.add(100.0 * i);
  s.addRepeated(300, 5000);
  // then only the values in between are stored (in the smallest allocation), and every
  // bucket reads back
  EXPECT_LE(s.storedValues(), 8u);
  EXPECT_EQ(s.observations(), 5603u);
  EXPECT_DOUBLE_EQ(s[0], 0);
  EXPECT_DOUBLE_EQ(s[s.size() - 1], 300);
  BucketMeans plain(1024);
  for (int i = 0; i < 600; ++i) plain.add(0);
  for (int i = 1; i <= 3; ++i) plain.add(100.0 * i);
  for (int i = 0; i < 5000; ++i) plain.add(300);
  expectSameBuckets(s, plain);
}

TEST(BucketMeans, RepeatedAddsEqualAddingOneByOne) {
  // Runs of every length against every stride and a pending bucket in any state.
  BucketMeans runs(16), single(16);
  uint64_t state = 12345;
  for (int run = 0; run < 400; ++run) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t length = (state >> 33) % 97;
    const double value = static_cast<double>((state >> 20) % 5);
    runs.addRepeated(value, length);
    for (uint64_t i = 0; i < length; ++i) single.add(value);
    expectSameBuckets(runs, single);
  }
}

TEST(BucketMeans, LoweringTheBoundGivesTheBucketsOfThatBoundFromTheStart) {
  for (int n = 0; n < 300; ++n) {
    // given a series bounded by 64 and one bounded by 16, fed the same n values
    BucketMeans wide(64), narrow(16);
    for (int i = 0; i < n; ++i) {
      wide.add(i % 7 == 0 ? 0.0 : i * 1.5);
      narrow.add(i % 7 == 0 ? 0.0 : i * 1.5);
    }
    // when the wide one's bound drops to 16
    wide.setMaxPoints(16);
    // then both hold the same buckets, and stay alike as values keep coming
    expectSameBuckets(wide, narrow);
    wide.addRepeated(2, 37);
    narrow.addRepeated(2, 37);
    expectSameBuckets(wide, narrow);
  }
}

TEST(BucketMeans, EmptyAndOddBoundsAreSafe) {
  BucketMeans empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.observations(), 0u);

  BucketMeans odd(5);  // rounded up to an even bound so pairs merge evenly
  for (int i = 0; i < 1000; ++i) odd.add(i);
  EXPECT_LE(odd.size(), 6u);
  odd.setMaxPoints(1);  // at least two buckets
  EXPECT_LE(odd.size(), 2u);
  EXPECT_EQ(odd.observations(), 1000u);
}

TEST(SiteSeries, PointsPairTheSharedTimesWithTheSiteValues) {
  // v = 7 + 3 t exactly: every merged point must satisfy it (up to rounding).
  auto times = std::make_shared<BucketMeans>(64);
  SiteSeries line{times, BucketMeans(64)};
  for (int i = 0; i < 10'001; ++i) {
    const double t = i * 0.1 + (i % 3) * 0.01;  // uneven spacing
    times->add(t);
    line.values.add(7 + 3 * t);
  }
  const std::vector<SeriesPoint> points = line.points();
  ASSERT_EQ(points.size(), line.size());
  EXPECT_LE(points.size(), 64u);
  EXPECT_EQ(line.totalAdded(), 10'001u);
  for (const SeriesPoint& p : points) EXPECT_NEAR(p.v, 7 + 3 * p.t, 1e-6 * p.v);
}

TEST(SeriesDownsample, ShortInputIsReturnedAsIs) {
  const std::vector<SeriesPoint> pts = {{0, 1}, {1, 2}, {2, 3}};
  const auto out = downsample(pts, 3);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_DOUBLE_EQ(out[2].v, 3);
}

TEST(SeriesDownsample, EqualCountBucketsOfCentroids) {
  std::vector<SeriesPoint> pts;
  for (int i = 0; i < 10; ++i) pts.push_back({double(i), double(10 * i)});
  const auto out = downsample(pts, 4);  // buckets of 2,3,2,3 points
  ASSERT_EQ(out.size(), 4u);
  EXPECT_DOUBLE_EQ(out[0].t, 0.5);
  EXPECT_DOUBLE_EQ(out[0].v, 5);
  EXPECT_DOUBLE_EQ(out[1].t, 3);
  EXPECT_DOUBLE_EQ(out[3].t, 8);
  EXPECT_DOUBLE_EQ(out[3].v, 80);
}

}  // namespace
