#pragma once
// Call stacks of the program's threads, as lists of return addresses.
//
// The walk is this library's own: each step reads one rule from a cache shared by every
// thread (frame_rule_cache.hpp), filled from the objects' .eh_frame (cfi_reader.hpp), and
// applies it with two loads from the stack. No per-thread state, no lock, no heap. A stack
// holding a frame whose rule it cannot follow (a signal frame, a realigned stack) is
// walked by libunwind instead, whole, so a given stack always comes out the same way.
//
// The profiler's own frames (all compiled with frame pointers) are skipped by following
// rbp up to the first return address outside this library, so a stack starts at the
// function that called malloc or read.

#include <atomic>
#include <cstdint>

#include "record/frame_rule.hpp"
#include "record/frame_rule_cache.hpp"
#include "slowburn/format.hpp"

namespace slowburn::preload {

class StackMemo;
struct RememberedWalk;

class Unwinder {
 public:
  // Once, before any capture: the address range to skip and the shared rule cache.
  static void init();

  static constexpr uint64_t kMaxFrameBytes = 64u << 20;

  // Room a capture needs: the deepest stack plus the profiler's own frames on top.
  static constexpr uint32_t kBufferFrames = format::kMaxFrames + 16;

  // Fills buffer (kBufferFrames long) with at most depth frames, innermost first, and
  // returns the count.
  static uint32_t capture(uint64_t* buffer, uint32_t depth);
  // Without writing anything out: whether the walk from start is the very one a way of memo
  // remembers (the way whose walk starts at start, if any).
  struct Frame;
  struct Recalled {
    RememberedWalk* way;
    bool unchanged;
  };
  static Recalled recall(const Frame& start, StackMemo& memo);
  // walk from start, taking from the thread's memo what has not changed since it last
  // walked it (stack_memo.hpp), and remembering this walk there; libunwind's whole stack
  // when the walk needs it. recalled is recall's answer for start. Only where no other
  // capture on this thread can interrupt it (under the reentry guard).
  struct Remembered {
    uint32_t count;
    RememberedWalk* way;  // where this walk is remembered (nullptr: it is not)
    bool unchanged;       // the very stack way remembered before
  };
  static Remembered captureRemembered(const Frame& start, const Recalled& recalled,
                                      uint64_t* buffer, uint32_t depth, StackMemo& memo,
                                      bool skipOwn = true);
  // The whole stack through libunwind, past the profiler's own frames.
  static uint32_t captureSlow(uint64_t* buffer, uint32_t depth);

  // The walk itself, from a frame's return address ip, the stack pointer just after that
  // return (sp) and the rbp it will see; -1 when the stack needs libunwind.
  // skipOwn: this library's frames are stepped through, not kept.
  static int walk(uint64_t ip, uint64_t sp, uint64_t bp, uint64_t* buffer, uint32_t depth,
                  bool skipOwn = false);

  // One frame as the walk sees it: its return address and the registers it returns with.
  struct Frame {
    uint64_t ip;
    uint64_t sp;
    uint64_t bp;
  };
  // The first frame outside this library, following the frame pointers of its functions
  // from frame (by default the caller's own: this is inlined).
  [[gnu::always_inline]] static inline Frame firstOutside(
      const void* frame = __builtin_frame_address(0)) {
    const auto* fp = static_cast<const uint64_t*>(frame);
    while (isOwnCode(fp[1])) fp = reinterpret_cast<const uint64_t*>(fp[0]);
    return Frame{fp[1], reinterpret_cast<uint64_t>(fp + 2), fp[0]};
  }
  // The rule to step from a frame (the shared cache's, learned on first use).
  static FrameRule ruleFor(uint64_t ip) { return rules().ruleFor(ip); }
  // Steps f to its caller with f.ip's rule; false when the rule cannot (the stack ends,
  // or needs libunwind).
  static bool step(FrameRule rule, Frame& f) {
    if (!rule.isStep()) return false;
    const uint64_t cfa =
        (rule.cfaFromRbp() ? f.bp : f.sp) + static_cast<uint64_t>(rule.cfaOffset());
    // The stack only grows towards the caller (unsigned: cfa <= sp wraps to huge); a frame
    // bigger than kMaxFrameBytes means the walk has lost the stack.
    if (cfa - f.sp - 1 >= kMaxFrameBytes) return false;
    f.ip = *reinterpret_cast<const uint64_t*>(cfa - 8);
    if (rule.rbpSaved()) f.bp = *reinterpret_cast<const uint64_t*>(cfa + rule.rbpOffset());
    f.sp = cfa;
    return true;
  }

  // Whether an address lies in the profiler itself (this library or libunwind).
  static bool isOwn(uint64_t address);
  // Whether it lies in this library's code.
  static bool isOwnCode(uint64_t address) { return address - s_selfStart < s_selfSize; }

  // A library is going away (dlclose): its addresses' rules must not outlive it.
  struct Extent {
    uint64_t start = 0;
    uint64_t end = 0;
  };
  static Extent extentOf(void* dlopenHandle);
  static void forget(Extent extent);
  // Moves on with every forget: a walk remembered under an older epoch may have used a
  // rule that is gone.
  static uint32_t rulesEpoch() { return s_rulesEpoch.load(std::memory_order_acquire); }

 private:
  static inline uint64_t s_selfStart = 0;
  static inline uint64_t s_selfSize = 0;
  // Built in place by init() and never destroyed: threads may still unwind during exit.
  alignas(FrameRuleCache) static inline unsigned char s_rulesStorage[sizeof(FrameRuleCache)];
  static inline bool s_rulesBuilt = false;
  static FrameRuleCache& rules() { return *reinterpret_cast<FrameRuleCache*>(s_rulesStorage); }
  static inline std::atomic<uint32_t> s_rulesEpoch{0};
};

}  // namespace slowburn::preload
