// The MPSC event ring in a channel's shared mapping: order, capacity, wrap-around,
// multi-slot messages, and many producers at once.

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "record/channel.hpp"

namespace {

using slowburn::preload::Channel;
using slowburn::preload::Event;
using slowburn::preload::EventOp;
using slowburn::preload::EventRing;

Event eventFor(uint32_t thread, uint64_t seq) {
  Event e{};
  e.ptr = seq;
  e.size = seq * 3;
  e.thread = thread;
  e.op = EventOp::Alloc;
  return e;
}

// A channel of its own for each test: the ring lives in its shared mapping.
struct Ring {
  explicit Ring(size_t capacity) { ok = channel.create(capacity, 4); }
  ~Ring() { channel.unmapAll(); }
  EventRing& operator*() { return channel.ring(); }
  Channel channel;
  bool ok = false;
};

bool tryPush(EventRing& ring, const Event& e) {
  uint64_t position = 0;
  return ring.tryPush(e, &position);
}

TEST(PreloadRing, PopsInPushOrderAndReportsEmpty) {
  Ring owner(8);
  ASSERT_TRUE(owner.ok);
  EventRing& ring = *owner;
  Event e{};
  EXPECT_FALSE(ring.tryPop(&e));
  for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(tryPush(ring, eventFor(1, i)));
  for (uint64_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(ring.tryPop(&e));
    EXPECT_EQ(e.ptr, i);
    EXPECT_EQ(e.size, i * 3);
  }
  EXPECT_FALSE(ring.tryPop(&e));
}

TEST(PreloadRing, FullRingRefusesUntilASlotIsFreed) {
  Ring owner(5);  // rounded up to 8
  EventRing& ring = *owner;
  EXPECT_EQ(ring.capacity(), 8u);
  for (uint64_t i = 0; i < 8; ++i) ASSERT_TRUE(tryPush(ring, eventFor(1, i)));
  EXPECT_FALSE(tryPush(ring, eventFor(1, 99)));
  Event e{};
  ASSERT_TRUE(ring.tryPop(&e));
  EXPECT_EQ(e.ptr, 0u);
  EXPECT_TRUE(tryPush(ring, eventFor(1, 8)));
  EXPECT_FALSE(tryPush(ring, eventFor(1, 100)));
}

TEST(PreloadRing, WrapsAroundManyLapsAndCountsPositions) {
  Ring owner(4);
  EventRing& ring = *owner;
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

// peek shows what is coming without taking it: only published events, across laps, and
// never a slot that holds the previous lap's event or one claimed but not yet filled.
TEST(PreloadRing, PeekShowsPublishedEventsAheadAndLeavesThemInPlace) {
  Ring owner(4);
  EventRing& ring = *owner;
  EXPECT_EQ(ring.peek(0), nullptr);
  Event e{};
  uint64_t next = 0;
  for (int lap = 0; lap < 5; ++lap) {  // each lap starts the ring at another slot
    ASSERT_TRUE(tryPush(ring, eventFor(1, next)));
    ASSERT_TRUE(tryPush(ring, eventFor(1, next + 1)));
    ASSERT_NE(ring.peek(0), nullptr);
    EXPECT_EQ(ring.peek(0)->ptr, next);
    ASSERT_NE(ring.peek(1), nullptr);
    EXPECT_EQ(ring.peek(1)->ptr, next + 1);
    EXPECT_EQ(ring.peek(2), nullptr);  // the slot after holds an event of an earlier lap
    EXPECT_EQ(ring.peek(5), nullptr);  // past the ring: the same slot as peek(1), a lap on
    uint64_t claimed = 0;
    ASSERT_TRUE(ring.tryClaim(1, &claimed));
    EXPECT_EQ(ring.peek(2), nullptr);  // claimed, not filled
    ring.fill(claimed, eventFor(1, next + 2));
    ASSERT_NE(ring.peek(2), nullptr);
    EXPECT_EQ(ring.peek(2)->ptr, next + 2);
    for (uint64_t i = 0; i < 3; ++i) {
      ASSERT_TRUE(ring.tryPop(&e));
      EXPECT_EQ(e.ptr, next + i);
    }
    EXPECT_EQ(ring.peek(0), nullptr);
    next += 3;
  }
}

// Each producer's events arrive complete and in its own order, whatever the interleaving,
// through a ring far smaller than the traffic.
TEST(PreloadRing, ManyProducersOneConsumerLoseNothingAndKeepPerProducerOrder) {
  constexpr uint32_t kProducers = 4;
  constexpr uint64_t kPerProducer = 200000;
  Ring owner(1024);
  EventRing& ring = *owner;
  std::vector<std::thread> producers;
  for (uint32_t p = 1; p <= kProducers; ++p) {
    producers.emplace_back([&ring, p] {
      for (uint64_t i = 0; i < kPerProducer; ++i) {
        while (!tryPush(ring, eventFor(p, i))) std::this_thread::yield();
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

// A message claims its slots at once: another producer's events never land inside it,
// and it never wraps past slots still unread.
TEST(PreloadRing, MessagesArriveWholeAndNeverOverrunUnreadSlots) {
  Ring owner(8);
  Channel& channel = owner.channel;
  EventRing& ring = *owner;
  channel.control().alive.store(0);  // no collector: a full ring drops at once
  ASSERT_TRUE(channel.push(eventFor(1, 1)));
  const char body[70] = "a body of three slots, written before its head is published";
  Event head = eventFor(1, 2);
  head.op = EventOp::ModuleDef;
  ASSERT_TRUE(channel.pushMessage(head, body, sizeof(body)));  // positions 1..4
  ASSERT_TRUE(channel.push(eventFor(1, 3)));
  EXPECT_FALSE(channel.pushMessage(head, body, sizeof(body)));  // 4 slots, 3 free: dropped
  EXPECT_EQ(channel.control().dropped.load(), 1u);
  Event e{};
  ASSERT_TRUE(ring.tryPop(&e));
  EXPECT_EQ(e.ptr, 1u);
  ASSERT_TRUE(ring.tryPop(&e));
  EXPECT_EQ(e.op, EventOp::ModuleDef);
  char got[3 * sizeof(Event)] = {};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ring.tryPop(reinterpret_cast<Event*>(got) + i));
  EXPECT_EQ(0, std::memcmp(got, body, sizeof(body)));
  ASSERT_TRUE(ring.tryPop(&e));
  EXPECT_EQ(e.ptr, 3u);
  EXPECT_FALSE(ring.tryPop(&e));
  // Wrapping: a message that needs the slots just freed gets them.
  ASSERT_TRUE(channel.pushMessage(head, body, sizeof(body)));
  EXPECT_EQ(ring.claimed(), 10u);
}

}  // namespace
