#include "record/sampled_set.hpp"

#include <new>

#include "support/page_memory.hpp"

namespace slowburn::preload {
namespace {

size_t tableBytes(size_t buckets) { return 64 + buckets * 8 * sizeof(uint64_t); }

uint64_t hash1(uint64_t a) { return (a >> 4) * 0x9E3779B97F4A7C15ull; }
uint64_t hash2(uint64_t a) { return ((a >> 4) ^ 0x5851F42D4C957F2Dull) * 0xC2B2AE3D27D4EB4Full; }

}  // namespace

SampledSet::SampledSet() {
  for (auto& t : m_tables) t.store(nullptr, std::memory_order_relaxed);
  grow(SIZE_MAX);
}

SampledSet::~SampledSet() {
  for (auto& slot : m_tables) {
    Table* t = slot.load(std::memory_order_relaxed);
    if (t != nullptr) unmapPages(t, tableBytes(t->buckets));
  }
}

SampledSet::Table* SampledSet::grow(size_t fromIndex) {
  const size_t index = fromIndex == SIZE_MAX ? 0 : fromIndex + 1;
  if (index >= kMaxTables) return nullptr;
  Table* existing = table(index);
  if (existing == nullptr) {
    const size_t buckets = kFirstBuckets << index;
    void* memory = mapPages(tableBytes(buckets));
    if (memory == nullptr) return nullptr;
    auto* fresh = new (memory) Table{buckets, {0}, nullptr};
    fresh->slots = reinterpret_cast<std::atomic<uint64_t>*>(static_cast<uint8_t*>(memory) + 64);
    if (m_tables[index].compare_exchange_strong(existing, fresh, std::memory_order_acq_rel)) {
      existing = fresh;
    } else {
      unmapPages(memory, tableBytes(buckets));  // another thread grew it first
    }
  }
  size_t newest = m_newest.load(std::memory_order_relaxed);
  while (newest < index &&
         !m_newest.compare_exchange_weak(newest, index, std::memory_order_acq_rel)) {
  }
  return existing;
}

bool SampledSet::insertInto(Table& t, uint64_t address) {
  const size_t mask = t.buckets - 1;
  for (uint64_t h : {hash1(address), hash2(address)}) {
    std::atomic<uint64_t>* bucket = t.slots + ((h >> 32) & mask) * kSlotsPerBucket;
    for (size_t i = 0; i < kSlotsPerBucket; ++i) {
      uint64_t expected = 0;
      if (bucket[i].load(std::memory_order_relaxed) == 0 &&
          bucket[i].compare_exchange_strong(expected, address, std::memory_order_acq_rel)) {
        t.count.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
    }
  }
  return false;
}

std::atomic<uint64_t>* SampledSet::locate(const Table& t, uint64_t address) {
  const size_t mask = t.buckets - 1;
  for (uint64_t h : {hash1(address), hash2(address)}) {
    std::atomic<uint64_t>* bucket = t.slots + ((h >> 32) & mask) * kSlotsPerBucket;
    for (size_t i = 0; i < kSlotsPerBucket; ++i) {
      if (bucket[i].load(std::memory_order_acquire) == address) return &bucket[i];
    }
  }
  return nullptr;
}

bool SampledSet::insert(uint64_t address) {
  std::atomic<uint8_t>& filter = filterFor(address);
  // Raised first: once the address is findable, the filter already says "maybe".
  raise(filter);
  for (;;) {
    const size_t index = m_newest.load(std::memory_order_acquire);
    Table* t = table(index);
    if (t == nullptr) break;
    if (t->count.load(std::memory_order_relaxed) * 2 < t->buckets * kSlotsPerBucket &&
        insertInto(*t, address)) {
      return true;
    }
    // Half full, or both buckets full: move on to a bigger table.
    if (grow(index) == nullptr) break;
  }
  lower(filter);
  return false;
}

void SampledSet::shadow(uint64_t start, size_t bytes) {
  const uint64_t end = start + bytes;
  if (end == m_shadowEnd) return;
  m_shadowEnd = end;
  for (uint64_t address = (start + 15) & ~uint64_t{15}; address < end; address += 16)
    raise(filterFor(address));
}

// Both by compare-exchange, so no change ever lands on a counter that is stuck.
void SampledSet::raise(std::atomic<uint8_t>& counter) {
  uint8_t v = counter.load(std::memory_order_relaxed);
  while (v != kFilterStuck && !counter.compare_exchange_weak(v, static_cast<uint8_t>(v + 1),
                                                             std::memory_order_relaxed)) {
  }
}

void SampledSet::lower(std::atomic<uint8_t>& counter) {
  uint8_t v = counter.load(std::memory_order_relaxed);
  while (
      v != kFilterStuck && v != 0 &&
      !counter.compare_exchange_weak(v, static_cast<uint8_t>(v - 1), std::memory_order_relaxed)) {
  }
}

bool SampledSet::erase(uint64_t address) {
  if (!mayContain(address)) [[likely]]
    return false;
  if (!eraseFromTables(address)) return false;
  lower(filterFor(address));
  return true;
}

bool SampledSet::eraseFromTables(uint64_t address) {
  const size_t newest = m_newest.load(std::memory_order_acquire);
  for (size_t i = newest + 1; i-- > 0;) {
    Table* t = table(i);
    if (t == nullptr) continue;
    std::atomic<uint64_t>* slot = locate(*t, address);
    if (slot != nullptr) {
      slot->store(0, std::memory_order_release);
      t->count.fetch_sub(1, std::memory_order_relaxed);
      return true;
    }
  }
  return false;
}

bool SampledSet::contains(uint64_t address) const {
  const size_t newest = m_newest.load(std::memory_order_acquire);
  for (size_t i = newest + 1; i-- > 0;) {
    Table* t = table(i);
    if (t != nullptr && locate(*t, address) != nullptr) return true;
  }
  return false;
}

size_t SampledSet::size() const {
  size_t n = 0;
  for (const auto& slot : m_tables) {
    const Table* t = slot.load(std::memory_order_acquire);
    if (t != nullptr) n += t->count.load(std::memory_order_relaxed);
  }
  return n;
}

size_t SampledSet::mappedBytes() const {
  size_t n = 0;
  for (const auto& slot : m_tables) {
    const Table* t = slot.load(std::memory_order_acquire);
    if (t != nullptr) n += roundToPages(tableBytes(t->buckets));
  }
  return n;
}

}  // namespace slowburn::preload
