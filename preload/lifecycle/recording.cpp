#include "lifecycle/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <new>

#include "collect/collector_args.hpp"
#include "lifecycle/collector_launch.hpp"
#include "lifecycle/options.hpp"
#include "record/channel.hpp"
#include "record/runtime.hpp"
#include "support/proc_self.hpp"
#include "support/raw_io.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace {

// How long a detaching attach waits for its collector's exit status.
constexpr uint64_t kReapWaitNs = 2000000000ull;

alignas(Channel) unsigned char s_channelStorage[sizeof(Channel)];

// The write end of the liveness pipe (see collect/target_watch.hpp) and its identity.
int s_livenessFd = -1;
dev_t s_livenessDev = 0;
ino_t s_livenessIno = 0;
int s_collectorPid = -1;
bool s_collectorIsChild = false;  // this process's to reap (see lifecycle/collector_launch.hpp)

// The range of the last channel slowburn attach retired: the next one is mapped over it
// when the sizes agree, so retired ranges never pile up.
void* s_retired = nullptr;
size_t s_retiredBytes = 0;

Channel& storedChannel() { return *reinterpret_cast<Channel*>(s_channelStorage); }

void closeLiveness() {
  if (raw::sameFile(s_livenessFd, s_livenessDev, s_livenessIno)) raw::close(s_livenessFd);
  s_livenessFd = -1;
}

void fillSetup(CollectorSetup& setup, bool attached) {
  Runtime& rt = runtime();
  setup.pid = raw::pid();
  setup.ppid = raw::ppid();
  setup.startRealtimeNs = raw::realtimeNs();
  setup.startMonotonicNs = raw::monotonicNs();
  setup.intervalMs = rt.options.intervalMs;
  setup.depth = rt.options.depth;
  setup.sampleBytes = rt.options.sampleBytes;
  setup.attached = attached ? 1 : 0;
  executablePath(setup.exe, sizeof(setup.exe));
  std::memcpy(setup.dumpPattern, rt.absolutePattern, sizeof(setup.dumpPattern));
}

}  // namespace

bool startRecording(bool attached) {
  Runtime& rt = runtime();
  auto* channel = new (s_channelStorage) Channel;
  const size_t capacity =
      rt.sampler.enabled() ? Channel::kSampledRingCapacity : Channel::kRingCapacity;
  const bool reuse = s_retired != nullptr &&
                     Channel::bytesFor(capacity, Channel::kCounterCapacity) == s_retiredBytes;
  if (!channel->create(capacity, Channel::kCounterCapacity, reuse ? s_retired : nullptr)) {
    diag::line("no memory for the channel to the collector; not recording");
    return false;
  }
  if (reuse) s_retired = nullptr;
  fillSetup(channel->control().setup, attached);
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
  // The collector sees this process exit through it, without being its child.
  const int programFd = raw::pidfdOpen(raw::pid());
  const LaunchedCollector collector = launchCollector(
      *channel, CollectorFds{channel->fd(), pipeFds[0], programFd < 0 ? -1 : programFd},
      rt.collectorPath);
  s_collectorPid = collector.pid;
  s_collectorIsChild = collector.child;
  const bool launched = s_collectorPid > 0;
  raw::close(pipeFds[0]);
  if (programFd >= 0) raw::close(programFd);
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
    if (attached) releaseRecording();
    return false;
  }
  rt.channelEpoch.fetch_add(1, std::memory_order_relaxed);
  rt.modules.reset();
  setCurrentChannel(channel);
  return true;
}

int collectorPid() { return s_collectorPid; }

bool finishRecording(uint64_t waitNs) {
  Channel* channel = currentChannel();
  if (channel == nullptr) return false;
  channel->control().stop.store(1, std::memory_order_release);
  channel->wakeCollector();
  const CollectorState state = channel->awaitStateChange(CollectorState::Running, waitNs);
  if (state == CollectorState::Failed) channel->showFailure();
  return state == CollectorState::Finished;
}

void releaseRecording() {
  if (Channel* channel = currentChannel()) {
    setCurrentChannel(nullptr);
    const size_t bytes = channel->bytes();
    if (void* range = channel->retire()) {
      s_retired = range;
      s_retiredBytes = bytes;
    }
  }
  closeLiveness();
  if (s_collectorPid > 0 && s_collectorIsChild) {
    // Its exit signal is 0: only a wait for clone children sees it, and nothing else will.
    const uint64_t start = raw::monotonicNs();
    int status = 0;
    while (syscall(SYS_wait4, s_collectorPid, &status, __WALL | WNOHANG, nullptr) == 0 &&
           raw::monotonicNs() - start < kReapWaitNs) {
      raw::sleepNs(1000000);
    }
  }
  // A collector started apart is its reaper's: it exits by itself once the dump is done.
  s_collectorPid = -1;
  s_collectorIsChild = false;
}

void leaveRecordingInChild() {
  storedChannel().leaveInChild();
  setCurrentChannel(nullptr);  // wiped already (MADV_WIPEONFORK); said again for clarity
  closeLiveness();
  s_collectorPid = -1;
  s_collectorIsChild = false;
}

}  // namespace slowburn::preload
