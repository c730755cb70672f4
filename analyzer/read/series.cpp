#include "read/series.hpp"

#include <algorithm>

namespace slowburn::analyze {
namespace {

// Pairs must merge evenly so every complete bucket covers exactly the stride.
uint32_t evenBound(size_t maxPoints) {
  const size_t bound = std::clamp<size_t>(maxPoints, 2, size_t{1} << 30);
  return static_cast<uint32_t>(bound + bound % 2);
}

}  // namespace

BucketMeans::BucketMeans(size_t maxPoints) : m_maxPoints(evenBound(maxPoints)) {}

double BucketMeans::operator[](size_t i) const {
  if (i < m_zeros) return 0;
  i -= m_zeros;
  if (i < m_values.size()) return m_values[i];
  i -= m_values.size();
  if (i < m_tailCount) return m_tailValue;
  return m_pendingSum / static_cast<double>(m_pendingCount);
}

void BucketMeans::reserveFor(size_t values) {
  // Capacity doubles as values arrive but never passes the bound: most sites store few.
  if (values <= m_values.capacity()) return;
  constexpr size_t kFirstCapacity = 8;
  m_values.reserve(
      std::min<size_t>(m_maxPoints, std::max({values, kFirstCapacity, 2 * m_values.capacity()})));
}

void BucketMeans::pushComplete(double x, uint64_t count) {
  while (count > 0) {
    if (m_values.empty() && m_tailCount == 0 && x == 0) {
      m_zeros += static_cast<uint32_t>(count);
      return;
    }
    if (m_tailCount > 0 && x == m_tailValue) {
      m_tailCount += static_cast<uint32_t>(count);
      return;
    }
    if (m_tailCount > 0) {
      reserveFor(m_values.size() + m_tailCount);
      m_values.insert(m_values.end(), m_tailCount, m_tailValue);
      m_tailCount = 0;
    }
    if (!m_values.empty() && m_values.back() == x) {
      // A run starts at the end: the stored value joins it.
      m_values.pop_back();
      m_tailValue = x;
      m_tailCount = 1;
      continue;
    }
    reserveFor(m_values.size() + 1);
    m_values.push_back(x);
    --count;
  }
}

void BucketMeans::mergePairs() {
  const size_t buckets = complete();
  const std::vector<double> old = std::move(m_values);
  const size_t zeros = m_zeros, tailStart = m_zeros + old.size();
  const double tailValue = m_tailValue;
  const auto at = [&](size_t i) {
    return i < zeros ? 0.0 : (i < tailStart ? old[i - zeros] : tailValue);
  };
  m_values = {};
  if (!old.empty()) m_values.reserve(std::min<size_t>(m_maxPoints, old.size() / 2 + 1));
  m_zeros = 0;
  m_tailCount = 0;
  const size_t pairs = buckets / 2;
  size_t i = zeros / 2;  // pairs wholly inside the leading zeros
  pushComplete(0, i);
  for (const size_t wholeTail = (tailStart + 1) / 2; i < std::min(pairs, wholeTail); ++i) {
    pushComplete((at(2 * i) + at(2 * i + 1)) / 2);
  }
  if (i < pairs) pushComplete(tailValue, pairs - i);
  if (buckets % 2 != 0) {
    // The odd bucket starts the newest one of twice the stride.
    m_pendingSum += at(buckets - 1) * static_cast<double>(m_stride);
    m_pendingCount += m_stride;
  }
  m_stride *= 2;
}

void BucketMeans::addRepeated(double v, uint64_t count) {
  if (count == 0) return;
  m_peak = observations() == 0 ? v : std::max(m_peak, v);
  m_last = v;
  while (count > 0) {
    if (m_pendingCount == 0 && complete() == m_maxPoints) mergePairs();
    if (m_pendingCount > 0 || count < m_stride) {
      const uint64_t take = std::min(count, m_stride - m_pendingCount);
      m_pendingSum += v * static_cast<double>(take);
      m_pendingCount += take;
      count -= take;
      if (m_pendingCount == m_stride) {
        const double mean = m_pendingSum / static_cast<double>(m_stride);
        m_pendingCount = 0;
        m_pendingSum = 0;
        pushComplete(mean);
      }
    } else {
      const uint64_t whole = std::min<uint64_t>(count / m_stride, m_maxPoints - complete());
      pushComplete(v, whole);
      count -= whole * m_stride;
    }
  }
}

void BucketMeans::setMaxPoints(size_t maxPoints) {
  const uint32_t bound = evenBound(maxPoints);
  if (bound >= m_maxPoints) return;
  m_maxPoints = bound;
  // A series bounded from the start never holds a full set of buckets and a newest one.
  while (complete() > m_maxPoints || (complete() == m_maxPoints && m_pendingCount > 0)) {
    mergePairs();
  }
  m_values.shrink_to_fit();
}

bool BucketMeans::addAligned(const BucketMeans& other) {
  if (other.observations() != observations() || other.m_stride != m_stride ||
      other.m_maxPoints != m_maxPoints) {
    return false;
  }
  const size_t buckets = complete();
  std::vector<double> sums(buckets);
  for (size_t i = 0; i < buckets; ++i) sums[i] = (*this)[i] + other[i];
  m_values = {};
  m_zeros = 0;
  m_tailCount = 0;
  m_tailValue = 0;
  double peak = std::max(m_peak, other.m_peak);
  for (const double x : sums) {
    pushComplete(x);
    peak = std::max(peak, x);
  }
  m_pendingSum += other.m_pendingSum;
  m_last += other.m_last;
  m_peak = std::max(peak, m_last);
  return true;
}

std::vector<SeriesPoint> SiteSeries::points() const {
  const size_t n = times ? std::min(times->size(), values.size()) : 0;
  std::vector<SeriesPoint> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back({(*times)[i], values[i]});
  return out;
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
