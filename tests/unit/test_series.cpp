// BoundedSeries and downsample: bounded memory, and merged points that keep the shape.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "read/series.hpp"

namespace {

using slowburn::analyze::BoundedSeries;
using slowburn::analyze::downsample;
using slowburn::analyze::SeriesPoint;

TEST(BoundedSeries, KeepsEveryPointUntilFull) {
  BoundedSeries s(8);
  for (int i = 0; i < 8; ++i) s.add(i * 0.1, i * 10.0);
  ASSERT_EQ(s.points().size(), 8u);
  EXPECT_EQ(s.stride(), 1u);
  EXPECT_EQ(s.totalAdded(), 8u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_DOUBLE_EQ(s.points()[i].t, i * 0.1);
    EXPECT_DOUBLE_EQ(s.points()[i].v, i * 10.0);
  }
}

TEST(BoundedSeries, MergesPairsIntoCentroidsWhenFull) {
  // given a full series of 4
  BoundedSeries s(4);
  for (int i = 0; i < 4; ++i) s.add(i, i * i);
  // when one more arrives
  s.add(4, 16);
  // then pairs merged to centroids and the new point starts a stride-2 bucket
  ASSERT_EQ(s.points().size(), 3u);
  EXPECT_EQ(s.stride(), 2u);
  EXPECT_DOUBLE_EQ(s.points()[0].t, 0.5);
  EXPECT_DOUBLE_EQ(s.points()[0].v, 0.5);
  EXPECT_DOUBLE_EQ(s.points()[1].t, 2.5);
  EXPECT_DOUBLE_EQ(s.points()[1].v, 6.5);
  EXPECT_DOUBLE_EQ(s.points()[2].t, 4);
  EXPECT_DOUBLE_EQ(s.points()[2].v, 16);
  // and the partial bucket becomes a centroid as it fills
  s.add(5, 25);
  ASSERT_EQ(s.points().size(), 3u);
  EXPECT_DOUBLE_EQ(s.points()[2].t, 4.5);
  EXPECT_DOUBLE_EQ(s.points()[2].v, 20.5);
}

TEST(BoundedSeries, StorageGrowsWithThePointsNotTheBound) {
  BoundedSeries series(1000);
  EXPECT_EQ(series.points().capacity(), 0u);
  for (int i = 0; i < 3; ++i) series.add(i, i);
  EXPECT_LE(series.points().capacity(), 8u);
  for (int i = 3; i < 5000; ++i) series.add(i, i);
  EXPECT_EQ(series.points().capacity(), 1000u);
}

TEST(BoundedSeries, MemoryStaysBoundedForAMillionAdds) {
  BoundedSeries s(100);
  for (int i = 0; i < 1'000'000; ++i) s.add(i * 0.1, 3.0 * i);
  EXPECT_LE(s.points().size(), 100u);
  EXPECT_GE(s.points().size(), 50u);
  EXPECT_LE(s.points().capacity(), 100u);
  EXPECT_EQ(s.totalAdded(), 1'000'000u);
}

TEST(BoundedSeries, CentroidsOfALineStayOnTheLine) {
  // v = 7 + 3 t exactly: every merged point must satisfy it (up to rounding).
  BoundedSeries s(64);
  for (int i = 0; i < 10'001; ++i) {
    const double t = i * 0.1 + (i % 3) * 0.01;  // uneven spacing
    s.add(t, 7 + 3 * t);
  }
  for (const SeriesPoint& p : s.points()) EXPECT_NEAR(p.v, 7 + 3 * p.t, 1e-6 * p.v);
}

TEST(BoundedSeries, TracksExactPeakAndLastThatMeansLose) {
  // A one-sample spike is averaged away by merging; peak() still has it.
  BoundedSeries s(16);
  for (int i = 0; i < 1000; ++i) s.add(i, i == 500 ? 1e9 : 100.0);
  s.add(1000, 5);
  EXPECT_DOUBLE_EQ(s.peak(), 1e9);
  EXPECT_DOUBLE_EQ(s.last(), 5);
  double maxKept = 0;
  for (const SeriesPoint& p : s.points()) maxKept = std::max(maxKept, p.v);
  EXPECT_LT(maxKept, 1e9);
}

TEST(BoundedSeries, EmptyAndOddCapacityAreSafe) {
  BoundedSeries empty;
  EXPECT_TRUE(empty.points().empty());
  EXPECT_EQ(empty.peak(), 0);
  EXPECT_EQ(empty.last(), 0);

  BoundedSeries odd(5);  // rounded up to an even bound so pairs merge evenly
  for (int i = 0; i < 1000; ++i) odd.add(i, i);
  EXPECT_LE(odd.points().size(), 6u);

  BoundedSeries negative(4);  // values can be anything the caller feeds, peak included
  negative.add(0, -3);
  negative.add(1, -5);
  EXPECT_DOUBLE_EQ(negative.peak(), -3);
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
