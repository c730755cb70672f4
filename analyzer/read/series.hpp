#pragma once
// Per-site time series with bounded memory, whatever the length of the run.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace slowburn::analyze {

// One observation: seconds since the start of the run, and the value then (live bytes for an
// alloc site, calls/s for a syscall site).
struct SeriesPoint {
  double t = 0;
  double v = 0;
};

// Keeps at most maxPoints points. When full, adjacent pairs merge and every later point
// stands for twice as many observations, so memory is O(maxPoints) for any number of adds.
//
// A merged point is the centroid of the observations it covers: mean time, mean value. For
// a straight-line segment the centroid lies on the line, so slopes and trend tests see the
// same shape as on the raw series; merging also averages sampling noise down. What a mean
// loses (a spike inside the run, the very last value) is kept exactly on the side: peak(),
// last(). The newest point may cover fewer observations than the others (still filling).
class BoundedSeries {
 public:
  explicit BoundedSeries(size_t maxPoints = 2048);

  void add(double t, double v);
  // Adds other's values point by point: the series of several sites summed. Both must have
  // seen the same snapshot times (every site's series does: see ProfileBuilder); false, and
  // nothing changed, when they have not. The exact peak of a sum is not known: it becomes the
  // larger of the summed points and the two peaks.
  bool addAligned(const BoundedSeries& other);

  const std::vector<SeriesPoint>& points() const { return m_points; }
  size_t totalAdded() const { return m_totalAdded; }
  // Observations each complete point stands for (1 until the first merge, then 2, 4, ...).
  size_t stride() const { return m_stride; }
  // Exact extremes and the last raw observation; 0 when nothing was added.
  double peak() const { return m_peak; }
  double last() const { return m_last; }

 private:
  void mergePairs();
  void growStorage();

  size_t m_maxPoints;
  size_t m_stride = 1;
  size_t m_totalAdded = 0;
  // Sums for the newest point while it covers fewer than m_stride observations.
  size_t m_pendingCount = 0;
  double m_pendingSumT = 0;
  double m_pendingSumV = 0;
  double m_peak = 0;
  double m_last = 0;
  std::vector<SeriesPoint> m_points;
};

// Centroids of consecutive equal-count buckets: at most maxPoints points, same shape.
// Returns a copy of the input when it is already short enough.
std::vector<SeriesPoint> downsample(std::span<const SeriesPoint> points, size_t maxPoints);

}  // namespace slowburn::analyze
