// Enters a new user namespace, as unshare -U, bubblewrap and rootless container tools do;
// the kernel refuses that to a multi-threaded process. Usage: pl_userns
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

[[gnu::noinline]] void* keep(size_t n) {
  void* p = std::malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

}  // namespace

int main() {
  keep(10001);
  if (unshare(CLONE_NEWUSER) != 0) {
    std::printf("unshare(CLONE_NEWUSER): %s\n", std::strerror(errno));
    return 1;
  }
  keep(20001);
  std::printf("unshare(CLONE_NEWUSER): ok\n");
  return 0;
}
