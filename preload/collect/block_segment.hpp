#pragma once
// One segment of the pointer map: a bucketized cuckoo hash table (Fan, Andersen,
// Kaminsky, "MemC3", NSDI 2013). A bucket is one 64-byte line of four 16-byte slots and
// each block may live in one of two buckets, so a lookup or an erase reads at most two
// cache lines, and inserts stay cheap up to ~95% full (when both buckets are full, a
// resident is moved to its other bucket, and so on: a short random walk).
//
// A slot packs a block into two words: the address's low 48 bits with the site's high 16
// bits, the size's low 48 bits with the site's low 16 bits. An address of 0 is an empty
// slot. A bucket's blocks fill its first slots, so a scan stops at the first empty one.
// Blocks that do not fit (address or size of 2^48 or more) are the map's business.
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
  // address is not 0, so an empty slot never holds it.
  bool holds(uint64_t address) const { return ((a ^ address) << 16) == 0; }
  uint32_t site() const { return static_cast<uint32_t>((a >> 48) << 16 | b >> 48); }
  uint64_t size() const { return b & kLow48; }
};

// Aligned as its buckets, which start right after it: a segment is its header, then them.
class alignas(64) BlockSegment {
 public:
  static constexpr unsigned kSlotsPerBucket = 4;
  // Grown or split at this load; rebuilt for kRebuiltLoad; shrunk (or merged) below
  // kShrinkLoad, for kShrunkLoad. The wide gap between the last two is what a map that is
  // emptying pays for in moves: each shrink moves a segment's blocks once.
  static constexpr double kMaxLoad = 0.90;
  static constexpr double kRebuiltLoad = 0.72;
  static constexpr double kShrinkLoad = 0.35;
  static constexpr double kShrunkLoad = 0.85;

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
  // Buckets that hold `blocks` at `load`.
  static size_t bucketsFor(size_t blocks, double load = kRebuiltLoad);
  // Bytes a segment of `buckets` buckets maps.
  static size_t bytesFor(size_t buckets);

  // The two buckets a hash may live in (the second's line is fetched at once).
  struct Where {
    size_t one;
    size_t two;
  };
  Where where(uint64_t hash) const {
    const size_t two = secondBucket(hash);
    __builtin_prefetch(&bucket(two));
    return {firstBucket(hash), two};
  }
  // Both lines of a hash's buckets on their way into the cache (inline always: see
  // PointerMap::prefetch).
  [[gnu::always_inline]] void prefetch(uint64_t hash) const {
    __builtin_prefetch(&bucket(firstBucket(hash)));
    __builtin_prefetch(&bucket(secondBucket(hash)));
  }
  size_t firstBucket(uint64_t hash) const {
    return static_cast<size_t>((hash & 0xffffffffu) * m_buckets >> 32);
  }
  // Now and then the first bucket again: that block has four slots rather than eight.
  size_t secondBucket(uint64_t hash) const {
    return static_cast<size_t>(((hash >> 16) & 0xffffffffu) * m_buckets >> 32);
  }

  PackedBlock* find(uint64_t address, Where w) {
    if (PackedBlock* slot = matchIn(bucket(w.one), address)) return slot;
    return matchIn(bucket(w.two), address);
  }
  // One pass over a block's two buckets for an insert that may replace: the slot holding
  // address (hit), else the first empty slot of the emptier bucket (room; nullptr when
  // both are full). Filling the emptier bucket keeps the buckets even, so both are seldom
  // full and an insert seldom has to move anyone.
  struct Probe {
    PackedBlock* hit;
    PackedBlock* room;
  };
  Probe probe(uint64_t address, Where w) {
    Bucket& one = bucket(w.one);
    if (PackedBlock* hit = matchIn(one, address)) return {hit, nullptr};
    Bucket& two = bucket(w.two);
    if (PackedBlock* hit = matchIn(two, address)) return {hit, nullptr};
    const unsigned usedOne = usedIn(one);
    const unsigned usedTwo = usedIn(two);
    if (usedTwo < usedOne) return {nullptr, &two.slots[usedTwo]};
    return {nullptr, usedOne < kSlotsPerBucket ? &one.slots[usedOne] : nullptr};
  }
  // Fills the room probe found.
  void place(PackedBlock* slot, PackedBlock block) {
    *slot = block;
    ++m_count;
  }
  // Places a block whose address is not here yet. False when the walk found no room: the
  // segment then holds the block, and *homeless is another one it had to put out.
  bool insert(PackedBlock block, Where w, PackedBlock* homeless);
  // insert for a block of this hash, into its first bucket unless that would leave it
  // fuller than the second: the whole cost of most moves when a segment is rebuilt.
  bool placeMoved(PackedBlock block, uint64_t hash, PackedBlock* homeless) {
    const size_t first = firstBucket(hash);
    Bucket& one = bucket(first);
    unsigned used = usedIn(one);
    Bucket* into = &one;
    if (used >= kSlotsPerBucket - 1) {
      Bucket& two = bucket(secondBucket(hash));
      if (const unsigned usedTwo = usedIn(two); usedTwo < used) {
        used = usedTwo;
        into = &two;
      }
    }
    if (used < kSlotsPerBucket) [[likely]] {
      into->slots[used] = block;
      ++m_count;
      return true;
    }
    return insert(block, where(hash), homeless);
  }
  // The bucket's last block takes the erased one's slot, so its blocks stay a prefix.
  void erase(PackedBlock* slot) {
    Bucket& b = bucketOf(slot);
    const unsigned last = usedIn(b) - 1;  // slot itself is in use: at least one
    *slot = b.slots[last];
    b.slots[last] = PackedBlock{};
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

  // True when moved(block) is true for every block; stops at the first false.
  template <class Move>
  bool allMoved(Move&& moved) const {
    for (size_t i = 0; i < m_buckets; ++i) {
      const Bucket& b = bucket(i);
#pragma GCC unroll 4
      for (const PackedBlock& slot : b.slots) {
        if (slot.a == 0) break;
        if (!moved(slot)) return false;
      }
    }
    return true;
  }
  template <class Visit>
  void forEach(Visit&& visit) const {
    for (size_t i = 0; i < m_buckets; ++i) {
      const Bucket& b = bucket(i);
#pragma GCC unroll 4
      for (const PackedBlock& slot : b.slots) {
        if (slot.a == 0) break;
        visit(slot);
      }
    }
  }

 private:
  struct alignas(64) Bucket {
    PackedBlock slots[kSlotsPerBucket];
  };

  Bucket& bucket(size_t i) { return reinterpret_cast<Bucket*>(this + 1)[i]; }
  const Bucket& bucket(size_t i) const { return reinterpret_cast<const Bucket*>(this + 1)[i]; }
  static Bucket& bucketOf(PackedBlock* slot) {
    return *reinterpret_cast<Bucket*>(reinterpret_cast<uintptr_t>(slot) &
                                      ~uintptr_t{sizeof(Bucket) - 1});
  }
  // Blocks in b: they fill its first slots.
  static unsigned usedIn(const Bucket& b) {
    static_assert(kSlotsPerBucket == 4);
    if (b.slots[1].a == 0) return b.slots[0].a == 0 ? 0 : 1;
    return b.slots[3].a != 0 ? 4 : b.slots[2].a != 0 ? 3 : 2;
  }
  // The slot of b holding address; nullptr when none does.
  static PackedBlock* matchIn(Bucket& b, uint64_t address) {
#pragma GCC unroll 4
    for (PackedBlock& slot : b.slots)
      if (slot.holds(address)) return &slot;
    return nullptr;
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
