#include "lifecycle/collector_launch.hpp"

#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <cstdint>
#include <cstring>

#include "collect/collector_args.hpp"
#include "collect/collector_process.hpp"
#include "record/channel.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

constexpr size_t kChildStackBytes = 64 * 1024;

// A system call that never touches errno: the vfork-style child shares the program's
// memory, thread pointer included, so it must write nothing of the program's.
long directSyscall(long number, long a, long b, long c) {
  long result;
  asm volatile("syscall"
               : "=a"(result)
               : "a"(number), "D"(a), "S"(b), "d"(c)
               : "rcx", "r11", "memory");
  return result;
}

struct ExecRequest {
  const char* path;
  CollectorFds fds;
  CollectorArgv args;
  char* envp[1];
  long execResult;  // written by the child only when execve returned (it failed)
};

// Runs in the vfork-style child: keeps the descriptors across exec, then execs.
int execCollector(void* arg) {
  auto* request = static_cast<ExecRequest*>(arg);
  for (const int fd : {request->fds.channel, request->fds.liveness, request->fds.program})
    if (fd >= 0) directSyscall(SYS_fcntl, fd, F_SETFD, 0);
  // An empty environment: no LD_PRELOAD, so the collector is never profiled itself.
  request->execResult = directSyscall(SYS_execve, reinterpret_cast<long>(request->path),
                                      reinterpret_cast<long>(request->args.argv()),
                                      reinterpret_cast<long>(request->envp));
  directSyscall(SYS_exit, 127, 0, 0);
  return 127;
}

int execFromClone(const CollectorFds& fds, const char* path) {
  if (path[0] == '\0' || fds.channel < 0) return -1;
  void* stack = raw::map(nullptr, kChildStackBytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == nullptr) return -1;
  ExecRequest request;
  request.path = path;
  request.fds = fds;
  request.args.fill(fds);
  request.envp[0] = nullptr;
  request.execResult = 0;
  // No handler of the program's may run in the child, which shares its memory.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  const int saved = errno;
  const int pid = clone(&execCollector, static_cast<uint8_t*>(stack) + kChildStackBytes,
                        CLONE_VM | CLONE_VFORK, &request);
  errno = saved;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  raw::unmap(stack, kChildStackBytes);
  return pid > 0 && request.execResult == 0 ? pid : -1;
}

int runInCopy(Channel& channel, const CollectorFds& fds) {
  // Like fork() but without the program's fork handlers or a SIGCHLD for its parent.
  const long pid = syscall(SYS_clone, 0, nullptr, nullptr, nullptr, 0);
  if (pid == 0) syscall(SYS_exit_group, runCollectorInCopy(channel, fds));
  return pid > 0 ? static_cast<int>(pid) : -1;
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

int launchCollector(Channel& channel, const CollectorFds& fds, const char* collectorPath) {
  const int pid = execFromClone(fds, collectorPath);
  return pid > 0 ? pid : runInCopy(channel, fds);
}

}  // namespace slowburn::preload
