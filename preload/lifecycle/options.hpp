#pragma once
// Recording settings, read from the environment once at init into one struct. A bad value
// gets one line on stderr and its default.

#include <cstdint>

#include "slowburn/format.hpp"

namespace slowburn::preload {

inline constexpr char kDefaultDumpName[] = "slowburn.%e.%p.sb";

struct Options {
  static constexpr uint32_t kDefaultIntervalMs = 100;
  static constexpr uint32_t kDefaultDepth = 32;
  static constexpr uint32_t kMaxIntervalMs = 3600 * 1000;
  static constexpr uint64_t kMaxSampleBytes = uint64_t{1} << 40;
  static constexpr uint32_t kAllSyscalls = (1u << (format::kMaxSyscallOp + 1)) - 2;

  char outPattern[format::kMaxStringBytes] = "slowburn.%e.%p.sb";  // = kDefaultDumpName
  uint32_t intervalMs = kDefaultIntervalMs;
  uint32_t depth = kDefaultDepth;
  uint64_t sampleBytes = 0;
  uint32_t syscallMask = kAllSyscalls;  // bit (1 << op) for each counted SyscallOp

  bool counts(format::SyscallOp op) const {
    return (syscallMask >> static_cast<unsigned>(op)) & 1u;
  }
};

// Where values come from: getenv in the library, a table in the tests.
using EnvLookup = const char* (*)(const char* name);
// Where complaints go: one line each (raw stderr in the library).
using ComplaintSink = void (*)(const char* line);

// Fills options from the variables SLOWBURN_OUT, SLOWBURN_INTERVAL_MS, SLOWBURN_DEPTH,
// SLOWBURN_SAMPLE_BYTES and SLOWBURN_SYSCALLS; returns how many values were rejected.
int parseOptions(EnvLookup lookup, ComplaintSink complain, Options& options);

// Parses a SLOWBURN_SYSCALLS value; false when a name is unknown or the list is empty.
bool parseSyscallList(const char* text, uint32_t* mask);

}  // namespace slowburn::preload
