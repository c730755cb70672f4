// A thread that does nothing but sleep SLEEPER_NS nanoseconds (default 20000) in a loop,
// preloaded into a program that does not use slowburn. It isolates what a collector's
// wake-up rate alone costs the program (context switches, cold caches and TLB) from
// everything else the collector does:
//   SLEEPER_NS=20000 LD_PRELOAD=build/bench/libsleeper_thread.so perf stat build/bench/churn

#include <pthread.h>
#include <time.h>

#include <cstdlib>

namespace {

void* sleepForever(void* arg) {
  const long ns = reinterpret_cast<long>(arg);
  const timespec ts{ns / 1000000000L, ns % 1000000000L};
  for (;;) nanosleep(&ts, nullptr);
  return nullptr;
}

[[gnu::constructor]] void startSleeper() {
  const char* text = std::getenv("SLEEPER_NS");
  const long ns = text ? std::atol(text) : 20000;
  if (ns <= 0) return;
  pthread_t thread;
  if (pthread_create(&thread, nullptr, sleepForever, reinterpret_cast<void*>(ns)) == 0) {
    pthread_detach(thread);
  }
}

}  // namespace
