// The remembered walk against the plain one, on the same stacks: a stack captured again,
// sibling stacks sharing their outer frames, a helper reached from two callers whose frames
// lie at the very same addresses, walks cut by the depth sooner or later than the
// remembered one, rbp-based frames, a forgotten library, and threads.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "record/stack_memo.hpp"
#include "record/unwinder.hpp"
#include "support/caller_frame.hpp"
#include "support/page_memory.hpp"

namespace slowburn::preload {
namespace {

struct Captured {
  std::vector<uint64_t> walked;      // Unwinder::walk
  std::vector<uint64_t> remembered;  // Unwinder::captureRemembered, after walk
  bool recalledUnchanged = false;    // Unwinder::recall, before both
  bool unchanged = false;            // captureRemembered's own answer
};

// Both walks of the stack of captureBoth()'s caller, at most depth frames deep.
[[gnu::noinline]] Captured captureBoth(StackMemo& memo, uint32_t depth) {
  Captured c;
  unw_context_t context;
  unw_cursor_t cursor;
  Unwinder::Frame start{};
  if (!callerFrame(context, cursor, start)) return c;
  const Unwinder::Recalled recalled = Unwinder::recall(start, memo);
  c.recalledUnchanged = recalled.unchanged;
  uint64_t buffer[Unwinder::kBufferFrames];
  const int n = Unwinder::walk(start.ip, start.sp, start.bp, buffer, depth);
  if (n > 0) c.walked.assign(buffer, buffer + n);
  std::memset(buffer, 0, sizeof(buffer));
  const Unwinder::Remembered r =
      Unwinder::captureRemembered(start, recalled, buffer, depth, memo, false);
  c.remembered.assign(buffer, buffer + r.count);
  c.unchanged = r.unchanged;
  asm volatile("" ::: "memory");
  return c;
}

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }
volatile int s_trail;

// Level frames of Path's own functions above the capture.
template <int Path, int Level>
[[gnu::noinline]] Captured via(StackMemo& memo, uint32_t depth) {
  int local = Path * 100 + Level;
  escape(&local);
  s_trail = local;
  Captured c;
  if constexpr (Level == 0) {
    c = captureBoth(memo, depth);
  } else {
    c = via<Path, Level - 1>(memo, depth);
  }
  escape(&local);
  return c;
}

// One helper, reached from two callers with the same code: its frame, and the capture's,
// lie at the same addresses whichever called it.
[[gnu::noinline]] Captured sharedHelper(StackMemo& memo) {
  int local = 7;
  escape(&local);
  Captured c = captureBoth(memo, format::kMaxFrames);
  escape(&local);
  return c;
}
template <int Caller>
[[gnu::noinline]] Captured callerOf(StackMemo& memo) {
  int local = Caller;
  escape(&local);
  s_trail = Caller;
  Captured c = sharedHelper(memo);
  escape(&local);
  return c;
}

// A variable-sized frame: GCC addresses it through rbp, so the CFA is rbp-based.
[[gnu::noinline]] Captured allocaFrames(StackMemo& memo, int bytes, int level) {
  auto* scratch = static_cast<char*>(alloca(static_cast<size_t>(bytes)));
  std::memset(scratch, level, static_cast<size_t>(bytes));
  escape(scratch);
  Captured c = level == 0 ? captureBoth(memo, format::kMaxFrames)
                          : allocaFrames(memo, bytes + 48, level - 1);
  escape(scratch);
  return c;
}

class StackMemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Unwinder::init(); }
  void SetUp() override {
    m_memo = StackMemo::make();
    ASSERT_NE(m_memo, nullptr);
  }
  void TearDown() override { unmapPages(m_memo, sizeof(StackMemo)); }
  StackMemo& memo() { return *m_memo; }

 private:
  StackMemo* m_memo = nullptr;
};

TEST_F(StackMemoTest, TheSameStackAgainIsRecalledUnchanged) {
  std::vector<Captured> runs;
  for (int i = 0; i < 4; ++i) runs.push_back(via<0, 6>(memo(), format::kMaxFrames));
  ASSERT_GE(runs[0].walked.size(), 7u);
  EXPECT_FALSE(runs[0].recalledUnchanged);
  for (const Captured& c : runs) {
    EXPECT_EQ(c.remembered, c.walked);
    EXPECT_EQ(c.walked, runs[0].walked);
  }
  for (size_t i = 1; i < runs.size(); ++i) {
    EXPECT_TRUE(runs[i].recalledUnchanged);
    EXPECT_TRUE(runs[i].unchanged);
  }
}

