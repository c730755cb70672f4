#pragma once
// The collector's map from a live allocation's address to (site, size): what a FREE
// needs to find the block's site and size. It holds every live tracked block of the
// program, so its memory is the profiler's own memory per live allocation.
//
// 16 bytes a block (block_segment.hpp), in segments kept between 72% and 90% full: 18 to
// 22 bytes per live block. Segments split rather than grow past 32 KiB (extendible
// hashing: a directory indexed by the top bits of the hash, each segment covering the
// entries whose top `depth` bits it shares), so growing rebuilds at most one segment at
// a time and never needs the old and a new copy of the whole map at once. Segments
// shrink, and merge back with the other half of their split, when their blocks go (once
// under 35% full, so up to ~46 bytes per block left while a map empties, never more than
// it held at its peak). The rare block a slot cannot hold goes to a WideMap beside it.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "collect/block_segment.hpp"
#include "collect/wide_map.hpp"

namespace slowburn::preload {

class PointerMap {
 public:
  using Value = WideMap::Value;

  explicit PointerMap(size_t expectedBlocks = 1024);
  ~PointerMap();
  PointerMap(const PointerMap&) = delete;
  PointerMap& operator=(const PointerMap&) = delete;

  bool ok() const { return m_directory != nullptr; }
  // Unscoped, so NoMemory reads as false.
  enum Placed : uint8_t { NoMemory = 0, Added, Replaced };
  // key must not be 0. An existing entry for key is overwritten (Replaced, its value in
  // *replaced when given). NoMemory (false) when there was no room.
  Placed insert(uint64_t key, Value value, Value* replaced = nullptr);
  // Removes key; true and *out filled when it was present.
  bool erase(uint64_t key, Value* out);
  bool find(uint64_t key, Value* out) const;
  // Starts fetching the two cache lines an insert or erase of key will read, so that a
  // caller who knows its next keys overlaps their misses with its work on this one. Inline
  // always: GCC takes a call to a function that only prefetches for one that does nothing,
  // and drops it.
  [[gnu::always_inline]] void prefetch(uint64_t key) const;

  size_t size() const { return m_size; }
  // Bytes mapped now, and the most ever mapped at once (a segment being rebuilt counts
  // twice while both copies exist): the map's cost in the collector's RSS.
  size_t mappedBytes() const { return m_mapped; }
  size_t peakMappedBytes() const { return m_peakMapped; }
  size_t peakSize() const { return m_peakSize; }

 private:
  static constexpr size_t kMaxSegmentBuckets = 511;  // with its header: 32 KiB
  static constexpr unsigned kMaxDepth = 24;
  // Blocks split() hashes once on the stack (a segment of the largest size, full, + 1).
  static constexpr size_t kSplitScratch = kMaxSegmentBuckets * BlockSegment::kSlotsPerBucket + 1;

  BlockSegment*& segmentFor(uint64_t hash) const {
    return m_directory[(hash >> 1) >> (63 - m_globalDepth)];  // depth 0: entry 0, no branch
  }
  Placed insertWide(uint64_t key, Value value, Value* replaced);
  Placed insertBeside(uint64_t key, Value value, Value* replaced);
  // insert for a key and value that fit a slot, with no wide entry to look for.
  [[gnu::always_inline]] Placed insertCompact(uint64_t key, Value value, Value* replaced);
  // erase for a key no slot holds.
  bool eraseWide(uint64_t key, Value* out);
  Placed placeCrowded(BlockSegment* segment, PackedBlock block, BlockSegment::Where where);
  bool rebuild(BlockSegment* old, PackedBlock extra);
  bool split(BlockSegment* old, PackedBlock extra);
  bool splitRehashing(BlockSegment* old, PackedBlock extra, unsigned depth, unsigned bit);
  void installHalves(BlockSegment* old, BlockSegment* const halves[2], unsigned depth);
  // Moves into target the blocks of `from` (and extra, unless empty) whose hash `belongs`.
  template <class Belongs>
  bool fill(BlockSegment* target, const BlockSegment& from, PackedBlock extra, Belongs belongs);
  bool growDirectory();
  // hash: of a key that lives (or lived) in segment.
  void shrink(BlockSegment* segment, uint64_t hash);
  bool merge(BlockSegment* segment, uint64_t hash);
  BlockSegment* makeSegment(size_t buckets, unsigned depth);
  void dropSegment(BlockSegment* segment);
  void replace(BlockSegment* old, BlockSegment* fresh);
  void noteMapped(size_t bytes);

  BlockSegment** m_directory = nullptr;
  unsigned m_globalDepth = 0;
  size_t m_directoryBytes = 0;
  WideMap* m_wide = nullptr;  // made on first need
  size_t m_size = 0;
  size_t m_peakSize = 0;
  size_t m_mapped = 0;
  size_t m_peakMapped = 0;
};

// The fast paths are inline: the collector takes one of them on every allocation and free.

inline PointerMap::Placed PointerMap::insert(uint64_t key, Value value, Value* replaced) {
  if (m_directory == nullptr) return NoMemory;
  if (!PackedBlock::fits(key, value.size) || m_wide != nullptr) [[unlikely]]
    return insertBeside(key, value, replaced);
  return insertCompact(key, value, replaced);
}

inline PointerMap::Placed PointerMap::insertCompact(uint64_t key, Value value, Value* replaced) {
  const uint64_t hash = BlockSegment::hashOf(key);
  const PackedBlock block = PackedBlock::pack(key, value.site, value.size);
  BlockSegment* segment = segmentFor(hash);
  const BlockSegment::Where where = segment->where(hash);
  const BlockSegment::Probe probe = segment->probe(key, where);
  if (PackedBlock* slot = probe.hit) {
    if (replaced != nullptr) *replaced = Value{slot->site(), slot->size()};
    *slot = block;
    return Replaced;
  }
  if (probe.room == nullptr || segment->crowded()) [[unlikely]]
    return placeCrowded(segment, block, where);
  segment->place(probe.room, block);
  m_peakSize = std::max(m_peakSize, ++m_size);
  return Added;
}

inline void PointerMap::prefetch(uint64_t key) const {
  if (m_directory == nullptr) [[unlikely]]
    return;
  const uint64_t hash = BlockSegment::hashOf(key);
  segmentFor(hash)->prefetch(hash);
}

inline bool PointerMap::erase(uint64_t key, Value* out) {
  if (m_directory == nullptr || key > PackedBlock::kLow48) [[unlikely]]
    return eraseWide(key, out);
  const uint64_t hash = BlockSegment::hashOf(key);
  BlockSegment* segment = segmentFor(hash);
  PackedBlock* slot = segment->find(key, segment->where(hash));
  if (slot == nullptr) [[unlikely]]
    return eraseWide(key, out);
  if (out != nullptr) *out = Value{slot->site(), slot->size()};
  segment->erase(slot);
  --m_size;
  if (segment->justTurnedSparse()) [[unlikely]]
    shrink(segment, hash);
  return true;
}

}  // namespace slowburn::preload
