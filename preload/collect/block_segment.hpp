#pragma once
// One segment of the pointer map: a bucketized cuckoo hash table (Fan, Andersen,
// Kaminsky, "MemC3", NSDI 2013). A bucket is one 64-byte line of four 16-byte slots and
// each block may live in one of two buckets, so a lookup or an erase reads at most two
// cache lines, and inserts stay cheap up to ~95% full (when both buckets are full, a
// resident is moved to its other bucket, and so on: a short random walk).
//
// A slot packs a block into two words: the address's low 48 bits with the site's high 16
// bits, the size's low 48 bits with the site's low 16 bits. An address of 0 is an empty
// slot. Blocks that do not fit (address or size of 2^48 or more) are the map's business.
//
// A segment lives at the start of its own mapping, its buckets right after it, so making
// one is one mmap and dropping it one munmap.

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace slowburn::preload {

struct PackedBlock {
  static constexpr uint64_t kLow48 = (uint64_t{1} << 48) - 1;

  uint64_t a = 0;
  uint64_t b = 0;

  static bool fits(uint64_t address, uint64_t size) {
    return address != 0 && address <= kLow48 && size <= kLow48;
  }
  static PackedBlock pack(uint64_t address, uint32_t site, uint64_t size) {
    return PackedBlock{address | uint64_t{site >> 16} << 48, size | uint64_t{site & 0xffff} << 48};
  }
  uint64_t address() const { return a & kLow48; }
  uint32_t site() const { return static_cast<uint32_t>((a >> 48) << 16 | b >> 48); }
  uint64_t size() const { return b & kLow48; }
};

// Aligned as its buckets, which start right after it: a segment is its header, then them.
class alignas(64) BlockSegment {
 public:
  static constexpr unsigned kSlotsPerBucket = 4;
  // Grown or split at this load; rebuilt for kRebuiltLoad; shrunk below kShrinkLoad.
  static constexpr double kMaxLoad = 0.92;
  static constexpr double kRebuiltLoad = 0.736;
  static constexpr double kShrinkLoad = 0.45;

  // The hash every placement derives from (murmur3's 64-bit finalizer): bits 0-31 pick
  // the first bucket, bits 16-47 the second, the map's directory uses the top bits.
  static uint64_t hashOf(uint64_t address) {
    uint64_t h = address;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }

  // A segment of at least `buckets` buckets (its pages filled up with more), at local
  // depth `depth`; nullptr when out of memory.
  static BlockSegment* create(size_t buckets, unsigned depth);
  static void destroy(BlockSegment* segment);
  // Buckets that hold `blocks` at kRebuiltLoad.
  static size_t bucketsFor(size_t blocks);
  // Bytes a segment of `buckets` buckets maps.
  static size_t bytesFor(size_t buckets);

  // The two buckets a hash may live in (the second's line is fetched at once).
  struct Where {
    size_t one;
    size_t two;
  };
  Where where(uint64_t hash) const {
    const size_t one = static_cast<size_t>((hash & 0xffffffffu) * m_buckets >> 32);
    size_t two = static_cast<size_t>(((hash >> 16) & 0xffffffffu) * m_buckets >> 32);
    if (two == one && m_buckets > 1) two = one + 1 == m_buckets ? 0 : one + 1;
    __builtin_prefetch(&bucket(two));
    return {one, two};
  }

  PackedBlock* find(uint64_t address, Where w) {
    for (PackedBlock& slot : bucket(w.one).slots)
      if (slot.address() == address) return &slot;  // never 0: empty slots never match
    for (PackedBlock& slot : bucket(w.two).slots)
      if (slot.address() == address) return &slot;
    return nullptr;
  }
  // find's answer, and meanwhile an empty slot of the emptier of the two buckets (or
  // nullptr): one pass for an insert that may replace. Filling the emptier bucket keeps
  // the buckets even, so both are seldom full and an insert seldom has to move anyone.
  PackedBlock* findOrEmpty(uint64_t address, Where w, PackedBlock** empty) {
    PackedBlock* room[2] = {nullptr, nullptr};
    unsigned free[2] = {0, 0};
    for (unsigned i = 0; i < 2; ++i) {
      for (PackedBlock& slot : bucket(i == 0 ? w.one : w.two).slots) {
        if (slot.address() == address) return &slot;
        if (slot.a == 0) {
          room[i] = &slot;
          ++free[i];
        }
      }
    }
    *empty = room[free[1] > free[0] ? 1 : 0];
    return nullptr;
  }
  // Fills an empty slot findOrEmpty found.
  void place(PackedBlock* slot, PackedBlock block) {
    *slot = block;
    ++m_count;
  }
  // Places a block whose address is not here yet. False when the walk found no room: the
  // segment then holds the block, and *homeless is another one it had to put out.
  bool insert(PackedBlock block, Where w, PackedBlock* homeless);
  // insert for a block of this hash, trying its first bucket before anything else: the
  // whole cost of most moves when a segment is rebuilt.
  bool placeMoved(PackedBlock block, uint64_t hash, PackedBlock* homeless) {
    const Where w = where(hash);
    unsigned freeOne = 0;
    PackedBlock* slot = emptyIn(bucket(w.one), &freeOne);
    if (freeOne < 2) {  // it would fill its first bucket: take the second if that is emptier
      unsigned freeTwo = 0;
      PackedBlock* other = emptyIn(bucket(w.two), &freeTwo);
      if (freeTwo > freeOne) slot = other;
    }
    if (slot != nullptr) [[likely]] {
      *slot = block;
      ++m_count;
      return true;
    }
    return insert(block, w, homeless);
  }
  void erase(PackedBlock* slot) {
    *slot = PackedBlock{};
    --m_count;
  }

  size_t count() const { return m_count; }
  size_t capacity() const { return m_buckets * kSlotsPerBucket; }
  size_t buckets() const { return m_buckets; }
  size_t mappedBytes() const { return m_mapped; }
  unsigned depth() const { return m_depth; }
  bool crowded() const { return m_count >= m_growAt; }
  // Just fell below kShrinkLoad: asked once per fall, so a segment that cannot shrink
  // further (or merge) costs nothing on later erases.
  bool justTurnedSparse() const { return m_count + 1 == m_shrinkBelow; }

  template <class Visit>
  void forEach(Visit&& visit) const {
    for (size_t i = 0; i < m_buckets; ++i)
      for (const PackedBlock& slot : bucket(i).slots)
        if (slot.a != 0) visit(slot);
  }

 private:
  struct alignas(64) Bucket {
    PackedBlock slots[kSlotsPerBucket];
  };

  Bucket& bucket(size_t i) { return reinterpret_cast<Bucket*>(this + 1)[i]; }
  const Bucket& bucket(size_t i) const { return reinterpret_cast<const Bucket*>(this + 1)[i]; }
  static PackedBlock* emptyIn(Bucket& b) {
    for (PackedBlock& slot : b.slots)
      if (slot.a == 0) return &slot;
    return nullptr;
  }
  // An empty slot of b (nullptr: none), and how many it has.
  static PackedBlock* emptyIn(Bucket& b, unsigned* count) {
    PackedBlock* room = nullptr;
    for (PackedBlock& slot : b.slots) {
      if (slot.a == 0) {
        room = &slot;
        ++*count;
      }
    }
    return room;
  }

  size_t m_buckets = 0;
  size_t m_count = 0;
  size_t m_growAt = 0;       // kMaxLoad of the capacity
  size_t m_shrinkBelow = 0;  // kShrinkLoad of it
  size_t m_mapped = 0;
  unsigned m_depth = 0;
  uint32_t m_walk = 0x9E3779B9u;  // picks which resident a full insert moves
};
static_assert(sizeof(BlockSegment) == 64);

}  // namespace slowburn::preload
