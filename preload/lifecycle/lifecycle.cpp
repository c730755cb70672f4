// Start, fork and exit of recording; see lifecycle.hpp for the states.

#include "lifecycle/lifecycle.hpp"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <new>

#include "collect/collector.hpp"
#include "collect/proc_self.hpp"
#include "dump/dump_path.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/fork_gate.hpp"
#include "record/runtime.hpp"
#include "record/unwinder.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

alignas(EventRing) unsigned char s_ringStorage[sizeof(EventRing)];
alignas(Collector) unsigned char s_collectorStorage[sizeof(Collector)];

void complain(const char* line) { raw::stderrLine(line); }

// Every state may end in Disabled, and Disabled is final: a CAS loop, never a blind store.
void disableRecording() {
  State state = s_state.load(std::memory_order_acquire);
  while (state != State::Disabled &&
         !s_state.compare_exchange_weak(state, State::Disabled, std::memory_order_acq_rel)) {
  }
}

const char* errorName(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : "unknown error";
}

// Called once from the collector thread when the dump cannot be written any more.
void onCollectorFailure(const char* what, int error) {
  disableRecording();
  raw::stderrLine({what, ": ", runtime().collector->writer().path(), " (", errorName(error),
                   "); recording stopped"});
}

// Names, creates and heads this process's dump; false (after one stderr line) on failure.
bool openDump(Collector& collector) {
  Runtime& rt = runtime();
  static char s_exe[format::kMaxStringBytes];
  static char s_path[DumpWriter::kPathBytes];
  executablePath(s_exe, sizeof(s_exe));
  const int pid = raw::pid();
  if (!expandPattern(rt.absolutePattern, pid, baseName(s_exe), s_path, sizeof(s_path))) {
    raw::stderrLine({"dump path too long, not recording: ", rt.absolutePattern});
    disableRecording();
    return false;
  }
  format::HeaderView facts;
  facts.pid = static_cast<uint64_t>(pid);
  facts.ppid = static_cast<uint64_t>(raw::ppid());
  facts.startRealtimeNs = raw::realtimeNs();
  facts.intervalMs = rt.options.intervalMs;
  facts.sampleBytes = rt.options.sampleBytes;
  facts.stackDepth = rt.options.depth;
  facts.exe = s_exe;
  if (!collector.open(s_path, facts, raw::monotonicNs())) {
    raw::stderrLine({"cannot create the dump ", s_path, " (", errorName(collector.writer().error()),
                     "); not recording"});
    disableRecording();
    return false;
  }
  return true;
}

// A fresh ring and collector for this process; the dump is opened now or on first use.
bool startCollector(bool deferOpen) {
  Runtime& rt = runtime();
  auto* ring = new (s_ringStorage)
      EventRing(rt.sampler.enabled() ? Runtime::kSampledRingCapacity : Runtime::kRingCapacity);
  auto* collector = new (s_collectorStorage) Collector(rt, &onCollectorFailure);
  if (!ring->ok()) {
    raw::stderrLine("no memory for the event ring; not recording");
    return false;
  }
  rt.ring.store(ring, std::memory_order_release);
  rt.collector = collector;
  rt.ownerPid.store(raw::pid(), std::memory_order_relaxed);
  if (deferOpen) {
    collector->deferOpen(&openDump);
  } else if (!openDump(*collector)) {
    return false;
  }
  if (!collector->start()) {
    raw::stderrLine("cannot start the collector thread; not recording");
    return false;
  }
  return true;
}

// The fork child decides once: it gets its own dump (its own pid, a new header, all
// modules, sites published again on first use), a fresh ring and a new collector, and it
// never writes to the parent's dump, which stays exactly as the parent leaves it. The
// dump is only created once the child records something, so a child that merely execs
// leaves none (the exec'd program, still preloaded, starts its own).
void onForkChild() {
  ForkGate::reopenInChild();
  if (s_state.load(std::memory_order_acquire) != State::Active) return;
  ReentryGuard guard;
  Runtime& rt = runtime();
  // The parent's collector thread does not exist here: forget its state without
  // touching structures it may have been halfway through changing.
  if (rt.collector != nullptr) rt.collector->closeInheritedDump();
  rt.collector = nullptr;
  rt.collectorAlive.store(false, std::memory_order_relaxed);
  if (EventRing* old = rt.ring.exchange(nullptr)) old->~EventRing();
  rt.handled.store(0, std::memory_order_relaxed);
  rt.dropped.store(0, std::memory_order_relaxed);
  rt.stalledAt.store(UINT64_MAX, std::memory_order_relaxed);
  for (SiteEntry* s = rt.sites.all(); s != nullptr; s = s->nextAll) {
    s->tally = SiteTally{};
    s->calls.store(0, std::memory_order_relaxed);
    s->bytes.store(0, std::memory_order_relaxed);
  }
  if (!startCollector(true)) disableRecording();
}

[[gnu::constructor]] void onLoad() {
  if (originals() == nullptr) return;  // only while resolving, which cannot be now
  auto expected = State::Uninit;
  if (!s_state.compare_exchange_strong(expected, State::Initializing)) return;
  ReentryGuard guard;
  ErrnoKeeper keepErrno;

  Options options;
  parseOptions([](const char* name) -> const char* { return getenv(name); }, &complain, options);
  char cwd[DumpWriter::kPathBytes];
  char pattern[DumpWriter::kPathBytes];
  if (raw::getcwd(cwd, sizeof(cwd)) < 0) cwd[0] = '\0';
  if (!absolutePattern(options.outPattern, cwd, pattern, sizeof(pattern))) {
    raw::stderrLine({"dump path too long, not recording: ", options.outPattern});
    disableRecording();
    return;
  }
  Unwinder::init();
  if (!constructRuntime(options, pattern)) {
    raw::stderrLine("no memory for the site table; not recording");
    disableRecording();
    return;
  }
  pthread_atfork(&ForkGate::close, &ForkGate::reopen, &onForkChild);
  if (!startCollector(false)) {
    disableRecording();
    return;
  }
  expected = State::Initializing;
  s_state.compare_exchange_strong(expected, State::Active, std::memory_order_acq_rel);
}

// Runs after the program's own destructors and atexit handlers (this library was
// initialised before the program), on return from main and on exit() from any thread.
[[gnu::destructor]] void onUnload() {
  auto expected = State::Active;
  const bool wasActive = s_state.compare_exchange_strong(expected, State::Disabled);
  if ((!wasActive && expected != State::Disabled) || !runtimeBuilt()) return;
  ReentryGuard guard;
  ErrnoKeeper keepErrno;
  Runtime& rt = runtime();
  if (rt.collector != nullptr) rt.collector->stop();
}

}  // namespace
}  // namespace slowburn::preload
