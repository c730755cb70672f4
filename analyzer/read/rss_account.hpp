#pragma once
// How much of the process's RSS growth the books explain: RSS at the start and at the end
// of the running program (the exit teardown left out, as for the sites' trends) beside the
// growth of the tracked heap (alloc sites) and of the tracked mappings (mmap sites).
//
// The two are different measures. RSS counts resident pages; the books count bytes handed
// out (alloc) or mapped (mmap). Growth the books do not explain is memory no hook saw: heap
// fragmentation and allocator caches, an allocator the preload cannot see (linked
// statically), file mappings, thread stacks, or the interpreter's or runtime's own. Tracked
// growth above the RSS growth is memory handed out but not touched yet, or pages reused from
// what the process held at the start.

#include <cstdint>
#include <optional>

namespace slowburn::analyze {

// The process's figures at one snapshot.
struct ProcessPoint {
  double t = 0;
  uint64_t rss = 0;
  uint64_t heap = 0;    // live bytes of alloc sites
  uint64_t mapped = 0;  // live bytes of mmap sites
};

struct RssAccount {
  double fromS = 0, toS = 0;  // the two snapshots compared
  int64_t rssGrowth = 0;
  int64_t heapGrowth = 0;
  int64_t mappedGrowth = 0;
  // Tracked growth (heap + mapped) over RSS growth; nullopt when RSS did not grow.
  std::optional<double> explained;
  // RSS grew by at least kMinUnexplainedBytes and the books explain less than half of it.
  bool mostlyUnexplained = false;
};

// RSS growth smaller than this is not called unexplained: the start-up of a small program.
inline constexpr int64_t kMinUnexplainedBytes = 4 << 20;

RssAccount accountRss(const ProcessPoint& first, const ProcessPoint& last);

}  // namespace slowburn::analyze
