// Channel push / ring pop: 1, 2 and 4 producer threads against one consumer that drains
// as the collector does. On a machine with fewer cores than threads this measures the ring
// under contention and preemption, which is what a busy multi-threaded target sees.

#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "record/channel.hpp"

namespace {

using slowburn::preload::Channel;
using slowburn::preload::Event;
using slowburn::preload::EventOp;
using slowburn::preload::EventRing;

// Shared by the benchmark's threads; thread 0 sets it up before the start barrier.
Channel* s_channel = nullptr;
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
    s_channel = new Channel;
    if (!s_channel->create(Channel::kRingCapacity, Channel::kCounterCapacity)) {
      state.SkipWithError("no channel");
      return;
    }
    s_ring = &s_channel->ring();
    s_stop.store(false);
    s_consumer = std::thread(drain);
  }
  Event event{};
  event.ptr = 0x7f0000001000ull;
  event.size = 64;
  event.thread = static_cast<uint32_t>(state.thread_index());
  event.op = EventOp::Alloc;
  uint64_t retries = 0;
  uint64_t position = 0;
  for (auto _ : state) {
    // A full ring is retried, as the channel does before it considers dropping.
    while (!s_ring->tryPush(event, &position)) {
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
    s_channel->unmapAll();
    delete s_channel;
    s_channel = nullptr;
    s_ring = nullptr;
  }
}
BENCHMARK(BM_RingPushPop)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
