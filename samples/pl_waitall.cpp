// A parent that waits for every child it has, as strace and ptrace supervisors do: it forks
// 3 children (each keeps 2 x 20001 B, then waits to be let go), checks that the kernel
// lists exactly those as its children, lets them go, and reaps with
// waitpid(-1, __WALL) until ECHILD. It keeps 5 x 10001 B itself.
// Prints "reaped exactly my 3 children" and exits 0, or says what else it found and exits 1.
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

namespace {

constexpr int kChildren = 3;

void escape(void* p) { asm volatile("" : : "r"(p) : "memory"); }

[[gnu::noinline]] void keepBlocks(size_t size, int count) {
  for (int i = 0; i < count; ++i) escape(std::malloc(size));
}

// Every task's children, as /proc/self/task/*/children lists them.
std::set<pid_t> listedChildren() {
  std::set<pid_t> found;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return found;
  while (const dirent* task = readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    std::ifstream list(std::string("/proc/self/task/") + task->d_name + "/children");
    std::copy(std::istream_iterator<pid_t>(list), std::istream_iterator<pid_t>(),
              std::inserter(found, found.end()));
  }
  closedir(tasks);
  return found;
}

void show(const char* what, const std::set<pid_t>& pids) {
  std::printf("%s:", what);
  for (const pid_t pid : pids) std::printf(" %d", pid);
  std::printf("\n");
}

}  // namespace

int main() {
  keepBlocks(10001, 5);
  int gate[2];
  if (pipe(gate) != 0) return 1;
  std::fflush(stdout);
  std::set<pid_t> mine;
  for (int i = 0; i < kChildren; ++i) {
    const pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
      close(gate[1]);
      keepBlocks(20001, 2);
      char byte;
      std::exit(read(gate[0], &byte, 1) == 0 ? 10 + i : 1);  // EOF: the parent let go
    }
    mine.insert(child);
  }
  close(gate[0]);
  const std::set<pid_t> listed = listedChildren();
  close(gate[1]);
  std::set<pid_t> reaped;
  bool statusesRight = true;
  int lastError = 0;
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) {
      lastError = errno;
      break;
    }
    reaped.insert(pid);
    statusesRight = statusesRight && WIFEXITED(status) && WEXITSTATUS(status) >= 10;
  }
  if (lastError != ECHILD || listed != mine || reaped != mine || !statusesRight) {
    show("forked", mine);
    show("listed", listed);
    show("reaped", reaped);
    std::printf("statuses %s, last errno %d\n", statusesRight ? "right" : "wrong", lastError);
    return 1;
  }
  std::printf("reaped exactly my %d children\n", kChildren);
  return 0;
}
