// Forks and execs while slowburn attach may be recording it. fork: every 50 ms a child
// allocates, writes a line and exits; the parent waits for it. exec: after the forks the
// process replaces itself with this program in "after-exec" mode, which allocates for
// ITERATIONS times 100 ms longer, then prints. What it prints depends only on its arguments.
// Usage: at_forker fork|exec ITERATIONS | at_forker after-exec ITERATIONS

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

[[gnu::noinline]] void keepSome(std::vector<void*>& kept, size_t size) {
  void* p = std::malloc(size);
  std::memset(p, 1, size);
  escape(p);
  kept.push_back(p);
}

int forkOnce(int i) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    std::vector<void*> mine;
    for (int k = 0; k < 100; ++k) keepSome(mine, 1000 + k);
    std::printf("child %d allocated %zu blocks\n", i, mine.size());
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string mode = argv[1];
  const int iterations = std::atoi(argv[2]);
  std::vector<void*> kept;
  if (mode == "after-exec") {
    for (int i = 0; i < iterations; ++i) {
      keepSome(kept, 3000);
      usleep(100000);  // long enough to be looked at after the exec
    }
    std::printf("after exec: kept %zu blocks\n", kept.size());
    return 0;
  }
  for (int i = 0; i < iterations; ++i) {
    keepSome(kept, 2000);
    std::printf("child %d exited %d\n", i, forkOnce(i));
    usleep(50000);
  }
  std::printf("parent kept %zu blocks\n", kept.size());
  std::fflush(stdout);
  if (mode == "exec") {
    char self[] = "/proc/self/exe";
    char after[] = "after-exec";
    std::string n = std::to_string(iterations);
    char* args[] = {self, after, n.data(), nullptr};
    execv(self, args);
    return 127;
  }
  return 0;
}
