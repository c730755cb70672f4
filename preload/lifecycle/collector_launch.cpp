#include "lifecycle/collector_launch.hpp"

#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "collect/collector_args.hpp"
#include "collect/collector_process.hpp"
#include "record/channel.hpp"
#include "record/reentry_guard.hpp"
#include "support/raw_io.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace {

// The exec'd collector's stack until execve: a few frames.
constexpr size_t kExecStackBytes = 64 * 1024;
// The intermediate's, which a copy of the program keeps as its collector's stack when the
// collector cannot be exec'd: such a collector touched 12 KiB of it recording pl_spin.
constexpr size_t kApartStackBytes = 256 * 1024;

// A system call that never touches errno: the vfork-style children share the program's
// memory, thread pointer included, so they must write nothing of the program's.
long directSyscall(long number, long a = 0, long b = 0, long c = 0, long d = 0) {
  long result;
  register long r10 asm("r10") = d;
  asm volatile("syscall"
               : "=a"(result)
               : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10)
               : "rcx", "r11", "memory");
  return result;
}

// No handler of the program's may run in a child that shares its memory, and errno stays
// the program's (glibc's clone() sets it on failure, even when a child calls it).
class LaunchGuard {
 public:
  LaunchGuard() : m_errno(errno) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &m_previous);
  }
  ~LaunchGuard() {
    pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    errno = m_errno;
  }
  LaunchGuard(const LaunchGuard&) = delete;
  LaunchGuard& operator=(const LaunchGuard&) = delete;

 private:
  sigset_t m_previous;
  int m_errno;
};

// Waits for this process's child pid to exit and reaps it (__WALL: its exit signal is 0);
// returns at once if another thread of the program reaped it first (ECHILD).
void reap(long pid) {
  while (directSyscall(SYS_wait4, pid, 0, __WALL, 0) == -EINTR) {
  }
}

struct ExecRequest {
  const char* path;
  CollectorFds fds;
  CollectorArgv args;
  char* envp[1];
  long execResult;  // written by the child only when execve returned (it failed)
};

void prepareExec(ExecRequest& request, const char* path, const CollectorFds& fds) {
  request.path = path;
  request.fds = fds;
  request.args.fill(fds);
  request.envp[0] = nullptr;
  request.execResult = 0;
}

bool canExec(const char* path, const CollectorFds& fds) {
  return path[0] != '\0' && fds.channel >= 0;
}

// Runs in a vfork-style child: keeps the descriptors across exec, then execs.
int execCollector(void* arg) {
  auto* request = static_cast<ExecRequest*>(arg);
  for (const int fd : {request->fds.channel, request->fds.liveness, request->fds.program})
    if (fd >= 0) directSyscall(SYS_fcntl, fd, F_SETFD, 0);
  // An empty environment: no LD_PRELOAD, so the collector is never profiled itself.
  request->execResult = directSyscall(SYS_execve, reinterpret_cast<long>(request->path),
                                      reinterpret_cast<long>(request->args.argv()),
                                      reinterpret_cast<long>(request->envp));
  directSyscall(SYS_exit, 127);
  return 127;
}

