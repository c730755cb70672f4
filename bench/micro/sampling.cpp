// Sampled mode's per-call costs: the countdown that decides an allocation is not sampled,
// and the free hook asking the sampled set about a block that was never recorded. These
// two run on every call, so they bound how close sampled mode can get to plain.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "record/sampled_set.hpp"
#include "record/sampler.hpp"

namespace {

using slowburn::preload::SampledSet;
using slowburn::preload::Sampler;
using slowburn::preload::SamplerState;

constexpr uint64_t kMeanBytes = 524288;

void BM_SamplerDecision(benchmark::State& state) {
  const Sampler sampler(kMeanBytes);
  SamplerState s;
  sampler.seed(s, 42);
  uint64_t size = 16;
  uint64_t sampled = 0;
  for (auto _ : state) {
    sampled += sampler.shouldSample(s, size);
    size = size >= 4096 ? 16 : size + 61;  // the churn workload's 16..4096 B
  }
  state.counters["sampled_fraction"] =
      static_cast<double>(sampled) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SamplerDecision);

void BM_SampledSetEraseMiss(benchmark::State& state) {
  SampledSet set;
  // A realistic population of sampled live blocks, none of which the loop asks about.
  for (uint64_t i = 1; i <= static_cast<uint64_t>(state.range(0)); ++i) {
    set.insert(0x600000000000ull + i * 4096);
  }
  uint64_t address = 0x7f0000000010ull;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.erase(address));
    address += 48;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SampledSetEraseMiss)->Arg(64)->Arg(4096);

void BM_SampledSetInsertErase(benchmark::State& state) {
  SampledSet set;
  std::vector<uint64_t> live(1024);
  for (size_t i = 0; i < live.size(); ++i) {
    live[i] = 0x600000000000ull + (i + 1) * 4096;
    set.insert(live[i]);
  }
  size_t i = 0;
  uint64_t fresh = 0x700000000000ull;
  for (auto _ : state) {
    set.erase(live[i]);
    live[i] = fresh += 4096;
    benchmark::DoNotOptimize(set.insert(live[i]));
    if (++i == live.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_SampledSetInsertErase);

}  // namespace

BENCHMARK_MAIN();
