#include "collect/collector_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <new>

#include "collect/collector.hpp"
#include "record/channel.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

// The kernel's sigaction layout for rt_sigaction(2), without glibc's restorer handling.
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};

void quietSignals() {
  const uint64_t all = ~uint64_t{0};
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, nullptr, sizeof(all));
  const KernelSigaction defaults{SIG_DFL, 0, nullptr, 0};
  for (int sig = 1; sig <= 64; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    syscall(SYS_rt_sigaction, sig, &defaults, nullptr, sizeof(uint64_t));
  }
}

void quietDescriptors(int channelFd, int livenessFd) {
  const int keep[] = {channelFd, livenessFd};
  raw::closeAllFrom(0, keep, 2);
  // Standard descriptors lead nowhere, so nothing can ever write into the dump by number.
  for (int fd = 0; fd <= 2; ++fd) {
    const int null = raw::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) break;
    if (null != fd) {
      syscall(SYS_dup3, null, fd, O_CLOEXEC);
      raw::close(null);
    }
  }
}

alignas(Channel) unsigned char s_channelStorage[sizeof(Channel)];
alignas(Collector) unsigned char s_collectorStorage[sizeof(Collector)];

void quietProcess(int channelFd, int livenessFd) {
  quietSignals();
  quietDescriptors(channelFd, livenessFd);
  prctl(PR_SET_NAME, "slowburn", 0, 0, 0);
  raw::fcntl(livenessFd, F_SETFL, O_NONBLOCK);
}

int record(Channel& channel, int livenessFd) {
  auto* collector = new (s_collectorStorage) Collector(channel, livenessFd);
  return collector->run();
}

}  // namespace

int runCollectorProcess(int channelFd, int livenessFd) {
  quietProcess(channelFd, livenessFd);
  auto* channel = new (s_channelStorage) Channel;
  if (!channel->attach(channelFd)) return 2;
  channel->closeFd();
  return record(*channel, livenessFd);
}

int runCollectorInCopy(Channel& channel, int livenessFd) {
  quietProcess(-1, livenessFd);
  return record(channel, livenessFd);
}

}  // namespace slowburn::preload
