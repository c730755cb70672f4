#include "collect/collector_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <new>

#include "collect/collector.hpp"
#include "collect/collector_args.hpp"
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

void quietDescriptors(const CollectorFds& fds) {
  const int keep[] = {fds.channel, fds.liveness, fds.program};
  raw::closeAllFrom(0, keep, 3);
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

void quietProcess(const CollectorFds& fds) {
  quietSignals();
  quietDescriptors(fds);
  prctl(PR_SET_NAME, "slowburn", 0, 0, 0);
  raw::fcntl(fds.liveness, F_SETFL, O_NONBLOCK);
}

int record(Channel& channel, const CollectorFds& fds) {
  auto* collector = new (s_collectorStorage) Collector(channel, fds.liveness, fds.program);
  return collector->run();
}

}  // namespace

int runCollectorProcess(const CollectorFds& fds) {
  quietProcess(fds);
  auto* channel = new (s_channelStorage) Channel;
  if (!channel->attach(fds.channel)) return 2;
  channel->closeFd();
  return record(*channel, fds);
}

int runCollectorInCopy(Channel& channel, const CollectorFds& fds) {
  CollectorFds kept = fds;
  kept.channel = -1;  // mapped already
  quietProcess(kept);
  return record(channel, kept);
}

}  // namespace slowburn::preload
