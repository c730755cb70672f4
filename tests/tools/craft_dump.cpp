// craft_dump: writes checksum-valid dumps of hostile shapes, the cases a bounded analyzer
// must analyse in bounded memory and time or refuse with one line. The end-to-end tests,
// the fuzz corpora and the measurements in docs/FORMAT.md use it.
//
//   craft_dump frames OUT SITES [DEPTH]       every site a stack of DEPTH (256) distinct
//                                             addresses in a runtime module with a 4 KiB path
//   craft_dump sites OUT SITES SNAPSHOTS [DEPTH]
//                                             every site changes at every snapshot; stacks
//                                             of DEPTH (1) distinct addresses
//   craft_dump snapshots OUT SITES SNAPSHOTS  each snapshot changes one site, round robin
//   craft_dump terminal OUT TEXT MODULE ADDRESS...
//                                             TEXT (bytes that would drive a terminal) in the
//                                             exe path and a note; MODULE (a file the caller
//                                             made, whose path, symbols and source names may
//                                             hold it too) mapped at 0x400000 with an alloc
//                                             site at each ADDRESS in it, growing, and a
//                                             syscall site

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../unit/synthetic_dump.hpp"

namespace {

using slowburn::format::NoteKind;
using slowburn::format::SiteKind;
using slowburn::format::SyscallOp;
using slowburn::testing::AllocChange;
using slowburn::testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kModuleBase = 0x7f0000000000;

uint64_t number(const char* text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') {
    std::fprintf(stderr, "craft_dump: not a number: %s\n", text);
    std::exit(2);
  }
  return v;
}

// A deterministic stream of small values (xorshift64).
uint64_t nextRandom(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

// Every frame a distinct address in a runtime module (the resolver expands such stacks
// whole, looking for the program's own code) whose path is as long as the format allows.
void manyFrames(SyntheticDump& dump, uint64_t sites, uint64_t depth) {
  const std::string path = "/" + std::string(4096 - 1 - 10, 'x') + "/libc.so.6";
  dump.header().module(0, kModuleBase, uint64_t{1} << 40, path);
  std::vector<uint64_t> frames(depth);
  uint64_t next = kModuleBase + 1;
  for (uint64_t id = 0; id < sites; ++id) {
    for (uint64_t& f : frames) f = next++;
    dump.site(static_cast<uint32_t>(id), SiteKind::Alloc, frames);
  }
  std::vector<AllocChange> changes;
  for (uint64_t id = 0; id < sites; ++id) changes.push_back({uint32_t(id), 64, 1, 1, 0});
  dump.snapshot(100 * kMs, 0, changes).end(100 * kMs);
}

// Sites whose stacks are distinct addresses in an application (not plumbing) that is not on
// disk: each is located at its first frame without opening any file.
void header(SyntheticDump& dump, uint64_t sites, uint64_t depth = 1) {
  dump.header().module(0, kModuleBase, uint64_t{1} << 40, "/nonexistent/app");
  std::vector<uint64_t> frames(depth);
  uint64_t next = kModuleBase + 5;
  for (uint64_t id = 0; id < sites; ++id) {
    for (uint64_t& f : frames) f = next++;
    dump.site(static_cast<uint32_t>(id), SiteKind::Alloc, frames);
  }
}

// The widest snapshots: every site's value wanders at every snapshot.
void manySites(SyntheticDump& dump, uint64_t sites, uint64_t snapshots, uint64_t depth) {
  header(dump, sites, depth);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  std::vector<AllocChange> changes(sites);
  for (uint64_t i = 1; i <= snapshots; ++i) {
    for (uint64_t id = 0; id < sites; ++id) {
      changes[id] = {uint32_t(id), 1 + nextRandom(state) % 100, 1, 1, 1};
    }
    dump.snapshot(i * kMs, 0, changes);
  }
}

// The most points: a snapshot per change, so every site's series must follow them all.
void manySnapshots(SyntheticDump& dump, uint64_t sites, uint64_t snapshots) {
  header(dump, sites);
  for (uint64_t i = 1; i <= snapshots; ++i) {
    dump.snapshot(i * kMs, 0, {{uint32_t(i % sites), i % 97, 1, 1, 1}});
  }
}

void terminal(SyntheticDump& dump, const std::string& text, const std::string& module,
              const std::vector<uint64_t>& addresses) {
  dump.header(4242, "/tmp/" + text + "/app")
      .module(0, 0x400000, 0, module)
      .note(NoteKind::Info, 0, "note " + text);
  std::vector<AllocChange> changes;
  for (size_t id = 0; id < addresses.size(); ++id) {
    dump.site(static_cast<uint32_t>(id), SiteKind::Alloc, {0x400000 + addresses[id]});
  }
  for (uint64_t i = 1; i <= 20; ++i) {
    changes.clear();
    for (size_t id = 0; id < addresses.size(); ++id) {
      changes.push_back({uint32_t(id), i * 1000 * (id + 1), i, i, 0});
    }
    dump.snapshot(i * 100 * kMs, 0, changes);
  }
  dump.site(static_cast<uint32_t>(addresses.size()), SiteKind::Syscall, {0x400000 + addresses[0]},
            SyscallOp::Read);
  dump.end(2000 * kMs);
}

int usage() {
  std::fprintf(stderr,
               "usage: craft_dump frames OUT SITES [DEPTH] | sites OUT SITES SNAPSHOTS [DEPTH] |\n"
               "       snapshots OUT SITES SNAPSHOTS | terminal OUT TEXT MODULE ADDRESS...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return usage();
  const std::string shape = argv[1];
  const std::string out = argv[2];
  SyntheticDump dump;
  if (shape == "frames") {
    manyFrames(dump, number(argv[3]), argc > 4 ? number(argv[4]) : 256);
  } else if (shape == "sites" && (argc == 5 || argc == 6)) {
    manySites(dump, number(argv[3]), number(argv[4]), argc == 6 ? number(argv[5]) : 1);
  } else if (shape == "snapshots" && argc == 5) {
    manySnapshots(dump, number(argv[3]), number(argv[4]));
  } else if (shape == "terminal" && argc >= 6) {
    std::vector<uint64_t> addresses;
    for (int i = 5; i < argc; ++i) addresses.push_back(std::strtoull(argv[i], nullptr, 0));
    terminal(dump, argv[3], argv[4], addresses);
  } else {
    return usage();
  }
  slowburn::testing::writeFile(out, dump.bytes());
  return 0;
}
