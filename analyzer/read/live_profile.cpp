#include "read/live_profile.hpp"

#include <algorithm>

namespace slowburn::analyze {

void LiveProfile::onHeader(const Header& header) {
  m_header = header;
  m_builder.onHeader(header);
}

void LiveProfile::onSnapshot(const Snapshot& snapshot) {
  ++m_snapshots;
  m_builder.onSnapshot(snapshot);
}

void LiveProfile::onNote(const Note& note) {
  if (note.kind == format::NoteKind::DroppedEvents) m_dropped += note.count;
  // A repeated note says nothing new; the count above keeps what it adds.
  if (m_keptNotes.size() >= kMaxKeptNotes) return;
  if (m_keptNotes.emplace(note.kind, note.text).second) m_builder.onNote(note);
}

void LiveProfile::onEnd(const End& end) {
  m_dropped = std::max(m_dropped, end.droppedEvents);
  m_builder.onEnd(end);
}

Profile LiveProfile::current(const ReadSummary& summary) const {
  // finish() closes the open snapshot point and commits the held ones: on a copy, so the
  // next records still join them.
  ProfileBuilder copy = m_builder.clone();
  return copy.finish(summary);
}

}  // namespace slowburn::analyze
