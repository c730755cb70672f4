// fork and fork+exec. Usage:
//   pl_fork fork   parent keeps 5 x 10001 B, child keeps 7 x 20001 B and exits,
//                  then the parent keeps 3 x 30001 B
//   pl_fork exec   parent keeps 5 x 10001 B, child execs "pl_fork target"
//   pl_fork target keeps 4 x 40001 B
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void escape(void* p) { asm volatile("" : : "r"(p) : "memory"); }

[[gnu::noinline]] void keepBlocks(size_t size, int count) {
  for (int i = 0; i < count; ++i) escape(std::malloc(size));
}

int waitFor(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return 1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "fork";
  if (std::strcmp(mode, "target") == 0) {
    keepBlocks(40001, 4);
    std::printf("target done\n");
    return 0;
  }
  keepBlocks(10001, 5);
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    if (std::strcmp(mode, "exec") == 0) {
      char* args[] = {argv[0], const_cast<char*>("target"), nullptr};
      execv("/proc/self/exe", args);
      _exit(127);
    }
    keepBlocks(20001, 7);
    std::exit(0);
  }
  const int status = waitFor(child);
  if (std::strcmp(mode, "fork") == 0) keepBlocks(30001, 3);
  std::printf("parent done, child exited %d\n", status);
  return status;
}
