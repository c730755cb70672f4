// Forks while another thread keeps walking the loader's list (dl_iterate_phdr, as
// unwinders do) and producing new call sites, so a walk is often in progress at the
// moment of a fork. glibc does not reset the walk's lock in the child; the child then
// records (the profiler walks the list too), exits, and must not hang.
// Usage: pl_forkstress FORKS
#include <link.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

std::atomic<bool> g_stop{false};

[[gnu::noinline]] void pathA(unsigned bits, int n);
[[gnu::noinline]] void pathB(unsigned bits, int n);

// Each bit pattern is a distinct stack, so a distinct call site.
[[gnu::noinline]] void descend(unsigned bits, int n) {
  if (n == 0) {
    void* p = std::malloc(1234);
    asm volatile("" : : "r"(p) : "memory");
    std::free(p);
    return;
  }
  if (bits & 1) {
    pathA(bits >> 1, n - 1);
  } else {
    pathB(bits >> 1, n - 1);
  }
}

void pathA(unsigned bits, int n) {
  descend(bits, n);
  asm volatile("");
}

void pathB(unsigned bits, int n) {
  descend(bits, n);
  asm volatile("");
}

int countObject(struct dl_phdr_info*, size_t, void* data) {
  ++*static_cast<int*>(data);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int forks = argc > 1 ? std::atoi(argv[1]) : 30;
  std::thread churner([] {
    for (unsigned i = 0; !g_stop; ++i) {
      int objects = 0;
      dl_iterate_phdr(countObject, &objects);
      descend(i & 0xfff, 12);
    }
  });
  int failed = 0;
  for (int f = 0; f < forks; ++f) {
    const pid_t child = fork();
    if (child == 0) {
      descend(static_cast<unsigned>(f) * 7919u, 12);
      std::exit(0);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0) ++failed;
  }
  g_stop = true;
  churner.join();
  std::printf("%d forks, %d failed\n", forks, failed);
  return failed == 0 ? 0 : 1;
}
