// The fork gate: a fork waits for loader walks in progress, and walks wait for a fork.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "lifecycle/fork_gate.hpp"

namespace {

using slowburn::preload::ForkGate;

TEST(PreloadForkGate, CountsWalksAndNestedPassesOnOneThread) {
  EXPECT_EQ(ForkGate::walkers(), 0);
  {
    ForkGate::Pass outer;
    ForkGate::Pass inner;
    EXPECT_EQ(ForkGate::walkers(), 2);
  }
  EXPECT_EQ(ForkGate::walkers(), 0);
}

TEST(PreloadForkGate, CloseWaitsForAWalkInProgress) {
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
  std::thread walker([&] {
    ForkGate::Pass pass;
    entered = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  while (!entered) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release = true;
  });
  ForkGate::close();
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(40));
  EXPECT_EQ(ForkGate::walkers(), 0);

  // While closed, a new walk waits until the gate reopens.
  std::atomic<bool> walked{false};
  std::thread late([&] {
    ForkGate::Pass pass;
    walked = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_FALSE(walked);
  ForkGate::reopen();
  late.join();
  EXPECT_TRUE(walked);
  walker.join();
  releaser.join();
}

}  // namespace
