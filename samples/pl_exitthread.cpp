// exit() from a worker thread while other threads are still allocating: the dump must
// still end with its final snapshot and END.
#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

std::atomic<long> g_kept{0};

[[gnu::noinline]] void busyWorker() {
  for (;;) {
    void* p = std::malloc(8009);
    asm volatile("" : : "r"(p) : "memory");
    if (g_kept.fetch_add(1) % 2 == 0) std::free(p);
  }
}

}  // namespace

int main() {
  for (int i = 0; i < 3; ++i) std::thread(busyWorker).detach();
  std::thread([] {
    const struct timespec pause { 0, 150000000 };
    nanosleep(&pause, nullptr);
    std::printf("exiting from a worker\n");
    std::fflush(stdout);
    std::exit(0);
  }).detach();
  for (;;) {
    const struct timespec pause { 1, 0 };
    nanosleep(&pause, nullptr);
  }
}
