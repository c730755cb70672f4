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

#include <cstdint>

#include "slowburn/format.hpp"

namespace slowburn::preload {

class Unwinder {
 public:
  // Once, before any capture: the address range to skip and the shared rule cache.
  static void init();

  // Room a capture needs: the deepest stack plus the profiler's own frames on top.
  static constexpr uint32_t kBufferFrames = format::kMaxFrames + 16;

  // Fills buffer (kBufferFrames long) with at most depth frames, innermost first, and
  // returns the count.
  static uint32_t capture(uint64_t* buffer, uint32_t depth);

  // The walk itself, from a frame's return address ip, the stack pointer just after that
  // return (sp) and the rbp it will see; -1 when the stack needs libunwind.
  static int walk(uint64_t ip, uint64_t sp, uint64_t bp, uint64_t* buffer, uint32_t depth);

  // Whether an address lies in the profiler itself (this library or libunwind).
  static bool isOwn(uint64_t address);

  // A library is going away (dlclose): its addresses' rules must not outlive it.
  struct Extent {
    uint64_t start = 0;
    uint64_t end = 0;
  };
  static Extent extentOf(void* dlopenHandle);
  static void forget(Extent extent);
};

}  // namespace slowburn::preload
