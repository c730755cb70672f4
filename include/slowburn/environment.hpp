#pragma once
// The preload's environment, the contract between it and whatever starts it: each variable's
// name, default and limits, the words a bad value is refused with, and the dump's file name.
// The preload reads the variables once at start (preload/lifecycle/options); `slowburn run`
// checks its flags against the same settings, so it refuses, in the same words, what the
// preload would ignore. Heap-free and constexpr: usable inside the preload.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "slowburn/format.hpp"

namespace slowburn::env {

// A numeric variable: strict decimal (digits only: no sign, unit or space) in [min, max].
struct NumberSetting {
  const char* name;
  uint64_t min;
  uint64_t max;
  uint64_t defaultValue;
  const char* expected;  // what a good value is, as both halves say when refusing one
};

// Any other variable: its value is checked by the function named beside it.
struct TextSetting {
  const char* name;
  const char* defaultValue;
  const char* expected;
};

// The dump's default name: %e the executable's name, %p the pid. A taken name gets ".1",
// ".2", ... before the suffix. SLOWBURN_OUT ending in '/' names a directory to put it in.
inline constexpr char kDefaultDumpName[] = "slowburn.%e.%p.sb";
inline constexpr std::string_view kDumpPrefix = "slowburn.";
inline constexpr std::string_view kDumpSuffix = ".sb";
static_assert(std::string_view(kDefaultDumpName).starts_with(kDumpPrefix) &&
              std::string_view(kDefaultDumpName).ends_with(kDumpSuffix));

// SLOWBURN_OUT: the dump's path pattern. Shorter than the record string limit by enough room
// for the default name a directory gets.
inline constexpr size_t kMaxOutBytes = 3999;
inline constexpr TextSetting kOut{"SLOWBURN_OUT", kDefaultDumpName,
                                  "a non-empty path shorter than 4000 bytes"};
static_assert(kMaxOutBytes + sizeof(kDefaultDumpName) <= format::kMaxStringBytes);

inline constexpr NumberSetting kIntervalMs{"SLOWBURN_INTERVAL_MS", 1, 3'600'000, 100,
                                           "milliseconds, 1 to 3600000"};
inline constexpr NumberSetting kDepth{"SLOWBURN_DEPTH", 1, format::kMaxFrames, 32,
                                      "frames, 1 to 256"};
// Mean bytes between sampled allocations; 0 records every one.
inline constexpr NumberSetting kSampleBytes{"SLOWBURN_SAMPLE_BYTES", 0, uint64_t{1} << 40, 0,
                                            "bytes, 0 to 2^40; 0 records all"};

// SLOWBURN_SYSCALLS: "all", "none", or a comma list of kSyscallOpNames ("read,recv").
inline constexpr TextSetting kSyscalls{"SLOWBURN_SYSCALLS", "all",
                                       "all, none, or names like read,recv"};
// Bit (1 << op) for each counted SyscallOp.
inline constexpr uint32_t kAllSyscalls = (1u << (format::kMaxSyscallOp + 1)) - 2;

// text as a NumberSetting's value; false for anything it would refuse.
constexpr bool parseNumber(const NumberSetting& setting, const char* text, uint64_t* out) {
  if (text == nullptr || *text == '\0') return false;
  uint64_t v = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return false;
    const auto digit = static_cast<uint64_t>(*p - '0');
    if (v > (setting.max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (v < setting.min) return false;
  *out = v;
  return true;
}

// SLOWBURN_OUT's value: any path of 1 to kMaxOutBytes bytes.
constexpr bool validOut(const char* text) {
  if (text == nullptr) return false;
  size_t n = 0;
  while (text[n] != '\0' && n <= kMaxOutBytes) ++n;
  return n >= 1 && n <= kMaxOutBytes;
}

// SLOWBURN_SYSCALLS' value as a mask; false when a name is unknown or missing ("read,,recv").
constexpr bool parseSyscallList(const char* text, uint32_t* mask) {
  if (text == nullptr) return false;
  const std::string_view all(text);
  if (all == "all" || all == "none") {
    *mask = all == "all" ? kAllSyscalls : 0;
    return true;
  }
  uint32_t result = 0;
  for (std::string_view rest = all;;) {
    const size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    bool known = false;
    for (unsigned op = 1; op <= format::kMaxSyscallOp; ++op) {
      if (name == format::kSyscallOpNames[op]) {
        result |= 1u << op;
        known = true;
      }
    }
    if (!known) return false;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  *mask = result;
  return true;
}

}  // namespace slowburn::env