void* mapStacks(size_t bytes) {
  return raw::map(nullptr, bytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
}

// --- the collector as the program's child (no pidfd, or the program adopts orphans) ---

int execAsChild(const CollectorFds& fds, const char* path) {
  if (!canExec(path, fds)) return -1;
  void* stack = mapStacks(kExecStackBytes);
  if (stack == nullptr) return -1;
  ExecRequest request;
  prepareExec(request, path, fds);
  int pid;
  {
    LaunchGuard guard;
    pid = clone(&execCollector, static_cast<uint8_t*>(stack) + kExecStackBytes,
                CLONE_VM | CLONE_VFORK, &request);
    if (pid > 0 && request.execResult != 0) reap(pid);
  }
  raw::unmap(stack, kExecStackBytes);
  return pid > 0 && request.execResult == 0 ? pid : -1;
}

int copyAsChild(Channel& channel, const CollectorFds& fds) {
  ErrnoKeeper keepErrno;
  // Like fork() but without the program's fork handlers or a SIGCHLD for its parent.
  const long pid = syscall(SYS_clone, 0, nullptr, nullptr, nullptr, 0);
  if (pid == 0) syscall(SYS_exit_group, runCollectorInCopy(channel, fds));
  return pid > 0 ? static_cast<int>(pid) : -1;
}

int startAsChild(Channel& channel, const CollectorFds& fds, const char* path) {
  const int pid = execAsChild(fds, path);
  return pid > 0 ? pid : copyAsChild(channel, fds);
}

// --- the collector apart: a grandchild, handed to the nearest reaper ---

struct ApartRequest {
  ExecRequest exec;
  Channel* channel;
  uint8_t* execStackTop;
  long collectorPid;  // the intermediate's answer: the collector's pid, or -1
};

// Runs in the intermediate, in the memory of the program (suspended until it exits):
// starts the collector as its own child, says which, and exits at once, so the kernel
// hands the collector to the nearest subreaper or init, which reaps it.
int startFromIntermediate(void* arg) {
  auto* request = static_cast<ApartRequest*>(arg);
  long pid = -1;
  if (canExec(request->exec.path, request->exec.fds)) {
    pid = clone(&execCollector, request->execStackTop, CLONE_VM | CLONE_VFORK, &request->exec);
    if (pid > 0 && request->exec.execResult != 0) {
      reap(pid);
      pid = -1;
    }
  }
  if (pid <= 0) {
    // A copy of the program (like fork(), without its handlers); it runs on a copy of this
    // stack and never comes back here.
    pid = directSyscall(SYS_clone);
    if (pid == 0)
      directSyscall(SYS_exit_group, runCollectorInCopy(*request->channel, request->exec.fds));
  }
  request->collectorPid = pid;
  directSyscall(SYS_exit);
  return 0;
}

int startApart(Channel& channel, const CollectorFds& fds, const char* path) {
  constexpr size_t kBytes = kExecStackBytes + kApartStackBytes;
  auto* stacks = static_cast<uint8_t*>(mapStacks(kBytes));
  if (stacks == nullptr) return -1;
  ApartRequest request;
  prepareExec(request.exec, path, fds);
  request.channel = &channel;
  request.execStackTop = stacks + kExecStackBytes;
  request.collectorPid = -1;
  {
    LaunchGuard guard;
    const int intermediate =
        clone(&startFromIntermediate, stacks + kBytes, CLONE_VM | CLONE_VFORK, &request);
    // Back here once it has exited: reaped at once, so not even a zombie is left of it.
    if (intermediate > 0) reap(intermediate);
  }
  raw::unmap(stacks, kBytes);
  return request.collectorPid > 0 ? static_cast<int>(request.collectorPid) : -1;
}

// Orphans go to the nearest subreaper, else to the pid namespace's init: when that is the
// program itself, a collector started apart would come back to it as a child with SIGCHLD.
bool adoptsOrphans() {
  ErrnoKeeper keepErrno;
  int subreaper = 0;
  return raw::pid() == 1 || (prctl(PR_GET_CHILD_SUBREAPER, &subreaper) == 0 && subreaper != 0);
}

struct FindSelf {
  uint64_t address;
  const char* name;
};

int findSelfCallback(dl_phdr_info* info, size_t, void* data) {
  auto* find = static_cast<FindSelf*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uint64_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD && find->address >= start && find->address < start + ph.p_memsz) {
      find->name = info->dlpi_name;
      return 1;
    }
  }
  return 0;
}

}  // namespace

void findCollectorProgram(char* out, unsigned long size, const char* cwd) {
  out[0] = '\0';
  FindSelf find{reinterpret_cast<uint64_t>(&findCollectorProgram), nullptr};
  dl_iterate_phdr(findSelfCallback, &find);
  if (find.name == nullptr || find.name[0] == '\0') return;
  const char* slash = std::strrchr(find.name, '/');
  const size_t dirLen = slash == nullptr ? 0 : static_cast<size_t>(slash - find.name);
  static constexpr char kName[] = "slowburn-collector";
  const bool relative = find.name[0] != '/';
  const size_t cwdLen = relative ? std::strlen(cwd) : 0;
  if (cwdLen + 1 + dirLen + 1 + sizeof(kName) > size) return;
  size_t n = 0;
  if (relative) {
    std::memcpy(out, cwd, cwdLen);
    n = cwdLen;
    out[n++] = '/';
  }
  std::memcpy(out + n, find.name, dirLen);
  n += dirLen;
  if (n == 0 || out[n - 1] != '/') out[n++] = '/';
  std::memcpy(out + n, kName, sizeof(kName));
}

LaunchedCollector launchCollector(Channel& channel, const CollectorFds& fds,
                                  const char* collectorPath) {
  if (fds.program < 0 || adoptsOrphans()) {
    const int pid = startAsChild(channel, fds, collectorPath);
    return {pid, pid > 0};
  }
  if (const int pid = startApart(channel, fds, collectorPath); pid > 0) return {pid, false};
  const int pid = startAsChild(channel, fds, collectorPath);
  static bool s_said = false;
  if (pid > 0 && !s_said) {
    s_said = true;
    diag::line(
        "cannot start the collector process apart from the program: it runs as the program's "
        "child, where a wait for every child (__WALL) sees it");
  }
  return {pid, pid > 0};
}

}  // namespace slowburn::preload
