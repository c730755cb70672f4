// The collector's pointer map at a steady population: each iteration erases the oldest
// live block and inserts a new one, as a FREE then an ALLOC event do.

#include "collect/pointer_map.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

using slowburn::preload::PointerMap;

// Addresses shaped like malloc's: 16-byte aligned, scattered over a few hundred MiB.
std::vector<uint64_t> makeAddresses(size_t count) {
  std::vector<uint64_t> out(count);
  uint64_t x = 0x2545F4914F6CDD1Dull;
  for (uint64_t& a : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    a = 0x7f0000000000ull + ((x % (1ull << 28)) & ~uint64_t{15}) + 16;
  }
  return out;
}

void BM_PointerMapEraseInsert(benchmark::State& state) {
  const size_t live = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t> addresses = makeAddresses(live * 4);
  PointerMap map;
  for (size_t i = 0; i < live; ++i) map.insert(addresses[i], {1, 64});
  size_t oldest = 0;
  size_t next = live;
  PointerMap::Value value;
  for (auto _ : state) {
    benchmark::DoNotOptimize(map.erase(addresses[oldest], &value));
    benchmark::DoNotOptimize(map.insert(addresses[next], {1, 64}));
    if (++oldest == addresses.size()) oldest = 0;
    if (++next == addresses.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations() * 2);
  state.counters["live"] = static_cast<double>(map.size());
  state.counters["bytes_per_block"] =
      static_cast<double>(map.mappedBytes()) / static_cast<double>(map.size());
}
BENCHMARK(BM_PointerMapEraseInsert)->Arg(1024)->Arg(65536)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
