#pragma once
// The run-down before a clean exit. TEARDOWN marks main's return (or exit()), but a
// program's own shutdown comes before it: main's locals are destroyed at its closing brace,
// a server object's destructor frees its cache, a tidy program clears its tables. A
// service's cache held by an object in main would otherwise end every series at 0, and a
// leak that grew all run read as gone by the end. So the sites' series end where that
// run-down began: the last snapshots before the teardown over which the tracked heap only
// fell, each by a good part of what it held, ending at half of it or less.

#include <cstddef>
#include <cstdint>
#include <span>

namespace slowburn::analyze {

struct RunDownSettings {
  // Each snapshot of the run-down holds at most this much of the one before it.
  double maxStepLeft = 0.9;
  // The run-down ends at this much or less of what the heap held when it began.
  double maxLeft = 0.5;
};

// heaps: the tracked heap at consecutive snapshots, the last one the teardown's. How many
// of the last snapshots are the run-down (0 when there is none); never the first, which is
// where a run-down would begin.
size_t runDownSnapshots(std::span<const uint64_t> heaps, const RunDownSettings& settings = {});

}  // namespace slowburn::analyze
