// The collector's books on mappings: which site's private anonymous mapping holds each
// live address range (a RangeMap), kept exact through partial munmap, MAP_FIXED
// replacement and mremap, and the program's notes. Mapping sites are never sampled: their
// bytes are counted as they are.
//
// An mremap comes in two events around the system call. The old range is set aside at
// RemapBegin, so a mapping another thread makes in it the moment the call frees it can never
// be mistaken for the old one; RemapCommit drops it and books the new range to the mremap's
// site when any of the old one was tracked (a file mapping moved stays untracked), as a
// realloc's new block belongs to the realloc's caller; RemapAbort puts it back.

#include <algorithm>

#include "collect/collector.hpp"

namespace slowburn::preload {

void Collector::applyMapping(const Event& event) {
  switch (event.op) {
    case EventOp::Map: mapRange(event.ptr, event.size, event.site); break;
    case EventOp::Unmap: unmapRange(event.ptr, event.size); break;
    case EventOp::RemapBegin: beginRemap(event.thread, event.ptr, event.size); break;
    case EventOp::RemapCommit:
      endRemap(event.thread, true, event.ptr, event.size, event.site);
      break;
    case EventOp::RemapAbort: endRemap(event.thread, false, 0, 0, kNoSite); break;
    default: break;
  }
}

void Collector::adjustMapped(uint32_t site, int64_t bytes, int ranges, bool made, bool unmapped) {
  SiteBooks& books = m_sites[site];
  if (bytes >= 0) {
    books.liveBytes += static_cast<uint64_t>(bytes);
  } else {
    books.liveBytes -= std::min(books.liveBytes, static_cast<uint64_t>(-bytes));
  }
  books.intervalPeak = std::max(books.intervalPeak, books.liveBytes);
  if (ranges > 0) books.liveCountQ += kCountOne * static_cast<uint64_t>(ranges);
  if (ranges < 0) books.liveCountQ -= std::min(books.liveCountQ, kCountOne);
  if (made) books.allocsQ += kCountOne;
  if (unmapped) books.freesQ += kCountOne;
  markDirty(books, site);
}

void Collector::unmapRange(uint64_t start, uint64_t length) {
  const bool ok = m_maps.carve(start, start + length, [this](const RangeMap::Range& r, int delta) {
    adjustMapped(r.site, -static_cast<int64_t>(r.end - r.start), delta, false, delta < 0);
  });
  if (!ok) degraded("out of memory for the mapping books; some mappings are not tracked");
}

void Collector::mapRange(uint64_t start, uint64_t length, uint32_t site) {
  // Whatever the books held there is gone: the new mapping replaced it (MAP_FIXED), or its
  // unmap was never seen.
  unmapRange(start, length);
  if (m_sites.find(site) == nullptr || length == 0) return;
  if (!m_maps.insert(RangeMap::Range{start, start + length, site})) {
    degraded("out of memory for the mapping books; some mappings are not tracked");
    return;
  }
  adjustMapped(site, static_cast<int64_t>(length), +1, true, false);
}

void Collector::beginRemap(uint32_t thread, uint64_t start, uint64_t length) {
  // A begin without its end (the end was dropped): that call is over, as if it failed.
  endRemap(thread, false, 0, 0, kNoSite);
  PendingRemap pending{thread, false, start, start + length};
  // Moving a range between the two maps leaves the site's bytes where they were; only the
  // number of ranges it is held in may change.
  bool setAside = true;
  const bool carved = m_maps.carve(start, start + length, [&](const RangeMap::Range& r, int delta) {
    pending.tracked = true;
    if (!m_setAside.insert(r)) {
      setAside = false;
      adjustMapped(r.site, -static_cast<int64_t>(r.end - r.start), delta, false, delta < 0);
      return;
    }
    adjustMapped(r.site, 0, delta + 1, false, false);
  });
  if (!carved || !setAside || !m_remaps.push(pending)) {
    degraded("out of memory for the mapping books; some mappings are not tracked");
  }
}

void Collector::endRemap(uint32_t thread, bool moved, uint64_t start, uint64_t length,
                         uint32_t site) {
  PendingRemap* pending = std::find_if(m_remaps.begin(), m_remaps.end(),
                                       [&](const PendingRemap& p) { return p.thread == thread; });
  const bool known = pending != m_remaps.end();
  const PendingRemap old = known ? *pending : PendingRemap{};
  if (known) {
    *pending = *(m_remaps.end() - 1);
    m_remaps.resize(m_remaps.size() - 1);
    m_setAside.carve(old.start, old.end, [&](const RangeMap::Range& r, int) {
      if (moved) {
        adjustMapped(r.site, -static_cast<int64_t>(r.end - r.start), -1, false, true);
      } else if (!m_maps.insert(r)) {
        adjustMapped(r.site, -static_cast<int64_t>(r.end - r.start), -1, false, true);
        degraded("out of memory for the mapping books; some mappings are not tracked");
      }
    });
  }
  if (!moved) return;
  // The new range replaced whatever was there (MREMAP_FIXED); it is tracked when the old one
  // was.
  if (old.tracked) {
    mapRange(start, length, site);
  } else {
    unmapRange(start, length);
  }
}

void Collector::writeNote(const Event& head, uint64_t bodyWaitNs) {
  const size_t bytes = std::min<size_t>(head.site, sizeof(m_noteText));
  if (!takeBody(m_noteText, sizeof(m_noteText), head.site, bodyWaitNs)) {
    degraded("a note from the program was cut short");
    return;
  }
  const auto kind = static_cast<format::NoteKind>(head.ptr);
  if (kind < format::NoteKind::DroppedEvents || kind > format::NoteKind::Info) return;
  if (!m_writer.append(format::NoteView{kind, head.size, {m_noteText, bytes}}))
    fail("cannot write the dump");
}

}  // namespace slowburn::preload
