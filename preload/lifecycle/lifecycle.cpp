// Start, fork and exit of recording; see lifecycle.hpp for the states and
// collector_launch.hpp for where the collector runs.

#include "lifecycle/lifecycle.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstring>
#include <new>

#include "dump/dump_path.hpp"
#include "hooks/malloc_binding.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/collector_launch.hpp"
#include "lifecycle/fork_gate.hpp"
#include "record/runtime.hpp"
#include "record/unwinder.hpp"
#include "support/proc_self.hpp"
#include "support/raw_io.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace {

// How long the program waits for its collector to start, and at exit to finish the dump.
constexpr uint64_t kStartWaitNs = 5000000000ull;
constexpr uint64_t kFinishWaitNs = 10000000000ull;

alignas(Channel) unsigned char s_channelStorage[sizeof(Channel)];

// The write end of the liveness pipe (see collect/target_watch.hpp) and its identity.
int s_livenessFd = -1;
dev_t s_livenessDev = 0;
ino_t s_livenessIno = 0;

// A fork child starts its collector on its first record, not before: a child that only
// execs leaves no dump and starts no process.
enum class ChildStart : int { None, Pending, Starting, Done };
std::atomic<ChildStart> s_childStart{ChildStart::None};

void complain(const char* line) { diag::line(line); }

void closeLiveness() {
  if (raw::sameFile(s_livenessFd, s_livenessDev, s_livenessIno)) raw::close(s_livenessFd);
  s_livenessFd = -1;
}

void fillSetup(CollectorSetup& setup) {
  Runtime& rt = runtime();
  setup.pid = raw::pid();
  setup.ppid = raw::ppid();
  setup.startRealtimeNs = raw::realtimeNs();
  setup.startMonotonicNs = raw::monotonicNs();
  setup.intervalMs = rt.options.intervalMs;
  setup.depth = rt.options.depth;
  setup.sampleBytes = rt.options.sampleBytes;
  executablePath(setup.exe, sizeof(setup.exe));
  std::memcpy(setup.dumpPattern, rt.absolutePattern, sizeof(setup.dumpPattern));
}

// A new channel and the collector process that reads it; false (after one stderr line)
// when recording cannot start.
bool startRecording() {
  Runtime& rt = runtime();
  auto* channel = new (s_channelStorage) Channel;
  const size_t capacity =
      rt.sampler.enabled() ? Channel::kSampledRingCapacity : Channel::kRingCapacity;
  if (!channel->create(capacity, Channel::kCounterCapacity)) {
    diag::line("no memory for the channel to the collector; not recording");
    return false;
  }
  fillSetup(channel->control().setup);
  int pipeFds[2];
  if (raw::pipe(pipeFds, O_CLOEXEC) < 0) {
    diag::line("cannot make the collector's liveness pipe; not recording");
    channel->unmapAll();
    return false;
  }
  s_livenessFd = raw::moveHigh(pipeFds[1], 900);
  struct stat st {};
  raw::fstat(s_livenessFd, &st);
  s_livenessDev = st.st_dev;
  s_livenessIno = st.st_ino;
  const bool launched = launchCollector(*channel, pipeFds[0], rt.collectorPath);
  raw::close(pipeFds[0]);
  const CollectorState state =
      launched ? channel->awaitStateChange(CollectorState::Starting, kStartWaitNs)
               : CollectorState::Failed;
  channel->closeFd();
  if (state != CollectorState::Running) {
    if (!launched) {
      diag::line("cannot start the collector process; not recording");
    } else if (state == CollectorState::Starting) {
      diag::line("the collector process did not start in time; not recording");
    } else {
      channel->showFailure();
    }
    channel->control().stop.store(1, std::memory_order_release);
    channel->wakeCollector();
    channel->unmapAll();
    closeLiveness();
    return false;
  }
  rt.channelEpoch.fetch_add(1, std::memory_order_relaxed);
  rt.modules.reset();
  setCurrentChannel(channel);
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
  if (!startRecording()) disableRecording();
  s_childStart.store(ChildStart::Done);
  return currentChannel();
}

// The fork child decides once: it gets its own dump (its own pid, a new header, all
// modules, sites defined again on first use) and its own collector, and never writes to
// the parent's channel: its copy of that mapping is dropped here. Both start on the
// child's first record, so a child that merely execs leaves nothing behind (the exec'd
// program, still preloaded, starts its own).
void onForkChild() {
  ForkGate::reopenInChild();
  if (s_state.load(std::memory_order_acquire) != State::Active) return;
  reinterpret_cast<Channel*>(s_channelStorage)->leaveInChild();
  setCurrentChannel(nullptr);  // wiped already (MADV_WIPEONFORK); said again for clarity
  closeLiveness();
  s_childStart.store(ChildStart::Pending);
}

[[gnu::constructor]] void onLoad() {
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
  pthread_atfork(&ForkGate::close, &ForkGate::reopen, &onForkChild);
  if (!startRecording()) {
    disableRecording();
    return;
  }
  expected = State::Initializing;
  s_state.compare_exchange_strong(expected, State::Active, std::memory_order_acq_rel);
}

// Runs after the program's own destructors and atexit handlers (this library was
// initialised before the program), on return from main and on exit() from any thread:
// the collector finishes the dump (final snapshot, END) before the process is gone.
[[gnu::destructor]] void onUnload() {
  auto expected = State::Active;
  const bool wasActive = s_state.compare_exchange_strong(expected, State::Disabled);
  if ((!wasActive && expected != State::Disabled) || !runtimeBuilt()) return;
  ReentryGuard guard;
  ErrnoKeeper keepErrno;
  Channel* channel = currentChannel();
  if (channel == nullptr) return;  // a child that never recorded, or a raw clone() child
  channel->control().stop.store(1, std::memory_order_release);
  channel->wakeCollector();
  if (channel->awaitStateChange(CollectorState::Running, kFinishWaitNs) == CollectorState::Failed)
    channel->showFailure();
}

}  // namespace
}  // namespace slowburn::preload
