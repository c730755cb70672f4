// Behaves like a daemon: closes every descriptor, chdirs to /, and fills the descriptor
// numbers the profiler likes with /dev/null, then keeps allocating (5 x 60001 B, over
// about 200 ms) and exits normally.
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>

namespace {

[[gnu::noinline]] void keepAfterClosing() {
  const struct timespec pause { 0, 40000000 };
  for (int i = 0; i < 5; ++i) {
    void* p = std::malloc(60001);
    asm volatile("" : : "r"(p) : "memory");
    nanosleep(&pause, nullptr);
  }
}

}  // namespace

int main() {
  void* before = std::malloc(70001);
  asm volatile("" : : "r"(before) : "memory");
  const struct timespec settle { 0, 60000000 };
  nanosleep(&settle, nullptr);
  struct rlimit limit {};
  getrlimit(RLIMIT_NOFILE, &limit);
  const int top = limit.rlim_cur > 4096 ? 4096 : static_cast<int>(limit.rlim_cur);
  for (int fd = 0; fd < top; ++fd) close(fd);
  if (chdir("/") != 0) return 1;
  // Reuse the numbers: whatever descriptor the profiler had now names /dev/null.
  const int null = open("/dev/null", O_RDWR);
  for (int fd = 0; fd < top; ++fd) {
    if (fd != null) dup2(null, fd);
  }
  keepAfterClosing();
  return 0;
}
