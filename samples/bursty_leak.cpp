// A leak on a bursty path: a batch job's results are kept forever, but batches come in
// bursts (a few hundred milliseconds of work, then a pause of varying length), beside a big
// healthy cache that filled at start and per-request churn.
// Usage: bursty_leak [SECONDS]   (default 5 s)

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

double nowS() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void sleepMs(int ms) {
  const struct timespec pause { 0, ms * 1000000L };
  nanosleep(&pause, nullptr);
}

std::vector<void*> results;  // the leak
std::vector<void*> cache;    // bounded: filled once

[[gnu::noinline]] void keepResult(size_t bytes) {
  void* r = std::malloc(bytes);  // the leak: results are never dropped
  std::memset(r, 1, bytes);
  results.push_back(r);
}

[[gnu::noinline]] void warmCache() {
  for (int i = 0; i < 2000; ++i) cache.push_back(std::calloc(1, 16384));
}

[[gnu::noinline]] void serve(size_t request) {
  std::vector<char> reply(500 + request % 1500);
  escape(reply.data());
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  std::mt19937 rng(11);
  warmCache();
  const double start = nowS();
  size_t request = 0;
  while (nowS() - start < seconds) {
    // A burst: 150-350 ms of results at ~12 MB/s.
    const double burstEnd = nowS() + 0.15 + 0.2 * (rng() % 100) / 100.0;
    while (nowS() < burstEnd) {
      for (int i = 0; i < 6; ++i) keepResult(2000 + rng() % 2000);
      serve(request++);
      sleepMs(1);
    }
    // A pause: 100-500 ms of requests only.
    const double pauseEnd = nowS() + 0.1 + 0.4 * (rng() % 100) / 100.0;
    while (nowS() < pauseEnd && nowS() - start < seconds) {
      serve(request++);
      sleepMs(1);
    }
  }
  std::printf("kept %zu results, served %zu requests\n", results.size(), request);
  return 0;
}
