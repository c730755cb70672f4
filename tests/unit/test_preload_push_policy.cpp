// What a producer does when the ring is full (see recorder.hpp): wait while a collector
// is alive and draining, drop and count when it is gone or stalled.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "record/event_ring.hpp"
#include "record/recorder.hpp"
#include "record/runtime.hpp"

namespace {

using namespace slowburn::preload;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void* block(uintptr_t n) { return reinterpret_cast<void*>(0x100000 + n * 16); }

TEST(PreloadPushPolicy, WaitsForALiveCollectorAndDropsWhenItIsGoneOrStalled) {
  ASSERT_TRUE(constructRuntime(Options{}, "/tmp/unused.sb"));
  Runtime& rt = runtime();
  EventRing ring(8);
  rt.ring.store(&ring);
  rt.ownerPid.store(getpid());

  // No collector: once full, every event is dropped at once, and counted.
  rt.collectorAlive.store(false);
  for (uintptr_t i = 0; i < 8; ++i) recordFree(block(i));
  EXPECT_EQ(rt.dropped.load(), 0u);
  auto t = Clock::now();
  recordFree(block(8));
  EXPECT_EQ(rt.dropped.load(), 1u);
  EXPECT_LT(secondsSince(t), 0.5);

  // A collector that is alive but consumes nothing: wait a bounded time, then drop...
  rt.collectorAlive.store(true);
  t = Clock::now();
  recordFree(block(9));
  EXPECT_EQ(rt.dropped.load(), 2u);
  EXPECT_GE(secondsSince(t), 0.9);
  EXPECT_LT(secondsSince(t), 5.0);
  // ...and do not wait again until it moves.
  t = Clock::now();
  recordFree(block(10));
  EXPECT_EQ(rt.dropped.load(), 3u);
  EXPECT_LT(secondsSince(t), 0.5);

  // A slow but live collector loses nothing: producers just wait for room.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> popped{0};
  std::thread collector([&] {
    Event e{};
    while (!stop) {
      if (ring.tryPop(&e)) ++popped;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  // Once it has moved, producers wait for it again instead of dropping.
  while (popped.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (uintptr_t i = 0; i < 100; ++i) recordFree(block(100 + i));
  EXPECT_EQ(rt.dropped.load(), 3u);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (popped.load() < 108 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(popped.load(), 108u);
  stop = true;
  collector.join();
  rt.ring.store(nullptr);
  rt.collectorAlive.store(false);
}

}  // namespace
