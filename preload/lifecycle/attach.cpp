#include "lifecycle/attach.hpp"

#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "dump/dump_path.hpp"
#include "hooks/got_redirect.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/collector_launch.hpp"
#include "lifecycle/lifecycle.hpp"
#include "lifecycle/options.hpp"
#include "lifecycle/recording.hpp"
#include "record/runtime.hpp"
#include "record/unwinder.hpp"
#include "support/raw_io.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace {

// What the attaching command reads back: the first line, then the messages.
char s_result[8192];
char s_messages[4096];
const char* s_settings = nullptr;
char s_value[format::kMaxStringBytes];

// parseOptions' lookup, over the settings block (values are copied out one at a time).
const char* lookupSetting(const char* name) {
  const size_t nameLen = std::strlen(name);
  for (const char* entry = s_settings; entry != nullptr && *entry != '\0';
       entry += std::strlen(entry) + 1) {
    if (std::strncmp(entry, name, nameLen) != 0 || entry[nameLen] != '=') continue;
    std::strncpy(s_value, entry + nameLen + 1, sizeof(s_value) - 1);
    s_value[sizeof(s_value) - 1] = '\0';
    return s_value;
  }
  return nullptr;
}

void complain(const char* line) { diag::line(line); }

void appendNumber(char* out, size_t size, size_t& n, uint64_t v) {
  char digits[24];
  size_t k = 0;
  do {
    digits[k++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (k > 0 && n + 1 < size) out[n++] = digits[--k];
}

// Composes the result: parts (C strings, or numbers given as such), a newline, then the
// messages gathered so far, which it consumes.
struct Part {
  const char* text = nullptr;
  uint64_t number = 0;
  Part(const char* t) : text(t) {}  // NOLINT: parts read as a sentence
  Part(uint64_t v) : number(v) {}   // NOLINT
};

const char* result(std::initializer_list<Part> parts) {
  size_t n = 0;
  for (const Part& p : parts) {
    if (p.text == nullptr) {
      appendNumber(s_result, sizeof(s_result), n, p.number);
      continue;
    }
    for (const char* c = p.text; *c != '\0' && n + 1 < sizeof(s_result); ++c) s_result[n++] = *c;
  }
  if (n + 1 < sizeof(s_result)) s_result[n++] = '\n';
  for (const char* c = s_messages; *c != '\0' && n + 1 < sizeof(s_result); ++c) s_result[n++] = *c;
  s_result[n] = '\0';
  diag::captureInto(s_messages, sizeof(s_messages));
  return s_result;
}

// Uninit, Detached, or Disabled by a failure (not by exit) -> Initializing.
bool claimStart() {
  State state = s_state.load(std::memory_order_acquire);
  for (;;) {
    const bool startable =
        state == State::Uninit || state == State::Detached ||
        (state == State::Disabled && !detail::s_exiting.load(std::memory_order_acquire));
    if (!startable) return false;
    if (s_state.compare_exchange_weak(state, State::Initializing, std::memory_order_acq_rel))
      return true;
  }
}

// Settings for this attach; the runtime itself is built once and kept across attaches.
bool prepareRuntime(const Options& options, const char* pattern) {
  if (runtimeBuilt()) {
    Runtime& rt = runtime();
    rt.options = options;
    std::memcpy(rt.absolutePattern, pattern, sizeof(rt.absolutePattern));
    rt.sampler = Sampler(options.sampleBytes);
    return true;
  }
  Unwinder::init();
  if (!constructRuntime(options, pattern)) {
    diag::line("no memory for the site table; not recording");
    return false;
  }
  findCollectorProgram(runtime().collectorPath, sizeof(runtime().collectorPath), "/");
  return true;
}

const char* failStart() {
  s_state.store(State::Detached, std::memory_order_release);
  return result({"error"});
}

}  // namespace
}  // namespace slowburn::preload

using namespace slowburn::preload;

const char* slowburn_attach_start(const char* settings) {
  if (!detail::s_attached) {
    if (s_state.load(std::memory_order_acquire) != State::Uninit) {
      diag::captureInto(s_messages, sizeof(s_messages));
      diag::line(
          "this process was started with libslowburn.so preloaded: it is being profiled "
          "already (see its slowburn.*.sb dump)");
      return result({"error"});
    }
    detail::s_attached = true;
    diag::captureInto(s_messages, sizeof(s_messages));
  }
  if (!claimStart()) {
    diag::line("another slowburn attach is recording this process already");
    return result({"error"});
  }
  ReentryGuard guard;
  ErrnoKeeper keepErrno;
  s_settings = settings;
  Options options;
  parseOptions(&lookupSetting, &complain, options);
  char pattern[slowburn::format::kMaxStringBytes];
  if (options.outPattern[0] != '/' ||
      !absolutePattern(options.outPattern, "/", pattern, sizeof(pattern))) {
    diag::line({"the dump path must be absolute: ", options.outPattern});
    return failStart();
  }
  if (!resolveFromGlobalScope()) {
    diag::line("cannot find malloc and free in the program's global scope");
    return failStart();
  }
  settleCanonicalOriginals();
  if (!prepareRuntime(options, pattern)) return failStart();
  installForkHandlers();
  if (!startRecording(true)) return failStart();
  const RedirectCounts counts = redirectModules(options.syscallMask);
  s_state.store(State::Active, std::memory_order_release);
  openQuickPath();
  return result({"ok collector=", static_cast<uint64_t>(collectorPid()),
                 " entries=", counts.entries, " modules=", counts.modules,
                 " unprotectable=", counts.unprotectable});
}

const char* slowburn_attach_stop() {
  if (!detail::s_attached) {
    diag::line("slowburn attach did not start this recording");
    return "error\n";
  }
  State state = s_state.load(std::memory_order_acquire);
  for (;;) {
    if (state != State::Active && state != State::Disabled) {
      diag::line("this process is not being recorded by slowburn attach");
      return result({"error"});
    }
    if (state == State::Disabled && detail::s_exiting.load(std::memory_order_acquire)) {
      diag::line("the process is exiting; its dump is being finished");
      return result({"error"});
    }
    if (s_state.compare_exchange_weak(state, State::Stopping, std::memory_order_acq_rel)) break;
  }
  closeQuickPath();
  ReentryGuard guard;
  ErrnoKeeper keepErrno;
  // New calls reach the originals from here on; calls already inside a hook finish there.
  const uint32_t restored = restoreRedirects();
  const bool finished = finishRecording(kFinishWaitNs);
  releaseRecording();
  s_state.store(State::Detached, std::memory_order_release);
  return result({"ok restored=", restored, " finished=", finished ? "1" : "0"});
}
