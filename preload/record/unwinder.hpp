#pragma once
// Call stacks, captured with libunwind's local unwinder: unw_backtrace fills a fixed
// array (no lock, no heap), with the per-thread cache so repeated stacks are cheap.
// The profiler's own frames (this library and libunwind) are dropped from the top, so a
// stack starts at the function that called malloc or read.

#include <cstdint>

#include "slowburn/format.hpp"

namespace slowburn::preload {

class Unwinder {
 public:
  // Once, before any capture: caching policy and the address ranges to skip.
  static void init();

  // Room a capture needs: the deepest stack plus the profiler's own frames on top.
  static constexpr uint32_t kBufferFrames = format::kMaxFrames + 16;

  // Fills buffer (kBufferFrames long) with at most depth frames, innermost first, and
  // returns the count.
  static uint32_t capture(uint64_t* buffer, uint32_t depth);

  // Whether an address lies in the profiler itself (this library or libunwind).
  static bool isOwn(uint64_t address);
};

}  // namespace slowburn::preload
