#include "record/frame_rule_cache.hpp"

#include <new>

#include "support/page_memory.hpp"

namespace slowburn::preload {

FrameRuleCache::FrameRuleCache(RuleSource source) : m_source(source) {}

FrameRuleCache::~FrameRuleCache() {
  for (unsigned g = 0; g < m_count.load(); ++g) {
    Table* t = m_tables[g].load();
    unmapPages(t, Table::bytesFor(t->bits));
  }
}

FrameRule FrameRuleCache::learn(uint64_t key) {
  const unsigned n = m_count.load(std::memory_order_acquire);
  uint64_t word = n > 1 ? inOlder(key, n - 1) : 0;
  if (word == 0) {
    // The call instruction ends just before the return address.
    word = m_source(key - 1).word();
  }
  store(key, word);
  return FrameRule(word);
}

uint64_t FrameRuleCache::inOlder(uint64_t key, unsigned newest) const {
  for (unsigned g = newest; g-- > 0;) {
    const Table* t = m_tables[g].load(std::memory_order_acquire);
    const size_t mask = t->mask;
    size_t i = home(key, t);
    for (unsigned probe = 0; probe < kMaxProbes; ++probe, i = (i + 1) & mask) {
      const uint64_t k = t->slots()[i].key.load(std::memory_order_acquire);
      if (k == key) {
        if (const uint64_t rule = t->slots()[i].rule.load(std::memory_order_acquire)) return rule;
        break;
      }
      if (k == 0) break;
    }
  }
  return 0;
}

FrameRuleCache::Table* FrameRuleCache::grow(unsigned count) {
  if (count >= kGenerations) return nullptr;
  const unsigned bits = count == 0 ? kFirstBits : m_tables[count - 1].load()->bits + 1;
  void* memory = mapPages(Table::bytesFor(bits));
  if (memory == nullptr) return nullptr;
  // The slots are the mapping's zero pages.
  auto* fresh = new (memory) Table{bits, 64 - bits, (size_t{1} << bits) - 1, 0};
  Table* expected = nullptr;
  if (!m_tables[count].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
    unmapPages(fresh, Table::bytesFor(bits));  // another thread added it first
  } else {
    m_newest.store(fresh, std::memory_order_release);
    unsigned seen = count;
    m_count.compare_exchange_strong(seen, count + 1, std::memory_order_acq_rel);
  }
  return m_tables[count].load(std::memory_order_acquire);
}

void FrameRuleCache::store(uint64_t key, uint64_t rule) {
  for (unsigned attempt = 0; attempt < 2; ++attempt) {
    const unsigned n = m_count.load(std::memory_order_acquire);
    Table* t = n == 0 ? grow(0) : m_tables[n - 1].load(std::memory_order_acquire);
    if (t == nullptr) return;  // no memory: the rule is recomputed next time
    const size_t capacity = size_t{1} << t->bits;
    size_t i = home(key, t);
    for (unsigned probe = 0; probe < kMaxProbes; ++probe, i = (i + 1) & t->mask) {
      uint64_t k = t->slots()[i].key.load(std::memory_order_acquire);
      if (k == 0) {
        if (t->slots()[i].key.compare_exchange_strong(k, key, std::memory_order_acq_rel)) {
          t->slots()[i].rule.store(rule, std::memory_order_release);
          if (t->used.fetch_add(1, std::memory_order_relaxed) + 1 > capacity / 2 &&
              m_count.load(std::memory_order_acquire) == n) {
            grow(n);
          }
          return;
        }
      }
      if (k == key) {
        t->slots()[i].rule.store(rule, std::memory_order_release);
        return;
      }
    }
    // A long cluster: a bigger table spreads it out.
    if (m_count.load(std::memory_order_acquire) == n) grow(n);
  }
}

void FrameRuleCache::forgetRange(uint64_t start, uint64_t end) {
  const unsigned n = m_count.load(std::memory_order_acquire);
  for (unsigned g = 0; g < n; ++g) {
    Table* t = m_tables[g].load(std::memory_order_acquire);
    const size_t capacity = size_t{1} << t->bits;
    for (size_t i = 0; i < capacity; ++i) {
      const uint64_t k = t->slots()[i].key.load(std::memory_order_relaxed);
      if (k >= start && k < end) t->slots()[i].rule.store(0, std::memory_order_release);
    }
  }
}

size_t FrameRuleCache::size() const {
  size_t total = 0;
  const unsigned n = m_count.load(std::memory_order_acquire);
  for (unsigned g = 0; g < n; ++g) total += m_tables[g].load()->used.load();
  return total;
}

size_t FrameRuleCache::mappedBytes() const {
  size_t total = 0;
  const unsigned n = m_count.load(std::memory_order_acquire);
  for (unsigned g = 0; g < n; ++g) total += roundToPages(Table::bytesFor(m_tables[g].load()->bits));
  return total;
}

}  // namespace slowburn::preload
