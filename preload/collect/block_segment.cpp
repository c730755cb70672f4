#include "collect/block_segment.hpp"

#include <cmath>
#include <new>

#include "support/page_memory.hpp"

namespace slowburn::preload {
namespace {

// Moves before an insert gives up and asks for a bigger segment.
constexpr unsigned kMaxWalk = 500;

}  // namespace

size_t BlockSegment::bytesFor(size_t buckets) {
  return roundToPages(sizeof(Bucket) * (buckets + 1));  // the header takes one line
}

size_t BlockSegment::bucketsFor(size_t blocks, double load) {
  const auto wanted =
      static_cast<size_t>(std::ceil(static_cast<double>(blocks) / (load * kSlotsPerBucket)));
  return wanted == 0 ? 1 : wanted;
}

BlockSegment* BlockSegment::create(size_t buckets, unsigned depth) {
  const size_t bytes = bytesFor(buckets);
  void* memory = mapPages(bytes);
  if (memory == nullptr) return nullptr;
  auto* segment = new (memory) BlockSegment;
  segment->m_buckets = bytes / sizeof(Bucket) - 1;  // every line of the pages is used
  const double capacity = static_cast<double>(segment->capacity());
  segment->m_growAt = static_cast<size_t>(kMaxLoad * capacity);
  segment->m_shrinkBelow = static_cast<size_t>(kShrinkLoad * capacity);
  segment->m_mapped = bytes;
  segment->m_depth = depth;
  return segment;
}

void BlockSegment::destroy(BlockSegment* segment) {
  if (segment != nullptr) unmapPages(segment, segment->m_mapped);
}

bool BlockSegment::insert(PackedBlock block, Where w, PackedBlock* homeless) {
  if (const unsigned used = usedIn(bucket(w.one)); used < kSlotsPerBucket) {
    bucket(w.one).slots[used] = block;
    ++m_count;
    return true;
  }
  size_t at = w.two;
  if (const unsigned used = usedIn(bucket(at)); used < kSlotsPerBucket) {
    bucket(at).slots[used] = block;
    ++m_count;
    return true;
  }
  // Both full: a resident with room in its other bucket moves there, one step ahead (a
  // full bucket's residents mostly have some), else a random walk of such moves.
  for (const size_t full : {w.one, w.two}) {
    for (PackedBlock& resident : bucket(full).slots) {
      const uint64_t hash = hashOf(resident.address());
      const size_t first = firstBucket(hash);
      Bucket& other = bucket(first == full ? secondBucket(hash) : first);
      if (const unsigned used = usedIn(other); used < kSlotsPerBucket) {
        other.slots[used] = resident;
        resident = block;
        ++m_count;
        return true;
      }
    }
  }
  ++m_count;
  for (unsigned step = 0; step < kMaxWalk; ++step) {
    m_walk = m_walk * 1664525u + 1013904223u;
    PackedBlock& victim = bucket(at).slots[m_walk >> 30];
    const PackedBlock moved = victim;
    victim = block;
    block = moved;
    const Where other = where(hashOf(block.address()));
    at = at == other.one ? other.two : other.one;
    if (const unsigned used = usedIn(bucket(at)); used < kSlotsPerBucket) {
      bucket(at).slots[used] = block;
      return true;
    }
  }
  --m_count;  // the one left over is not in the segment
  *homeless = block;
  return false;
}

}  // namespace slowburn::preload
