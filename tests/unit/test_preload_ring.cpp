// The MPSC event ring: order, capacity, wrap-around, and many producers at once.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "record/event_ring.hpp"

namespace {

using slowburn::preload::Event;
using slowburn::preload::EventOp;
using slowburn::preload::EventRing;

Event eventFor(uint32_t thread, uint64_t seq) {
  return Event{seq, seq * 3, nullptr, thread, EventOp::Alloc};
}

TEST(PreloadRing, PopsInPushOrderAndReportsEmpty) {
  EventRing ring(8);
  ASSERT_TRUE(ring.ok());
  Event e{};
  EXPECT_FALSE(ring.tryPop(&e));
  for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(ring.tryPush(eventFor(1, i)));
  for (uint64_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(ring.tryPop(&e));
    EXPECT_EQ(e.ptr, i);
    EXPECT_EQ(e.size, i * 3);
  }
  EXPECT_FALSE(ring.tryPop(&e));
}

TEST(PreloadRing, FullRingRefusesUntilASlotIsFreed) {
  EventRing ring(5);  // rounded up to 8
  EXPECT_EQ(ring.capacity(), 8u);
  for (uint64_t i = 0; i < 8; ++i) ASSERT_TRUE(ring.tryPush(eventFor(1, i)));
  EXPECT_FALSE(ring.tryPush(eventFor(1, 99)));
  Event e{};
  ASSERT_TRUE(ring.tryPop(&e));
  EXPECT_EQ(e.ptr, 0u);
  EXPECT_TRUE(ring.tryPush(eventFor(1, 8)));
  EXPECT_FALSE(ring.tryPush(eventFor(1, 100)));
}

TEST(PreloadRing, WrapsAroundManyLapsAndCountsPositions) {
  EventRing ring(4);
  uint64_t next = 0;
  uint64_t expected = 0;
  Event e{};
  for (int lap = 0; lap < 1000; ++lap) {
    for (int i = 0; i < 3; ++i) {
      uint64_t position = 0;
      ASSERT_TRUE(ring.tryPush(eventFor(2, next), &position));
      EXPECT_EQ(position, next);
      ++next;
    }
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(ring.tryPop(&e));
      EXPECT_EQ(e.ptr, expected++);
    }
  }
  EXPECT_EQ(ring.consumed(), 3000u);
  EXPECT_EQ(ring.claimed(), 3000u);
}

// Each producer's events arrive complete and in its own order, whatever the interleaving,
// through a ring far smaller than the traffic.
TEST(PreloadRing, ManyProducersOneConsumerLoseNothingAndKeepPerProducerOrder) {
  constexpr uint32_t kProducers = 4;
  constexpr uint64_t kPerProducer = 200000;
  EventRing ring(1024);
  std::vector<std::thread> producers;
  for (uint32_t p = 1; p <= kProducers; ++p) {
    producers.emplace_back([&ring, p] {
      for (uint64_t i = 0; i < kPerProducer; ++i) {
        while (!ring.tryPush(eventFor(p, i))) std::this_thread::yield();
      }
    });
  }
  std::vector<uint64_t> next(kProducers + 1, 0);
  uint64_t received = 0;
  Event e{};
  while (received < kProducers * kPerProducer) {
    if (!ring.tryPop(&e)) {
      std::this_thread::yield();
      continue;
    }
    ASSERT_GE(e.thread, 1u);
    ASSERT_LE(e.thread, kProducers);
    ASSERT_EQ(e.ptr, next[e.thread]) << "producer " << e.thread;
    ASSERT_EQ(e.size, e.ptr * 3);
    ++next[e.thread];
    ++received;
  }
  for (auto& t : producers) t.join();
  EXPECT_FALSE(ring.tryPop(&e));
  for (uint32_t p = 1; p <= kProducers; ++p) EXPECT_EQ(next[p], kPerProducer);
}

}  // namespace
