// Stack capture with libunwind's per-thread cache warm: the dominant per-allocation cost
// in exact mode. The capture runs 10 frames below the benchmark body, as an allocation
// inside a 10-deep call path does; the harness adds its own frames underneath.

#include <benchmark/benchmark.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <cstdint>

#include "record/unwinder.hpp"

namespace {

using slowburn::preload::Unwinder;

using Body = void (*)(benchmark::State&);

// One real frame per level: the escape after the call keeps it from being a tail call.
template <int Level>
[[gnu::noinline]] void descend(benchmark::State& state, Body body) {
  if constexpr (Level == 0) {
    body(state);
  } else {
    descend<Level - 1>(state, body);
  }
  asm volatile("" ::: "memory");
}

void captureLoop(benchmark::State& state) {
  uint64_t frames[Unwinder::kBufferFrames];
  uint32_t n = 0;
  for (auto _ : state) {
    n = Unwinder::capture(frames, 32);
    benchmark::DoNotOptimize(frames);
  }
  // Unwinder skips leading frames of the object it is linked into (here, this whole
  // binary), so count the raw stack for the record.
  state.counters["frames_walked"] = unw_backtrace(reinterpret_cast<void**>(frames), 64);
  state.counters["frames_kept"] = n;
  state.SetItemsProcessed(state.iterations());
}

void rawLoop(benchmark::State& state) {
  void* frames[64];
  int n = 0;
  for (auto _ : state) {
    n = unw_backtrace(frames, 64);
    benchmark::DoNotOptimize(frames);
  }
  state.counters["frames_walked"] = n;
  state.SetItemsProcessed(state.iterations());
}

void BM_UnwinderCapture10Deep(benchmark::State& state) {
  Unwinder::init();
  descend<10>(state, captureLoop);
}
BENCHMARK(BM_UnwinderCapture10Deep);

void BM_UnwBacktrace10Deep(benchmark::State& state) {
  Unwinder::init();
  descend<10>(state, rawLoop);
}
BENCHMARK(BM_UnwBacktrace10Deep);

}  // namespace

BENCHMARK_MAIN();
