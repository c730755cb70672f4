// EventRing push/pop: 1, 2 and 4 producer threads against one consumer that drains as
// the collector does. On a machine with fewer cores than threads this measures the ring
// under contention and preemption, which is what a busy multi-threaded target sees.

#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "record/event_ring.hpp"
#include "record/runtime.hpp"

namespace {

using slowburn::preload::Event;
using slowburn::preload::EventOp;
using slowburn::preload::EventRing;
using slowburn::preload::Runtime;

// Shared by the benchmark's threads; thread 0 sets it up before the start barrier.
EventRing* s_ring = nullptr;
std::atomic<bool> s_stop{false};
std::thread s_consumer;

void drain() {
  Event e;
  uint64_t popped = 0;
  while (!s_stop.load(std::memory_order_relaxed)) {
    if (s_ring->tryPop(&e)) {
      ++popped;
    } else {
      __builtin_ia32_pause();
    }
  }
  while (s_ring->tryPop(&e)) ++popped;
  benchmark::DoNotOptimize(popped);
}

void BM_RingPushPop(benchmark::State& state) {
  if (state.thread_index() == 0) {
    s_ring = new EventRing(Runtime::kRingCapacity);
    s_stop.store(false);
    s_consumer = std::thread(drain);
  }
  const Event event{0x7f0000001000ull, 64, nullptr, static_cast<uint32_t>(state.thread_index()),
                    EventOp::Alloc};
  uint64_t retries = 0;
  for (auto _ : state) {
    // A full ring is retried, as the recorder does before it considers dropping.
    while (!s_ring->tryPush(event)) {
      ++retries;
      __builtin_ia32_pause();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["full_retries_per_push"] =
      benchmark::Counter(static_cast<double>(retries) / static_cast<double>(state.iterations()),
                         benchmark::Counter::kAvgThreads);
  if (state.thread_index() == 0) {
    s_stop.store(true);
    s_consumer.join();
    delete s_ring;
    s_ring = nullptr;
  }
}
BENCHMARK(BM_RingPushPop)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
