#pragma once
// The profile of a dump that is still being written (`slowburn watch`): built as records
// arrive, and copied out whenever the watch ranks it, while the reading goes on.
//
// Bounded like ProfileBuilder's, however long the process runs: series merge, and notes,
// which a recorder that keeps losing events writes every interval, are kept only up to
// kMaxKeptNotes distinct ones, with the losses counted apart.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "read/profile.hpp"

namespace slowburn::analyze {

class LiveProfile : public DumpVisitor {
 public:
  static constexpr size_t kMaxKeptNotes = 32;

  void onHeader(const Header& header) override;
  void onModule(const Module& module) override { m_builder.onModule(module); }
  void onSite(const Site& site) override { m_builder.onSite(site); }
  void onSnapshot(const Snapshot& snapshot) override;
  void onNote(const Note& note) override;
  void onEnd(const End& end) override;
  void onTeardown(const Teardown& teardown) override { m_builder.onTeardown(teardown); }

  // The profile as read so far: buildProfile's of the same bytes, repeated notes kept once.
  Profile current(const ReadSummary& summary) const;

  const Header& header() const { return m_header; }
  uint64_t snapshots() const { return m_snapshots; }
  // Events the recorder lost, from its NOTE records until END gives the run's total.
  uint64_t droppedEvents() const { return m_dropped; }

 private:
  ProfileBuilder m_builder;
  Header m_header;
  uint64_t m_snapshots = 0;
  uint64_t m_dropped = 0;
  std::set<std::pair<format::NoteKind, std::string>> m_keptNotes;
};

}  // namespace slowburn::analyze
