#pragma once
// The collector's books on every site it was told about, by the site's number on the
// channel: what its definition said and its running tallies. Only the collector touches
// them.

#include <cstdint>

#include "record/sampler.hpp"
#include "slowburn/format.hpp"
#include "support/mapped_vector.hpp"

namespace slowburn::preload {

struct SiteBooks {
  bool defined = false;
  bool dirty = false;  // changed since the last snapshot
  bool hasCounter = false;
  format::SiteKind kind = format::SiteKind::Alloc;
  format::SyscallOp op = format::SyscallOp::None;
  uint32_t dumpId = 0;   // its SITE record's id, written when the definition arrived
  uint32_t counter = 0;  // syscall sites: the shared counter slot, when hasCounter
  uint64_t liveBytes = 0;
  uint64_t intervalPeak = 0;  // highest liveBytes since the last snapshot: spikes between
                              // snapshots still reach the dump
  uint64_t liveCountQ = 0;
  uint64_t allocsQ = 0;  // cumulative
  uint64_t freesQ = 0;
  uint64_t reportedAllocs = 0;  // whole counts already written
  uint64_t reportedFrees = 0;
  uint64_t eventCalls = 0;  // syscall counts that came as Calls events (no counter slot)
  uint64_t eventBytes = 0;
  uint64_t reportedCalls = 0;
  uint64_t reportedBytes = 0;
};

class SiteLedger {
 public:
  // The books of a defined site, or nullptr.
  SiteBooks* find(uint32_t id) {
    return id < m_books.size() && m_books[id].defined ? &m_books[id] : nullptr;
  }
  // Fresh books for a newly defined site; nullptr when out of memory or already defined.
  SiteBooks* define(uint32_t id, format::SiteKind kind) {
    if (id >= m_books.size() && !m_books.resize(static_cast<size_t>(id) + 1)) return nullptr;
    SiteBooks& books = m_books[id];
    if (books.defined) return nullptr;
    if (kind == format::SiteKind::Syscall && !m_syscalls.push(id)) return nullptr;
    books.defined = true;
    books.kind = kind;
    return &books;
  }
  // Syscall sites, in the order they were defined.
  MappedVector<uint32_t>& syscallSites() { return m_syscalls; }
  SiteBooks& operator[](uint32_t id) { return m_books[id]; }

 private:
  MappedVector<SiteBooks> m_books;
  MappedVector<uint32_t> m_syscalls;
};

}  // namespace slowburn::preload
