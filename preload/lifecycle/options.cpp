#include "lifecycle/options.hpp"

#include <cstring>

namespace slowburn::preload {
namespace {

// Strict decimal: digits only, no sign, no overflow.
bool parseUnsigned(const char* text, uint64_t max, uint64_t* out) {
  if (text == nullptr || *text == '\0') return false;
  uint64_t v = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(*p - '0');
    if (v > (max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

void complainAbout(ComplaintSink complain, const char* name, const char* value,
                   const char* expected) {
  char line[256];
  size_t n = 0;
  auto add = [&](const char* s) {
    while (*s != '\0' && n + 1 < sizeof(line)) line[n++] = *s++;
  };
  add("ignoring ");
  add(name);
  add("=\"");
  // Only the start of a long value: the line must stay one line.
  for (size_t i = 0; value[i] != '\0' && i < 64 && n + 1 < sizeof(line); ++i) {
    line[n++] = value[i] == '\n' ? ' ' : value[i];
  }
  add("\" (expected ");
  add(expected);
  add("); using the default");
  line[n] = '\0';
  complain(line);
}

}  // namespace

bool parseSyscallList(const char* text, uint32_t* mask) {
  if (text == nullptr) return false;
  if (std::strcmp(text, "all") == 0) {
    *mask = Options::kAllSyscalls;
    return true;
  }
  if (std::strcmp(text, "none") == 0) {
    *mask = 0;
    return true;
  }
  uint32_t result = 0;
  const char* p = text;
  for (;;) {
    const char* end = std::strchr(p, ',');
    const size_t len = end == nullptr ? std::strlen(p) : static_cast<size_t>(end - p);
    bool known = false;
    for (unsigned op = 1; op <= format::kMaxSyscallOp; ++op) {
      if (std::strlen(format::kSyscallOpNames[op]) == len &&
          std::strncmp(p, format::kSyscallOpNames[op], len) == 0) {
        result |= 1u << op;
        known = true;
      }
    }
    if (!known) return false;
    if (end == nullptr) break;
    p = end + 1;
  }
  *mask = result;
  return true;
}

int parseOptions(EnvLookup lookup, ComplaintSink complain, Options& options) {
  int rejected = 0;
  uint64_t v = 0;

  if (const char* out = lookup("SLOWBURN_OUT"); out != nullptr) {
    const size_t len = std::strlen(out);
    if (len == 0 || len >= sizeof(options.outPattern) - 64) {
      complainAbout(complain, "SLOWBURN_OUT", out, "a non-empty path shorter than 4000 bytes");
      ++rejected;
    } else {
      std::memcpy(options.outPattern, out, len + 1);
      // A directory (trailing slash) gets the default name inside it, not a hidden ".1".
      if (out[len - 1] == '/') std::strcat(options.outPattern, kDefaultDumpName);
    }
  }
  if (const char* s = lookup("SLOWBURN_INTERVAL_MS"); s != nullptr) {
    if (parseUnsigned(s, Options::kMaxIntervalMs, &v) && v >= 1) {
      options.intervalMs = static_cast<uint32_t>(v);
    } else {
      complainAbout(complain, "SLOWBURN_INTERVAL_MS", s, "milliseconds, 1 to 3600000");
      ++rejected;
    }
  }
  if (const char* s = lookup("SLOWBURN_DEPTH"); s != nullptr) {
    if (parseUnsigned(s, format::kMaxFrames, &v) && v >= 1) {
      options.depth = static_cast<uint32_t>(v);
    } else {
      complainAbout(complain, "SLOWBURN_DEPTH", s, "frames, 1 to 256");
      ++rejected;
    }
  }
  if (const char* s = lookup("SLOWBURN_SAMPLE_BYTES"); s != nullptr) {
    if (parseUnsigned(s, Options::kMaxSampleBytes, &v)) {
      options.sampleBytes = v;
    } else {
      complainAbout(complain, "SLOWBURN_SAMPLE_BYTES", s, "bytes, 0 to 2^40; 0 records all");
      ++rejected;
    }
  }
  if (const char* s = lookup("SLOWBURN_SYSCALLS"); s != nullptr) {
    uint32_t mask = 0;
    if (parseSyscallList(s, &mask)) {
      options.syscallMask = mask;
    } else {
      complainAbout(complain, "SLOWBURN_SYSCALLS", s, "all, none, or names like read,recv");
      ++rejected;
    }
  }
  return rejected;
}

}  // namespace slowburn::preload
