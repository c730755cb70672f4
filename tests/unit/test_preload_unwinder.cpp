// The unwinder's own walk against libunwind's slow, fully general one, on the same
// stacks: plain frames, frames that address their locals through rbp (alloca), frame
// pointers, a thread's stack down to its start, and a signal frame (handed to libunwind).

#include <alloca.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "record/unwinder.hpp"
#include "support/caller_frame.hpp"

namespace slowburn::preload {
namespace {

struct Comparison {
  std::vector<uint64_t> reference;  // libunwind's unw_step, from the caller of compare()
  std::vector<uint64_t> walked;     // Unwinder::walk from the same registers
  int walkResult = 0;
};

// Both walks of the stack of compare()'s caller, the fast one at most depth frames deep.
[[gnu::noinline]] Comparison compare(uint32_t depth = format::kMaxFrames) {
  Comparison c;
  unw_context_t context;
  unw_cursor_t cursor;
  Unwinder::Frame caller{};
  if (!callerFrame(context, cursor, caller)) return c;
  do {
    unw_word_t frame = 0;
    unw_get_reg(&cursor, UNW_REG_IP, &frame);
    c.reference.push_back(frame);
  } while (c.reference.size() < format::kMaxFrames && unw_step(&cursor) > 0);
  uint64_t buffer[Unwinder::kBufferFrames];
  c.walkResult = Unwinder::walk(caller.ip, caller.sp, caller.bp, buffer, depth);
  if (c.walkResult > 0) c.walked.assign(buffer, buffer + c.walkResult);
  asm volatile("" ::: "memory");
  return c;
}

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

template <int Level>
[[gnu::noinline]] Comparison plainFrames(int salt, uint32_t depth = format::kMaxFrames) {
  int local = salt + Level;
  escape(&local);
  Comparison c;
  if constexpr (Level == 0) {
    c = compare(depth);
  } else {
    c = plainFrames<Level - 1>(salt, depth);
  }
  escape(&local);
  return c;
}

// A variable-sized frame: GCC addresses it through rbp, so the CFA is rbp-based.
[[gnu::noinline]] Comparison allocaFrame(int bytes, int depth) {
  auto* scratch = static_cast<char*>(alloca(static_cast<size_t>(bytes)));
  std::memset(scratch, depth, static_cast<size_t>(bytes));
  escape(scratch);
  Comparison c = depth == 0 ? compare() : allocaFrame(bytes + 48, depth - 1);
  escape(scratch);
  return c;
}

[[gnu::noinline, gnu::optimize("no-omit-frame-pointer")]] Comparison framePointerFrame(int depth) {
  volatile char pad[200];
  pad[0] = static_cast<char>(depth);
  Comparison c = depth == 0 ? allocaFrame(32, 2) : framePointerFrame(depth - 1);
  escape(const_cast<char*>(pad));
  return c;
}

class UnwinderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Unwinder::init(); }
};

TEST_F(UnwinderTest, PlainFramesWalkAsLibunwindWalksThem) {
  const Comparison c = plainFrames<12>(7);
  ASSERT_GE(c.reference.size(), 13u);
  EXPECT_EQ(c.walked, c.reference);
}

TEST_F(UnwinderTest, RbpBasedFramesWalkAsLibunwindWalksThem) {
  const Comparison c = allocaFrame(100, 5);
  ASSERT_GE(c.reference.size(), 6u);
  EXPECT_EQ(c.walked, c.reference);
}

TEST_F(UnwinderTest, FramePointerFramesWalkAsLibunwindWalksThem) {
  const Comparison c = framePointerFrame(6);
  ASSERT_GE(c.reference.size(), 10u);
  EXPECT_EQ(c.walked, c.reference);
}

TEST_F(UnwinderTest, AThreadStackWalksDownToItsStart) {
  Comparison c;
  std::thread([&c] { c = plainFrames<4>(3); }).join();
  ASSERT_GE(c.reference.size(), 5u);
  EXPECT_EQ(c.walked, c.reference);
}

TEST_F(UnwinderTest, DepthBoundsTheWalk) {
  const Comparison c = plainFrames<12>(1, 3);
  ASSERT_EQ(c.walked.size(), 3u);
  EXPECT_TRUE(std::equal(c.walked.begin(), c.walked.end(), c.reference.begin()));
}

Comparison s_inHandler;

[[gnu::noinline]] void onSignal(int) { s_inHandler = plainFrames<2>(5); }

TEST_F(UnwinderTest, ASignalFrameIsLeftToLibunwind) {
  struct sigaction action {};
  struct sigaction old {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &action, &old), 0);
  raise(SIGUSR2);
  sigaction(SIGUSR2, &old, nullptr);
  // The walk reaches the signal trampoline and gives the stack to libunwind.
  EXPECT_EQ(s_inHandler.walkResult, -1);
  EXPECT_GE(s_inHandler.reference.size(), 4u);
}

}  // namespace
}  // namespace slowburn::preload
