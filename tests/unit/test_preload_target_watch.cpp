// The collector's watch on its program: exit seen through a pidfd by a process that is not
// the program's child (or through getppid() by one that is), exec through the liveness pipe
// and the channel's mapping, and a closed pipe alone is not an exit.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "collect/target_watch.hpp"
#include "support/raw_io.hpp"

namespace {

using slowburn::preload::TargetWatch;
using Fate = TargetWatch::Fate;
namespace raw = slowburn::preload::raw;

constexpr uint64_t kLookNs = 200000000;  // past the watch's rate limit on /proc/PID/maps

// A stand-in program: a child holding the write end of a liveness pipe and a mapping of a
// memfd (the channel), until it is told what to do next through its command pipe.
class Program {
 public:
  enum Then : char { kExit = 'x', kCloseLiveness = 'c', kExec = 'e' };

  Program() {
    m_channelFd = raw::memfdCreate("channel", MFD_CLOEXEC);
    EXPECT_GE(m_channelFd, 0);
    EXPECT_EQ(raw::ftruncate(m_channelFd, 4096), 0);
    struct stat st {};
    EXPECT_EQ(fstat(m_channelFd, &st), 0);
    m_channelDev = st.st_dev;
    m_channelIno = st.st_ino;
    int liveness[2], command[2];
    EXPECT_EQ(pipe2(liveness, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(command, O_CLOEXEC), 0);
    m_pid = fork();
    if (m_pid == 0) runChild(liveness[1], command[0]);
    close(liveness[1]);
    close(command[0]);
    m_livenessFd = liveness[0];
    m_commandFd = command[1];
    fcntl(m_livenessFd, F_SETFL, O_NONBLOCK);
    m_pidfd = raw::pidfdOpen(m_pid);
    EXPECT_GE(m_pidfd, 0) << "pidfd_open: " << -m_pidfd;
  }

  ~Program() {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
    for (const int fd : {m_channelFd, m_livenessFd, m_commandFd, m_pidfd}) close(fd);
  }

  void tell(Then what) { ASSERT_EQ(write(m_commandFd, &what, 1), 1); }

  TargetWatch watch(bool withPidfd) const {
    return TargetWatch(m_pid, m_livenessFd, withPidfd ? m_pidfd : -1, m_channelDev, m_channelIno);
  }

  int pid() const { return m_pid; }

 private:
  [[noreturn]] void runChild(int livenessWrite, int commandRead) {
    void* channel = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, m_channelFd, 0);
    if (channel == MAP_FAILED) _exit(2);
    for (;;) {
      char what = kExit;
      if (read(commandRead, &what, 1) != 1 || what == kExit) _exit(0);
      if (what == kCloseLiveness) close(livenessWrite);
      if (what == kExec) {
        execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
        _exit(3);
      }
    }
  }

  int m_pid = -1;
  int m_channelFd = -1;
  dev_t m_channelDev = 0;
  ino_t m_channelIno = 0;
  int m_livenessFd = -1;
  int m_commandFd = -1;
  int m_pidfd = -1;
};

// Polls until the watch says something other than Running (or 5 s pass).
Fate settle(TargetWatch& watch, uint64_t& nowNs) {
  for (int i = 0; i < 500; ++i) {
    nowNs += kLookNs;
    const Fate fate = watch.poll(nowNs);
    if (fate != Fate::Running) return fate;
    usleep(10000);
  }
  return Fate::Running;
}

TEST(PreloadTargetWatch, PidfdSeesTheExitOfAProgramWhoseChildItIsNot) {
  // Given a program that is not this process's parent, watched through its pidfd
  Program program;
  ASSERT_NE(getppid(), program.pid());
  TargetWatch watch = program.watch(true);
  uint64_t now = 0;
  // Then it is running for as long as it lives
  for (int i = 0; i < 5; ++i) EXPECT_EQ(watch.poll(now += kLookNs), Fate::Running);
  // When it exits (a zombie still: nobody has reaped it)
  program.tell(Program::kExit);
  // Then the watch says so
  EXPECT_EQ(settle(watch, now), Fate::Exited);
  siginfo_t info{};
  EXPECT_EQ(waitid(P_PID, program.pid(), &info, WEXITED | WNOHANG | WNOWAIT), 0);
  EXPECT_EQ(info.si_pid, program.pid());  // a zombie, not reaped yet
}

TEST(PreloadTargetWatch, PidfdSeesAKilledProgramAsExited) {
  Program program;
  TargetWatch watch = program.watch(true);
  uint64_t now = 0;
  EXPECT_EQ(watch.poll(now += kLookNs), Fate::Running);
  kill(program.pid(), SIGKILL);
  EXPECT_EQ(settle(watch, now), Fate::Exited);
}

TEST(PreloadTargetWatch, AClosedLivenessPipeIsNoExitWhileTheChannelIsMapped) {
  // Given a program that closed its end of the liveness pipe (as one closing every fd does)
  Program program;
  TargetWatch watch = program.watch(true);
  program.tell(Program::kCloseLiveness);
  // Then the channel's mapping keeps it Running, look after look
  uint64_t now = 0;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(watch.poll(now += kLookNs), Fate::Running);
    usleep(5000);
  }
  // ... until it exits
  program.tell(Program::kExit);
  EXPECT_EQ(settle(watch, now), Fate::Exited);
}

TEST(PreloadTargetWatch, AnExecIsAReplacementNotAnExit) {
  Program program;
  TargetWatch watch = program.watch(true);
  uint64_t now = 0;
  EXPECT_EQ(watch.poll(now += kLookNs), Fate::Running);
  program.tell(Program::kExec);
  EXPECT_EQ(settle(watch, now), Fate::Replaced);
}

TEST(PreloadTargetWatch, WithoutPidfdTheCollectorChildSeesItsParentGo) {
  // Given a program whose child watches it without a pidfd (kernels before 5.3)
  int verdict[2], go[2], liveness[2];
  ASSERT_EQ(pipe(verdict), 0);
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(liveness), 0);  // its write end stays here: no EOF, only the exit rule
  const pid_t programPid = fork();
  if (programPid == 0) {
    const pid_t self = getpid();
    if (fork() == 0) {
      fcntl(liveness[0], F_SETFL, O_NONBLOCK);
      TargetWatch watch(self, liveness[0], -1, 0, 0);
      uint64_t now = 0;
      const char first = watch.poll(now += kLookNs) == Fate::Running ? 'r' : '?';
      if (write(verdict[1], &first, 1) != 1) _exit(1);
      const Fate fate = settle(watch, now);
      const char last = fate == Fate::Exited ? 'x' : fate == Fate::Running ? 'r' : 'p';
      _exit(write(verdict[1], &last, 1) == 1 ? 0 : 1);
    }
    char byte;
    _exit(read(go[0], &byte, 1) == 1 ? 0 : 1);  // exits when told
  }
  char seen = 0;
  ASSERT_EQ(read(verdict[0], &seen, 1), 1);
  EXPECT_EQ(seen, 'r');
  // When the program exits
  ASSERT_EQ(write(go[1], "g", 1), 1);
  ASSERT_EQ(waitpid(programPid, nullptr, 0), programPid);
  // Then its child saw it go
  ASSERT_EQ(read(verdict[0], &seen, 1), 1);
  EXPECT_EQ(seen, 'x');
  for (const int fd : {verdict[0], verdict[1], go[0], go[1], liveness[0], liveness[1]}) close(fd);
}

}  // namespace
