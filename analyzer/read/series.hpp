#pragma once
// Per-site time series in bounded memory, whatever the length of the run or the number of
// sites.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace slowburn::analyze {

// One observation: seconds since the start of the run, and the value then (live bytes for an
// alloc site, calls/s for a syscall site).
struct SeriesPoint {
  double t = 0;
  double v = 0;
};

// The means of consecutive observations in buckets of equal count (the stride), at most
// maxPoints buckets. When a new bucket would pass the bound, adjacent pairs merge and the
// stride doubles, so memory is O(maxPoints) for any number of observations. The newest
// bucket may hold fewer observations than the stride (still filling).
//
// A bucket is the centroid of what it covers. For a straight-line segment the centroid lies
// on the line, so slopes and trend tests see the same shape as on the raw series; merging
// also averages sampling noise down. What a mean loses (a spike, the very last value) the
// caller keeps apart (SiteProfile's peaks and live bytes).
//
// Buckets are stored compactly: the leading zeros (a site before its first allocation) and
// the trailing run of one value (a site that stopped changing) as counts, only the rest as
// values. Most sites of a big program live briefly or settle, so they cost a few values.
//
// The buckets depend only on the number of observations and maxPoints: two series fed the
// same count, in any number of calls, merge alike, so one series of times serves them all.
class BucketMeans {
 public:
  explicit BucketMeans(size_t maxPoints = 2048);

  void add(double v) { addRepeated(v, 1); }
  // count observations of the same value, in O(buckets touched), not O(count).
  void addRepeated(double v, uint64_t count);
  // Lowers the bound (never raises it): the buckets become those a series bounded by
  // maxPoints from the start would hold after the same observations.
  void setMaxPoints(size_t maxPoints);
  // Adds other's buckets to these, bucket by bucket: the series of several sites summed.
  // Both must have seen as many observations under the same bound (every site's series of
  // one profile has); false, and nothing changed, when they have not. The exact peak of a
  // sum is not known: it becomes the larger of the summed buckets and the two peaks.
  bool addAligned(const BucketMeans& other);

  // Buckets, the newest included.
  size_t size() const { return complete() + (m_pendingCount > 0 ? 1 : 0); }
  // Bucket i's mean, i < size().
  double operator[](size_t i) const;
  uint64_t observations() const { return complete() * m_stride + m_pendingCount; }
  uint64_t stride() const { return m_stride; }
  size_t maxPoints() const { return m_maxPoints; }
  // Values held apart from the leading zeros and the trailing run: the memory it takes.
  size_t storedValues() const { return m_values.capacity(); }
  // The highest and the last observation (what a mean loses); 0 before any.
  double peak() const { return m_peak; }
  double last() const { return m_last; }

 private:
  size_t complete() const { return m_zeros + m_values.size() + m_tailCount; }
  // Appends count complete buckets of mean x.
  void pushComplete(double x, uint64_t count = 1);
  void reserveFor(size_t values);
  void mergePairs();

  uint32_t m_maxPoints;
  uint32_t m_zeros = 0;      // leading complete buckets of mean 0
  uint32_t m_tailCount = 0;  // trailing complete buckets of mean m_tailValue
  double m_tailValue = 0;
  std::vector<double> m_values;  // the complete buckets between the two
  uint64_t m_stride = 1;
  // The newest bucket while it covers fewer than m_stride observations.
  uint64_t m_pendingCount = 0;
  double m_pendingSum = 0;
  double m_peak = 0;
  double m_last = 0;
};

// A site's series: its values against the time axis every site of a profile shares (both
// saw the same observations, so their buckets line up).
struct SiteSeries {
  std::shared_ptr<const BucketMeans> times;
  BucketMeans values;

  // (mean time, mean value) of each bucket, in time order.
  std::vector<SeriesPoint> points() const;
  size_t size() const { return values.size(); }
  uint64_t totalAdded() const { return values.observations(); }
  double peak() const { return values.peak(); }
  double last() const { return values.last(); }
  // Adds other's values: see BucketMeans::addAligned; false when the axes differ.
  bool addAligned(const SiteSeries& other) {
    return times == other.times && values.addAligned(other.values);
  }
};

// Centroids of consecutive equal-count buckets: at most maxPoints points, same shape.
// Returns a copy of the input when it is already short enough.
std::vector<SeriesPoint> downsample(std::span<const SeriesPoint> points, size_t maxPoints);

}  // namespace slowburn::analyze
