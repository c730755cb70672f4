#pragma once
// The addresses of live sampled blocks, so that in sampled mode the free hook can tell in
// a few loads whether a block was recorded and push a FREE only then.
//
// Lock-free. Each table is an array of 64-byte buckets of 8 slots; an address may live in
// one of two buckets (two independent hashes), found by scanning both, so a lookup touches
// at most two cache lines per table and needs no probe chains: erasing simply zeroes the
// slot. A table that becomes half full gets a successor twice its size; new addresses go
// to the newest table while older ones drain as their blocks are freed. A block's
// insert happens before its address is returned to the program and its erase before the
// real free, so the same address is never inserted and erased concurrently.
//
// Nearly every free in sampled mode asks about a block that was never sampled. A small
// counting filter in front of the tables answers that in one load: each one-byte counter
// holds how many live addresses hash to it, raised before the insert and lowered after
// the erase, so a zero is always a correct "absent". A counter that reaches 255 stays
// there for good (it can no longer tell when it drops to zero), which only costs lookups.

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

class SampledSet {
 public:
  SampledSet();
  ~SampledSet();
  SampledSet(const SampledSet&) = delete;
  SampledSet& operator=(const SampledSet&) = delete;

  // False only when no table could be mapped (the caller then does not sample the block).
  bool insert(uint64_t address);
  // True when the address was present (and is now gone).
  bool erase(uint64_t address);
  bool contains(uint64_t address) const;
  // One load: false means the address is certainly absent (the common answer).
  bool mayContain(uint64_t address) const {
    return filterFor(address).load(std::memory_order_relaxed) != 0;
  }

  // Raises, for good, the counter of every 16-byte aligned address in [start, start +
  // bytes): blocks that are never inserted (the bootstrap arena's) then read "maybe", so a
  // free that asks only the filter sends them where they are known. Once per set: the
  // same range again changes nothing.
  void shadow(uint64_t start, size_t bytes);

  size_t size() const;
  size_t mappedBytes() const;

 private:
  static constexpr size_t kSlotsPerBucket = 8;
  static constexpr size_t kMaxTables = 28;
  static constexpr size_t kFirstBuckets = 512;
  static constexpr unsigned kFilterBits = 13;  // 8 KiB of counters: stays in the caches
  static constexpr uint8_t kFilterStuck = 255;

  struct Table {
    size_t buckets;  // power of two
    std::atomic<size_t> count;
    std::atomic<uint64_t>* slots;  // buckets * kSlotsPerBucket, bucket-major
  };

  Table* table(size_t index) const { return m_tables[index].load(std::memory_order_acquire); }
  Table* grow(size_t fromIndex);
  static bool insertInto(Table& t, uint64_t address);
  static std::atomic<uint64_t>* locate(const Table& t, uint64_t address);
  static size_t filterIndex(uint64_t address) {
    return ((address >> 4) * 0x9E3779B97F4A7C15ull) >> (64 - kFilterBits);
  }
  std::atomic<uint8_t>& filterFor(uint64_t address) { return m_filter[filterIndex(address)]; }
  const std::atomic<uint8_t>& filterFor(uint64_t address) const {
    return m_filter[filterIndex(address)];
  }
  static void raise(std::atomic<uint8_t>& counter);
  static void lower(std::atomic<uint8_t>& counter);
  bool eraseFromTables(uint64_t address);

  std::atomic<uint8_t> m_filter[size_t{1} << kFilterBits] = {};
  std::atomic<Table*> m_tables[kMaxTables];
  std::atomic<size_t> m_newest{0};
  uint64_t m_shadowEnd = 0;  // the end of the range shadowed last
};

}  // namespace slowburn::preload
