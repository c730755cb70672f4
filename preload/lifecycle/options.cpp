#include "lifecycle/options.hpp"

#include <cstring>

namespace slowburn::preload {
namespace {

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

// Reads one numeric variable into field; 1 when it is set but refused, else 0.
template <typename Field>
int readNumber(EnvLookup lookup, ComplaintSink complain, const env::NumberSetting& setting,
               Field& field) {
  const char* text = lookup(setting.name);
  if (text == nullptr) return 0;
  uint64_t v = 0;
  if (!env::parseNumber(setting, text, &v)) {
    complainAbout(complain, setting.name, text, setting.expected);
    return 1;
  }
  field = static_cast<Field>(v);
  return 0;
}

static_assert(env::kIntervalMs.max <= UINT32_MAX && env::kDepth.max <= UINT32_MAX);

}  // namespace

Options::Options() { std::memcpy(outPattern, env::kDefaultDumpName, sizeof env::kDefaultDumpName); }

int parseOptions(EnvLookup lookup, ComplaintSink complain, Options& options) {
  int rejected = 0;
  if (const char* out = lookup(env::kOut.name); out != nullptr) {
    if (env::validOut(out)) {
      const size_t len = std::strlen(out);
      std::memcpy(options.outPattern, out, len + 1);
      // A directory (trailing slash) gets the default name inside it, not a hidden ".1".
      if (out[len - 1] == '/') std::strcat(options.outPattern, env::kDefaultDumpName);
    } else {
      complainAbout(complain, env::kOut.name, out, env::kOut.expected);
      ++rejected;
    }
  }
  rejected += readNumber(lookup, complain, env::kIntervalMs, options.intervalMs);
  rejected += readNumber(lookup, complain, env::kDepth, options.depth);
  rejected += readNumber(lookup, complain, env::kSampleBytes, options.sampleBytes);
  if (const char* s = lookup(env::kSyscalls.name); s != nullptr) {
    if (!env::parseSyscallList(s, &options.syscallMask)) {
      complainAbout(complain, env::kSyscalls.name, s, env::kSyscalls.expected);
      ++rejected;
    }
  }
  return rejected;
}

}  // namespace slowburn::preload
