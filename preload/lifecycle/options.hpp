#pragma once
// Recording settings, read from the environment once at init into one struct. The names,
// defaults and limits are the environment contract's (slowburn/environment.hpp); a bad value
// gets one line on stderr, in the contract's words, and its default.

#include <cstdint>

#include "slowburn/environment.hpp"
#include "slowburn/format.hpp"

namespace slowburn::preload {

struct Options {
  Options();

  char outPattern[format::kMaxStringBytes] = {};  // env::kDefaultDumpName unless set
  uint32_t intervalMs = env::kIntervalMs.defaultValue;
  uint32_t depth = env::kDepth.defaultValue;
  uint64_t sampleBytes = env::kSampleBytes.defaultValue;
  uint32_t syscallMask = env::kAllSyscalls;  // bit (1 << op) for each counted SyscallOp

  bool counts(format::SyscallOp op) const {
    return (syscallMask >> static_cast<unsigned>(op)) & 1u;
  }
};

// Where values come from: getenv in the library, a table in the tests.
using EnvLookup = const char* (*)(const char* name);
// Where complaints go: one line each (raw stderr in the library).
using ComplaintSink = void (*)(const char* line);

// Fills options from the variables of the environment contract; returns how many values
// were rejected.
int parseOptions(EnvLookup lookup, ComplaintSink complain, Options& options);

}  // namespace slowburn::preload
