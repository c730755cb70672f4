// A child made with clone() without CLONE_VM, so no fork handler runs in it: it allocates
// and calls exit(), which runs the exit handlers of a process that never forked. The
// parent waits for it, allocates, and exits. Usage: pl_rawclone
#include <sched.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace {

[[gnu::noinline]] void* keep(size_t n) {
  void* p = std::malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

int child(void*) {
  keep(30001);
  std::printf("child allocated\n");
  std::fflush(stdout);
  std::exit(3);
}

}  // namespace

int main() {
  keep(10001);
  constexpr size_t kStack = 256 * 1024;
  char* stack = static_cast<char*>(std::malloc(kStack));
  const int pid = clone(&child, stack + kStack, SIGCHLD, nullptr);
  if (pid < 0) {
    std::perror("clone");
    return 1;
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) {
    std::perror("waitpid");
    return 1;
  }
  keep(20001);
  std::printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}
