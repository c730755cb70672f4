#include "read/series.hpp"

#include <algorithm>

namespace slowburn::analyze {

BoundedSeries::BoundedSeries(size_t maxPoints) : m_maxPoints(std::max<size_t>(2, maxPoints)) {
  // Pairs must merge evenly so every complete point covers exactly m_stride observations.
  if (m_maxPoints % 2 != 0) ++m_maxPoints;
}

void BoundedSeries::growStorage() {
  // Lazily: most sites of a big dump live for a few snapshots, so capacity doubles as
  // points arrive and never passes maxPoints.
  constexpr size_t kFirstCapacity = 8;
  m_points.reserve(std::min(m_maxPoints, std::max(kFirstCapacity, 2 * m_points.capacity())));
}

void BoundedSeries::add(double t, double v) {
  if (m_totalAdded == 0 || v > m_peak) m_peak = v;
  m_last = v;
  ++m_totalAdded;

  if (m_pendingCount == 0) {
    if (m_points.size() == m_maxPoints) mergePairs();
    if (m_points.size() == m_points.capacity()) growStorage();
    m_points.push_back({t, v});
  }
  ++m_pendingCount;
  m_pendingSumT += t;
  m_pendingSumV += v;
  const double n = static_cast<double>(m_pendingCount);
  m_points.back() = {m_pendingSumT / n, m_pendingSumV / n};
  if (m_pendingCount == m_stride) {
    m_pendingCount = 0;
    m_pendingSumT = 0;
    m_pendingSumV = 0;
  }
}

bool BoundedSeries::addAligned(const BoundedSeries& other) {
  if (other.m_totalAdded != m_totalAdded || other.m_stride != m_stride ||
      other.m_points.size() != m_points.size() || other.m_pendingCount != m_pendingCount) {
    return false;
  }
  double peak = std::max(m_peak, other.m_peak);
  for (size_t i = 0; i < m_points.size(); ++i) {
    m_points[i].v += other.m_points[i].v;
    peak = std::max(peak, m_points[i].v);
  }
  m_pendingSumV += other.m_pendingSumV;
  m_last += other.m_last;
  m_peak = std::max(peak, m_last);
  return true;
}

void BoundedSeries::mergePairs() {
  // Called only when every point is complete, so each pair has equal weight.
  const size_t half = m_points.size() / 2;
  for (size_t i = 0; i < half; ++i) {
    const SeriesPoint& a = m_points[2 * i];
    const SeriesPoint& b = m_points[2 * i + 1];
    m_points[i] = {(a.t + b.t) / 2, (a.v + b.v) / 2};
  }
  m_points.resize(half);
  m_stride *= 2;
}

std::vector<SeriesPoint> downsample(std::span<const SeriesPoint> points, size_t maxPoints) {
  maxPoints = std::max<size_t>(1, maxPoints);
  if (points.size() <= maxPoints) return {points.begin(), points.end()};
  std::vector<SeriesPoint> out;
  out.reserve(maxPoints);
  const size_t n = points.size();
  for (size_t b = 0; b < maxPoints; ++b) {
    // Bucket b covers [b*n/maxPoints, (b+1)*n/maxPoints): sizes differ by at most one.
    const size_t lo = b * n / maxPoints;
    const size_t hi = (b + 1) * n / maxPoints;
    double sumT = 0, sumV = 0;
    for (size_t i = lo; i < hi; ++i) {
      sumT += points[i].t;
      sumV += points[i].v;
    }
    const double count = static_cast<double>(hi - lo);
    out.push_back({sumT / count, sumV / count});
  }
  return out;
}

}  // namespace slowburn::analyze
