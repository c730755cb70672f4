// What a producer does when the ring is full (see channel.hpp): wait while a collector
// is alive and draining, drop and count when it is gone or stalled.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "record/channel.hpp"

namespace {

using namespace slowburn::preload;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Event freeOf(uint64_t n) {
  Event e{};
  e.op = EventOp::Free;
  e.ptr = 0x100000 + n * 16;
  return e;
}

TEST(PreloadPushPolicy, WaitsForALiveCollectorAndDropsWhenItIsGoneOrStalled) {
  Channel channel;
  ASSERT_TRUE(channel.create(8, 4));
  ChannelControl& control = channel.control();

  // No collector: once full, every event is dropped at once, and counted.
  control.alive.store(0);
  for (uint64_t i = 0; i < 8; ++i) EXPECT_TRUE(channel.push(freeOf(i)));
  EXPECT_EQ(control.dropped.load(), 0u);
  auto t = Clock::now();
  EXPECT_FALSE(channel.push(freeOf(8)));
  EXPECT_EQ(control.dropped.load(), 1u);
  EXPECT_LT(secondsSince(t), 0.5);

  // A collector that is alive but consumes nothing: wait a bounded time, then drop...
  control.alive.store(1);
  t = Clock::now();
  EXPECT_FALSE(channel.push(freeOf(9)));
  EXPECT_EQ(control.dropped.load(), 2u);
  EXPECT_GE(secondsSince(t), 0.9);
  EXPECT_LT(secondsSince(t), 5.0);
  // ...and do not wait again until it moves.
  t = Clock::now();
  EXPECT_FALSE(channel.push(freeOf(10)));
  EXPECT_EQ(control.dropped.load(), 3u);
  EXPECT_LT(secondsSince(t), 0.5);

  // A slow but live collector loses nothing: producers just wait for room.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> popped{0};
  std::thread collector([&] {
    Event e{};
    while (!stop) {
      if (channel.ring().tryPop(&e)) ++popped;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  // Once it has moved, producers wait for it again instead of dropping.
  while (popped.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (uint64_t i = 0; i < 100; ++i) EXPECT_TRUE(channel.push(freeOf(100 + i)));
  EXPECT_EQ(control.dropped.load(), 3u);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (popped.load() < 108 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(popped.load(), 108u);
  stop = true;
  collector.join();
  channel.unmapAll();
}

// The collector maps the channel from its descriptor, wherever it likes: the layout is
// checked, and what one side writes the other reads.
TEST(PreloadChannel, AttachSeesTheSameChannelAndRefusesForeignFiles) {
  Channel program;
  ASSERT_TRUE(program.create(16, 8));
  Channel collector;
  ASSERT_TRUE(collector.attach(program.fd()));
  EXPECT_NE(&program.control(), &collector.control());
  ASSERT_TRUE(program.push(freeOf(7)));
  program.counter(3).calls.fetch_add(5);
  Event e{};
  ASSERT_TRUE(collector.ring().tryPop(&e));
  EXPECT_EQ(e.ptr, freeOf(7).ptr);
  EXPECT_EQ(collector.counter(3).calls.load(), 5u);
  EXPECT_EQ(program.ring().consumed(), 1u);

  FILE* file = tmpfile();
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(std::fwrite("not a channel", 1, 13, file), 13u);
  std::fflush(file);
  Channel wrong;
  EXPECT_FALSE(wrong.attach(fileno(file)));
  std::fclose(file);
  collector.unmapAll();
  program.unmapAll();
}

}  // namespace
