// Site lookup on a hit, the per-allocation cost after the unwind: hash the captured
// frames (XXH3, as the recorder does) and find the entry in the concurrent site trie.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "record/site_table.hpp"
#include "slowburn/checksum.hpp"

namespace {

using slowburn::format::SiteKind;
using slowburn::format::SyscallOp;
using slowburn::preload::SiteTable;

constexpr uint32_t kFrames = 10;

// Stacks that look like real ones: code addresses in one module, a shared outer part.
std::vector<uint64_t> makeStacks(size_t sites) {
  std::vector<uint64_t> frames(sites * kFrames);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t s = 0; s < sites; ++s) {
    for (uint32_t f = 0; f < kFrames; ++f) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      frames[s * kFrames + f] = f < 4 ? 0x555555554000ull + (x % 0x200000) : 0x555555560000ull + f;
    }
  }
  return frames;
}

uint64_t keyOf(const uint64_t* frames) {
  return XXH3_64bits_withSeed(frames, kFrames * sizeof(uint64_t), 0x616c6c6f63ull);
}

void BM_SiteFindHit(benchmark::State& state) {
  const size_t sites = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t> stacks = makeStacks(sites);
  SiteTable table;
  std::vector<uint64_t> keys(sites);
  for (size_t s = 0; s < sites; ++s) {
    keys[s] = keyOf(&stacks[s * kFrames]);
    table.intern(keys[s], SiteKind::Alloc, SyscallOp::None);
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.find(keys[i]));
    if (++i == sites) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SiteFindHit)->Arg(16)->Arg(1024)->Arg(65536);

void BM_SiteHashAndFindHit(benchmark::State& state) {
  const size_t sites = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t> stacks = makeStacks(sites);
  SiteTable table;
  for (size_t s = 0; s < sites; ++s) {
    table.intern(keyOf(&stacks[s * kFrames]), SiteKind::Alloc, SyscallOp::None);
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.find(keyOf(&stacks[i * kFrames])));
    if (++i == sites) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SiteHashAndFindHit)->Arg(16)->Arg(1024)->Arg(65536);

}  // namespace

BENCHMARK_MAIN();
