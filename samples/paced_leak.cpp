// 256-byte blocks kept forever at RATE bytes/s, arriving at random (Poisson, 10 ms ticks),
// beside a line that churns 64 requests of 4 KiB a tick: the smallest leaks a long sampled
// run can find (docs/RANKING.md, "Sampling").
// Usage: paced_leak RATE_BYTES_PER_S SECONDS

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

constexpr size_t kKeptBytes = 256;
constexpr size_t kRequestBytes = 4096;
constexpr int kRequestsPerTick = 64;
constexpr double kTickSeconds = 0.01;

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

[[gnu::noinline]] void keep(std::vector<void*>& kept) {
  void* p = std::malloc(kKeptBytes);
  escape(p);
  kept.push_back(p);
}

[[gnu::noinline]] void* request() {
  void* p = std::malloc(kRequestBytes);
  escape(p);
  return p;
}

// A positive number from text, or -1.
double positive(const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  return end != text && *end == '\0' && v > 0 ? v : -1;
}

}  // namespace

int main(int argc, char** argv) {
  const double rate = argc == 3 ? positive(argv[1]) : -1;
  const double seconds = argc == 3 ? positive(argv[2]) : -1;
  if (rate <= 0 || seconds <= 0) {
    std::fprintf(stderr, "usage: paced_leak RATE_BYTES_PER_S SECONDS\n");
    return 2;
  }
  std::mt19937_64 rng(7);
  std::poisson_distribution<int> arrivals(rate / kKeptBytes * kTickSeconds);
  std::vector<void*> kept;
  kept.reserve(static_cast<size_t>(rate / kKeptBytes * seconds * 1.2) + 16);
  std::vector<void*> inflight;
  for (long tick = 0; tick < static_cast<long>(seconds / kTickSeconds); ++tick) {
    for (int n = arrivals(rng); n > 0; --n) keep(kept);
    for (void* p : inflight) std::free(p);
    inflight.clear();
    for (int i = 0; i < kRequestsPerTick; ++i) inflight.push_back(request());
    usleep(static_cast<useconds_t>(kTickSeconds * 1e6));
  }
  for (void* p : inflight) std::free(p);
  return 0;
}
