#pragma once
// The frame rules of every return address the program's stacks have shown, shared by all
// its threads: a thread's first unwind costs nothing to set up, and an address's CFI is
// read once per process rather than once per thread (libunwind's per-thread caches).
//
// Lock-free open addressing. A slot's key goes from 0 to an address once (CAS) and never
// changes; its rule is written after and may be cleared again (dlclose, below), so a
// reader that finds the key but a 0 rule computes the rule itself. The table never moves:
// when one is half full a new one twice its size is added, and lookups search the newest
// first, copying into it what they find in an older one, so memory stays within a small
// factor of the addresses seen and no lookup ever waits for a resize.
//
// A library that is closed takes its code with it, and another may be mapped at the same
// addresses: forgetRange clears the rules of its addresses before the loader unmaps it.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "record/frame_rule.hpp"

namespace slowburn::preload {

class FrameRuleCache {
 public:
  // Where rules come from: the loaded objects' CFI (tests give their own).
  using RuleSource = FrameRule (*)(uint64_t pc);
  explicit FrameRuleCache(RuleSource source);
  FrameRuleCache(const FrameRuleCache&) = delete;
  FrameRuleCache& operator=(const FrameRuleCache&) = delete;
  ~FrameRuleCache();

  // The rule to step from the frame whose return address is returnAddress (found with
  // the CFI of the call just before it).
  FrameRule ruleFor(uint64_t returnAddress) {
    if (const uint64_t word = cached(returnAddress); word != 0) [[likely]]
      return FrameRule(word);
    return learn(returnAddress);
  }

  // Clears every rule of an address in [start, end).
  void forgetRange(uint64_t start, uint64_t end);

  // For tests and the design note: addresses held, bytes mapped.
  size_t size() const;
  size_t mappedBytes() const;

 private:
  static constexpr unsigned kFirstBits = 10;
  static constexpr unsigned kGenerations = 20;
  static constexpr unsigned kMaxProbes = 32;

  struct Slot {
    std::atomic<uint64_t> key;
    std::atomic<uint64_t> rule;
  };
  // One mapping: this header, then 1 << bits slots.
  struct alignas(16) Table {
    unsigned bits;
    unsigned shift;  // 64 - bits
    size_t mask;     // (1 << bits) - 1
    std::atomic<size_t> used;

    Slot* slots() { return reinterpret_cast<Slot*>(this + 1); }
    const Slot* slots() const { return reinterpret_cast<const Slot*>(this + 1); }
    static size_t bytesFor(unsigned bits) { return sizeof(Table) + (sizeof(Slot) << bits); }
  };

  static size_t home(uint64_t key, const Table* t) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> t->shift);
  }
  // The packed rule in the newest table, or 0.
  uint64_t cached(uint64_t key) const {
    const Table* t = m_newest.load(std::memory_order_acquire);
    if (t == nullptr) [[unlikely]]
      return 0;
    const size_t mask = t->mask;
    size_t i = home(key, t);
    for (unsigned probe = 0; probe < kMaxProbes; ++probe, i = (i + 1) & mask) {
      const uint64_t k = t->slots()[i].key.load(std::memory_order_acquire);
      if (k == key) return t->slots()[i].rule.load(std::memory_order_acquire);
      if (k == 0) return 0;
    }
    return 0;
  }
  FrameRule learn(uint64_t key);
  uint64_t inOlder(uint64_t key, unsigned newest) const;
  void store(uint64_t key, uint64_t rule);
  Table* grow(unsigned count);

  RuleSource m_source;
  std::atomic<Table*> m_tables[kGenerations] = {};
  std::atomic<unsigned> m_count{0};
  std::atomic<Table*> m_newest{nullptr};  // m_tables[m_count - 1]
};

}  // namespace slowburn::preload
