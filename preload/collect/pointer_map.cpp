#include "collect/pointer_map.hpp"

#include <algorithm>
#include <new>

#include "support/page_memory.hpp"

namespace slowburn::preload {
namespace {

// A rebuilt segment that still cannot place everything (a pathological walk) gets this
// much bigger, a few times at most.
constexpr unsigned kRebuildAttempts = 4;

// fill's choice of blocks when a segment is rebuilt whole.
constexpr auto everyBlock = [](uint64_t) { return true; };

}  // namespace

PointerMap::PointerMap(size_t expectedBlocks) {
  m_directoryBytes = roundToPages(sizeof(BlockSegment*));
  auto** directory = static_cast<BlockSegment**>(mapPages(m_directoryBytes));
  if (directory == nullptr) return;
  noteMapped(m_directoryBytes);
  BlockSegment* first =
      makeSegment(std::min(BlockSegment::bucketsFor(expectedBlocks), kMaxSegmentBuckets), 0);
  if (first == nullptr) {
    unmapPages(directory, m_directoryBytes);
    return;
  }
  directory[0] = first;
  m_directory = directory;
}

PointerMap::~PointerMap() {
  if (m_directory != nullptr) {
    const size_t entries = size_t{1} << m_globalDepth;
    // A segment of depth d fills an aligned run of 2^(g-d) entries: drop it, skip the run.
    for (size_t i = 0; i < entries;) {
      BlockSegment* segment = m_directory[i];
      i += size_t{1} << (m_globalDepth - segment->depth());
      BlockSegment::destroy(segment);
    }
    unmapPages(m_directory, m_directoryBytes);
  }
  if (m_wide != nullptr) {
    m_wide->~WideMap();
    unmapPages(m_wide, sizeof(WideMap));
  }
}

void PointerMap::noteMapped(size_t bytes) {
  m_mapped += bytes;
  m_peakMapped = std::max(m_peakMapped, m_mapped);
}

BlockSegment* PointerMap::makeSegment(size_t buckets, unsigned depth) {
  BlockSegment* segment = BlockSegment::create(buckets, depth);
  if (segment != nullptr) noteMapped(segment->mappedBytes());
  return segment;
}

void PointerMap::dropSegment(BlockSegment* segment) {
  m_mapped -= segment->mappedBytes();
  BlockSegment::destroy(segment);
}

void PointerMap::replace(BlockSegment* old, BlockSegment* fresh) {
  const size_t entries = size_t{1} << m_globalDepth;
  for (size_t i = 0; i < entries; ++i)
    if (m_directory[i] == old) m_directory[i] = fresh;
}

// insert when the map has (or is about to have) blocks too wide for a slot.
PointerMap::Placed PointerMap::insertBeside(uint64_t key, Value value, Value* replaced) {
  if (!PackedBlock::fits(key, value.size)) return insertWide(key, value, replaced);
  if (m_wide->size() != 0 && m_wide->erase(key, replaced)) {
    --m_size;  // was too big for a slot, fits now: moved below
    return insertCompact(key, value, nullptr) == NoMemory ? NoMemory : Replaced;
  }
  return insertCompact(key, value, replaced);
}

// A new block for a segment whose two buckets for it are full, or that is due to grow.
PointerMap::Placed PointerMap::placeCrowded(BlockSegment* segment, PackedBlock block,
                                            BlockSegment::Where where) {
  if (segment->crowded()) {
    if (!rebuild(segment, block)) return NoMemory;
  } else if (PackedBlock homeless; !segment->insert(block, where, &homeless)) {
    if (!rebuild(segment, homeless)) return NoMemory;
  }
  m_peakSize = std::max(m_peakSize, ++m_size);
  return Added;
}

PointerMap::Placed PointerMap::insertWide(uint64_t key, Value value, Value* replaced) {
  // A compact entry for the same key, now too big for its slot, moves here.
  const bool had = erase(key, replaced);
  if (m_wide == nullptr) {
    void* memory = mapPages(sizeof(WideMap));
    if (memory == nullptr) return NoMemory;
    m_wide = new (memory) WideMap;
  }
  Value old;
  const bool hadWide = m_wide->find(key, &old);
  if (hadWide && replaced != nullptr) *replaced = old;
  if (!m_wide->insert(key, value)) return NoMemory;
  if (hadWide) return Replaced;
  m_peakSize = std::max(m_peakSize, ++m_size);
  return had ? Replaced : Added;
}

bool PointerMap::rebuild(BlockSegment* old, PackedBlock extra) {
  const size_t wanted = std::max(BlockSegment::bucketsFor(old->count() + 1), old->buckets() + 1);
  if (wanted > kMaxSegmentBuckets && old->depth() < kMaxDepth) return split(old, extra);
  size_t buckets = std::min(wanted, kMaxSegmentBuckets);
  for (unsigned attempt = 0; attempt < kRebuildAttempts; ++attempt) {
    BlockSegment* fresh = makeSegment(buckets, old->depth());
    if (fresh == nullptr) return false;
    if (fill(fresh, *old, extra, everyBlock)) {
      replace(old, fresh);
      dropSegment(old);
      return true;
    }
    dropSegment(fresh);
    buckets += buckets / 4 + 1;
  }
  return false;
}

bool PointerMap::split(BlockSegment* old, PackedBlock extra) {
  if (old->depth() == m_globalDepth && !growDirectory()) return false;
  const unsigned depth = old->depth() + 1;
  const unsigned bit = 64 - depth;  // the hash bit that tells the two halves apart
  // Every block hashed once: the hashes size each half for the blocks it gets (the hash
  // splits them about, not exactly, evenly), then place them.
  const size_t total = old->count() + 1;
  if (total > kSplitScratch) return splitRehashing(old, extra, depth, bit);
  uint64_t hashes[kSplitScratch];
  size_t n = 0;
  size_t upperCount = 0;
  old->forEach([&](const PackedBlock& b) {
    hashes[n] = BlockSegment::hashOf(b.address());
    upperCount += (hashes[n++] >> bit) & 1;
  });
  hashes[n] = BlockSegment::hashOf(extra.address());
  upperCount += (hashes[n] >> bit) & 1;
  size_t buckets[2] = {BlockSegment::bucketsFor(total - upperCount + 1),
                       BlockSegment::bucketsFor(upperCount + 1)};
  for (unsigned attempt = 0; attempt < kRebuildAttempts; ++attempt) {
    BlockSegment* halves[2] = {makeSegment(buckets[0], depth), nullptr};
    if (halves[0] != nullptr) halves[1] = makeSegment(buckets[1], depth);
    if (halves[1] == nullptr) {
      if (halves[0] != nullptr) dropSegment(halves[0]);
      return false;
    }
    PackedBlock homeless;
    size_t i = 0;
    const bool ok = old->allMoved([&](const PackedBlock& b) {
      const uint64_t hash = hashes[i++];
      return halves[(hash >> bit) & 1]->placeMoved(b, hash, &homeless);
    }) && halves[(hashes[n] >> bit) & 1]->placeMoved(extra, hashes[n], &homeless);
    if (ok) {
      installHalves(old, halves, depth);
      return true;
    }
    dropSegment(halves[0]);
    dropSegment(halves[1]);
    for (size_t& b : buckets) b += b / 4 + 1;
  }
  return false;
}

// split for a segment too big for the scratch hashes (one grown past the largest size
// by failed rebuilds): each half fills from the old segment on its own.
bool PointerMap::splitRehashing(BlockSegment* old, PackedBlock extra, unsigned depth,
                                unsigned bit) {
  size_t upperCount = 0;
  old->forEach(
      [&](const PackedBlock& b) { upperCount += (BlockSegment::hashOf(b.address()) >> bit) & 1; });
  upperCount += (BlockSegment::hashOf(extra.address()) >> bit) & 1;
  const size_t counts[2] = {old->count() + 1 - upperCount, upperCount};
  BlockSegment* halves[2] = {nullptr, nullptr};
  for (int h = 0; h < 2; ++h) {
    size_t buckets = BlockSegment::bucketsFor(counts[h] + 1);
    for (unsigned attempt = 0; halves[h] == nullptr && attempt < kRebuildAttempts; ++attempt) {
      halves[h] = makeSegment(buckets, depth);
      if (halves[h] == nullptr) break;
      const uint64_t upper = h;
      if (!fill(halves[h], *old, extra,
                [bit, upper](uint64_t hash) { return ((hash >> bit) & 1) == upper; })) {
        dropSegment(halves[h]);
        halves[h] = nullptr;
        buckets += buckets / 4 + 1;
      }
    }
    if (halves[h] == nullptr) {
      if (h == 1) dropSegment(halves[0]);
      return false;
    }
  }
  installHalves(old, halves, depth);
  return true;
}

// The old segment's run of directory entries: its lower half to one, upper to the other.
void PointerMap::installHalves(BlockSegment* old, BlockSegment* const halves[2], unsigned depth) {
  const size_t entries = size_t{1} << m_globalDepth;
  const size_t half = size_t{1} << (m_globalDepth - depth);
  for (size_t i = 0; i < entries; ++i) {
    if (m_directory[i] != old) continue;
    for (size_t j = 0; j < 2 * half; ++j) m_directory[i + j] = halves[j < half ? 0 : 1];
    break;
  }
  dropSegment(old);
}

template <class Belongs>
bool PointerMap::fill(BlockSegment* target, const BlockSegment& from, PackedBlock extra,
                      Belongs belongs) {
  PackedBlock homeless;
  const bool ok = from.allMoved([&](const PackedBlock& b) {
    const uint64_t hash = BlockSegment::hashOf(b.address());
    return !belongs(hash) || target->placeMoved(b, hash, &homeless);
  });
  if (!ok || extra.a == 0) return ok;
  const uint64_t hash = BlockSegment::hashOf(extra.address());
  return !belongs(hash) || target->placeMoved(extra, hash, &homeless);
}

bool PointerMap::growDirectory() {
  if (m_globalDepth >= kMaxDepth) return false;
  const size_t entries = size_t{1} << m_globalDepth;
  const size_t bytes = roundToPages(2 * entries * sizeof(BlockSegment*));
  auto** grown = static_cast<BlockSegment**>(mapPages(bytes));
  if (grown == nullptr) return false;
  noteMapped(bytes);
  for (size_t i = 0; i < 2 * entries; ++i) grown[i] = m_directory[i >> 1];
  unmapPages(m_directory, m_directoryBytes);
  m_mapped -= m_directoryBytes;
  m_directory = grown;
  m_directoryBytes = bytes;
  ++m_globalDepth;
  return true;
}

void PointerMap::shrink(BlockSegment* segment, uint64_t hash) {
  if (merge(segment, hash)) return;
  const size_t buckets = BlockSegment::bucketsFor(segment->count(), BlockSegment::kShrunkLoad);
  if (BlockSegment::bytesFor(buckets) >= segment->mappedBytes()) return;
  BlockSegment* fresh = makeSegment(buckets, segment->depth());
  if (fresh == nullptr) return;
  if (!fill(fresh, *segment, PackedBlock{}, everyBlock)) {
    dropSegment(fresh);  // keep the bigger one: it still holds everything
    return;
  }
  replace(segment, fresh);
  dropSegment(segment);
}

// A sparse segment and its buddy (the other half of the segment they were split from)
// become one again when both fit in half a segment: split's inverse, so a map that
// empties gives back the pages of the segments it had grown into.
bool PointerMap::merge(BlockSegment* segment, uint64_t hash) {
  const unsigned depth = segment->depth();
  if (depth == 0) return false;
  const size_t at = hash >> (64 - m_globalDepth);           // an entry of the segment's run
  const size_t run = size_t{1} << (m_globalDepth - depth);  // the segment's entries
  BlockSegment* buddy = m_directory[(at & ~(run - 1)) ^ run];
  if (buddy == segment || buddy->depth() != depth) return false;
  const size_t total = segment->count() + buddy->count();
  if (total * 2 > kMaxSegmentBuckets * BlockSegment::kSlotsPerBucket / 2) return false;
  BlockSegment* merged =
      makeSegment(BlockSegment::bucketsFor(total + 1, BlockSegment::kShrunkLoad), depth - 1);
  if (merged == nullptr) return false;
  if (!fill(merged, *segment, PackedBlock{}, everyBlock) ||
      !fill(merged, *buddy, PackedBlock{}, everyBlock)) {
    dropSegment(merged);
    return false;
  }
  replace(segment, merged);
  replace(buddy, merged);
  dropSegment(segment);
  dropSegment(buddy);
  return true;
}

bool PointerMap::eraseWide(uint64_t key, Value* out) {
  if (m_wide != nullptr && m_wide->erase(key, out)) {
    --m_size;
    return true;
  }
  return false;
}

bool PointerMap::find(uint64_t key, Value* out) const {
  if (m_directory == nullptr) return false;
  if (key <= PackedBlock::kLow48) {
    const uint64_t hash = BlockSegment::hashOf(key);
    BlockSegment* segment = segmentFor(hash);
    if (const PackedBlock* slot = segment->find(key, segment->where(hash))) {
      if (out != nullptr) *out = Value{slot->site(), slot->size()};
      return true;
    }
  }
  return m_wide != nullptr && m_wide->find(key, out);
}

}  // namespace slowburn::preload
