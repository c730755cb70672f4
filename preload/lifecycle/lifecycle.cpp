// Start, fork and exit of recording; see lifecycle.hpp for the states,
// collector_launch.hpp for where the collector runs and attach.hpp for slowburn attach.

#include "lifecycle/lifecycle.hpp"

#include <pthread.h>
#include <stdlib.h>

#include "dump/dump_path.hpp"
#include "hooks/bootstrap_arena.hpp"
#include "hooks/got_redirect.hpp"
#include "hooks/malloc_binding.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/collector_launch.hpp"
#include "lifecycle/fork_gate.hpp"
#include "lifecycle/preloaded.hpp"
#include "lifecycle/recording.hpp"
#include "record/runtime.hpp"
#include "record/unwinder.hpp"
#include "support/raw_io.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace {

// A fork child starts its collector on its first record, not before: a child that only
// execs leaves no dump and starts no process.
enum class ChildStart : int { None, Pending, Starting, Done };
std::atomic<ChildStart> s_childStart{ChildStart::None};

// At most 256 of the filter's 8192 counters held up for the bootstrap arena's blocks.
constexpr size_t kShadowableArenaBytes = 4096;

void complain(const char* line) { diag::line(line); }

// Recording started by the preload itself; a malloc bound ahead of ours means the program's
// blocks go unseen, which the dump and stderr say. (Attached, that binding is by design.)
bool startPreloaded() {
  if (!startRecording(false)) return false;
  noteForeignMalloc();
  return true;
}

Channel* startInChild() {
  auto expected = ChildStart::Pending;
  if (!s_childStart.compare_exchange_strong(expected, ChildStart::Starting)) {
    return currentChannel();
  }
  ReentryGuard guard;
  ErrnoKeeper keepErrno;
  if (!startPreloaded()) disableRecording();
  s_childStart.store(ChildStart::Done);
  return currentChannel();
}

// A fork child of an attached program is not recorded: slowburn attach watches one
// process. It drops the parent's channel and puts its GOT entries back at once, so it
// runs exactly as it would have without the attach.
void leaveAttachInChild() {
  const State state = s_state.load(std::memory_order_acquire);
  if (state == State::Uninit || state == State::Detached) return;
  leaveRecordingInChild();
  restoreRedirectsInChild();
  s_state.store(state == State::Disabled ? State::Disabled : State::Detached,
                std::memory_order_release);
  closeQuickPath();
}

// The fork child decides once: it gets its own dump (its own pid, a new header, all
// modules, sites defined again on first use) and its own collector, and never writes to
// the parent's channel: its copy of that mapping is dropped here. Both start on the
// child's first record, so a child that merely execs leaves nothing behind (the exec'd
// program, still preloaded, starts its own).
void onForkChild() {
  ForkGate::reopenInChild();
  if (detail::s_attached) {
    leaveAttachInChild();
    return;
  }
  if (s_state.load(std::memory_order_acquire) != State::Active) return;
  leaveRecordingInChild();
  s_childStart.store(ChildStart::Pending);
}

[[gnu::constructor]] void onLoad() {
  // Loaded by slowburn attach: recording starts through slowburn_attach_start.
  if (!loadedByPreload()) return;
  if (originals() == nullptr) return;  // only while resolving, which cannot be now
  auto expected = State::Uninit;
  if (!s_state.compare_exchange_strong(expected, State::Initializing)) return;
  ReentryGuard guard;
  ErrnoKeeper keepErrno;
  diag::keepStderr();

  Options options;
  parseOptions([](const char* name) -> const char* { return getenv(name); }, &complain, options);
  char cwd[format::kMaxStringBytes];
  char pattern[format::kMaxStringBytes];
  if (raw::getcwd(cwd, sizeof(cwd)) < 0) cwd[0] = '\0';
  if (!absolutePattern(options.outPattern, cwd, pattern, sizeof(pattern))) {
    diag::line({"dump path too long, not recording: ", options.outPattern});
    disableRecording();
    return;
  }
  Unwinder::init();
  if (!constructRuntime(options, pattern)) {
    diag::line("no memory for the site table; not recording");
    disableRecording();
    return;
  }
  findCollectorProgram(runtime().collectorPath, sizeof(runtime().collectorPath), cwd);
  detail::s_startInChild = &startInChild;
  installForkHandlers();
  if (!startPreloaded()) {
    disableRecording();
    return;
  }
  expected = State::Initializing;
  if (s_state.compare_exchange_strong(expected, State::Active, std::memory_order_acq_rel))
    openQuickPath();
}

// Runs after the program's own destructors and atexit handlers (this library was
// initialised before the program, or dlopen'ed after it), on return from main and on
// exit() from any thread: the collector finishes the dump (final snapshot, END) before
// the process is gone.
[[gnu::destructor]] void onUnload() {
  detail::s_exiting.store(true, std::memory_order_release);
  auto expected = State::Active;
  const bool wasActive = s_state.compare_exchange_strong(expected, State::Disabled);
  closeQuickPath();
  if ((!wasActive && expected != State::Disabled) || !runtimeBuilt()) return;
  ReentryGuard guard;
  ErrnoKeeper keepErrno;
  // nullptr: a child that never recorded, a raw clone() child, or an attach that detached.
  finishRecording(kFinishWaitNs);
}

}  // namespace

void openQuickPath() {
  Runtime& rt = runtime();
  // The quick free asks only the filter: the bootstrap arena's blocks (none with most
  // glibcs; the arena no longer grows once the originals are known) are shadowed in it,
  // so their frees take the slow path, which knows them. Too many would blind the filter.
  const size_t arenaBytes = bootstrap::usedBytes();
  const bool quick =
      rt.sampler.enabled() && !detail::s_allocatorMaps && arenaBytes <= kShadowableArenaBytes;
  if (quick) rt.sampled.shadow(bootstrap::arenaStart(), arenaBytes);
  detail::s_quickPath.store(quick);
  // A leave that ran between Active and the store above closed too early: close after it.
  if (s_state.load() != State::Active) closeQuickPath();
}

void installForkHandlers() {
  static std::atomic<bool> s_installed{false};
  if (s_installed.exchange(true)) return;
  pthread_atfork(&ForkGate::close, &ForkGate::reopen, &onForkChild);
}

}  // namespace slowburn::preload