TEST_F(StackMemoTest, SiblingStacksComeOutAsWalked) {
  // More paths than ways, in an order that keeps replacing them.
  for (int round = 0; round < 4; ++round) {
    for (const Captured& c :
         {via<1, 3>(memo(), format::kMaxFrames), via<2, 5>(memo(), format::kMaxFrames),
          via<3, 2>(memo(), format::kMaxFrames), via<4, 8>(memo(), format::kMaxFrames),
          via<5, 1>(memo(), format::kMaxFrames), via<1, 3>(memo(), format::kMaxFrames)}) {
      ASSERT_FALSE(c.walked.empty());
      EXPECT_EQ(c.remembered, c.walked);
      if (c.recalledUnchanged) {
        EXPECT_TRUE(c.unchanged);
      }
    }
  }
}

TEST_F(StackMemoTest, AHelperAtTheSameAddressesNamesEachCaller) {
  std::vector<Captured> runs;
  for (int i = 0; i < 6; ++i)
    runs.push_back(i % 2 == 0 ? callerOf<0>(memo()) : callerOf<1>(memo()));
  const Captured& a = runs[0];
  const Captured& b = runs[1];
  ASSERT_GE(a.walked.size(), 3u);
  // The helper's frame and the capture's are the same for both; the callers are not.
  EXPECT_EQ(a.walked[0], b.walked[0]);
  EXPECT_NE(a.walked[1], b.walked[1]);
  for (size_t i = 0; i < runs.size(); ++i) {
    const Captured& c = runs[i];
    EXPECT_EQ(c.remembered, c.walked);
    EXPECT_EQ(c.walked[1], i % 2 == 0 ? a.walked[1] : b.walked[1]);
    EXPECT_FALSE(c.recalledUnchanged);
    EXPECT_FALSE(c.unchanged);
  }
}

TEST_F(StackMemoTest, DepthCutsComeOutAsWalked) {
  // Walks cut by the depth, each replayed from the one before where they meet: a longer
  // own part than the last (this walk is cut sooner than the remembered one) and a shorter
  // one (the remembered walk was cut before this one is).
  for (uint32_t depth : {4u, 6u, 9u, 12u}) {
    for (const Captured& c :
         {via<6, 2>(memo(), depth), via<6, 2>(memo(), depth), via<7, 7>(memo(), depth),
          via<8, 0>(memo(), depth), via<11, 2>(memo(), depth), via<12, 5>(memo(), depth),
          via<13, 1>(memo(), depth), via<14, 3>(memo(), depth), via<7, 7>(memo(), depth)}) {
      ASSERT_EQ(c.walked.size(), depth);
      EXPECT_EQ(c.remembered, c.walked);
    }
  }
}

TEST_F(StackMemoTest, RbpBasedFramesComeOutAsWalked) {
  for (int bytes : {100, 100, 260, 100, 4000}) {
    const Captured c = allocaFrames(memo(), bytes, 4);
    ASSERT_GE(c.walked.size(), 5u);
    EXPECT_EQ(c.remembered, c.walked);
  }
}

TEST_F(StackMemoTest, AForgottenLibraryForgetsTheWalks) {
  std::vector<Captured> runs;
  for (int i = 0; i < 3; ++i) {
    // Rules of some other range are cleared before the last: any walk may have used one.
    if (i == 2) Unwinder::forget({1, 2});
    runs.push_back(via<9, 3>(memo(), format::kMaxFrames));
  }
  EXPECT_TRUE(runs[1].recalledUnchanged);
  EXPECT_FALSE(runs[2].recalledUnchanged);
  for (const Captured& c : runs) EXPECT_EQ(c.remembered, c.walked);
}

TEST_F(StackMemoTest, EachThreadHasItsOwnMemoAndGivesItBack) {
  StackMemo* mainThreads = StackMemo::mine();
  StackMemo* first = nullptr;
  std::thread([&] { first = StackMemo::mine(); }).join();
  ASSERT_NE(first, nullptr);
  // The next thread takes the memo the last one gave back at its exit.
  StackMemo* second = nullptr;
  std::thread([&] { second = StackMemo::mine(); }).join();
  EXPECT_EQ(second, first);
  EXPECT_NE(mainThreads, first);
  Captured inThread;
  std::thread([&] {
    for (int i = 0; i < 2; ++i) inThread = via<10, 2>(*StackMemo::mine(), format::kMaxFrames);
  }).join();
  EXPECT_TRUE(inThread.recalledUnchanged);
  EXPECT_EQ(inThread.remembered, inThread.walked);
}

}  // namespace
}  // namespace slowburn::preload
