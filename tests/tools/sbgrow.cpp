// sbgrow: writes a dump the way a long-running process streams one, only much faster, for
// the tests of `slowburn watch`: hours of 100 ms snapshots in a few seconds.
//   sbgrow PATH SNAPSHOTS [SITES] [--no-end] [--leak-until N] [--pause-ms MS]
// The dump names this program's own pid. Site 0 leaks 4 KiB a snapshot (until snapshot N),
// site 1 fills a cache and stops, the others churn at a flat level. Snapshots go out in
// batches of 2000 with a pause between (20 ms), some records in two halves with a pause in
// the middle (a torn tail the follower must wait out), a DroppedEvents note every 1000
// snapshots, and END unless --no-end.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../unit/synthetic_dump.hpp"

namespace {

using slowburn::format::NoteKind;
using slowburn::format::SiteKind;
using slowburn::testing::AllocChange;
using slowburn::testing::SyntheticDump;

constexpr uint64_t kIntervalNs = 100'000'000;
constexpr uint64_t kBatch = 2000;

void put(std::FILE* f, const std::vector<uint8_t>& bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    std::perror("sbgrow: write");
    std::exit(1);
  }
  std::fflush(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: sbgrow PATH SNAPSHOTS [SITES] [--no-end] [--leak-until N] "
                 "[--pause-ms MS]\n");
    return 2;
  }
  const uint64_t snapshots = std::strtoull(argv[2], nullptr, 10);
  uint32_t sites = 8;
  bool end = true;
  uint64_t leakUntil = snapshots;
  auto pause = std::chrono::milliseconds(20);
  for (int a = 3; a < argc; ++a) {
    if (std::strcmp(argv[a], "--no-end") == 0) {
      end = false;
    } else if (std::strcmp(argv[a], "--leak-until") == 0 && a + 1 < argc) {
      leakUntil = std::strtoull(argv[++a], nullptr, 10);
    } else if (std::strcmp(argv[a], "--pause-ms") == 0 && a + 1 < argc) {
      pause = std::chrono::milliseconds(std::atoi(argv[++a]));
    } else {
      sites = static_cast<uint32_t>(std::atoi(argv[a]));
    }
  }
  std::FILE* f = std::fopen(argv[1], "wbx");
  if (f == nullptr || sites < 2) {
    std::perror("sbgrow");
    return 1;
  }
  SyntheticDump d;
  d.header(static_cast<uint64_t>(getpid()), "/srv/sbgrow", kIntervalNs / 1'000'000);
  d.module(0, 0x400000, 0x100000, "/nonexistent/sbgrow");
  for (uint32_t s = 0; s < sites; ++s) d.site(s, SiteKind::Alloc, {0x401000 + 0x10 * s});
  put(f, d.take());
  for (uint64_t i = 1; i <= snapshots; ++i) {
    std::vector<AllocChange> changes;
    const uint64_t leaked = std::min(i, leakUntil);
    changes.push_back({0, leaked * 4096, leaked, leaked, 0});
    if (i <= 50) changes.push_back({1, i * 10000, i, i, 0});
    // Churn: a few sites a snapshot, each between 1000 and 1999 bytes.
    for (uint32_t s = 2 + i % 3; s < sites; s += 3)
      changes.push_back({s, 1000 + (i * 7919 + s * 104729) % 1000, 1, i, i - 1});
    d.snapshot(i * kIntervalNs, (64 << 20) + i * 4096, changes);
    if (i % 1000 == 0) d.note(NoteKind::DroppedEvents, 5, "events lost: the ring was full");
    if (i % kBatch == kBatch / 2) {
      // This record goes out in two halves: the follower sees it cut short for a while.
      std::vector<uint8_t> bytes = d.take();
      const std::vector<uint8_t> head(bytes.begin(), bytes.end() - 7);
      put(f, head);
      std::this_thread::sleep_for(pause);
      put(f, std::vector<uint8_t>(bytes.end() - 7, bytes.end()));
    }
    if (i % kBatch == 0) {
      put(f, d.take());
      std::this_thread::sleep_for(pause);
    }
  }
  if (end) d.end(snapshots * kIntervalNs + kIntervalNs / 2, 5 * (snapshots / 1000));
  put(f, d.take());
  return std::fclose(f) == 0 ? 0 : 1;
}
